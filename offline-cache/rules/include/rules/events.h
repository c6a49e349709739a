// Event check-in rules (DESIGN.md section 7): open or roster events, entries per member (a repeat
// shows when the first check-in was), capacity, doors-open window. Pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "registry/records.h"

namespace rules {

enum class CheckinCode : uint8_t {
  kAccepted,          // welcome (first entry or an allowed re-entry)
  kNotRegistered,     // roster event and the member is not on it
  kAlreadyCheckedIn,  // entries_per_member used up
  kEventFull,         // capacity reached (members already inside may re-enter)
  kDoorsNotOpen,      // too early
  kEventOver,
};
std::string_view CheckinCodeName(CheckinCode c);  // "accepted", "NOT_REGISTERED", ...

struct CheckinFacts {
  bool on_roster = false;   // only read for roster events
  int64_t entries = 0;      // this member's accepted check-ins so far
  int64_t first_entry = 0;  // time of the first, when entries > 0
  int64_t attendance = 0;   // distinct members checked in so far
  int64_t now = 0;
  int64_t doors_open_seconds = 3600;  // doors open this long before `starts`
};

struct CheckinDecision {
  CheckinCode code = CheckinCode::kNotRegistered;
  int64_t entry_number = 0;  // 1 for the first entry, 2 for a re-entry...
  int64_t first_entry = 0;   // when known
  int64_t attendance = 0;    // including this one when accepted
  std::string message;       // English, for logs and the headless protocol
  bool accepted() const { return code == CheckinCode::kAccepted; }
};

CheckinDecision EvaluateCheckin(const registry::Event& event, const CheckinFacts& facts,
                                int64_t utc_offset_seconds);

}  // namespace rules
