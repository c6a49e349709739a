// The kiosk's trust in its wall clock (kiosk/clock_check.h): the anchors and their floor, a clock
// behind or far ahead refused without a journal entry, over a real registry and journal.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>

#include "journal/entry.h"
#include "journal/journal.h"
#include "kiosk/clock_check.h"
#include "kiosk/device.h"
#include "kiosk/session.h"
#include "kiosk_fixture.h"

namespace kiosk {
namespace {

using kiosktest::kDay;
using kiosktest::kNow;

constexpr int64_t kYear = 365 * kDay;

ClockAnchors Anchors(int64_t created, int64_t validity, int64_t hub, int64_t journal) {
  return {.registry_created = created,
          .registry_validity = validity,
          .hub_time = hub,
          .journal_time = journal};
}

TEST(ClockCheckTest, TheFloorIsTheLatestAnchor) {
  EXPECT_EQ(Anchors(10, 5, 30, 20).Floor(), 30);
  EXPECT_EQ(Anchors(10, 5, 0, 20).Floor(), 20);
  EXPECT_EQ(Anchors(40, 5, 30, 20).Floor(), 40);
  EXPECT_EQ(Anchors(0, 0, 0, 0).Floor(), 0);
}

TEST(ClockCheckTest, BehindAnyAnchorIsBehind) {
  EXPECT_EQ(CheckClock(99, Anchors(100, 30, 0, 0)), ClockState::kBehind);
  EXPECT_EQ(CheckClock(150, Anchors(100, 30, 151, 0)), ClockState::kBehind);
  EXPECT_EQ(CheckClock(150, Anchors(100, 30, 0, 151)), ClockState::kBehind);
  EXPECT_EQ(CheckClock(151, Anchors(100, 30, 0, 151)), ClockState::kOk);  // the same second
}

TEST(ClockCheckTest, AheadOfEveryAnchorByMoreThanTheValidityIsAhead) {
  const ClockAnchors a = Anchors(100, 30, 110, 120);
  EXPECT_EQ(CheckClock(150, a), ClockState::kOk);  // exactly the validity after the floor
  EXPECT_EQ(CheckClock(151, a), ClockState::kAhead);
  // Without a registry there is no validity to judge by.
  EXPECT_EQ(CheckClock(kNow, Anchors(0, 0, 0, 120)), ClockState::kOk);
  // No overflow at the ends of the range.
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(CheckClock(kMax, Anchors(0, kMax, 0, 0)), ClockState::kOk);
  EXPECT_EQ(CheckClock(kMax, Anchors(kMax - 1, 1, 0, 0)), ClockState::kOk);
  EXPECT_EQ(CheckClock(kMax, Anchors(1, 1, 0, 0)), ClockState::kAhead);
}

TEST(ClockCheckTest, TheRegistrysAnchorsComeFromItsMeta) {
  registry::Meta m;
  m.created = 1000;
  m.not_after = 1000 + 30 * kDay;
  const ClockAnchors a = AnchorsOf(&m, 5, 7);
  EXPECT_EQ(a.registry_created, 1000);
  EXPECT_EQ(a.registry_validity, 30 * kDay);
  EXPECT_EQ(a.hub_time, 5);
  EXPECT_EQ(a.journal_time, 7);
  EXPECT_EQ(AnchorsOf(nullptr, 5, 7).registry_validity, 0);
}

TEST(ClockCheckTest, TheProblemNamesTheAnchorAndTheTimes) {
  const ClockAnchors a = Anchors(kNow - kDay, 30 * kDay, 0, kNow + 10 * kYear);
  const std::string behind = ClockProblem(ClockState::kBehind, kNow, a);
  EXPECT_NE(behind.find("the last journal entry (2037-"), std::string::npos) << behind;
  EXPECT_NE(behind.find("the device clock (2027-01-13T09:00:00Z)"), std::string::npos) << behind;
  const std::string ahead =
      ClockProblem(ClockState::kAhead, kNow + kYear, Anchors(kNow, 30 * kDay, kNow - 5, 0));
  EXPECT_NE(ahead.find("30 days"), std::string::npos) << ahead;
  EXPECT_NE(ahead.find("the registry's creation time"), std::string::npos) << ahead;
  EXPECT_EQ(ClockProblem(ClockState::kOk, kNow, a), "");
  EXPECT_EQ(ClockCode(ClockState::kBehind), "CLOCK_BEHIND");
  EXPECT_EQ(ClockCode(ClockState::kAhead), "CLOCK_AHEAD");
}

// A session over a registry created a day ago and valid for 30 days.
class SessionClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kiosktest::RegistrySpec spec;
    spec.members = {{"M-1001"}};
    spec.partners = {kiosktest::MakePartner()};
    spec.offers = {kiosktest::PercentOffer("O-10", 1000)};
    ASSERT_TRUE(fx_.WriteRegistry(spec));
    Open();
  }
  void Open() {
    session_.reset();
    device_.reset();
    base::Result<Device> d = fx_.OpenDevice();
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    device_.emplace(std::move(d).value());
    session_ = fx_.NewSession(*device_, kiosktest::ShopConfig());
  }
  std::string Buy() {
    session_->Scan(fx_.Card());
    session_->Amount(10'000);
    session_->Confirm();
    return session_->screen().decision;
  }
  size_t Entries() { return kiosktest::Entries(*device_->journal).size(); }

  kiosktest::KioskFixture fx_;
  std::optional<Device> device_;
  std::unique_ptr<Session> session_;
};

TEST_F(SessionClockTest, AClockFarAheadIsRefusedAndNotJournalled) {
  ASSERT_EQ(Buy(), "accepted");
  fx_.clock().Advance(10 * kYear);
  session_->Scan(fx_.Card());
  EXPECT_EQ(session_->screen().decision, "CLOCK_AHEAD");
  EXPECT_EQ(session_->screen().verdict, "ERROR");
  EXPECT_EQ(session_->screen().outcome, Outcome::kCannotCheck);
  EXPECT_NE(session_->screen().message.find("ahead of the last journal entry"), std::string::npos)
      << session_->screen().message;
  session_->Scan("garbage");  // not even a rejected scan is journalled at that time
  EXPECT_EQ(session_->screen().decision, "CLOCK_AHEAD");
  EXPECT_EQ(Entries(), 1u);
  // Set right again: the kiosk works, and the journal never held the far-ahead time.
  fx_.clock().Advance(-10 * kYear + 60);
  EXPECT_EQ(Buy(), "accepted");
  for (const journal::Entry& e : kiosktest::Entries(*device_->journal))
    EXPECT_LT(e.time_utc, kNow + kDay);
}

TEST_F(SessionClockTest, TheClockMayRunOnForTheRegistrysValidityFromTheLastAnchor) {
  ASSERT_EQ(Buy(), "accepted");
  fx_.clock().Advance(29 * kDay);  // within 30 days of the last entry (and of the creation)
  ASSERT_EQ(Buy(), "accepted");
  fx_.clock().Advance(29 * kDay);  // 58 days after the creation, 29 after the last entry
  EXPECT_EQ(Buy(), "accepted");
}

TEST_F(SessionClockTest, AClockThatJumpsAheadBeforeConfirmIsNotRecorded) {
  session_->Scan(fx_.Card());
  session_->Amount(10'000);
  ASSERT_EQ(session_->screen().state, State::kConfirm);
  fx_.clock().Advance(10 * kYear);
  session_->Confirm();
  EXPECT_EQ(session_->screen().decision, "CLOCK_AHEAD");
  EXPECT_TRUE(session_->screen().entry_uuid.empty());
  EXPECT_EQ(session_->screen().discount_minor, 0);
  EXPECT_EQ(Entries(), 0u);
}

TEST_F(SessionClockTest, TheHubsTimeIsAFloor) {
  device_->hub_time->store(kNow + 600);  // the hub said it is ten minutes later than we think
  session_->Scan(fx_.Card());
  EXPECT_EQ(session_->screen().decision, "CLOCK_BEHIND");
  EXPECT_NE(session_->screen().message.find("the hub's time at the last sync"), std::string::npos)
      << session_->screen().message;
  EXPECT_EQ(Entries(), 0u);
  fx_.clock().Advance(600);
  EXPECT_EQ(Buy(), "accepted");
}

TEST_F(SessionClockTest, ANewBundleKeepsTheJournalsFloor) {
  fx_.clock().Advance(3600);
  ASSERT_EQ(Buy(), "accepted");
  kiosktest::RegistrySpec next;
  next.seq = 2;
  next.created = kNow - 2 * kDay;  // an older creation time does not lower the floor
  next.members = {{"M-1001"}};
  next.partners = {kiosktest::MakePartner()};
  next.offers = {kiosktest::PercentOffer("O-10", 1000)};
  ASSERT_TRUE(fx_.WriteRegistry(next));
  session_.reset();
  device_->ReloadRegistry(fx_.clock());
  session_ = fx_.NewSession(*device_, kiosktest::ShopConfig());
  fx_.clock().Advance(-60);
  session_->Scan(fx_.Card());
  EXPECT_EQ(session_->screen().decision, "CLOCK_BEHIND");
  EXPECT_EQ(device_->Anchors().Floor(), kNow + 3600);
}

// Issue: one scan with the clock ten years ahead was journalled at that time, and once the clock
// was set right every scan was CLOCK_BEHIND, through restarts and new bundles, with no way out.
TEST_F(SessionClockTest, AKioskLockedByAFarAheadEntryIsRepairedByAClockCorrection) {
  // The far-ahead entry, as an older kiosk wrote it (straight into the journal).
  fx_.clock().Advance(10 * kYear);
  journal::NewEntry far{
      .kind = journal::Kind::kRejected, .verdict = "MALFORMED", .decision = "MALFORMED"};
  ASSERT_TRUE(device_->journal->Append(far).ok());
  fx_.clock().Advance(-10 * kYear);
  Open();  // a restart keeps the lock
  session_->Scan(fx_.Card());
  ASSERT_EQ(session_->screen().decision, "CLOCK_BEHIND");
  EXPECT_EQ(device_->Anchors().Floor(), kNow + 10 * kYear);

  base::Result<journal::Entry> c = device_->ConfirmClock(fx_.clock(), "admin");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->kind, journal::Kind::kClockCorrection);
  EXPECT_EQ(c->time_utc, kNow);                       // the new time
  EXPECT_EQ(c->clock_before_utc, kNow + 10 * kYear);  // the old one
  EXPECT_EQ(c->actor, "admin");
  EXPECT_EQ(journal::EntryFormat(*c), 2);
  EXPECT_EQ(device_->Anchors().Floor(), kNow);  // the floor is the correction
  EXPECT_EQ(Buy(), "accepted");
  // A restart and a new bundle keep the corrected floor.
  Open();
  kiosktest::RegistrySpec next;
  next.seq = 2;
  next.members = {{"M-1001"}};
  next.partners = {kiosktest::MakePartner()};
  next.offers = {kiosktest::PercentOffer("O-10", 1000)};
  ASSERT_TRUE(fx_.WriteRegistry(next));
  session_.reset();
  device_->ReloadRegistry(fx_.clock());
  session_ = fx_.NewSession(*device_, kiosktest::ShopConfig());
  fx_.clock().Advance(60);
  EXPECT_EQ(Buy(), "accepted");
  base::Result<journal::ChainReport> chain = device_->journal->VerifyChain();
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->first_bad_seq, 0) << chain->problem;
}

TEST_F(SessionClockTest, AConfirmedFarAheadClockIsTheNewFloor) {
  ASSERT_EQ(Buy(), "accepted");
  fx_.clock().Advance(400 * kDay);  // a kiosk back from a year in storage: the clock is right
  session_->Scan(fx_.Card());
  ASSERT_EQ(session_->screen().decision, "CLOCK_AHEAD");
  base::Result<journal::Entry> c = device_->ConfirmClock(fx_.clock(), "admin");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->clock_before_utc, kNow);  // the floor it replaces: the last entry
  session_->Scan(fx_.Card());
  EXPECT_NE(session_->screen().decision, "CLOCK_AHEAD");
}

TEST_F(SessionClockTest, AConfirmationCannotOverruleTheRegistryOrTheHub) {
  device_->hub_time->store(kNow + 600);
  base::Result<journal::Entry> c = device_->ConfirmClock(fx_.clock(), "admin");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_NE(c.status().message().find("the hub's time at the last sync"), std::string::npos)
      << c.status().message();
  device_->hub_time->store(0);
  fx_.clock().Advance(-2 * kDay);  // before the registry's creation
  c = device_->ConfirmClock(fx_.clock(), "admin");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("the registry's creation time"), std::string::npos)
      << c.status().message();
  EXPECT_EQ(Entries(), 0u);
}

}  // namespace
}  // namespace kiosk
