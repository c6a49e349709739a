// The bundle manifest (DESIGN.md section 5, wire format): a COSE_Sign1 whose payload is
// {1: format version (1), 2: seq, 3: created, 4: not_after, 5: issuer code, 6: sha256 of content,
//  7: content size, 8: compression ("zstd" or "none")}.
// Version 2 is a delta bundle (docs/registry-and-bundles.md): the same eight fields, then
// {9: base seq, 10: state digest of the registry it applies to, 11: state digest it makes}; its
// content is the change records, not a registry file. A version-1 reader refuses it.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace bundle {

inline constexpr int64_t kFormatVersion = 1;
inline constexpr int64_t kDeltaFormatVersion = 2;
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
  // Delta bundles only (version 2).
  int64_t base_seq = 0;
  std::array<uint8_t, 32> base_state{};    // registry::StateDigest of the base registry
  std::array<uint8_t, 32> target_state{};  // and of the registry the delta makes
  bool is_delta() const { return version == kDeltaFormatVersion; }
};

base::Bytes EncodeManifestPayload(const Manifest& m);
// Strict: every key of the version present once with the right type, nothing else, known version
// and compression; a delta's base seq is at least 1 and below its seq.
base::Status ParseManifestPayload(base::ByteSpan payload, Manifest* out);

}  // namespace bundle
