// Which bundles take a kiosk from its applied seq to the newest registry on offer (a stick's files,
// the hub's full bundle and recent deltas): a chain of deltas from the applied seq, or a full
// bundle and then deltas from it. Pure: no files, no signatures (the importer checks each step).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bundle {

struct OfferedBundle {
  int64_t seq = 0;
  int64_t base_seq = 0;  // a delta's base; 0 for a full bundle
  uint64_t size = 0;     // bytes to read or download
};

// Indexes into `offered`, in the order to apply them, reaching the highest seq above
// `applied_seq` (0: no registry) that can be reached at all; among the ways there, the fewest
// bytes, then the fewest files. Empty when no bundle on offer leads above `applied_seq`.
std::vector<std::size_t> PlanPath(int64_t applied_seq, const std::vector<OfferedBundle>& offered);

}  // namespace bundle
