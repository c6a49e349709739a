#include "rules/local_time.h"

#include "base/time_format.h"

namespace rules {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

LocalTime ToLocal(int64_t utc, int64_t offset) {
  const int64_t local = utc + offset;
  LocalTime t;
  t.day = FloorDiv(local, 86400);
  t.minute = static_cast<int>((local - t.day * 86400) / 60);
  t.weekday = static_cast<int>(((t.day % 7) + 7 + 3) % 7) + 1;  // 1970-01-01 was a Thursday
  // Civil date from the day number (same algorithm as base/time_format.cc).
  int64_t z = t.day + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  t.mday = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (t.month <= 2 ? 1 : 0));
  return t;
}

int64_t PeriodStart(registry::CapPeriod period, int64_t utc, int64_t offset) {
  const LocalTime t = ToLocal(utc, offset);
  int64_t day = t.day;
  if (period == registry::CapPeriod::kWeek) day -= t.weekday - 1;
  if (period == registry::CapPeriod::kMonth) {
    day = base::DaysFromCivil(t.year, static_cast<unsigned>(t.month), 1);
  }
  return day * 86400 - offset;
}

}  // namespace rules
