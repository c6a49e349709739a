// Delta bundles (manifest version 2, docs/registry-and-bundles.md): the office side. A delta
// carries the change records from the registry of one full bundle (its base) to a new registry,
// signed by the same bundle key. The kiosk side is bundle::Importer::Apply.
#pragma once

#include <string>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "bundle/manifest.h"
#include "card/crypto.h"
#include "registry/changes.h"

namespace bundle {

// A delta's change records decompressed are at most this large (the kiosk holds them in memory).
inline constexpr uint64_t kMaxDeltaRecordBytes = uint64_t{256} << 20;

struct DeltaBuild {
  Manifest manifest;  // as signed
  registry::ChangeSummary summary;
};

// Writes the registry inside the full bundle `bundle_path` to `out_path` (which is replaced),
// after checking the header against `trusted` and the content's hash. Returns its manifest.
// Refuses a delta bundle: a delta is made from a full one. The copy is not synced (a scratch file).
base::Result<Manifest> ExtractRegistry(base::FileSystem& fs, const std::string& bundle_path,
                                       const card::PublicKey& trusted, const std::string& out_path);

// Diffs the registry file `base_registry` (of seq fields.base_seq) against `new_registry` (of
// seq fields.seq) and writes the signed delta bundle to `out_path` atomically through `fs`.
// `fields` gives seq, created, not_after, issuer and base_seq; the rest is filled in.
// `new_members`: the new registry's members (registry::DiffRegistries), or nullptr to read them
// from `new_registry`.
base::Result<DeltaBuild> WriteDeltaBundle(
    base::FileSystem& fs, const std::string& base_registry, const std::string& new_registry,
    Manifest fields, const card::PrivateKey& key, const std::string& out_path,
    const std::vector<registry::MemberRecord>* new_members = nullptr);

}  // namespace bundle
