// ISO 8601 / RFC 3339 timestamps <-> Unix seconds, without the C library's time-zone state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace base {

// Days since 1970-01-01 for a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

// Parses "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|-HH:MM|+HHMM)".
// Fractions of a second are truncated. A date-time without an offset is rejected: it is ambiguous.
Result<int64_t> ParseIso8601(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatIso8601Utc(int64_t unix_seconds);

}  // namespace base
