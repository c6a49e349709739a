#pragma once

#include <string>

#include "base/fs.h"
#include "base/status.h"
#include "bundle/manifest.h"
#include "card/crypto.h"

namespace bundle {

// Packs the registry file at `registry_path` into a signed bundle at `out_path`: compresses it
// (streaming), hashes the compressed content, signs the manifest built from `fields` (seq, created,
// not_after, issuer, compression; hash and size are filled in) and writes the file atomically,
// all through `fs` (temporary files beside `out_path`, removed on every path).
base::Result<Manifest> WriteBundle(base::FileSystem& fs, const std::string& registry_path,
                                   Manifest fields, const card::PrivateKey& key,
                                   const std::string& out_path);

}  // namespace bundle
