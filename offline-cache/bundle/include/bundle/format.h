// The .ckbundle container: "CKBUNDLE" | u32 big-endian manifest length | manifest | content.
#pragma once

#include <cstdint>
#include <string>

#include "base/fs.h"
#include "base/status.h"
#include "bundle/manifest.h"
#include "card/crypto.h"

namespace bundle {

struct Header {
  Manifest manifest;
  card::Kid kid{};  // of the key that signed the manifest
  card::Alg alg = card::Alg::kES256;
  uint64_t header_bytes = 0;  // magic + length + manifest: where the content starts
};

// Reads and checks the header from the start of `in`: magic, manifest length (at most
// kMaxManifestBytes), COSE structure, signature against `trusted` (skipped when null), payload.
// Every refusal says which check failed.
base::Result<Header> ReadHeader(base::SequentialFile& in, const card::PublicKey* trusted);

// Streams exactly manifest.content_size bytes of content from `in` (positioned after the header)
// into `out`, decompressing, hashing as it goes, and refusing more than `max_output` bytes of
// output. Fails if the content is short, longer, or its hash differs from the manifest.
base::Status ExtractContent(base::SequentialFile& in, const Manifest& manifest,
                            base::WritableFile& out, uint64_t max_output);

// Signs a manifest and writes the container header (magic, length, manifest) into *out.
base::Result<base::Bytes> EncodeHeader(const Manifest& manifest, const card::PrivateKey& key);

}  // namespace bundle
