#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace base {

// Lower-case hex, two digits a byte.
std::string ToHex(ByteSpan bytes);
// Accepts upper or lower case; fails on odd length or a non-hex digit.
Result<Bytes> FromHex(std::string_view hex);

}  // namespace base
