#include "registry/offer_fields.h"

#include <charconv>

#include "base/time_format.h"

namespace registry {
namespace {

bool ParseInt(std::string_view s, int64_t* v) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::vector<std::string> SplitBar(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t bar = s.find('|', start);
    out.emplace_back(s.substr(start, bar == std::string_view::npos ? s.npos : bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return out;
}

base::Result<int64_t> ParsePercentBasisPoints(std::string_view s) {
  const size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  int64_t w = 0, f = 0;
  const bool digits_only = whole.find_first_not_of("0123456789") == std::string_view::npos &&
                           frac.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits_only || whole.empty() || whole.size() > 3 || frac.size() > 2 ||
      (dot != std::string_view::npos && frac.empty()) || !ParseInt(whole, &w) ||
      (!frac.empty() && !ParseInt(frac, &f))) {
    return base::InvalidArgument("percent value must look like 7.5 (at most two decimals), got '" +
                                 std::string(s) + "'");
  }
  if (frac.size() == 1) f *= 10;
  const int64_t bp = w * 100 + f;
  if (bp <= 0 || bp > 10000)
    return base::InvalidArgument("percent must be above 0 and at most 100");
  return bp;
}

base::Result<int64_t> ParseMinorUnits(std::string_view s) {
  int64_t v = 0;
  if (!ParseInt(s, &v) || v < 0 || v > 100'000'000'000) {
    return base::InvalidArgument("expected a whole number of minor units (kopecks), got '" +
                                 std::string(s) + "'");
  }
  return v;
}

base::Result<uint32_t> ParseCategories(std::string_view s) {
  uint32_t mask = 0;
  for (const std::string& part : SplitBar(s)) {
    if (part.size() != 1 || part[0] < '0' || part[0] > '3') {
      return base::InvalidArgument("categories must be like 0|1 (0-3), got '" + std::string(s) +
                                   "'");
    }
    mask |= 1u << (part[0] - '0');
  }
  return mask;
}

base::Result<uint8_t> ParseWeekdays(std::string_view s) {
  if (s.empty()) return uint8_t{0x7f};
  unsigned mask = 0;
  auto bad = [&] {
    return base::InvalidArgument("weekdays must be like 1-5 or 6|7 (1 = Monday), got '" +
                                 std::string(s) + "'");
  };
  for (const std::string& part : SplitBar(s)) {
    int64_t a = 0, b = 0;
    const size_t dash = part.find('-');
    if (dash == std::string::npos) {
      if (!ParseInt(part, &a)) return bad();
      b = a;
    } else if (!ParseInt(std::string_view(part).substr(0, dash), &a) ||
               !ParseInt(std::string_view(part).substr(dash + 1), &b)) {
      return bad();
    }
    if (a < 1 || b > 7 || a > b) return bad();
    for (int64_t d = a; d <= b; ++d) mask |= 1u << (d - 1);
  }
  return static_cast<uint8_t>(mask);
}

base::Status ParseHours(std::string_view s, int* from, int* to) {
  *from = 0;
  *to = 1440;
  if (s.empty()) return base::Status::Ok();
  auto minutes = [](std::string_view t, int* out) {
    int64_t h = 0, m = 0;
    auto digit = [&](size_t i) { return t[i] >= '0' && t[i] <= '9'; };
    if (t.size() != 5 || t[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4) ||
        !ParseInt(t.substr(0, 2), &h) || !ParseInt(t.substr(3), &m) || h > 24 || m > 59 ||
        (h == 24 && m != 0)) {
      return false;
    }
    *out = static_cast<int>(h * 60 + m);
    return true;
  };
  const size_t dash = s.find('-');
  if (dash == std::string_view::npos || !minutes(s.substr(0, dash), from) ||
      !minutes(s.substr(dash + 1), to) || *from >= *to) {
    return base::InvalidArgument("hours must be like 09:00-21:00, got '" + std::string(s) + "'");
  }
  return base::Status::Ok();
}

base::Result<int64_t> ParseDay(std::string_view s) {
  if (s.size() != 10)
    return base::InvalidArgument("expected a date YYYY-MM-DD, got '" + std::string(s) + "'");
  CK_ASSIGN_OR_RETURN(int64_t t, base::ParseIso8601(s));
  return t / 86400;
}

}  // namespace registry
