// The kiosk session's state machine over a real SQLite registry and journal in a temporary data
// directory, with a FakeClock and cards from the real issuer (DESIGN.md sections 6, 7 and 9).
#include "kiosk/session.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "kiosk/device.h"
#include "kiosk_fixture.h"

namespace kiosk {
namespace {

using kiosktest::At;
using kiosktest::CardSpec;
using kiosktest::kNow;
using kiosktest::RegistrySpec;

constexpr char kAnna[] = "M-1001";       // active
constexpr char kSuspended[] = "M-1002";  // suspended
constexpr char kRevoked[] = "M-1003";    // revoked
constexpr char kReplaced[] = "M-1004";   // active, min_serial 5
constexpr char kBoris[] = "M-1005";      // active
constexpr char kUnlisted[] = "M-9999";   // in no registry

class SessionTest : public ::testing::Test {
 protected:
  // Members of every status, partner P-1 with no offer yet, event E-1 today 11:00-20:00 Moscow.
  static RegistrySpec Spec() {
    RegistrySpec spec;
    spec.members = {{kAnna},
                    {kSuspended, card::MemberState::kSuspended},
                    {kRevoked, card::MemberState::kRevoked},
                    {kReplaced, card::MemberState::kActive, 5},
                    {kBoris}};
    spec.partners = {kiosktest::MakePartner()};
    spec.events = {kiosktest::MakeEvent(kiosktest::kEvent, At("2027-01-13T11:00:00+03:00"),
                                        At("2027-01-13T20:00:00+03:00"))};
    return spec;
  }
  // Spec() with one shop offer.
  static RegistrySpec ShopSpec(const registry::Offer& offer) {
    RegistrySpec spec = Spec();
    spec.offers = {offer};
    return spec;
  }
  static registry::Offer TenPercent() { return kiosktest::PercentOffer("O-10", 1000); }

  void Start(const RegistrySpec& spec, const Config& config) {
    ASSERT_TRUE(fx_.WriteRegistry(spec));
    Open(config);
  }
  // Opens a new Device and Session on the same data directory (a restart of the kiosk).
  void Open(const Config& config) {
    session_.reset();
    device_.reset();
    base::Result<Device> d = fx_.OpenDevice();
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    device_.emplace(std::move(d).value());
    session_ = fx_.NewSession(*device_, config);
  }

  Session& s() { return *session_; }
  const Screen& screen() const { return session_->screen(); }
  std::vector<journal::Entry> Journal() { return kiosktest::Entries(*device_->journal); }
  std::string Card(const std::string& member_id) { return fx_.Card({.member_id = member_id}); }

  // The whole shop flow; returns the final screen's decision.
  std::string Buy(const std::string& member_id, int64_t purchase) {
    s().Scan(Card(member_id));
    s().Amount(purchase);
    s().Confirm();
    return screen().decision;
  }

  kiosktest::KioskFixture fx_;
  std::optional<Device> device_;
  std::unique_ptr<Session> session_;
};

// --- the shop flow ------------------------------------------------------------------------------

TEST_F(SessionTest, StartsIdleWithTheRegistryShown) {
  RegistrySpec spec = ShopSpec(TenPercent());
  spec.seq = 7;
  ASSERT_NO_FATAL_FAILURE(Start(spec, kiosktest::ShopConfig()));
  EXPECT_EQ(screen().state, State::kIdle);
  EXPECT_EQ(screen().registry_seq, 7);
  EXPECT_FALSE(screen().registry_stale);
  EXPECT_EQ(StateName(screen().state), "idle");
}

TEST_F(SessionTest, ValidScanAsksForTheAmountAndShowsTheCardHolder) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kAmountEntry);
  EXPECT_EQ(screen().verdict, "VALID");
  EXPECT_EQ(screen().name, "Anna I.");
  EXPECT_EQ(screen().number_masked, "******2345");
  EXPECT_EQ(screen().org, kiosktest::kIss);
  EXPECT_EQ(screen().message, "enter the purchase amount");
  EXPECT_TRUE(screen().decision.empty());
  EXPECT_TRUE(screen().entry_uuid.empty());
  EXPECT_TRUE(Journal().empty());
}

TEST_F(SessionTest, AmountShowsDiscountAndTotalBeforeAnythingIsRecorded) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Amount(123'456);
  EXPECT_EQ(screen().state, State::kConfirm);
  EXPECT_EQ(screen().purchase_minor, 123'456);
  EXPECT_EQ(screen().discount_minor, 12'345);  // 10% of 1234.56, rounded down
  EXPECT_EQ(screen().total_minor, 111'111);
  EXPECT_EQ(screen().offer_id, "O-10");
  EXPECT_EQ(screen().offer_title, "percent 1000 bp");
  EXPECT_TRUE(screen().decision.empty());
  EXPECT_TRUE(screen().entry_uuid.empty());
  EXPECT_EQ(screen().entry_seq, 0);
  EXPECT_TRUE(Journal().empty());
}

TEST_F(SessionTest, ConfirmRecordsTheDiscountThenShowsItsEntry) {
  RegistrySpec spec = ShopSpec(TenPercent());
  spec.seq = 7;
  ASSERT_NO_FATAL_FAILURE(Start(spec, kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Amount(123'456);
  s().Confirm();
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_EQ(screen().outcome, Outcome::kValid);
  EXPECT_EQ(screen().discount_minor, 12'345);
  EXPECT_EQ(screen().total_minor, 111'111);
  EXPECT_EQ(screen().entry_seq, 1);
  EXPECT_EQ(screen().entry_uuid.size(), 36u);
  const std::vector<journal::Entry> entries = Journal();
  ASSERT_EQ(entries.size(), 1u);
  const journal::Entry& e = entries[0];
  EXPECT_EQ(e.uuid, screen().entry_uuid);
  EXPECT_EQ(e.seq, 1);
  EXPECT_EQ(e.kind, journal::Kind::kDiscount);
  EXPECT_EQ(e.rid, fx_.RidOf(kAnna));
  EXPECT_EQ(e.partner_id, kiosktest::kPartner);
  EXPECT_EQ(e.event_id, "");
  EXPECT_EQ(e.offer_id, "O-10");
  EXPECT_EQ(e.purchase_minor, 123'456);
  EXPECT_EQ(e.discount_minor, 12'345);
  EXPECT_EQ(e.bundle_seq, 7);
  EXPECT_EQ(e.verdict, "VALID");
  EXPECT_EQ(e.decision, "accepted");
  EXPECT_EQ(e.time_utc, kNow);
}

TEST_F(SessionTest, SecondConfirmRecordsNothingMore) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  s().Confirm();
  EXPECT_EQ(Journal().size(), 1u);
  EXPECT_EQ(screen().entry_seq, 1);
}

TEST_F(SessionTest, FixedDiscountLargerThanThePurchaseMakesItFree) {
  ASSERT_NO_FATAL_FAILURE(
      Start(ShopSpec(kiosktest::FixedOffer("O-500", 50'000)), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Amount(30'000);
  EXPECT_EQ(screen().discount_minor, 30'000);
  EXPECT_EQ(screen().total_minor, 0);
  s().Confirm();
  ASSERT_EQ(Journal().size(), 1u);
  EXPECT_EQ(Journal()[0].discount_minor, 30'000);
}

TEST_F(SessionTest, ResultClosesAfterTheTimeoutOfMonotonicTime) {
  Config config = kiosktest::ShopConfig();
  config.result_timeout_ms = 4000;
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), config));
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  s().Tick();
  EXPECT_EQ(screen().state, State::kResult);
  fx_.clock().Advance(3);
  s().Tick();
  EXPECT_EQ(screen().state, State::kResult);
  fx_.clock().Advance(1);
  s().Tick();
  EXPECT_EQ(screen().state, State::kIdle);
  EXPECT_TRUE(screen().decision.empty());
  EXPECT_TRUE(screen().entry_uuid.empty());
}

// A cashier who walks away from the amount or confirm screen: after entry_timeout_ms the screen
// is abandoned and nothing is recorded, so an old decision cannot be confirmed later.
TEST_F(SessionTest, AbandonedAmountAndConfirmScreensTimeOutWithoutRecording) {
  Config config = kiosktest::ShopConfig();
  config.entry_timeout_ms = 120'000;
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), config));
  s().Scan(Card(kAnna));
  ASSERT_EQ(screen().state, State::kAmountEntry);
  fx_.clock().Advance(119);
  s().Tick();
  EXPECT_EQ(screen().state, State::kAmountEntry);
  s().Amount(10'000);  // activity restarts the wait
  ASSERT_EQ(screen().state, State::kConfirm);
  fx_.clock().Advance(119);
  s().Tick();
  EXPECT_EQ(screen().state, State::kConfirm);
  fx_.clock().Advance(1);
  s().Tick();
  EXPECT_EQ(screen().state, State::kIdle);
  s().Confirm();
  EXPECT_EQ(screen().state, State::kIdle);
  EXPECT_TRUE(screen().entry_uuid.empty());
  EXPECT_EQ(Journal().size(), 0u);
}

TEST_F(SessionTest, WallClockJumpsDoNotCloseTheResult) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  fx_.clock().Set(kNow + 3600);  // NTP step: the wall clock moves, the monotonic one does not
  s().Tick();
  EXPECT_EQ(screen().state, State::kResult);
}

TEST_F(SessionTest, AmountEntryDoesNotTimeOut) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  fx_.clock().Advance(60);
  s().Tick();
  EXPECT_EQ(screen().state, State::kAmountEntry);
}

TEST_F(SessionTest, BelowMinimumKeepsTheAmountStateAndRecordsNothing) {
  registry::Offer offer = TenPercent();
  offer.min_purchase_minor = 10'000;
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(offer), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Amount(9'999);
  EXPECT_EQ(screen().state, State::kAmountEntry);
  EXPECT_EQ(screen().decision, "BELOW_MINIMUM");
  EXPECT_EQ(screen().outcome, Outcome::kRefusedByRule);  // correctable, still a no
  EXPECT_EQ(screen().message, "minimum purchase 100.00");
  EXPECT_EQ(screen().discount_minor, 0);
  EXPECT_TRUE(screen().entry_uuid.empty());
  EXPECT_TRUE(Journal().empty());
  // The cashier corrects the amount.
  s().Amount(10'000);
  EXPECT_EQ(screen().state, State::kConfirm);
  EXPECT_TRUE(screen().decision.empty());
  EXPECT_EQ(screen().discount_minor, 1'000);
  s().Confirm();
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_EQ(Journal().size(), 1u);
}

TEST_F(SessionTest, BadAmountKeepsTheAmountStateAndRecordsNothing) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  for (int64_t purchase : {int64_t{0}, int64_t{-500}, rules::kMaxPurchaseMinor + 1}) {
    s().Amount(purchase);
    EXPECT_EQ(screen().state, State::kAmountEntry) << purchase;
    EXPECT_EQ(screen().decision, "BAD_AMOUNT") << purchase;
  }
  EXPECT_TRUE(Journal().empty());
}

TEST_F(SessionTest, NewAmountInConfirmRecomputes) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Amount(10'000);
  s().Amount(20'000);
  EXPECT_EQ(screen().state, State::kConfirm);
  EXPECT_EQ(screen().discount_minor, 2'000);
  s().Confirm();
  ASSERT_EQ(Journal().size(), 1u);
  EXPECT_EQ(Journal()[0].purchase_minor, 20'000);
}

TEST_F(SessionTest, ConfirmWithoutAmountIsIgnored) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Confirm();
  EXPECT_EQ(screen().state, State::kAmountEntry);
  EXPECT_TRUE(Journal().empty());
}

TEST_F(SessionTest, AmountAndConfirmWithoutScanAreIgnored) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Amount(10'000);
  EXPECT_EQ(screen().state, State::kIdle);
  EXPECT_EQ(screen().purchase_minor, 0);
  s().Confirm();
  EXPECT_EQ(screen().state, State::kIdle);
  EXPECT_TRUE(Journal().empty());
}

TEST_F(SessionTest, AmountAfterARejectedScanIsIgnored) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(Card(kRevoked));
  s().Amount(10'000);
  s().Confirm();
  EXPECT_EQ(screen().decision, "REVOKED");
  ASSERT_EQ(Journal().size(), 1u);
  EXPECT_EQ(Journal()[0].kind, journal::Kind::kRejected);
}

TEST_F(SessionTest, CancelReturnsToIdleAndRecordsNothing) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Cancel();
  EXPECT_EQ(screen().state, State::kIdle);
  EXPECT_TRUE(screen().name.empty());
  s().Scan(Card(kAnna));
  s().Amount(10'000);
  s().Cancel();
  EXPECT_EQ(screen().state, State::kIdle);
  EXPECT_EQ(screen().discount_minor, 0);
  s().Confirm();  // nothing to confirm any more
  EXPECT_EQ(screen().state, State::kIdle);
  EXPECT_TRUE(Journal().empty());
}

TEST_F(SessionTest, ScanDuringAmountOrConfirmStartsOverWithTheNewCard) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Amount(10'000);
  ASSERT_EQ(screen().state, State::kConfirm);
  s().Scan(fx_.Card({.member_id = kBoris, .name = "Boris P.", .number = "7700054321"}));
  EXPECT_EQ(screen().state, State::kAmountEntry);
  EXPECT_EQ(screen().name, "Boris P.");
  EXPECT_EQ(screen().number_masked, "******4321");
  EXPECT_EQ(screen().purchase_minor, 0);
  s().Confirm();  // the first card's amount is gone
  EXPECT_EQ(screen().state, State::kAmountEntry);
  s().Amount(20'000);
  s().Confirm();
  const std::vector<journal::Entry> entries = Journal();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].rid, fx_.RidOf(kBoris));
  EXPECT_EQ(entries[0].purchase_minor, 20'000);
}

TEST_F(SessionTest, CardWithoutNameOrNumberShowsNeither) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(fx_.Card({.member_id = kAnna, .name = std::nullopt, .number = std::nullopt}));
  EXPECT_EQ(screen().state, State::kAmountEntry);
  EXPECT_TRUE(screen().name.empty());
  EXPECT_TRUE(screen().number_masked.empty());
}

TEST(MaskNumber, ShowsOnlyTheLastFourDigits) {
  EXPECT_EQ(MaskNumber("6900012345"), "******2345");
  EXPECT_EQ(MaskNumber("12345"), "*2345");
  EXPECT_EQ(MaskNumber("2345"), "2345");
  EXPECT_EQ(MaskNumber(""), "");
}

// No amount could give a discount here: the answer comes with the scan, no amount is asked.
TEST_F(SessionTest, PartnerWithoutOffersIsAFinalRecordedRefusal) {
  ASSERT_NO_FATAL_FAILURE(Start(Spec(), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "NO_OFFER");
  EXPECT_EQ(screen().outcome, Outcome::kRefusedByRule);
  EXPECT_EQ(screen().purchase_minor, 0);
  EXPECT_EQ(screen().total_minor, 0);
  s().Amount(10'000);  // nothing to ask: no second attempt
  EXPECT_EQ(screen().state, State::kResult);
  ASSERT_EQ(Journal().size(), 1u);
  EXPECT_EQ(Journal()[0].purchase_minor, 0);
  EXPECT_EQ(Journal()[0].decision, "NO_OFFER");
  EXPECT_EQ(Journal()[0].kind, journal::Kind::kDiscount);
}

TEST_F(SessionTest, IneligibleCategoryIsAFinalRecordedRefusal) {
  registry::Offer students = TenPercent();
  students.categories = 1u << 1;
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(students), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Amount(10'000);
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "CATEGORY_NOT_ELIGIBLE");
  ASSERT_EQ(Journal().size(), 1u);
  EXPECT_EQ(Journal()[0].discount_minor, 0);
  s().Scan(fx_.Card({.member_id = kBoris, .category = card::Category::kStudent}));
  s().Amount(10'000);
  EXPECT_EQ(screen().state, State::kConfirm);
}

TEST_F(SessionTest, EqualOffersResolveToTheLowestOfferId) {
  // Inserted with O-B first; Registry::OffersOf sorts by offer_id, so the kiosk picks O-A.
  RegistrySpec spec = Spec();
  spec.offers = {kiosktest::PercentOffer("O-B", 1000), kiosktest::FixedOffer("O-A", 1'000)};
  ASSERT_NO_FATAL_FAILURE(Start(spec, kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Amount(10'000);
  EXPECT_EQ(screen().offer_id, "O-A");
}

// --- caps ---------------------------------------------------------------------------------------

registry::Offer MonthlyTwice() {
  registry::Offer o = kiosktest::PercentOffer("O-CAP", 1000);
  o.cap_count = 2;
  o.cap_period = registry::CapPeriod::kMonth;
  return o;
}

TEST_F(SessionTest, CountCapRefusalIsFinalAndRecordedWithNoDiscount) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(MonthlyTwice()), kiosktest::ShopConfig()));
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  fx_.clock().Advance(600);
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  fx_.clock().Advance(600);
  // 2 of 2 used: told right after the scan, without an amount screen.
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "LIMIT_REACHED");
  EXPECT_EQ(screen().outcome, Outcome::kRefusedByRule);
  EXPECT_EQ(screen().message, "monthly limit reached: 2 of 2 used");
  EXPECT_EQ(screen().cap_used, 2);
  EXPECT_EQ(screen().cap_limit, 2);
  EXPECT_EQ(screen().discount_minor, 0);
  EXPECT_EQ(screen().purchase_minor, 0);
  EXPECT_EQ(screen().total_minor, 0);
  EXPECT_EQ(screen().entry_seq, 3);
  s().Amount(25'000);  // final: no amount is taken, no second attempt recorded
  s().Confirm();       // nothing to confirm
  const std::vector<journal::Entry> entries = Journal();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[2].kind, journal::Kind::kDiscount);
  EXPECT_EQ(entries[2].decision, "LIMIT_REACHED");
  EXPECT_EQ(entries[2].verdict, "VALID");
  EXPECT_EQ(entries[2].offer_id, "O-CAP");
  EXPECT_EQ(entries[2].purchase_minor, 0);
  EXPECT_EQ(entries[2].discount_minor, 0);
  EXPECT_EQ(entries[2].uuid, screen().entry_uuid);
}

TEST_F(SessionTest, AClippedDiscountSaysWhatCutIt) {
  registry::Offer offer = TenPercent();
  offer.max_discount_minor = 50'000;
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(offer), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Amount(1'000'000);
  ASSERT_EQ(screen().state, State::kConfirm);
  EXPECT_EQ(screen().discount_minor, 50'000);
  EXPECT_EQ(screen().clip, rules::DiscountClip::kMaxDiscount);
  EXPECT_EQ(screen().clip_minor, 50'000);
  s().Amount(100'000);  // 10 % is under the maximum: nothing cut
  EXPECT_EQ(screen().clip, rules::DiscountClip::kNone);
}

TEST_F(SessionTest, TheBelowMinimumWarningGoesWhenTheAmountIsEdited) {
  registry::Offer offer = TenPercent();
  offer.min_purchase_minor = 50'000;
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(offer), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kAmountEntry);  // a minimum is the amount's business
  s().Amount(10'000);
  EXPECT_EQ(screen().state, State::kAmountEntry);
  EXPECT_EQ(screen().decision, "BELOW_MINIMUM");
  s().AmountEdited();
  EXPECT_EQ(screen().state, State::kAmountEntry);
  EXPECT_EQ(screen().decision, "");
  s().Amount(60'000);
  EXPECT_EQ(screen().state, State::kConfirm);
  EXPECT_TRUE(Journal().empty());  // corrections are not attempts
}

TEST_F(SessionTest, AnAmountCapUsedUpIsToldRightAfterTheScan) {
  registry::Offer offer = kiosktest::PercentOffer("O-AMT", 1000);
  offer.cap_amount_minor = 5'000;
  offer.cap_period = registry::CapPeriod::kMonth;
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(offer), kiosktest::ShopConfig()));
  ASSERT_EQ(Buy(kAnna, 70'000), "accepted");  // 7 000 cut to the 5 000 allowance
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "AMOUNT_LIMIT_REACHED");
  EXPECT_EQ(Journal().size(), 2u);
}

TEST_F(SessionTest, CapsAreCountedFromTheJournalAcrossARestart) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(MonthlyTwice()), kiosktest::ShopConfig()));
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  fx_.clock().Advance(86400);
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  fx_.clock().Advance(86400);
  ASSERT_NO_FATAL_FAILURE(Open(kiosktest::ShopConfig()));  // a new Device and Session, same data
  s().Scan(Card(kAnna));
  s().Amount(10'000);
  EXPECT_EQ(screen().decision, "LIMIT_REACHED");
  EXPECT_EQ(screen().message, "monthly limit reached: 2 of 2 used");
  // Another member is not affected, and the cap is per member.
  s().Scan(Card(kBoris));
  s().Amount(10'000);
  EXPECT_EQ(screen().state, State::kConfirm);
  // On 1 February (local) Anna may use the offer again.
  fx_.clock().Set(At("2027-02-01T00:00:00+03:00"));
  EXPECT_EQ(Buy(kAnna, 10'000), "accepted");
}

TEST_F(SessionTest, RefusedAndCancelledDiscountsDoNotUseTheCap) {
  registry::Offer once = MonthlyTwice();
  once.cap_count = 1;
  once.min_purchase_minor = 5'000;
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(once), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Amount(10'000);
  s().Cancel();
  s().Scan(Card(kAnna));
  s().Amount(100);  // BELOW_MINIMUM, corrected below
  s().Amount(10'000);
  s().Confirm();
  EXPECT_EQ(screen().decision, "accepted");
  s().Scan(Card(kAnna));
  s().Amount(10'000);
  EXPECT_EQ(screen().decision, "LIMIT_REACHED");
  s().Scan(Card(kAnna));
  s().Amount(10'000);
  EXPECT_EQ(screen().message, "monthly limit reached: 1 of 1 used");  // refusals are not counted
}

TEST_F(SessionTest, DailyCapRestartsAtLocalMidnight) {
  registry::Offer daily = kiosktest::PercentOffer("O-DAY", 1000);
  daily.cap_count = 1;
  daily.cap_period = registry::CapPeriod::kDay;
  fx_.clock().Set(At("2027-01-13T23:50:00+03:00"));
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(daily), kiosktest::ShopConfig()));
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  fx_.clock().Set(At("2027-01-13T23:59:59+03:00"));
  s().Scan(Card(kAnna));
  s().Amount(10'000);
  EXPECT_EQ(screen().decision, "LIMIT_REACHED");
  EXPECT_EQ(screen().message, "daily limit reached: 1 of 1 used");
  // Local midnight; in UTC it is still the 13th (21:00).
  fx_.clock().Set(At("2027-01-14T00:00:00+03:00"));
  EXPECT_EQ(Buy(kAnna, 10'000), "accepted");
}

// The member's cap use read at the scan is reused at the amount, but only within the same cap
// period: an amount typed after local midnight counts the new day.
TEST_F(SessionTest, AnAmountTypedAfterThePeriodTurnedCountsTheNewPeriod) {
  registry::Offer daily = kiosktest::PercentOffer("O-DAY", 1000);
  daily.cap_count = 2;
  daily.cap_period = registry::CapPeriod::kDay;
  fx_.clock().Set(At("2027-01-13T23:50:00+03:00"));
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(daily), kiosktest::ShopConfig()));
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  fx_.clock().Set(At("2027-01-13T23:59:50+03:00"));
  s().Scan(Card(kAnna));
  ASSERT_EQ(screen().state, State::kAmountEntry);
  s().Amount(10'000);
  ASSERT_EQ(screen().state, State::kConfirm);
  EXPECT_EQ(screen().cap_used, 1);
  fx_.clock().Set(At("2027-01-14T00:00:05+03:00"));
  s().Amount(20'000);  // corrected after midnight
  ASSERT_EQ(screen().state, State::kConfirm);
  EXPECT_EQ(screen().cap_used, 0);
  EXPECT_EQ(screen().cap_limit, 2);
  EXPECT_EQ(screen().discount_minor, 2'000);
}

// ... and only while nothing was journalled since the scan: an entry of this member written in
// between (here straight into the device's journal) is counted at the amount.
TEST_F(SessionTest, AnEntryJournalledBetweenTheScanAndTheAmountIsCounted) {
  registry::Offer once = kiosktest::PercentOffer("O-ONCE", 1000);
  once.cap_count = 1;
  once.cap_period = registry::CapPeriod::kMonth;
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(once), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  ASSERT_EQ(screen().state, State::kAmountEntry);
  s().Amount(10'000);
  ASSERT_EQ(screen().state, State::kConfirm);
  EXPECT_EQ(screen().cap_used, 0);
  ASSERT_TRUE(device_->journal
                  ->Append({.kind = journal::Kind::kDiscount,
                            .rid = fx_.RidOf(kAnna),
                            .partner_id = kiosktest::kPartner,
                            .offer_id = "O-ONCE",
                            .purchase_minor = 10'000,
                            .discount_minor = 1'000,
                            .verdict = "VALID",
                            .decision = journal::kAccepted})
                  .ok());
  s().Amount(10'000);
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "LIMIT_REACHED");
  EXPECT_EQ(screen().discount_minor, 0);
}

TEST_F(SessionTest, AmountCapGivesWhatIsLeftThenRefuses) {
  registry::Offer offer = kiosktest::PercentOffer("O-AMT", 1000);
  offer.cap_amount_minor = 10'000;
  offer.cap_period = registry::CapPeriod::kMonth;
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(offer), kiosktest::ShopConfig()));
  ASSERT_EQ(Buy(kAnna, 70'000), "accepted");
  EXPECT_EQ(screen().discount_minor, 7'000);
  s().Scan(Card(kAnna));
  s().Amount(70'000);
  EXPECT_EQ(screen().state, State::kConfirm);
  EXPECT_EQ(screen().discount_minor, 3'000);  // 100.00 allowance, 70.00 used
  EXPECT_EQ(screen().total_minor, 67'000);
  s().Confirm();
  EXPECT_EQ(screen().decision, "accepted");
  s().Scan(Card(kAnna));
  s().Amount(70'000);
  EXPECT_EQ(screen().decision, "AMOUNT_LIMIT_REACHED");
  EXPECT_EQ(screen().message, "monthly discount limit reached: 100.00 of 100.00 used");
  EXPECT_EQ(screen().cap_used, 10'000);
  EXPECT_EQ(screen().cap_limit, 10'000);
  const std::vector<journal::Entry> entries = Journal();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].discount_minor, 3'000);
  EXPECT_EQ(entries[2].decision, "AMOUNT_LIMIT_REACHED");
  EXPECT_EQ(entries[2].discount_minor, 0);
}

// --- rejected scans -----------------------------------------------------------------------------

class RejectedScanTest : public SessionTest {
 protected:
  // Scans `text` in a shop and checks the screen and the journal entry.
  void ExpectRejected(const std::string& text, const std::string& verdict,
                      std::optional<card::Rid> rid) {
    s().Scan(text);
    EXPECT_EQ(screen().state, State::kResult);
    EXPECT_EQ(screen().verdict, verdict);
    EXPECT_EQ(screen().decision, verdict);
    EXPECT_EQ(screen().outcome, Outcome::kInvalid);
    EXPECT_TRUE(screen().name.empty()) << "a rejected card's name is not shown";
    EXPECT_FALSE(screen().entry_uuid.empty());
    const std::vector<journal::Entry> entries = Journal();
    ASSERT_FALSE(entries.empty());
    const journal::Entry& e = entries.back();
    EXPECT_EQ(e.uuid, screen().entry_uuid);
    EXPECT_EQ(e.kind, journal::Kind::kRejected);
    EXPECT_EQ(e.verdict, verdict);
    EXPECT_EQ(e.decision, verdict);
    EXPECT_EQ(e.rid, rid);
    EXPECT_EQ(e.partner_id, kiosktest::kPartner);
    EXPECT_EQ(e.discount_minor, 0);
    s().Amount(10'000);  // a rejected card cannot get a discount
    EXPECT_EQ(screen().state, State::kResult);
  }
};

TEST_F(RejectedScanTest, ExpiredCardIsRecordedWithItsRid) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  ExpectRejected(fx_.Card({.member_id = kAnna, .iat = kNow - 400 * 86400, .exp = kNow - 1}),
                 "EXPIRED", fx_.RidOf(kAnna));
}

TEST_F(RejectedScanTest, NotYetValidCardIsRecordedWithItsRid) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  ExpectRejected(fx_.Card({.member_id = kAnna, .iat = kNow + 86400}), "NOT_YET_VALID",
                 fx_.RidOf(kAnna));
}

TEST_F(RejectedScanTest, RevokedMemberIsRecordedWithTheRid) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  ExpectRejected(Card(kRevoked), "REVOKED", fx_.RidOf(kRevoked));
}

TEST_F(RejectedScanTest, ReplacedCardIsRevoked) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  ExpectRejected(fx_.Card({.member_id = kReplaced, .serial = 4}), "REVOKED", fx_.RidOf(kReplaced));
  s().Scan(fx_.Card({.member_id = kReplaced, .serial = 5}));
  EXPECT_EQ(screen().verdict, "VALID");
}

TEST_F(RejectedScanTest, SuspendedMemberIsRecordedWithTheRid) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  ExpectRejected(Card(kSuspended), "SUSPENDED", fx_.RidOf(kSuspended));
}

TEST_F(RejectedScanTest, UnlistedMemberOfAnAllowListIsNotAMember) {
  RegistrySpec spec = ShopSpec(TenPercent());
  spec.mode = card::ListMode::kAllowList;
  ASSERT_NO_FATAL_FAILURE(Start(spec, kiosktest::ShopConfig()));
  ExpectRejected(Card(kUnlisted), "NOT_A_MEMBER", fx_.RidOf(kUnlisted));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().verdict, "VALID");
}

TEST_F(SessionTest, UnlistedMemberOfADenyListIsValid) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(Card(kUnlisted));
  EXPECT_EQ(screen().verdict, "VALID");
  EXPECT_EQ(screen().state, State::kAmountEntry);
}

TEST_F(RejectedScanTest, GarbageIsMalformedWithoutARid) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  ExpectRejected("hello, world", "MALFORMED", std::nullopt);
  ExpectRejected("UC1:%%%%", "MALFORMED", std::nullopt);
  ExpectRejected("", "MALFORMED", std::nullopt);
  EXPECT_EQ(Journal().size(), 3u);
}

TEST_F(RejectedScanTest, ForgedCardsRidIsNeverRecorded) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  base::Result<card::PrivateKey> forger = card::PrivateKey::Generate(card::Alg::kES256);
  ASSERT_TRUE(forger.ok());
  ExpectRejected(fx_.CardSignedBy(*forger, {.member_id = kAnna}), "UNKNOWN_KEY", std::nullopt);
}

TEST_F(RejectedScanTest, BadSignatureRidIsNeverRecorded) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  ExpectRejected(fx_.BadSignatureCard({.member_id = kAnna}), "BAD_SIGNATURE", std::nullopt);
}

TEST_F(RejectedScanTest, WithdrawnKeyIsKeyNotValidWithoutARid) {
  base::Result<card::PrivateKey> old_key = card::PrivateKey::Generate(card::Alg::kEdDSA);
  ASSERT_TRUE(old_key.ok());
  base::Result<card::PublicKey> old_pub = old_key->Public();
  ASSERT_TRUE(old_pub.ok());
  RegistrySpec spec = ShopSpec(TenPercent());
  spec.extra_issuer_keys = {card::IssuerKey{
      .kid = old_pub->kid(), .iss = kiosktest::kIss, .key = *old_pub, .withdrawn = true}};
  ASSERT_NO_FATAL_FAILURE(Start(spec, kiosktest::ShopConfig()));
  ExpectRejected(fx_.CardSignedBy(*old_key, {.member_id = kAnna}), "KEY_NOT_VALID", std::nullopt);
}

TEST_F(SessionTest, RejectedScanAtAnEventRecordsTheEvent) {
  ASSERT_NO_FATAL_FAILURE(Start(Spec(), kiosktest::EventConfig()));
  s().Scan(Card(kRevoked));
  EXPECT_EQ(screen().decision, "REVOKED");
  const std::vector<journal::Entry> entries = Journal();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].kind, journal::Kind::kRejected);
  EXPECT_EQ(entries[0].event_id, kiosktest::kEvent);
  EXPECT_EQ(entries[0].partner_id, "");
}

// --- events -------------------------------------------------------------------------------------

TEST_F(SessionTest, EventWelcomesAndCounts) {
  ASSERT_NO_FATAL_FAILURE(Start(Spec(), kiosktest::EventConfig()));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().verdict, "VALID");
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_EQ(screen().outcome, Outcome::kValid);
  EXPECT_EQ(screen().message, "welcome");
  EXPECT_EQ(screen().name, "Anna I.");
  EXPECT_EQ(screen().attendance, 1);
  EXPECT_EQ(screen().entry_number, 1);
  EXPECT_EQ(screen().entry_seq, 1);
  s().Scan(Card(kBoris));
  EXPECT_EQ(screen().attendance, 2);
  const std::vector<journal::Entry> entries = Journal();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].kind, journal::Kind::kCheckin);
  EXPECT_EQ(entries[0].event_id, kiosktest::kEvent);
  EXPECT_EQ(entries[0].partner_id, "");
  EXPECT_EQ(entries[0].rid, fx_.RidOf(kAnna));
  EXPECT_EQ(entries[0].decision, "accepted");
  EXPECT_EQ(entries[0].verdict, "VALID");
}

TEST_F(SessionTest, RepeatShowsWhenTheFirstCheckinWas) {
  ASSERT_NO_FATAL_FAILURE(Start(Spec(), kiosktest::EventConfig()));
  fx_.clock().Set(At("2027-01-13T10:32:00+03:00"));  // doors open at 10:00
  s().Scan(Card(kAnna));
  ASSERT_EQ(screen().decision, "accepted");
  s().Scan(Card(kBoris));
  fx_.clock().Set(At("2027-01-13T11:15:00+03:00"));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "ALREADY_CHECKED_IN");
  EXPECT_EQ(screen().outcome, Outcome::kRefusedByRule);
  EXPECT_EQ(screen().message, "already checked in at 10:32");
  EXPECT_EQ(screen().first_entry, At("2027-01-13T10:32:00+03:00"));
  EXPECT_EQ(screen().attendance, 2);
  EXPECT_FALSE(screen().entry_uuid.empty());
  const std::vector<journal::Entry> entries = Journal();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[2].kind, journal::Kind::kCheckin);
  EXPECT_EQ(entries[2].decision, "ALREADY_CHECKED_IN");
  // The refusal does not count as an entry: attendance and the first time stay.
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().message, "already checked in at 10:32");
  EXPECT_EQ(screen().attendance, 2);
}

TEST_F(SessionTest, ReentryIsAcceptedWhenTheEventAllowsIt) {
  RegistrySpec spec = Spec();
  spec.events[0].entries_per_member = 2;
  ASSERT_NO_FATAL_FAILURE(Start(spec, kiosktest::EventConfig()));
  s().Scan(Card(kAnna));
  fx_.clock().Advance(1800);
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_EQ(screen().entry_number, 2);
  EXPECT_EQ(screen().attendance, 1);
  EXPECT_EQ(screen().first_entry, kNow);
  EXPECT_EQ(screen().message, "re-entry 2 of 2, first at 12:00");
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().decision, "ALREADY_CHECKED_IN");
}

TEST_F(SessionTest, RosterEventRefusesTheUnregistered) {
  RegistrySpec spec = Spec();
  spec.events[0].mode = registry::EventMode::kRoster;
  spec.roster = {{kiosktest::kEvent, kAnna}};
  ASSERT_NO_FATAL_FAILURE(Start(spec, kiosktest::EventConfig()));
  s().Scan(Card(kBoris));
  EXPECT_EQ(screen().verdict, "VALID");
  EXPECT_EQ(screen().decision, "NOT_REGISTERED");
  EXPECT_EQ(screen().outcome, Outcome::kInvalid);  // not this member's event
  EXPECT_EQ(screen().attendance, 0);
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_EQ(screen().attendance, 1);
  const std::vector<journal::Entry> entries = Journal();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].decision, "NOT_REGISTERED");
  EXPECT_EQ(entries[0].rid, fx_.RidOf(kBoris));
}

TEST_F(SessionTest, FullEventRefusesNewcomersButLetsMembersBackIn) {
  RegistrySpec spec = Spec();
  spec.events[0].capacity = 2;
  spec.events[0].entries_per_member = 2;
  ASSERT_NO_FATAL_FAILURE(Start(spec, kiosktest::EventConfig()));
  s().Scan(Card(kAnna));
  s().Scan(Card(kBoris));
  EXPECT_EQ(screen().attendance, 2);
  s().Scan(Card(kUnlisted));
  EXPECT_EQ(screen().decision, "EVENT_FULL");
  EXPECT_EQ(screen().outcome, Outcome::kRefusedByRule);
  EXPECT_EQ(screen().message, "event full: 2 of 2");
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_EQ(screen().entry_number, 2);
  EXPECT_EQ(screen().attendance, 2);
}

TEST_F(SessionTest, TheConfigsCapacityHoldsWhenTheRegistrysEventHasNone) {
  Config config = kiosktest::EventConfig();
  config.capacity = 1;
  ASSERT_NO_FATAL_FAILURE(Start(Spec(), config));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_EQ(screen().capacity, 1);
  s().Scan(Card(kBoris));
  EXPECT_EQ(screen().decision, "EVENT_FULL");
  EXPECT_EQ(screen().message, "event full: 1 of 1");
  // The registry's own capacity comes first.
  RegistrySpec spec = Spec();
  spec.events[0].capacity = 3;
  ASSERT_NO_FATAL_FAILURE(Start(spec, config));
  s().Scan(Card(kBoris));
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_EQ(screen().capacity, 3);
}

TEST_F(SessionTest, DoorsAndEndOfTheEvent) {
  Config config = kiosktest::EventConfig();
  config.doors_open_seconds = 1800;
  ASSERT_NO_FATAL_FAILURE(Start(Spec(), config));
  fx_.clock().Set(At("2027-01-13T10:29:59+03:00"));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().decision, "DOORS_NOT_OPEN");
  EXPECT_EQ(screen().message, "doors open at 10:30");
  fx_.clock().Set(At("2027-01-13T10:30:00+03:00"));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().decision, "accepted");
  fx_.clock().Set(At("2027-01-13T20:00:00+03:00"));
  s().Scan(Card(kBoris));
  EXPECT_EQ(screen().decision, "EVENT_OVER");
  EXPECT_EQ(Journal().size(), 3u);
}

TEST_F(SessionTest, UnknownEventIsNotRecorded) {
  ASSERT_NO_FATAL_FAILURE(Start(Spec(), kiosktest::EventConfig("E-NOPE")));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "NO_EVENT");
  EXPECT_EQ(screen().outcome, Outcome::kCannotCheck);
  EXPECT_TRUE(Journal().empty());
}

// --- device state -------------------------------------------------------------------------------

TEST_F(SessionTest, NoRegistryRefusesEveryScanWithoutRecording) {
  ASSERT_NO_FATAL_FAILURE(Open(kiosktest::ShopConfig()));  // nothing applied yet
  EXPECT_EQ(device_->registry, nullptr);
  EXPECT_FALSE(device_->open_problem.empty());
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "NO_REGISTRY");
  EXPECT_EQ(screen().outcome, Outcome::kCannotCheck);
  EXPECT_EQ(screen().registry_seq, 0);
  s().Amount(10'000);
  s().Confirm();
  EXPECT_EQ(screen().decision, "NO_REGISTRY");
  EXPECT_TRUE(Journal().empty());
}

TEST_F(SessionTest, StaleRegistryIsRefusedUnderTheRefusePolicy) {
  RegistrySpec spec = ShopSpec(TenPercent());
  spec.not_after = kNow;  // exclusive: stale from this second
  Config config = kiosktest::ShopConfig();
  config.stale_registry = StalePolicy::kRefuse;
  ASSERT_NO_FATAL_FAILURE(Start(spec, config));
  EXPECT_TRUE(screen().registry_stale);
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "REGISTRY_OUT_OF_DATE");
  EXPECT_EQ(screen().outcome, Outcome::kCannotCheck);
  EXPECT_TRUE(screen().registry_stale);
  EXPECT_TRUE(Journal().empty());
}

TEST_F(SessionTest, RegistryIsFreshUntilItsNotAfter) {
  RegistrySpec spec = ShopSpec(TenPercent());
  spec.not_after = kNow + 1;
  Config config = kiosktest::ShopConfig();
  config.stale_registry = StalePolicy::kRefuse;
  ASSERT_NO_FATAL_FAILURE(Start(spec, config));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kAmountEntry);
  EXPECT_FALSE(screen().registry_stale);
  fx_.clock().Advance(1);
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().decision, "REGISTRY_OUT_OF_DATE");
}

TEST_F(SessionTest, StaleRegistryWarnsAndServesUnderTheWarnPolicy) {
  RegistrySpec spec = ShopSpec(TenPercent());
  spec.not_after = kNow - 86400;
  Config config = kiosktest::ShopConfig();
  config.stale_registry = StalePolicy::kWarn;
  ASSERT_NO_FATAL_FAILURE(Start(spec, config));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kAmountEntry);
  EXPECT_TRUE(screen().registry_stale);
  s().Amount(10'000);
  s().Confirm();
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_TRUE(screen().registry_stale);
  EXPECT_EQ(Journal().size(), 1u);
}

TEST_F(SessionTest, ClockBehindTheLastJournalEntryIsRefusedWithoutRecording) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  fx_.clock().Set(kNow + 3600);
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  fx_.clock().Set(kNow + 3599);
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().verdict, "ERROR");
  EXPECT_EQ(screen().decision, "CLOCK_BEHIND");
  EXPECT_EQ(screen().outcome, Outcome::kCannotCheck);
  s().Scan("garbage");  // not even a rejected scan is recorded with a clock that went back
  EXPECT_EQ(screen().decision, "CLOCK_BEHIND");
  EXPECT_EQ(Journal().size(), 1u);
  fx_.clock().Set(kNow + 3600);  // the same second as the last entry is fine
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kAmountEntry);
}

TEST_F(SessionTest, ClockSetBackBeforeConfirmIsNotRecorded) {
  // DESIGN.md section 6: the kiosk never accepts a wall clock earlier than the last journal entry.
  // The check is made where entries are written, so it holds at Confirm() too, not only at Scan().
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  fx_.clock().Set(kNow + 3600);
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  s().Scan(Card(kBoris));
  s().Amount(10'000);
  ASSERT_EQ(screen().state, State::kConfirm);
  fx_.clock().Set(kNow + 1800);  // the clock steps back while the cashier confirms
  s().Confirm();
  EXPECT_EQ(screen().decision, "CLOCK_BEHIND");
  const std::vector<journal::Entry> entries = Journal();
  for (size_t i = 1; i < entries.size(); ++i) {
    EXPECT_GE(entries[i].time_utc, entries[i - 1].time_utc)
        << "entry " << entries[i].seq << " is earlier than the one before";
  }
}

TEST_F(SessionTest, ClockBehindTheJournalAfterARestart) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  fx_.clock().Set(kNow - 600);
  ASSERT_NO_FATAL_FAILURE(Open(kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().verdict, "ERROR");
  EXPECT_EQ(screen().decision, "CLOCK_BEHIND");
  EXPECT_EQ(Journal().size(), 1u);
}

TEST_F(SessionTest, ClockBeforeTheRegistryWasCreatedIsAnError) {
  RegistrySpec spec = ShopSpec(TenPercent());
  spec.created = kNow + 60;
  ASSERT_NO_FATAL_FAILURE(Start(spec, kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().verdict, "ERROR");
  EXPECT_EQ(screen().decision, "CLOCK_BEHIND");
  EXPECT_TRUE(screen().name.empty());
  EXPECT_TRUE(Journal().empty());
  fx_.clock().Advance(60);
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().verdict, "VALID");
}

// --- the journal cannot be written --------------------------------------------------------------

TEST_F(SessionTest, UnwritableJournalNeverShowsADiscountAsAccepted) {
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Amount(10'000);
  {
    kiosktest::FailingJournalAppends fault(fx_.journal_path());
    ASSERT_TRUE(fault.ok());
    s().Confirm();
    EXPECT_EQ(screen().state, State::kResult);
    EXPECT_EQ(screen().decision, "JOURNAL_ERROR");
    EXPECT_EQ(screen().outcome, Outcome::kCannotCheck);
    EXPECT_NE(screen().message.find("not recorded"), std::string::npos) << screen().message;
    EXPECT_TRUE(screen().entry_uuid.empty());
    EXPECT_EQ(screen().entry_seq, 0);
    s().Confirm();
    EXPECT_EQ(screen().decision, "JOURNAL_ERROR");
  }
  EXPECT_TRUE(Journal().empty());
  // Once the journal works again the next discount gets seq 1 and the chain holds.
  EXPECT_EQ(Buy(kAnna, 10'000), "accepted");
  EXPECT_EQ(screen().entry_seq, 1);
  base::Result<journal::ChainReport> chain = device_->journal->VerifyChain();
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->entries, 1);
  EXPECT_EQ(chain->first_bad_seq, 0);
}

TEST_F(SessionTest, UnwritableJournalShowsNoDiscountedTotal) {
  // The discount was not recorded and must not be given, so the screen (and the headless line,
  // which prints discount_minor/total_minor in the result state) must not show a discounted total.
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  s().Amount(10'000);
  kiosktest::FailingJournalAppends fault(fx_.journal_path());
  ASSERT_TRUE(fault.ok());
  s().Confirm();
  ASSERT_EQ(screen().decision, "JOURNAL_ERROR");
  EXPECT_EQ(screen().purchase_minor, 10'000);
  EXPECT_EQ(screen().discount_minor, 0);
  EXPECT_EQ(screen().total_minor, 10'000);
}

TEST_F(SessionTest, UnwritableJournalShowsNoEntryAtTheDoor) {
  // The same at an event: a check-in that was not recorded shows no entry and counts nobody in.
  ASSERT_NO_FATAL_FAILURE(Start(Spec(), kiosktest::EventConfig()));
  kiosktest::FailingJournalAppends fault(fx_.journal_path());
  ASSERT_TRUE(fault.ok());
  s().Scan(Card(kAnna));
  ASSERT_EQ(screen().decision, "JOURNAL_ERROR");
  EXPECT_EQ(screen().entry_number, 0);
  EXPECT_EQ(screen().attendance, 0);
}

TEST_F(SessionTest, UnwritableJournalFailsRefusalsRejectionsAndCheckins) {
  registry::Offer once = MonthlyTwice();
  once.cap_count = 1;
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(once), kiosktest::ShopConfig()));
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  {
    kiosktest::FailingJournalAppends fault(fx_.journal_path());
    ASSERT_TRUE(fault.ok());
    s().Scan(Card(kAnna));
    s().Amount(10'000);  // LIMIT_REACHED, which cannot be recorded
    EXPECT_EQ(screen().decision, "JOURNAL_ERROR");
    EXPECT_EQ(screen().outcome, Outcome::kCannotCheck);
    EXPECT_TRUE(screen().entry_uuid.empty());
    s().Scan(Card(kRevoked));
    EXPECT_EQ(screen().decision, "JOURNAL_ERROR");
    EXPECT_EQ(screen().outcome, Outcome::kInvalid);  // a refused card stays refused
    EXPECT_TRUE(screen().entry_uuid.empty());
  }
  EXPECT_EQ(Journal().size(), 1u);
}

TEST_F(SessionTest, UnwritableJournalAdmitsNobody) {
  ASSERT_NO_FATAL_FAILURE(Start(Spec(), kiosktest::EventConfig()));
  {
    kiosktest::FailingJournalAppends fault(fx_.journal_path());
    ASSERT_TRUE(fault.ok());
    s().Scan(Card(kAnna));
    EXPECT_EQ(screen().state, State::kResult);
    EXPECT_EQ(screen().decision, "JOURNAL_ERROR");
    EXPECT_TRUE(screen().entry_uuid.empty());
  }
  EXPECT_TRUE(Journal().empty());
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_EQ(screen().entry_number, 1);  // the failed attempt did not count
}

TEST_F(SessionTest, JournalLockedByAnotherWriterIsAJournalError) {
  // A second connection holds the write lock: the append waits out busy_timeout, then fails.
  ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
  ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
  s().Scan(Card(kBoris));
  s().Amount(20'000);
  {
    kiosktest::JournalWriteLock lock(fx_.journal_path());
    ASSERT_TRUE(lock.ok());
    s().Confirm();
    EXPECT_EQ(screen().decision, "JOURNAL_ERROR");
    EXPECT_TRUE(screen().entry_uuid.empty());
    EXPECT_EQ(screen().entry_seq, 0);
  }
  EXPECT_EQ(Journal().size(), 1u);
  EXPECT_EQ(Buy(kBoris, 20'000), "accepted");
  EXPECT_EQ(screen().entry_seq, 2);
  base::Result<journal::ChainReport> chain = device_->journal->VerifyChain();
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->entries, 2);
  EXPECT_EQ(chain->first_bad_seq, 0) << chain->problem;
}

// --- journal.db is not the file the journal opened any more ------------------------------------

// After `damage` to journal.db (its path given): nothing is shown as accepted, the screen says to
// call the admin, and the next customer gets the same (no silent new chain).
class JournalSwapTest : public SessionTest {
 protected:
  void ExpectNothingAcceptedAfter(const std::function<void(const std::string&)>& damage) {
    ASSERT_NO_FATAL_FAILURE(Start(ShopSpec(TenPercent()), kiosktest::ShopConfig()));
    ASSERT_EQ(Buy(kAnna, 10'000), "accepted");
    damage(fx_.journal_path());
    for (const char* member : {kBoris, kAnna}) {
      s().Scan(Card(member));
      s().Amount(10'000);
      s().Confirm();
      EXPECT_EQ(screen().state, State::kResult);
      EXPECT_EQ(screen().decision, "JOURNAL_ERROR");
      EXPECT_EQ(screen().outcome, Outcome::kCannotCheck);
      EXPECT_NE(screen().message.find("cannot record: call the admin"), std::string::npos)
          << screen().message;
      EXPECT_NE(screen().message.find("not recorded"), std::string::npos);
      EXPECT_EQ(screen().discount_minor, 0);
      EXPECT_EQ(screen().total_minor, 10'000);
      EXPECT_TRUE(screen().entry_uuid.empty());
      s().Cancel();
    }
    EXPECT_EQ(device_->journal->last_seq(), 1);
  }
};

TEST_F(JournalSwapTest, RemovedJournalShowsNothingAsAccepted) {
  ExpectNothingAcceptedAfter([](const std::string& p) { std::filesystem::remove(p); });
}

TEST_F(JournalSwapTest, ReplacedJournalShowsNothingAsAccepted) {
  ExpectNothingAcceptedAfter([](const std::string& p) {
    std::filesystem::copy_file(p, p + ".copy");
    std::filesystem::rename(p + ".copy", p);
  });
}

TEST_F(JournalSwapTest, RemovedWalShowsNothingAsAccepted) {
  ExpectNothingAcceptedAfter([](const std::string& p) { std::filesystem::remove(p + "-wal"); });
}

TEST_F(JournalSwapTest, TruncatedJournalShowsNothingAsAccepted) {
  ExpectNothingAcceptedAfter([](const std::string& p) { std::filesystem::resize_file(p, 0); });
}

}  // namespace
}  // namespace kiosk
