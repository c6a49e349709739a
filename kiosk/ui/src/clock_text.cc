#include "kiosk_ui/clock_text.h"

#include <cstdio>

#include "base/time_format.h"

namespace kiosk_ui {

std::string LocalClock(int64_t unix_seconds, int64_t utc_offset_seconds) {
  int64_t t = (unix_seconds + utc_offset_seconds) % 86400;
  if (t < 0) t += 86400;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(t / 3600),
                static_cast<int>(t / 60 % 60));
  return buf;
}

std::string LocalDate(int64_t unix_seconds, int64_t utc_offset_seconds) {
  return base::FormatIso8601Utc(unix_seconds + utc_offset_seconds).substr(0, 10);
}

}  // namespace kiosk_ui
