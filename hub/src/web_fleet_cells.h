// What the Fleet and kiosk pages show of a device's state and its latest status report
// (hub/device_status.h), as HTML cell text. Internal to the admin pages; pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "hub/device_status.h"
#include "hub/store.h"
#include "web.h"

namespace hub::web {

inline constexpr char kDash[] = "\xE2\x80\x94";  // not reported (yet)

// ok | amber | red | never | withdrawn, from the last contact against kAmberSeconds/kRedSeconds.
std::string StateOf(const Device& d, int64_t now);
// Lower first: red, amber, never, ok, withdrawn.
int StateRank(const std::string& state);

std::string Td(const std::string& text, const char* cls = nullptr);
std::string Int(int64_t v);

// "shop P-1" / "event E-1"; "—" when the kiosk did not say.
std::string ModeCell(const DeviceStatus& s);
// "REVOKED 3, EXPIRED 1", "none", or "—" (no report).
std::string FailedCell(const AdminWeb::Ctx& c, const DeviceStatus* s);
// "23.9 GB" (decimal units, like a phone's storage), "—" when not reported.
std::string BytesCell(int64_t bytes);
// "3 d 4 h", "5 h 12 min", "—" when not reported.
std::string UptimeCell(int64_t seconds);
// "51.6 °C, undervoltage!" / "48.0 °C" / "—".
std::string PiCell(const AdminWeb::Ctx& c, const DeviceStatus* s);

}  // namespace hub::web
