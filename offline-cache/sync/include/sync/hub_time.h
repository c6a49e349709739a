// The hub's time as a clock anchor for the kiosk (docs/kiosk-app.md, "The clock"): the `Date` of
// the hub's answers in a successful sync cycle, which reach the kiosk over the connection that
// pins the hub's key (or on loopback), saved in DATA_DIR/hub-time so that a restart keeps it.
// The kiosk refuses a wall clock earlier than it (kiosk/clock_check.h). Thread-safe functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/fs.h"
#include "base/status.h"

namespace ck_sync {

// "<unix seconds>\n", written atomically after each successful cycle.
inline constexpr char kHubTimeFile[] = "hub-time";

// An HTTP `Date` value (RFC 9110 section 5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime
// forms) as Unix seconds; nullopt when it is not a date.
std::optional<int64_t> ParseHttpDate(std::string_view value);

// DATA_DIR/hub-time: 0 when there is none; kDataLoss naming the file when it is not one number.
base::Result<int64_t> ReadHubTime(base::FileSystem& fs, const std::string& data_dir);
base::Status WriteHubTime(base::FileSystem& fs, const std::string& data_dir, int64_t unix_seconds);

}  // namespace ck_sync
