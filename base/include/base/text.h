#pragma once

#include <string>
#include <string_view>

namespace base {

// `s` without leading and trailing ASCII blanks (space, tab, CR, LF). The result views `s`.
std::string_view TrimBlanks(std::string_view s);

// `s` with ASCII letters A-Z lowered; other bytes (UTF-8 included) unchanged.
std::string AsciiLower(std::string_view s);

}  // namespace base
