#pragma once

#include <cstdio>
#include <functional>
#include <istream>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "kiosk/device.h"
#include "kiosk/session.h"

namespace kiosk {

// The headless front end: reads JSON-lines commands from `in`, writes JSON-lines screens to `out`
// (docs/kiosk-protocol.md). Every line read gets exactly one line back, a screen or an error
// (`quit` too, then the output ends); a line over 16384 bytes is dropped, never held whole. Returns
// the process exit code. `fake` is non-null when the clock is a FakeClock that {"cmd":"advance"}
// may move. `session` is asked for the current session before every command (main() rebuilds it
// after a registry reload); `decorate` may add device fields (e.g. the last network sync) to
// every screen line. Not thread-safe: one caller reads `in` and writes `out`.
int RunHeadless(const std::function<Session&()>& session, std::istream& in, std::FILE* out,
                base::FakeClock* fake,
                const std::function<void(nlohmann::json&)>& decorate = nullptr);

}  // namespace kiosk
