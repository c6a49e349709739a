// Local calendar time for the rules (weekdays, hours, dates, cap periods). The kiosk's time zone is
// a fixed UTC offset from its configuration: the regions served (Russia, Kazakhstan) have no
// daylight-saving time.
#pragma once

#include <cstdint>

#include "registry/records.h"

namespace rules {

struct LocalTime {
  int64_t day = 0;  // days since 1970-01-01 in local time
  int weekday = 1;  // ISO: 1 = Monday ... 7 = Sunday
  int minute = 0;   // minute of the local day, 0..1439
  int year = 1970, month = 1, mday = 1;
};

LocalTime ToLocal(int64_t utc_seconds, int64_t utc_offset_seconds);

// Start, in UTC seconds, of the cap period holding `utc`: local midnight, local Monday midnight, or
// local midnight of the first day of the month.
int64_t PeriodStart(registry::CapPeriod period, int64_t utc_seconds, int64_t utc_offset_seconds);

}  // namespace rules
