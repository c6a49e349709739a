// Base45 (RFC 9285): the encoding that fits binary data into QR alphanumeric mode.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace card {

std::string Base45Encode(base::ByteSpan data);

// Decodes into *out (cleared first; its capacity is reused). Fails with kInvalidArgument on a
// character outside the alphabet, a dangling single character, or a group that overflows.
base::Status Base45Decode(std::string_view text, base::Bytes* out);

}  // namespace card
