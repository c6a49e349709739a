#pragma once

#include <string_view>

namespace base {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s);

// True if `s` holds a C0 control character or DEL (text meant for a screen or a log line).
bool HasControlChars(std::string_view s);

}  // namespace base
