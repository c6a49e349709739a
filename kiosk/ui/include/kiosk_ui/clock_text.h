// Times as the kiosk's screens print them, in the device's local time (a fixed UTC offset).
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace kiosk_ui {

// "HH:MM" in local time.
std::string LocalClock(int64_t unix_seconds, int64_t utc_offset_seconds);
// "YYYY-MM-DD" in local time.
std::string LocalDate(int64_t unix_seconds, int64_t utc_offset_seconds);

}  // namespace kiosk_ui
