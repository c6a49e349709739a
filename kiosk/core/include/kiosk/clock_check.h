// How far the kiosk trusts its wall clock (docs/kiosk-app.md, "The clock"). The kiosk has anchors,
// times it has reason to believe have passed: the applied registry's creation (signed by the
// issuer), the hub's time on the last successful sync (over the pinned connection, persisted in the
// data directory), and the last journal entry (a clock correction is an entry, so after one the
// correction is the journal's anchor). The floor is the latest of them. A wall clock earlier than
// the floor is behind; one later than the floor by more than the registry's validity (not_after -
// created) is ahead. Either way the kiosk decides nothing and journals nothing at that time: an
// entry's time must be one the kiosk can stand behind. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "registry/schema.h"

namespace kiosk {

enum class ClockState : uint8_t { kOk, kBehind, kAhead };

// "CLOCK_BEHIND", "CLOCK_AHEAD" (the decision codes); "" for kOk.
std::string_view ClockCode(ClockState s);

struct ClockAnchors {
  int64_t registry_created = 0;   // 0: no registry
  int64_t registry_validity = 0;  // not_after - created; 0: none known (no "ahead" check)
  int64_t hub_time = 0;           // 0: never synced
  int64_t journal_time = 0;       // the last entry's time; 0: empty journal

  // The latest anchor: the wall clock may not be earlier.
  int64_t Floor() const;
};

// The registry's anchors (none for a null meta) with the others given.
ClockAnchors AnchorsOf(const registry::Meta* registry, int64_t hub_time, int64_t journal_time);

ClockState CheckClock(int64_t now, const ClockAnchors& a);

// English for logs and the headless protocol, naming the anchor and what to do: "the device
// clock (2026-01-01T00:00:00Z) is earlier than the last journal entry (2036-...); set the clock,
// then have an admin confirm it". Empty for kOk.
std::string ClockProblem(ClockState s, int64_t now, const ClockAnchors& a);

}  // namespace kiosk
