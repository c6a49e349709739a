#include "base/time_format.h"

#include <cstdio>

namespace base {
namespace {

// Reads exactly `n` digits at `pos`.
bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

Result<int64_t> ParseOffset(std::string_view s, size_t pos) {
  if (pos >= s.size()) return InvalidArgument("missing time-zone offset (use Z or +HH:MM)");
  if (s[pos] == 'Z' || s[pos] == 'z') {
    if (pos + 1 != s.size()) return InvalidArgument("trailing characters after Z");
    return int64_t{0};
  }
  if (s[pos] != '+' && s[pos] != '-') return InvalidArgument("bad time-zone offset");
  int sign = s[pos] == '-' ? -1 : 1;
  int hh = 0, mm = 0;
  size_t p = pos + 1;
  if (!Digits(s, p, 2, &hh)) return InvalidArgument("bad time-zone offset");
  p += 2;
  if (p < s.size() && s[p] == ':') ++p;
  if (!Digits(s, p, 2, &mm) || p + 2 != s.size() || hh > 23 || mm > 59) {
    return InvalidArgument("bad time-zone offset");
  }
  return int64_t{sign * (hh * 3600 + mm * 60)};
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<int64_t> ParseIso8601(std::string_view s) {
  int year = 0, month = 0, day = 0;
  if (!Digits(s, 0, 4, &year) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day)) {
    return InvalidArgument("not an ISO 8601 date: '" + std::string(s) + "'");
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return InvalidArgument("no such date: '" + std::string(s) + "'");
  }
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  if (s.size() == 10) return days * 86400;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') {
    return InvalidArgument("expected 'T' after the date in '" + std::string(s) + "'");
  }
  int hh = 0, mi = 0, ss = 0;
  if (!Digits(s, 11, 2, &hh) || s.size() < 16 || s[13] != ':' || !Digits(s, 14, 2, &mi)) {
    return InvalidArgument("bad time in '" + std::string(s) + "'");
  }
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, &ss))
      return InvalidArgument("bad seconds in '" + std::string(s) + "'");
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      size_t start = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      if (pos == start) return InvalidArgument("bad fraction in '" + std::string(s) + "'");
    }
  }
  if (hh > 23 || mi > 59 || ss > 60)
    return InvalidArgument("no such time: '" + std::string(s) + "'");
  Result<int64_t> offset = ParseOffset(s, pos);
  if (!offset.ok()) return offset.status().WithContext("'" + std::string(s) + "'");
  return days * 86400 + hh * 3600 + mi * 60 + ss - *offset;
}

std::string FormatIso8601Utc(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  // civil_from_days
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

}  // namespace base
