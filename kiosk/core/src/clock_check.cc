#include "kiosk/clock_check.h"

#include <algorithm>

#include "base/time_format.h"

namespace kiosk {
namespace {

// Which anchor is the floor, in words.
std::string_view FloorName(const ClockAnchors& a) {
  const int64_t floor = a.Floor();
  if (floor == a.journal_time) return "the last journal entry";
  if (floor == a.hub_time) return "the hub's time at the last sync";
  return "the registry's creation time";
}

}  // namespace

std::string_view ClockCode(ClockState s) {
  switch (s) {
    case ClockState::kBehind:
      return "CLOCK_BEHIND";
    case ClockState::kAhead:
      return "CLOCK_AHEAD";
    case ClockState::kOk:
      break;
  }
  return "";
}

int64_t ClockAnchors::Floor() const { return std::max({registry_created, hub_time, journal_time}); }

ClockAnchors AnchorsOf(const registry::Meta* registry, int64_t hub_time, int64_t journal_time) {
  ClockAnchors a{.hub_time = hub_time, .journal_time = journal_time};
  if (registry != nullptr) {
    a.registry_created = registry->created;
    a.registry_validity = std::max<int64_t>(0, registry->not_after - registry->created);
  }
  return a;
}

ClockState CheckClock(int64_t now, const ClockAnchors& a) {
  const int64_t floor = a.Floor();
  if (now < floor) return ClockState::kBehind;
  // Subtracted, not added: no overflow for any anchor.
  if (a.registry_validity > 0 && now - floor > a.registry_validity) return ClockState::kAhead;
  return ClockState::kOk;
}

std::string ClockProblem(ClockState s, int64_t now, const ClockAnchors& a) {
  const std::string clock = "the device clock (" + base::FormatIso8601Utc(now) + ")";
  const std::string floor = base::FormatIso8601Utc(a.Floor());
  switch (s) {
    case ClockState::kBehind:
      return clock + " is earlier than " + std::string(FloorName(a)) + " (" + floor +
             "); set the clock, then have an admin confirm it";
    case ClockState::kAhead:
      return clock + " is more than the registry's validity (" +
             std::to_string(a.registry_validity / 86400) + " days) ahead of " +
             std::string(FloorName(a)) + " (" + floor +
             "); set the clock, or have an admin confirm it";
    case ClockState::kOk:
      break;
  }
  return "";
}

}  // namespace kiosk
