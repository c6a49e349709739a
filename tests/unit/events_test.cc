// Event check-in rules (DESIGN.md section 7): open and roster events, entries per member, capacity
// and the doors-open window.
#include "rules/events.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "base/time_format.h"

namespace rules {
namespace {

using registry::Event;
using registry::EventMode;

constexpr int64_t kMoscow = 3 * 3600;
constexpr int64_t kAlmaty = 5 * 3600;

int64_t At(std::string_view iso) {
  base::Result<int64_t> t = base::ParseIso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return t.ok() ? *t : 0;
}

// 2027-03-01, 10:00-18:00 in Moscow.
Event Conference(EventMode mode = EventMode::kOpen, int64_t entries_per_member = 1,
                 std::optional<int64_t> capacity = std::nullopt) {
  Event e;
  e.event_id = "E-CONF";
  e.title = "Conference";
  e.venue = "Hall A";
  e.starts = At("2027-03-01T10:00:00+03:00");
  e.ends = At("2027-03-01T18:00:00+03:00");
  e.mode = mode;
  e.entries_per_member = entries_per_member;
  e.capacity = capacity;
  return e;
}

// A member arriving at 10:40 with nothing recorded yet.
CheckinFacts Arrival() {
  CheckinFacts f;
  f.now = At("2027-03-01T10:40:00+03:00");
  f.doors_open_seconds = 3600;
  return f;
}

// A member who first came in at 10:32 and scans again at 11:15.
CheckinFacts Return(int64_t entries) {
  CheckinFacts f = Arrival();
  f.now = At("2027-03-01T11:15:00+03:00");
  f.entries = entries;
  f.first_entry = At("2027-03-01T10:32:00+03:00");
  f.attendance = 40;
  return f;
}

CheckinDecision Check(const Event& e, const CheckinFacts& f, int64_t offset = kMoscow) {
  return EvaluateCheckin(e, f, offset);
}

TEST(Checkin, OpenEventWelcomesAnyValidMember) {
  CheckinFacts f = Arrival();
  f.attendance = 12;
  CheckinDecision d = Check(Conference(), f);
  EXPECT_EQ(d.code, CheckinCode::kAccepted);
  EXPECT_TRUE(d.accepted());
  EXPECT_EQ(d.entry_number, 1);
  EXPECT_EQ(d.attendance, 13);
  EXPECT_EQ(d.first_entry, 0);
  EXPECT_EQ(d.message, "welcome");
}

TEST(Checkin, OpenEventIgnoresTheRoster) {
  CheckinFacts f = Arrival();
  f.on_roster = false;
  EXPECT_EQ(Check(Conference(EventMode::kOpen), f).code, CheckinCode::kAccepted);
}

TEST(Checkin, RosterEventRefusesTheUnregistered) {
  CheckinFacts f = Arrival();
  f.on_roster = false;
  f.attendance = 7;
  CheckinDecision d = Check(Conference(EventMode::kRoster), f);
  EXPECT_EQ(d.code, CheckinCode::kNotRegistered);
  EXPECT_EQ(d.message, "not registered for this event");
  EXPECT_EQ(d.attendance, 7);
  EXPECT_EQ(d.entry_number, 0);
}

TEST(Checkin, RosterEventAdmitsTheRegistered) {
  CheckinFacts f = Arrival();
  f.on_roster = true;
  CheckinDecision d = Check(Conference(EventMode::kRoster), f);
  EXPECT_EQ(d.code, CheckinCode::kAccepted);
  EXPECT_EQ(d.attendance, 1);
}

TEST(Checkin, SecondScanWithOneEntryShowsTheFirstTime) {
  CheckinDecision d = Check(Conference(), Return(1));
  EXPECT_EQ(d.code, CheckinCode::kAlreadyCheckedIn);
  EXPECT_EQ(d.message, "already checked in at 10:32");
  EXPECT_EQ(d.first_entry, At("2027-03-01T10:32:00+03:00"));
  EXPECT_EQ(d.attendance, 40);  // unchanged
  EXPECT_EQ(d.entry_number, 0);
}

TEST(Checkin, FirstCheckinTimeIsShownInTheKiosksLocalTime) {
  // 07:32 UTC: 10:32 in Moscow, 12:32 in Almaty, 07:32 at UTC.
  EXPECT_EQ(Check(Conference(), Return(1), kMoscow).message, "already checked in at 10:32");
  EXPECT_EQ(Check(Conference(), Return(1), kAlmaty).message, "already checked in at 12:32");
  EXPECT_EQ(Check(Conference(), Return(1), 0).message, "already checked in at 07:32");
}

TEST(Checkin, SecondEntryAllowedWhenTwoArePermitted) {
  CheckinDecision d = Check(Conference(EventMode::kOpen, 2), Return(1));
  EXPECT_EQ(d.code, CheckinCode::kAccepted);
  EXPECT_EQ(d.entry_number, 2);
  EXPECT_EQ(d.attendance, 40);  // the same member: not counted twice
  EXPECT_EQ(d.first_entry, At("2027-03-01T10:32:00+03:00"));
  EXPECT_EQ(d.message, "re-entry 2 of 2, first at 10:32");
}

TEST(Checkin, ThirdEntryRefusedWhenTwoArePermitted) {
  CheckinDecision d = Check(Conference(EventMode::kOpen, 2), Return(2));
  EXPECT_EQ(d.code, CheckinCode::kAlreadyCheckedIn);
  EXPECT_EQ(d.message, "already checked in at 10:32");
}

TEST(Checkin, FullEventRefusesANewMember) {
  CheckinFacts f = Arrival();
  f.attendance = 300;
  CheckinDecision d = Check(Conference(EventMode::kOpen, 1, 300), f);
  EXPECT_EQ(d.code, CheckinCode::kEventFull);
  EXPECT_EQ(d.message, "event full: 300 of 300");
  EXPECT_EQ(d.attendance, 300);
}

TEST(Checkin, LastPlaceIsGiven) {
  CheckinFacts f = Arrival();
  f.attendance = 299;
  CheckinDecision d = Check(Conference(EventMode::kOpen, 1, 300), f);
  EXPECT_EQ(d.code, CheckinCode::kAccepted);
  EXPECT_EQ(d.attendance, 300);
}

TEST(Checkin, MemberAlreadyInsideMayReenterAFullEvent) {
  CheckinFacts f = Return(1);
  f.attendance = 300;
  CheckinDecision d = Check(Conference(EventMode::kOpen, 2, 300), f);
  EXPECT_EQ(d.code, CheckinCode::kAccepted);
  EXPECT_EQ(d.entry_number, 2);
  EXPECT_EQ(d.attendance, 300);
}

TEST(Checkin, RepeatAtAFullEventSaysAlreadyCheckedIn) {
  CheckinFacts f = Return(1);
  f.attendance = 300;
  EXPECT_EQ(Check(Conference(EventMode::kOpen, 1, 300), f).code, CheckinCode::kAlreadyCheckedIn);
}

TEST(Checkin, ZeroCapacityAdmitsNobody) {
  EXPECT_EQ(Check(Conference(EventMode::kOpen, 1, 0), Arrival()).code, CheckinCode::kEventFull);
}

TEST(Checkin, DoorsOpenExactlyTheirWindowBeforeTheStart) {
  const Event e = Conference();
  CheckinFacts f = Arrival();
  f.now = e.starts - 3600;
  EXPECT_EQ(Check(e, f).code, CheckinCode::kAccepted);
  f.now = e.starts - 3601;
  CheckinDecision d = Check(e, f);
  EXPECT_EQ(d.code, CheckinCode::kDoorsNotOpen);
  EXPECT_EQ(d.message, "doors open at 09:00");
  EXPECT_EQ(d.attendance, 0);
}

TEST(Checkin, DoorsWindowFollowsTheConfiguredLead) {
  const Event e = Conference();
  CheckinFacts f = Arrival();
  f.doors_open_seconds = 0;
  f.now = e.starts - 1;
  EXPECT_EQ(Check(e, f).code, CheckinCode::kDoorsNotOpen);
  EXPECT_EQ(Check(e, f).message, "doors open at 10:00");
  f.now = e.starts;
  EXPECT_EQ(Check(e, f).code, CheckinCode::kAccepted);
  f.doors_open_seconds = 2 * 3600 + 30 * 60;
  f.now = e.starts - f.doors_open_seconds - 1;
  EXPECT_EQ(Check(e, f).message, "doors open at 07:30");
}

TEST(Checkin, EventIsOverAtItsEnd) {
  const Event e = Conference();
  CheckinFacts f = Arrival();
  f.now = e.ends - 1;
  EXPECT_EQ(Check(e, f).code, CheckinCode::kAccepted);
  f.now = e.ends;
  CheckinDecision d = Check(e, f);
  EXPECT_EQ(d.code, CheckinCode::kEventOver);
  EXPECT_EQ(d.message, "the event is over");
}

TEST(Checkin, TimeWindowIsCheckedBeforeTheRoster) {
  CheckinFacts f = Arrival();
  f.on_roster = false;
  f.now = Conference().starts - 2 * 3600;
  EXPECT_EQ(Check(Conference(EventMode::kRoster), f).code, CheckinCode::kDoorsNotOpen);
  f.now = Conference().ends;
  EXPECT_EQ(Check(Conference(EventMode::kRoster), f).code, CheckinCode::kEventOver);
}

TEST(Checkin, AttendanceCountsDistinctMembers) {
  const Event e = Conference(EventMode::kOpen, 3, 5);
  int64_t attendance = 0;
  // Five members come in; the first re-enters twice; a sixth is refused.
  for (int member = 0; member < 5; ++member) {
    CheckinFacts f = Arrival();
    f.attendance = attendance;
    CheckinDecision d = Check(e, f);
    ASSERT_EQ(d.code, CheckinCode::kAccepted);
    EXPECT_EQ(d.attendance, attendance + 1);
    attendance = d.attendance;
  }
  for (int64_t entries = 1; entries <= 2; ++entries) {
    CheckinFacts f = Return(entries);
    f.attendance = attendance;
    CheckinDecision d = Check(e, f);
    EXPECT_EQ(d.code, CheckinCode::kAccepted);
    EXPECT_EQ(d.entry_number, entries + 1);
    EXPECT_EQ(d.attendance, 5);
  }
  CheckinFacts late = Arrival();
  late.attendance = attendance;
  EXPECT_EQ(Check(e, late).code, CheckinCode::kEventFull);
  EXPECT_EQ(Check(e, late).attendance, 5);
}

TEST(CheckinCodeName, IsStable) {
  EXPECT_EQ(CheckinCodeName(CheckinCode::kAccepted), "accepted");
  EXPECT_EQ(CheckinCodeName(CheckinCode::kNotRegistered), "NOT_REGISTERED");
  EXPECT_EQ(CheckinCodeName(CheckinCode::kAlreadyCheckedIn), "ALREADY_CHECKED_IN");
  EXPECT_EQ(CheckinCodeName(CheckinCode::kEventFull), "EVENT_FULL");
  EXPECT_EQ(CheckinCodeName(CheckinCode::kDoorsNotOpen), "DOORS_NOT_OPEN");
  EXPECT_EQ(CheckinCodeName(CheckinCode::kEventOver), "EVENT_OVER");
}

}  // namespace
}  // namespace rules
