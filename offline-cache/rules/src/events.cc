#include "rules/events.h"

#include <cstdio>

#include "rules/local_time.h"

namespace rules {
namespace {

std::string HhMm(int64_t utc, int64_t offset) {
  const LocalTime t = ToLocal(utc, offset);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02d:%02d", t.minute / 60, t.minute % 60);
  return buf;
}

}  // namespace

std::string_view CheckinCodeName(CheckinCode c) {
  switch (c) {
    case CheckinCode::kAccepted:
      return "accepted";
    case CheckinCode::kNotRegistered:
      return "NOT_REGISTERED";
    case CheckinCode::kAlreadyCheckedIn:
      return "ALREADY_CHECKED_IN";
    case CheckinCode::kEventFull:
      return "EVENT_FULL";
    case CheckinCode::kDoorsNotOpen:
      return "DOORS_NOT_OPEN";
    case CheckinCode::kEventOver:
      return "EVENT_OVER";
  }
  return "NOT_REGISTERED";
}

CheckinDecision EvaluateCheckin(const registry::Event& e, const CheckinFacts& f, int64_t offset) {
  CheckinDecision d;
  d.attendance = f.attendance;
  d.first_entry = f.entries > 0 ? f.first_entry : 0;
  if (f.now < e.starts - f.doors_open_seconds) {
    d.code = CheckinCode::kDoorsNotOpen;
    d.message = "doors open at " + HhMm(e.starts - f.doors_open_seconds, offset);
    return d;
  }
  if (f.now >= e.ends) {
    d.code = CheckinCode::kEventOver;
    d.message = "the event is over";
    return d;
  }
  if (e.mode == registry::EventMode::kRoster && !f.on_roster) {
    d.code = CheckinCode::kNotRegistered;
    d.message = "not registered for this event";
    return d;
  }
  if (f.entries >= e.entries_per_member) {
    d.code = CheckinCode::kAlreadyCheckedIn;
    d.message = "already checked in at " + HhMm(f.first_entry, offset);
    return d;
  }
  if (f.entries == 0 && e.capacity && f.attendance >= *e.capacity) {
    d.code = CheckinCode::kEventFull;
    d.message =
        "event full: " + std::to_string(f.attendance) + " of " + std::to_string(*e.capacity);
    return d;
  }
  d.code = CheckinCode::kAccepted;
  d.entry_number = f.entries + 1;
  d.attendance = f.entries == 0 ? f.attendance + 1 : f.attendance;
  d.message = f.entries == 0 ? "welcome"
                             : "re-entry " + std::to_string(d.entry_number) + " of " +
                                   std::to_string(e.entries_per_member) + ", first at " +
                                   HhMm(f.first_entry, offset);
  return d;
}

}  // namespace rules
