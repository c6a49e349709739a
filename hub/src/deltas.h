// The delta bundles a hub keeps beside its full bundle (docs/hub-protocol.md, GET /v1/bundle):
// DIR/bundles/delta<BASE>-<SEQ>.ckbundle, published with `cardhub publish`, and which bundle a
// kiosk at a given seq is sent. Internal to ck_hub.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "bundle/format.h"
#include "hub/store.h"

namespace hub {

// A bundle file the hub reads whole (publish, deltas, serving): 4 GiB, or what a 32-bit address
// space can hold at all.
inline constexpr size_t kMaxBundleFileBytes =
    static_cast<size_t>(std::min<uint64_t>(uint64_t{1} << 32, SIZE_MAX));

inline constexpr size_t kKeptDeltas = 64;  // the newest by seq; older ones are removed

struct DeltaFile {
  int64_t base_seq = 0, seq = 0;
  uint64_t size = 0;
  std::string file;  // relative to the data directory
};

std::string FullBundleFileName(int64_t seq);               // "bundles/seq<N>.ckbundle"
std::string DeltaFileName(int64_t base_seq, int64_t seq);  // "bundles/delta<B>-<N>.ckbundle"
// The delta files in DIR/bundles, by seq then base seq. Files of other names are ignored.
std::vector<DeltaFile> ListDeltas(const std::string& data_dir);

// What GET /v1/bundle sends: the full bundle (ETag "<seq>") or a delta (ETag "<base>-<seq>").
struct BundleChoice {
  std::string file;  // relative to the data directory
  std::string etag;  // with the quotes
};
// For a kiosk at `have` (nullopt: it did not say, or takes no deltas): the first step of the
// shortest way (bundle::PlanPath, fewest bytes) from `have` to `latest` over `latest` and the
// deltas that end at or below it; the full bundle when no delta path is shorter.
BundleChoice ChooseBundle(const BundleRecord& latest, const std::vector<DeltaFile>& deltas,
                          std::optional<int64_t> have);
std::string FullEtag(int64_t seq);

// `cardhub publish` of a delta (its header already read and checked): its seq must not be above
// the latest published full bundle's, its content must verify; kept as DeltaFileName, the oldest
// beyond kKeptDeltas removed.
base::Status PublishDelta(HubStore& store, base::FileSystem& fs, const std::string& data_dir,
                          const std::string& bundle_file, base::SequentialFile& in,
                          const bundle::Header& header, std::FILE* out);

}  // namespace hub
