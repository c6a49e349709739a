// The kiosk session with a cashback offer (docs/kiosk-app.md): the confirm screen shows the full
// price to pay and the cashback the member earns, the journal records cashback_minor with no
// discount, a cap counts the cashback already earned, and nothing is shown as earned when the
// entry could not be written.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kiosk_fixture.h"

namespace kiosk {
namespace {

using kiosktest::RegistrySpec;

constexpr char kAnna[] = "M-1001";

class SessionCashbackTest : public ::testing::Test {
 protected:
  static RegistrySpec Spec(std::vector<registry::Offer> offers) {
    RegistrySpec spec;
    spec.members = {{kAnna}};
    spec.partners = {kiosktest::MakePartner()};
    spec.offers = std::move(offers);
    return spec;
  }
  void Start(const RegistrySpec& spec) {
    ASSERT_TRUE(fx_.WriteRegistry(spec));
    base::Result<Device> d = fx_.OpenDevice();
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    device_.emplace(std::move(d).value());
    session_ = fx_.NewSession(*device_, kiosktest::ShopConfig());
  }
  Session& s() { return *session_; }
  const Screen& screen() const { return session_->screen(); }
  std::vector<journal::Entry> Journal() { return kiosktest::Entries(*device_->journal); }
  void Buy(int64_t purchase) {
    s().Scan(fx_.Card({.member_id = kAnna}));
    s().Amount(purchase);
    s().Confirm();
    s().Cancel();
  }

  kiosktest::KioskFixture fx_;
  std::optional<Device> device_;
  std::unique_ptr<Session> session_;
};

TEST_F(SessionCashbackTest, ConfirmShowsTheFullPriceAndTheCashbackThenRecordsIt) {
  ASSERT_NO_FATAL_FAILURE(Start(Spec({kiosktest::CashbackOffer("C-10", 1000)})));
  s().Scan(fx_.Card({.member_id = kAnna}));
  s().Amount(125'000);
  ASSERT_EQ(screen().state, State::kConfirm);
  EXPECT_EQ(screen().cashback_minor, 12'500);
  EXPECT_EQ(screen().discount_minor, 0);
  EXPECT_EQ(screen().total_minor, 125'000);  // the till charges it all
  EXPECT_EQ(screen().offer_id, "C-10");
  EXPECT_TRUE(Journal().empty());  // nothing recorded before the confirm
  s().Confirm();
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_EQ(screen().outcome, Outcome::kValid);
  EXPECT_EQ(screen().cashback_minor, 12'500);
  const std::vector<journal::Entry> entries = Journal();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].kind, journal::Kind::kDiscount);
  EXPECT_EQ(entries[0].offer_id, "C-10");
  EXPECT_EQ(entries[0].purchase_minor, 125'000);
  EXPECT_EQ(entries[0].discount_minor, 0);
  EXPECT_EQ(entries[0].cashback_minor, 12'500);
  EXPECT_EQ(journal::EntryFormat(entries[0]), 2);
  EXPECT_EQ(entries[0].uuid, screen().entry_uuid);
}

TEST_F(SessionCashbackTest, AMonthlyCapCountsTheCashbackAlreadyEarned) {
  registry::Offer o = kiosktest::CashbackOffer("C-10", 1000);
  o.cap_period = registry::CapPeriod::kMonth;
  o.cap_amount_minor = 20'000;  // 200.00 a month
  ASSERT_NO_FATAL_FAILURE(Start(Spec({o})));
  Buy(125'000);  // 125.00 earned
  s().Scan(fx_.Card({.member_id = kAnna}));
  s().Amount(125'000);
  ASSERT_EQ(screen().state, State::kConfirm);
  EXPECT_EQ(screen().cashback_minor, 7'500);  // what is left of 200.00
  EXPECT_EQ(screen().clip, rules::DiscountClip::kCapLeft);
  s().Confirm();
  s().Cancel();
  // Used up: the answer is known at the scan, for any amount, and recorded as a refusal.
  s().Scan(fx_.Card({.member_id = kAnna}));
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "AMOUNT_LIMIT_REACHED");
  EXPECT_EQ(screen().cashback_minor, 0);
  const std::vector<journal::Entry> entries = Journal();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].cashback_minor, 7'500);
  EXPECT_EQ(entries[2].decision, "AMOUNT_LIMIT_REACHED");
  EXPECT_EQ(entries[2].cashback_minor, 0);
}

TEST_F(SessionCashbackTest, ADiscountWorthMoreThanTheCashbackIsGivenAtTheTill) {
  ASSERT_NO_FATAL_FAILURE(
      Start(Spec({kiosktest::CashbackOffer("C-5", 500), kiosktest::PercentOffer("D-10", 1000)})));
  s().Scan(fx_.Card({.member_id = kAnna}));
  s().Amount(100'000);
  EXPECT_EQ(screen().offer_id, "D-10");
  EXPECT_EQ(screen().discount_minor, 10'000);
  EXPECT_EQ(screen().cashback_minor, 0);
  EXPECT_EQ(screen().total_minor, 90'000);
}

}  // namespace
}  // namespace kiosk
