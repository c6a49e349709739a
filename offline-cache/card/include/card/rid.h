#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "card/claims.h"

namespace card {

inline constexpr size_t kMinStatusSecretBytes = 32;

// rid = first 8 bytes of HMAC-SHA-256(key = status secret, message = member ID as UTF-8).
Rid ComputeRid(base::ByteSpan status_secret, std::string_view member_id);

// Reads a status secret file: used exactly as stored (binary, no trimming), at least 32 bytes.
base::Result<base::Bytes> LoadStatusSecret(const std::string& path);

}  // namespace card
