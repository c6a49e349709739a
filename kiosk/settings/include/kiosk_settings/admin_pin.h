// The admin PIN: stored hashed (PBKDF2-HMAC-SHA256, random 16-byte salt, 200k iterations) in
// <data_dir>/admin.pin, with the failed-try counter and the lock-out deadline, so that pulling the
// plug does not reset the lock-out. After 3 wrong PINs each further wrong try locks entry for a
// growing delay: 30 s, 60 s, 120 s ... capped at 1 h. A right PIN resets the counter.
// File format (one line each, written atomically): "v1", salt hex, hash hex, failures,
// locked_until (Unix seconds). A damaged file is DataLoss, never "no PIN".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/fs.h"
#include "base/status.h"

namespace kiosk_settings {

inline constexpr std::string_view kDefaultAdminPin = "0000";  // until set; the admin screen nags

enum class PinCheck : uint8_t { kOk, kWrong, kLockedOut };

// One PIN try's slow part (PBKDF2), separate from the PIN file: a copy of what it needs, so that
// Right() runs on any thread while the UI stays alive.
struct PinTry {
  std::string pin, salt, hash;  // salt empty: no PIN set yet (the default)
  base::Result<bool> Right() const;
};

class AdminPin {
 public:
  // Opens (without creating) <data_dir>/admin.pin; when absent the PIN is kDefaultAdminPin and
  // is_default() is true. The file is read and written through `fs`; `fs` and `clock` must outlive
  // the object.
  static base::Result<AdminPin> Open(base::FileSystem& fs, const std::string& data_dir,
                                     const base::Clock& clock);

  // A PIN is 4..12 ASCII digits. Wrong tries while locked out are not counted and not checked.
  // The counter and deadline are written (fsync'd) before the result is returned.
  base::Result<PinCheck> Check(std::string_view pin);
  // Check() in two steps, for a PIN checked off the UI thread: StartCheck() (nullopt while locked
  // out: not checked, not counted), PinTry::Right() on any thread, then FinishCheck() with its
  // result, which counts it and writes the file. Nothing else may use this object in between.
  std::optional<PinTry> StartCheck(std::string_view pin);
  base::Result<PinCheck> FinishCheck(const base::Result<bool>& right);
  // Seconds until another try is allowed (0 when not locked out).
  int64_t LockedForSeconds() const;
  int failures() const { return failures_; }
  bool is_default() const { return is_default_; }
  // Sets a new PIN (InvalidArgument unless 4..12 digits) and clears the counter.
  base::Status Set(std::string_view pin);

 private:
  AdminPin(base::FileSystem& fs, std::string path, const base::Clock& clock)
      : fs_(&fs), path_(std::move(path)), clock_(&clock) {}
  base::Status Save();
  base::FileSystem* fs_;
  std::string path_;
  const base::Clock* clock_;
  std::string salt_, hash_;  // raw bytes
  int failures_ = 0;
  int64_t locked_until_ = 0;
  bool is_default_ = true;
};

// The lock-out after `failures` consecutive wrong PINs: 0 for 0..2, then 30 s doubling, 1 h cap.
int64_t LockoutSeconds(int failures);

}  // namespace kiosk_settings
