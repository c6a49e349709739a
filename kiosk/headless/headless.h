#pragma once

#include <cstdio>
#include <istream>

#include "base/clock.h"
#include "kiosk/device.h"
#include "kiosk/session.h"

namespace kiosk {

// The headless front end: reads JSON-lines commands from `in`, writes JSON-lines screens to `out`
// (docs/kiosk-protocol.md). Returns the process exit code. `fake` is non-null when the clock is a
// FakeClock that {"cmd":"advance"} may move.
int RunHeadless(Session& session, std::istream& in, std::FILE* out, base::FakeClock* fake);

}  // namespace kiosk
