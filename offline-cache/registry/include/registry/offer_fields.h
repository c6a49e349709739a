// Parsers for the admin CSV field syntaxes of DESIGN.md section 7. Each returns a message that
// names what was expected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace registry {

// "7.5" -> 750 basis points; at most two decimals, 0 < value <= 100, parsed exactly.
base::Result<int64_t> ParsePercentBasisPoints(std::string_view s);
// A non-negative whole number of minor units (kopecks).
base::Result<int64_t> ParseMinorUnits(std::string_view s);
// "0|1" -> bits; empty -> 0 (all).
base::Result<uint32_t> ParseCategories(std::string_view s);
// "1-5", "6|7", "1-3|6"; ISO numbers (1 = Monday); empty -> all days.
base::Result<uint8_t> ParseWeekdays(std::string_view s);
// "09:00-21:00" -> minutes [from, to); empty -> all day. "00:00-24:00" is all day.
base::Status ParseHours(std::string_view s, int* from, int* to);
// "YYYY-MM-DD" -> days since the epoch.
base::Result<int64_t> ParseDay(std::string_view s);
// "A|B|C" -> {"A","B","C"}; empty -> {}.
std::vector<std::string> SplitBar(std::string_view s);

}  // namespace registry
