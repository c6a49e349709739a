#include "cardctl_export/admin_values.h"

#include <array>
#include <charconv>
#include <vector>

#include "base/text.h"
#include "base/time_format.h"
#include "cardctl_export/columns.h"
#include "cardctl_export/member_values.h"

namespace cardctl_export {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Removes spaces and no-break spaces between digit groups.
std::string Ungroup(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == ' ') continue;
    if (v.substr(i).starts_with("\xc2\xa0")) {
      ++i;
      continue;
    }
    out.push_back(v[i]);
  }
  return out;
}

// Splits on '|' and ',' (a list in a ';' file is often written with commas).
std::vector<std::string> SplitList(std::string_view v) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : v) {
    if (c == '|' || c == ',') {
      out.emplace_back(base::TrimBlanks(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.emplace_back(base::TrimBlanks(cur));
  return out;
}

// "–" and "—" (what a spreadsheet puts in ranges) -> "-".
std::string Dashes(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v.substr(i).starts_with("\xe2\x80\x93") || v.substr(i).starts_with("\xe2\x80\x94")) {
      out.push_back('-');
      i += 2;
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

std::optional<int> WeekdayNumber(std::string_view word) {
  static constexpr std::array<std::array<std::string_view, 4>, 7> kNames = {{
      {"пн", "понедельник", "mon", "monday"},
      {"вт", "вторник", "tue", "tuesday"},
      {"ср", "среда", "wed", "wednesday"},
      {"чт", "четверг", "thu", "thursday"},
      {"пт", "пятница", "fri", "friday"},
      {"сб", "суббота", "sat", "saturday"},
      {"вс", "воскресенье", "sun", "sunday"},
  }};
  const std::string n = NormalizeName(word);
  if (n.size() == 1 && n[0] >= '1' && n[0] <= '7') return n[0] - '0';
  for (size_t d = 0; d < kNames.size(); ++d) {
    for (std::string_view name : kNames[d]) {
      if (n == name) return static_cast<int>(d + 1);
    }
  }
  return std::nullopt;
}

// "dd.mm.yyyy" -> "yyyy-mm-dd", or nullopt if it is not that shape.
std::optional<std::string> DottedDate(std::string_view v) {
  const size_t a = v.find('.'), b = v.rfind('.');
  if (a == std::string_view::npos || a == b) return std::nullopt;
  std::string_view d = v.substr(0, a), m = v.substr(a + 1, b - a - 1), y = v.substr(b + 1);
  if (!AllDigits(d) || !AllDigits(m) || !AllDigits(y) || d.size() > 2 || m.size() > 2 ||
      y.size() != 4)
    return std::nullopt;
  auto two = [](std::string_view s) {
    return s.size() == 1 ? "0" + std::string(s) : std::string(s);
  };
  return std::string(y) + "-" + two(m) + "-" + two(d);
}

}  // namespace

std::string DecimalPoint(std::string_view v) {
  std::string out = Ungroup(v);
  for (char& c : out) {
    if (c == ',') c = '.';
  }
  return out;
}

base::Result<std::string> RoublesToKopecks(std::string_view v) {
  const std::string s = DecimalPoint(v);
  const size_t dot = s.find('.');
  const std::string whole = s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (!AllDigits(whole) || frac.size() > 2 || (dot != std::string::npos && !AllDigits(frac)) ||
      whole.size() > 12) {
    return base::InvalidArgument("found '" + std::string(v) +
                                 "', accepted roubles like 100, 100,50 or 1 000.5 (at most two "
                                 "decimals)");
  }
  while (frac.size() < 2) frac.push_back('0');
  std::string out = whole + frac;
  while (out.size() > 1 && out[0] == '0') out.erase(0, 1);
  return out;
}

base::Result<std::string> IsoDate(std::string_view v) {
  if (std::optional<std::string> d = DottedDate(v)) return *d;
  return std::string(v);  // ISO or wrong: the registry says which
}

base::Result<std::string> IsoWeekdays(std::string_view v) {
  std::string out;
  for (const std::string& part : SplitList(Dashes(v))) {
    const size_t dash = part.find('-');
    std::optional<int> a = WeekdayNumber(part.substr(0, dash));
    std::optional<int> b = dash == std::string::npos ? a : WeekdayNumber(part.substr(dash + 1));
    if (!a || !b) {
      return base::InvalidArgument("found '" + std::string(v) +
                                   "', accepted days like пн-пт, сб|вс, Mon-Fri or 1-5 (1 = "
                                   "Monday)");
    }
    out += (out.empty() ? "" : "|") + std::to_string(*a) +
           (dash == std::string::npos ? "" : "-" + std::to_string(*b));
  }
  return out;
}

base::Result<std::string> CategoryNumbers(std::string_view v) {
  std::string out;
  for (const std::string& part : SplitList(v)) {
    base::Result<card::Category> c = ParseCategoryValue(part);
    if (!c.ok()) return c.status();
    out += (out.empty() ? "" : "|") + std::to_string(static_cast<int>(*c));
  }
  return out;
}

std::string PaddedHours(std::string_view v) {
  std::string s = Dashes(Ungroup(v)), out;
  const size_t dash = s.find('-');
  if (dash == std::string::npos) return s;
  for (std::string t : {s.substr(0, dash), s.substr(dash + 1)}) {
    if (t.size() == 4 && t[1] == ':') t = "0" + t;
    out += (out.empty() ? "" : "-") + t;
  }
  return out;
}

std::string WholeNumber(std::string_view v) { return Ungroup(v); }

std::string OfferKindWord(std::string_view v) {
  const std::string n = NormalizeName(v);
  if (n == "percent" || n == "процент" || n == "%" || n == "проценты") return "percent";
  if (n == "fixed" || n == "сумма" || n == "фиксированная" || n == "фикс") return "fixed";
  if (n == "cashback" || n == "кэшбэк" || n == "кешбэк" || n == "кэшбек" || n == "кешбек" ||
      n == "кэшбэк %" || n == "возврат")
    return "cashback";
  return n;
}

std::string CapPeriodWord(std::string_view v) {
  const std::string n = NormalizeName(v);
  if (n == "день" || n == "в день") return "day";
  if (n == "неделя" || n == "в неделю") return "week";
  if (n == "месяц" || n == "в месяц") return "month";
  return n;
}

std::string EventModeWord(std::string_view v) {
  const std::string n = NormalizeName(v);
  if (n == "открытое" || n == "открытый" || n == "свободный" || n == "свободный вход")
    return "open";
  if (n == "по списку" || n == "список") return "roster";
  return n;
}

base::Result<std::string> EventTime(std::string_view v, bool is_end, int64_t offset) {
  std::string s(base::TrimBlanks(v));
  // "31.12.2026 10:00" -> "2026-12-31T10:00"
  if (size_t sp = s.find_first_of(" T"); sp != std::string::npos) {
    if (std::optional<std::string> d = DottedDate(s.substr(0, sp))) s = *d + "T" + s.substr(sp + 1);
  } else if (std::optional<std::string> d = DottedDate(s)) {
    s = *d;
  }
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  const bool date_only = s.size() == 10;
  const bool has_offset =
      s.size() > 16 && (s.back() == 'Z' || s.find_first_of("+-", 16) != std::string::npos);
  base::Result<int64_t> t = base::ParseIso8601(date_only || has_offset ? s : s + "Z");
  if (!t.ok()) {
    return base::InvalidArgument("found '" + std::string(v) +
                                 "', accepted a date (31.12.2026, 2026-12-31), a local date and "
                                 "time (31.12.2026 10:00) or an ISO time with offset");
  }
  int64_t out = *t;
  if (!has_offset) out -= offset;
  if (date_only && is_end) out += 86400;
  return base::FormatIso8601Utc(out);
}

TitleAmount AmountInTitle(std::string_view title) {
  TitleAmount out;
  for (size_t i = 0; i < title.size(); ++i) {
    if (!IsDigit(title[i]) || (i > 0 && IsDigit(title[i - 1]))) continue;
    size_t j = i;
    while (j < title.size() &&
           (IsDigit(title[j]) || title[j] == ' ' || title[j] == ',' || title[j] == '.'))
      ++j;
    std::string number(base::TrimBlanks(title.substr(i, j - i)));
    while (!number.empty() && (number.back() == ',' || number.back() == '.')) number.pop_back();
    std::string_view rest = base::TrimBlanks(title.substr(i + number.size()));
    const std::string unit = NormalizeName(rest.substr(0, 8));
    if (rest.starts_with("%")) {
      if (auto bp = RoublesToKopecks(number); bp.ok()) out.basis_points = std::stoll(*bp);
    } else if (rest.starts_with("\xe2\x82\xbd") || unit.starts_with("руб") ||
               unit.starts_with("р.") || unit == "р" || unit.starts_with("р ")) {
      if (auto k = RoublesToKopecks(number); k.ok()) out.kopecks = std::stoll(*k);
    }
    i = j;
  }
  return out;
}

base::Result<int64_t> ParseUtcOffset(std::string_view v) {
  int h = 0, m = 0;
  const bool ok = v.size() == 6 && (v[0] == '+' || v[0] == '-') && v[3] == ':' &&
                  std::from_chars(v.data() + 1, v.data() + 3, h).ec == std::errc() &&
                  std::from_chars(v.data() + 4, v.data() + 6, m).ec == std::errc() && h <= 14 &&
                  m < 60 && h * 60 + m <= 14 * 60;
  if (!ok) return base::InvalidArgument("--utc-offset must be +HH:MM or -HH:MM within +-14:00");
  const int64_t s = int64_t{h} * 3600 + int64_t{m} * 60;
  return v[0] == '-' ? -s : s;
}

}  // namespace cardctl_export
