// Admin cards at the session: a verified one gives the decision ADMIN_CARD (the app opens the admin
// menu), journalled as a rejected-kind entry whose actor is the card's id; expired, withdrawn and
// unknown-key cards are refused with their verdicts; the headless front end (admin_cards off)
// refuses even a good one; a member card keeps its path.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/hex.h"
#include "card/admin_card.h"
#include "kiosk/device.h"
#include "kiosk/session.h"
#include "kiosk_fixture.h"

namespace kiosk {
namespace {

const card::AdminId kIrina = {1, 1, 1, 1, 1, 1, 1, 1};
const card::AdminId kLost = {2, 2, 2, 2, 2, 2, 2, 2};

class SessionAdminCardTest : public ::testing::Test {
 protected:
  SessionAdminCardTest() : admin_key_(card::PrivateKey::Generate(card::Alg::kEdDSA).value()) {}

  void Start(Config config) {
    kiosktest::RegistrySpec spec;
    spec.members = {{"M-1001"}};
    spec.partners = {kiosktest::MakePartner()};
    spec.offers = {kiosktest::PercentOffer("O-1", 1000)};
    registry::RegistryContents c = fx_.Contents(spec);
    const card::PublicKey pub = admin_key_.Public().value();
    c.admin_keys = {{.kid = pub.kid(), .key = pub}};
    c.withdrawn_admins = {kLost};
    ASSERT_TRUE(fx_.WriteRegistryContents(c));
    base::Result<Device> d = fx_.OpenDevice();
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    device_.emplace(std::move(d).value());
    session_ = fx_.NewSession(*device_, config);
  }
  static Config AppConfig() {
    Config c = kiosktest::ShopConfig();
    c.admin_cards = true;
    return c;
  }
  std::string AdminCard(const card::PrivateKey& key, const card::AdminId& id,
                        int64_t exp_in = 30 * kiosktest::kDay) {
    const int64_t now = fx_.clock().NowUnixSeconds();
    card::Claims c{.iat = now - 60,
                   .exp = now + exp_in,
                   .admin = card::AdminCard{.id = id, .name = "Ирина Петровна"}};
    auto issuer = card::CardIssuer::Create(card::PrivateKey::FromPem(key.ToPem().value()).value());
    return issuer->Issue(c).value();
  }
  Session& s() { return *session_; }
  const Screen& screen() const { return session_->screen(); }

  kiosktest::KioskFixture fx_;
  card::PrivateKey admin_key_;
  std::optional<Device> device_;
  std::unique_ptr<Session> session_;
};

TEST_F(SessionAdminCardTest, AVerifiedAdminCardOpensTheMenuAndIsJournalled) {
  Start(AppConfig());
  s().Scan(AdminCard(admin_key_, kIrina));
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_TRUE(screen().admin_card);
  EXPECT_EQ(screen().verdict, "VALID");
  EXPECT_EQ(screen().decision, kAdminCardAccepted);
  EXPECT_EQ(screen().outcome, Outcome::kValid);
  EXPECT_EQ(screen().name, "Ирина Петровна");
  EXPECT_EQ(screen().admin_id, base::ToHex(kIrina));
  std::vector<journal::Entry> j = kiosktest::Entries(*device_->journal);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0].kind, journal::Kind::kRejected);
  EXPECT_EQ(j[0].decision, "ADMIN_CARD");
  EXPECT_EQ(j[0].verdict, "VALID");
  EXPECT_EQ(j[0].actor, "admin-card:" + base::ToHex(kIrina));
  EXPECT_FALSE(j[0].rid.has_value());
  EXPECT_EQ(j[0].partner_id, kiosktest::kPartner);
  EXPECT_EQ(j[0].purchase_minor, 0);
}

TEST_F(SessionAdminCardTest, ExpiredWithdrawnAndUnknownKeyCardsAreRefused) {
  Start(AppConfig());
  struct Case {
    std::string text, verdict;
  };
  const card::PrivateKey stranger = card::PrivateKey::Generate(card::Alg::kES256).value();
  const std::vector<Case> cases = {
      {AdminCard(admin_key_, kIrina, -1), "EXPIRED"},
      {AdminCard(admin_key_, kLost), "REVOKED"},
      {AdminCard(stranger, kIrina), "UNKNOWN_KEY"},
  };
  for (const Case& c : cases) {
    s().Cancel();
    s().Scan(c.text);
    EXPECT_EQ(screen().state, State::kResult) << c.verdict;
    EXPECT_TRUE(screen().admin_card) << c.verdict;
    EXPECT_EQ(screen().verdict, c.verdict);
    EXPECT_EQ(screen().decision, c.verdict);
    EXPECT_EQ(screen().outcome, Outcome::kInvalid) << c.verdict;
  }
  // A forged card names nobody on screen or in the journal.
  EXPECT_TRUE(screen().name.empty());
  std::vector<journal::Entry> j = kiosktest::Entries(*device_->journal);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0].decision, "EXPIRED");
  EXPECT_EQ(j[1].decision, "REVOKED");
  EXPECT_EQ(j[1].actor, "admin-card:" + base::ToHex(kLost));
  EXPECT_EQ(j[2].decision, "UNKNOWN_KEY");
  EXPECT_EQ(j[2].actor, "admin-card");
}

TEST_F(SessionAdminCardTest, MemberCardsKeepTheirPathAndAreNoAdminCards) {
  Start(AppConfig());
  s().Scan(fx_.Card());  // a member card still asks for the amount
  EXPECT_EQ(screen().state, State::kAmountEntry);
  EXPECT_FALSE(screen().admin_card);
  s().Cancel();
  EXPECT_FALSE(s().ScanAdminCard(fx_.Card()));  // changing nothing
  EXPECT_EQ(screen().state, State::kIdle);
  EXPECT_TRUE(kiosktest::Entries(*device_->journal).empty());
}

TEST_F(SessionAdminCardTest, TheHeadlessFrontEndRefusesAGoodAdminCard) {
  Start(kiosktest::ShopConfig());  // admin_cards off
  s().Scan(AdminCard(admin_key_, kIrina));
  EXPECT_TRUE(screen().admin_card);
  EXPECT_EQ(screen().verdict, "VALID");
  EXPECT_EQ(screen().decision, kAdminCardNotHere);
  EXPECT_EQ(screen().outcome, Outcome::kRefusedByRule);
  EXPECT_NE(screen().message.find("no admin menu"), std::string::npos) << screen().message;
  std::vector<journal::Entry> j = kiosktest::Entries(*device_->journal);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0].decision, "ADMIN_CARD_NOT_HERE");
}

TEST_F(SessionAdminCardTest, AnAdminCardDuringAnAmountLeavesTheCustomerWithNothingRecorded) {
  Start(AppConfig());
  s().Scan(fx_.Card());
  ASSERT_EQ(screen().state, State::kAmountEntry);
  EXPECT_TRUE(s().ScanAdminCard(AdminCard(admin_key_, kIrina)));
  EXPECT_EQ(screen().decision, kAdminCardAccepted);
  std::vector<journal::Entry> j = kiosktest::Entries(*device_->journal);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0].decision, "ADMIN_CARD");
}

TEST_F(SessionAdminCardTest, ARefusedAdminCardKeepsTheCustomersAmountAndConfirm) {
  Start(AppConfig());
  const card::PrivateKey stranger = card::PrivateKey::Generate(card::Alg::kES256).value();
  s().Scan(fx_.Card());
  ASSERT_EQ(screen().state, State::kAmountEntry);
  const std::string name = screen().name;
  EXPECT_TRUE(s().ScanAdminCard(AdminCard(admin_key_, kIrina, -1)));  // expired
  EXPECT_EQ(screen().state, State::kAmountEntry);
  EXPECT_EQ(screen().admin_card_refused, "EXPIRED");
  EXPECT_FALSE(screen().admin_card);
  EXPECT_EQ(screen().name, name);
  s().AmountEdited();  // the cashier types on: the refusal has been read
  EXPECT_TRUE(screen().admin_card_refused.empty());
  s().Amount(100'000);
  ASSERT_EQ(screen().state, State::kConfirm);
  const int64_t discount = screen().discount_minor;
  EXPECT_GT(discount, 0);
  EXPECT_TRUE(s().ScanAdminCard(AdminCard(admin_key_, kLost)));  // withdrawn
  EXPECT_EQ(screen().state, State::kConfirm);
  EXPECT_EQ(screen().admin_card_refused, "REVOKED");
  EXPECT_EQ(screen().purchase_minor, 100'000);
  EXPECT_EQ(screen().discount_minor, discount);
  EXPECT_TRUE(s().ScanAdminCard(AdminCard(stranger, kIrina)));  // unknown key
  EXPECT_EQ(screen().admin_card_refused, "UNKNOWN_KEY");
  s().Confirm();  // the customer is served as if nothing had been scanned
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().outcome, Outcome::kValid);
  EXPECT_TRUE(screen().admin_card_refused.empty());
  std::vector<journal::Entry> j = kiosktest::Entries(*device_->journal);
  ASSERT_EQ(j.size(), 4u);  // three refusals, then the discount
  EXPECT_EQ(j[0].kind, journal::Kind::kRejected);
  EXPECT_EQ(j[0].decision, "EXPIRED");
  EXPECT_EQ(j[1].decision, "REVOKED");
  EXPECT_EQ(j[1].actor, "admin-card:" + base::ToHex(kLost));
  EXPECT_EQ(j[2].decision, "UNKNOWN_KEY");
  EXPECT_EQ(j[2].actor, "admin-card");
  EXPECT_EQ(j[3].kind, journal::Kind::kDiscount);
  EXPECT_EQ(j[3].purchase_minor, 100'000);
}

}  // namespace
}  // namespace kiosk
