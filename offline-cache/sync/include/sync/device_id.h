// The device id: a random name for this kiosk, made once and kept in the data directory. It names
// the receipts a kiosk writes to a USB stick, so that one stick can carry receipts from many
// kiosks.
#pragma once

#include <string>
#include <string_view>

#include "base/fs.h"
#include "base/status.h"

namespace ck_sync {

inline constexpr char kDeviceIdFile[] = "device-id";
inline constexpr size_t kDeviceIdChars = 16;  // 8 random bytes, lower-case hex

// True for exactly kDeviceIdChars lower-case hex digits.
bool IsValidDeviceId(std::string_view id);

// Returns the id stored in `data_dir`/device-id, creating the file on first use: 8 bytes from
// card::RandomBytes as 16 lower-case hex digits and a newline, written atomically through `fs`
// (device-id.tmp written and synced, renamed, the directory synced). `fs` is only used during the
// call. `data_dir` must exist. A file that does not hold a valid id gives kDataLoss: it is never
// silently replaced, since receipts already on sticks carry the old id.
// Two processes creating the id at the same moment may each return their own id (last write wins
// on disk); the kiosk creates it once at start-up, before anything else runs.
base::Result<std::string> LoadOrCreateDeviceId(base::FileSystem& fs, const std::string& data_dir);

}  // namespace ck_sync
