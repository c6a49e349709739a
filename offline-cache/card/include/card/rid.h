#pragma once

#include <array>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "card/claims.h"
#include "card/crypto.h"

namespace card {

inline constexpr size_t kMinStatusSecretBytes = 32;

// rid = first 8 bytes of HMAC-SHA-256(key = status secret, message = member ID as UTF-8).
Rid ComputeRid(base::ByteSpan status_secret, std::string_view member_id);

// The same rids for many member IDs under one secret, about six times faster: the HMAC key pads
// are hashed once into two SHA-256 contexts, and each rid copies them (OpenSSL's one-shot HMAC()
// sets up a MAC context every call). Not thread-safe; one per thread.
class RidHasher {
 public:
  explicit RidHasher(base::ByteSpan status_secret);
  bool ok() const { return ok_; }  // false: OpenSSL was out of memory (Compute then falls back)
  Rid Compute(std::string_view member_id);

 private:
  base::Bytes secret_;
  MdCtxPtr inner_, outer_, work_;
  bool ok_ = false;
};

// Reads a status secret file: used exactly as stored (binary, no trimming), at least 32 bytes.
base::Result<base::Bytes> LoadStatusSecret(const std::string& path);

}  // namespace card
