// Corrections at the counter and the door: voids of this device's entries (a new journal entry
// naming the original, which stays as it was), the void window, the cap and the door count given
// back, the door's undo and manual counts, and the last transactions. Real registry and journal
// in a temporary data directory, a FakeClock, real cards.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "kiosk/device.h"
#include "kiosk/session.h"
#include "kiosk_fixture.h"

namespace kiosk {
namespace {

using kiosktest::RegistrySpec;

constexpr char kAnna[] = "M-1001";
constexpr char kBoris[] = "M-1005";

class VoidTest : public ::testing::Test {
 protected:
  static RegistrySpec Spec() {
    RegistrySpec spec;
    spec.members = {{kAnna}, {kBoris}};
    spec.partners = {kiosktest::MakePartner()};
    registry::Offer o = kiosktest::PercentOffer("O-CAP", 1000);
    o.cap_count = 2;
    o.cap_period = registry::CapPeriod::kMonth;
    spec.offers = {o};
    spec.events = {kiosktest::MakeEvent(kiosktest::kEvent, kiosktest::kNow - 3600,
                                        kiosktest::kNow + 8 * 3600)};
    return spec;
  }
  void Start(const Config& config, RegistrySpec spec = Spec()) {
    ASSERT_TRUE(fx_.WriteRegistry(spec));
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
  std::string Card(const std::string& id) { return fx_.Card({.member_id = id}); }
  // Buys for 100 ₽ and returns the discount entry's uuid ("" when not accepted).
  std::string Buy(const std::string& id) {
    s().Scan(Card(id));
    s().Amount(10'000);
    s().Confirm();
    return screen().decision == "accepted" ? screen().entry_uuid : "";
  }
  void Void(const std::string& uuid, Actor actor = Actor::kCashier) {
    s().StartVoid(uuid, actor);
    s().Confirm();
  }

  kiosktest::KioskFixture fx_;
  std::optional<Device> device_;
  std::unique_ptr<Session> session_;
};

TEST_F(VoidTest, AVoidAsksForAConfirmThenAddsAnEntryAndLeavesTheOriginal) {
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::ShopConfig()));
  const std::string uuid = Buy(kAnna);
  ASSERT_FALSE(uuid.empty());
  EXPECT_TRUE(screen().voidable);
  const journal::Entry original = Journal().at(0);
  s().StartVoid(uuid, Actor::kCashier);
  EXPECT_EQ(screen().state, State::kVoidConfirm);
  EXPECT_EQ(StateName(screen().state), "void_confirm");
  EXPECT_EQ(screen().void_uuid, uuid);
  EXPECT_EQ(screen().void_kind, "discount");
  EXPECT_EQ(screen().discount_minor, 1'000);
  EXPECT_EQ(screen().number_masked, MaskRid(fx_.RidOf(kAnna)));
  EXPECT_EQ(Journal().size(), 1u);  // nothing recorded before the confirm
  s().Confirm();
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "VOIDED");
  EXPECT_EQ(screen().outcome, Outcome::kVoided);
  EXPECT_FALSE(screen().entry_uuid.empty());
  const std::vector<journal::Entry> entries = Journal();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].kind, journal::Kind::kVoid);
  EXPECT_EQ(entries[1].ref_uuid, uuid);
  EXPECT_EQ(entries[1].actor, "cashier");
  EXPECT_EQ(entries[1].rid, fx_.RidOf(kAnna));
  EXPECT_EQ(entries[1].uuid, screen().entry_uuid);
  EXPECT_EQ(entries[0].hash, original.hash);  // the original is untouched
  EXPECT_EQ(entries[0].decision, "accepted");
  EXPECT_EQ(journal::EntryFormat(entries[1]), 2);
  ASSERT_TRUE(device_->journal->VerifyChain().ok());
  EXPECT_EQ(device_->journal->VerifyChain()->first_bad_seq, 0);
}

TEST_F(VoidTest, CancelOnTheConfirmRecordsNothing) {
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::ShopConfig()));
  const std::string uuid = Buy(kAnna);
  s().StartVoid(uuid, Actor::kCashier);
  s().Cancel();
  EXPECT_EQ(screen().state, State::kIdle);
  EXPECT_EQ(Journal().size(), 1u);
}

TEST_F(VoidTest, AVoidGivesTheMembersCapUseBack) {
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::ShopConfig()));
  const std::string first = Buy(kAnna);
  ASSERT_FALSE(Buy(kAnna).empty());
  s().Scan(Card(kAnna));  // 2 of 2: told at once
  EXPECT_EQ(screen().decision, "LIMIT_REACHED");
  Void(first);
  ASSERT_EQ(screen().decision, "VOIDED");
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().state, State::kAmountEntry);  // one use is free again
  s().Amount(10'000);
  EXPECT_EQ(screen().cap_used, 1);  // before this one: 2 accepted, 1 voided
  s().Confirm();
  EXPECT_EQ(screen().decision, "accepted");
  // And the count survives a restart: it is read from the journal.
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::ShopConfig()));
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().decision, "LIMIT_REACHED");
}

TEST_F(VoidTest, TwiceAVoidOfAVoidAndUnknownEntriesAreRefusedWithAReason) {
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::ShopConfig()));
  const std::string uuid = Buy(kAnna);
  Void(uuid);
  const std::string void_uuid = screen().entry_uuid;
  s().StartVoid(uuid, Actor::kAdmin);
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "VOID_ALREADY");
  EXPECT_EQ(screen().outcome, Outcome::kRefusedByRule);
  EXPECT_EQ(screen().message, "entry 1 was already voided (entry 2, by cashier)");
  s().StartVoid(void_uuid, Actor::kAdmin);
  EXPECT_EQ(screen().decision, "VOID_OF_VOID");
  s().StartVoid("00000000-0000-4000-8000-000000000000", Actor::kAdmin);
  EXPECT_EQ(screen().decision, "VOID_UNKNOWN_ENTRY");
  EXPECT_NE(screen().message.find("only this device's own entries"), std::string::npos);
  s().Confirm();  // a refusal has nothing to confirm
  EXPECT_EQ(Journal().size(), 2u);
}

TEST_F(VoidTest, AnEntryOfAnotherDeviceIsUnknownHere) {
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::ShopConfig()));
  kiosktest::KioskFixture other;
  ASSERT_TRUE(other.WriteRegistry(Spec()));
  base::Result<Device> d = other.OpenDevice();
  ASSERT_TRUE(d.ok());
  std::unique_ptr<Session> there = other.NewSession(*d, kiosktest::ShopConfig());
  there->Scan(other.Card({.member_id = kAnna}));
  there->Amount(10'000);
  there->Confirm();
  ASSERT_FALSE(there->screen().entry_uuid.empty());
  s().StartVoid(there->screen().entry_uuid, Actor::kAdmin);
  EXPECT_EQ(screen().decision, "VOID_UNKNOWN_ENTRY");
  EXPECT_TRUE(Journal().empty());
}

TEST_F(VoidTest, RefusalsAndRejectedScansGaveNothingToVoid) {
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::ShopConfig()));
  s().Scan("garbage");
  ASSERT_FALSE(screen().entry_uuid.empty());
  EXPECT_FALSE(screen().voidable);
  s().StartVoid(screen().entry_uuid, Actor::kAdmin);
  EXPECT_EQ(screen().decision, "VOID_NOT_VOIDABLE");
}

TEST_F(VoidTest, AfterTheWindowOnlyTheAdminMayVoid) {
  Config config = kiosktest::ShopConfig();
  config.void_window_seconds = 15 * 60;
  ASSERT_NO_FATAL_FAILURE(Start(config));
  const std::string uuid = Buy(kAnna);
  fx_.clock().Advance(15 * 60);  // at the window's end: still the cashier's
  s().StartVoid(uuid, Actor::kCashier);
  EXPECT_EQ(screen().state, State::kVoidConfirm);
  s().Cancel();
  fx_.clock().Advance(1);
  s().StartVoid(uuid, Actor::kCashier);
  EXPECT_EQ(screen().decision, "VOID_TOO_LATE");
  EXPECT_EQ(screen().message,
            "entry 1 is older than 15 min: only the admin can void it (admin menu)");
  Void(uuid, Actor::kAdmin);
  EXPECT_EQ(screen().decision, "VOIDED");
  EXPECT_EQ(Journal().back().actor, "admin");
}

TEST_F(VoidTest, TheWindowIsCheckedAgainAtTheConfirm) {
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::ShopConfig()));
  const std::string uuid = Buy(kAnna);
  fx_.clock().Advance(14 * 60);
  s().StartVoid(uuid, Actor::kCashier);
  ASSERT_EQ(screen().state, State::kVoidConfirm);
  fx_.clock().Advance(2 * 60);
  s().Confirm();
  EXPECT_EQ(screen().decision, "VOID_TOO_LATE");
  EXPECT_EQ(Journal().size(), 1u);
}

TEST_F(VoidTest, AVoidedCheckinLetsTheMemberInAgainAndTheCountDrops) {
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::EventConfig()));
  s().Scan(Card(kAnna));
  const std::string anna = screen().entry_uuid;
  EXPECT_TRUE(screen().voidable);
  s().Scan(Card(kBoris));
  EXPECT_EQ(screen().attendance, 2);
  Void(anna);
  EXPECT_EQ(screen().decision, "VOIDED");
  EXPECT_EQ(screen().attendance, 1);
  EXPECT_EQ(*device_->journal->Attendance(kiosktest::kEvent), 1);
  s().Scan(Card(kAnna));
  EXPECT_EQ(screen().decision, "accepted");  // not ALREADY_CHECKED_IN
  EXPECT_EQ(screen().entry_number, 1);
  EXPECT_EQ(screen().attendance, 2);
}

TEST_F(VoidTest, TheDoorUndoesItsLastCheckinOneAtATime) {
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::EventConfig()));
  s().UndoLastCheckin(Actor::kCashier);
  EXPECT_EQ(screen().decision, "NOTHING_TO_UNDO");
  s().Scan(Card(kAnna));
  s().Scan(Card(kBoris));
  s().UndoLastCheckin(Actor::kCashier);
  EXPECT_EQ(screen().state, State::kVoidConfirm);
  EXPECT_EQ(screen().number_masked, MaskRid(fx_.RidOf(kBoris)));
  s().Confirm();
  EXPECT_EQ(screen().attendance, 1);
  s().UndoLastCheckin(Actor::kCashier);
  EXPECT_EQ(screen().number_masked, MaskRid(fx_.RidOf(kAnna)));
  s().Confirm();
  EXPECT_EQ(screen().attendance, 0);
}

// The results a kiosk counts as scans (Session::set_on_result: its refused-scan counters): a
// check-in and a repeat refused are; a refused void, an undo, a manual count are corrections.
TEST_F(VoidTest, OnlyScansResultsAreReportedNotTheCorrections) {
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::EventConfig()));
  std::vector<std::string> decisions;
  s().set_on_result([&](const Screen& sc) { decisions.push_back(sc.decision); });
  s().UndoLastCheckin(Actor::kCashier);  // NOTHING_TO_UNDO
  s().Scan(Card(kAnna));
  s().Scan(Card(kAnna));  // a repeat
  s().UndoLastCheckin(Actor::kCashier);
  s().Confirm();
  s().ManualCount();
  s().StartVoid("00000000-0000-4000-8000-000000000000", Actor::kAdmin);  // VOID_UNKNOWN_ENTRY
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(decisions[0], "accepted");
  EXPECT_NE(decisions[1], "accepted");
}

TEST_F(VoidTest, ManualCountsAreCountedApartAndAgainstTheCapacity) {
  RegistrySpec spec = Spec();
  spec.events[0].capacity = 3;
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::EventConfig(), spec));
  s().Scan(Card(kAnna));
  s().ManualCount();
  EXPECT_EQ(screen().state, State::kResult);
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_TRUE(screen().manual);
  EXPECT_EQ(screen().attendance, 2);
  EXPECT_EQ(screen().manual_count, 1);
  EXPECT_EQ(screen().capacity, 3);
  const journal::Entry e = Journal().back();
  EXPECT_EQ(e.kind, journal::Kind::kManualCount);
  EXPECT_FALSE(e.rid.has_value());
  EXPECT_EQ(e.event_id, kiosktest::kEvent);
  EXPECT_EQ(e.actor, "cashier");
  s().ManualCount();
  EXPECT_EQ(screen().attendance, 3);
  s().Scan(Card(kBoris));  // the people without a card took the places
  EXPECT_EQ(screen().decision, "EVENT_FULL");
  s().ManualCount();
  EXPECT_EQ(screen().decision, "EVENT_FULL");
  EXPECT_EQ(Journal().size(), 4u);  // the refused manual count is not recorded
  // The door's undo takes the last manual count back: Boris gets in.
  s().UndoLastCheckin(Actor::kCashier);
  EXPECT_EQ(screen().void_kind, "manual_count");
  s().Confirm();
  EXPECT_EQ(screen().attendance, 2);
  EXPECT_EQ(screen().manual_count, 1);
  s().Scan(Card(kBoris));
  EXPECT_EQ(screen().decision, "accepted");
  EXPECT_EQ(screen().manual_count, 1);
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::EventConfig(), spec));  // counted again after a restart
  EXPECT_EQ(*device_->journal->ManualCount(kiosktest::kEvent), 1);
  EXPECT_EQ(*device_->journal->Attendance(kiosktest::kEvent), 2);
}

TEST_F(VoidTest, RecentListsTheLastTransactionsWithTheirStatus) {
  ASSERT_NO_FATAL_FAILURE(Start(kiosktest::ShopConfig()));
  const std::string first = Buy(kAnna);
  Buy(kBoris);
  s().Scan("garbage");  // a rejected scan is not a transaction
  Void(first);
  Buy(kBoris);
  for (int i = 0; i < 25; ++i) s().Scan(Card(kBoris));  // LIMIT_REACHED: refusals are listed too
  base::Result<std::vector<RecentEntry>> r = s().Recent(20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 20u);
  EXPECT_EQ(r->front().decision, "LIMIT_REACHED");
  EXPECT_EQ(r->front().cashier_void, "VOID_NOT_VOIDABLE");
  base::Result<std::vector<RecentEntry>> all = s().Recent(100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 28u);
  const RecentEntry& anna = all->back();
  EXPECT_EQ(anna.uuid, first);
  EXPECT_EQ(anna.kind, "discount");
  EXPECT_EQ(anna.purchase_minor, 10'000);
  EXPECT_EQ(anna.discount_minor, 1'000);
  EXPECT_EQ(anna.member, MaskRid(fx_.RidOf(kAnna)));
  EXPECT_EQ(anna.voided_by, "cashier");
  EXPECT_EQ(anna.cashier_void, "VOID_ALREADY");
  const RecentEntry& boris = (*all)[all->size() - 2];
  EXPECT_TRUE(boris.voided_by.empty());
  EXPECT_EQ(boris.cashier_void, "");
  fx_.clock().Advance(3600);
  base::Result<std::vector<RecentEntry>> later = s().Recent(100);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ((*later)[later->size() - 2].cashier_void, "VOID_TOO_LATE");
  EXPECT_EQ((*later)[later->size() - 2].admin_void, "");
}

TEST(MaskRid, ShowsTheLastFourHexDigits) {
  EXPECT_EQ(MaskRid({1, 2, 3, 4, 5, 6, 0x0a, 0xbc}), "\u2022\u2022\u2022\u20220abc");
}

}  // namespace
}  // namespace kiosk
