// The bundle manifest (DESIGN.md section 5, wire format): a COSE_Sign1 whose payload is
// {1: format version (1), 2: seq, 3: created, 4: not_after, 5: issuer code, 6: sha256 of content,
//  7: content size, 8: compression ("zstd" or "none")}.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace bundle {

inline constexpr int64_t kFormatVersion = 1;
inline constexpr char kMagic[8] = {'C', 'K', 'B', 'U', 'N', 'D', 'L', 'E'};
inline constexpr uint32_t kMaxManifestBytes = 4096;

enum class Compression : uint8_t { kZstd, kNone };
std::string_view CompressionName(Compression c);

struct Manifest {
  int64_t version = kFormatVersion;
  int64_t seq = 0;
  int64_t created = 0;    // Unix seconds
  int64_t not_after = 0;  // Unix seconds
  std::string issuer;
  std::array<uint8_t, 32> content_sha256{};
  uint64_t content_size = 0;  // bytes of content as stored in the bundle (after compression)
  Compression compression = Compression::kZstd;
};

base::Bytes EncodeManifestPayload(const Manifest& m);
// Strict: every key present once with the right type, nothing else, known version and compression.
base::Status ParseManifestPayload(base::ByteSpan payload, Manifest* out);

}  // namespace bundle
