// zlib (RFC 1950) with a hard output limit, for QR payloads.
#pragma once

#include <memory>

#include "base/bytes.h"
#include "base/status.h"

namespace card {

// True when `data` starts with a valid zlib header (CM=8, window <= 32K, header checksum).
bool LooksLikeZlib(base::ByteSpan data);

// Reusable inflater: keeps one z_stream so that repeated calls do not allocate. Not thread-safe;
// use one per thread.
class Inflater {
 public:
  Inflater();
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Inflates a complete zlib stream into *out. Fails with kOutOfRange as soon as the output would
  // exceed max_output (the bomb check happens while inflating, not after), and with
  // kInvalidArgument on a corrupt or truncated stream or trailing bytes.
  base::Status Inflate(base::ByteSpan in, size_t max_output, base::Bytes* out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// One-shot compression at the best ratio (issuing side).
base::Result<base::Bytes> Deflate(base::ByteSpan in);

}  // namespace card
