#include "bundle/path.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace bundle {
namespace {

// The cheapest known way to a seq: bytes, files, and the last bundle of it (SIZE_MAX: the start).
struct Way {
  uint64_t bytes = 0;
  size_t files = 0;
  size_t last = SIZE_MAX;
  int64_t from = 0;  // the seq before `last`
  bool Better(const Way& o) const { return bytes != o.bytes ? bytes < o.bytes : files < o.files; }
};

}  // namespace

std::vector<size_t> PlanPath(int64_t applied_seq, const std::vector<OfferedBundle>& offered) {
  std::map<int64_t, Way> best;  // by seq
  if (applied_seq > 0) best[applied_seq] = Way{};
  auto offer = [&](int64_t seq, const Way& w) {
    auto it = best.find(seq);
    if (it == best.end() || w.Better(it->second)) best[seq] = w;
  };
  for (size_t i = 0; i < offered.size(); ++i) {
    const OfferedBundle& b = offered[i];
    if (b.base_seq == 0 && b.seq > applied_seq) offer(b.seq, {b.size, 1, i, 0});
  }
  // Deltas only lead upwards: relax them in order of their base seq.
  std::vector<size_t> deltas;
  for (size_t i = 0; i < offered.size(); ++i) {
    const OfferedBundle& b = offered[i];
    if (b.base_seq > 0 && b.base_seq >= applied_seq && b.seq > b.base_seq) deltas.push_back(i);
  }
  std::stable_sort(deltas.begin(), deltas.end(),
                   [&](size_t a, size_t b) { return offered[a].base_seq < offered[b].base_seq; });
  for (size_t i : deltas) {
    const OfferedBundle& d = offered[i];
    auto from = best.find(d.base_seq);
    if (from == best.end()) continue;
    offer(d.seq, {from->second.bytes + d.size, from->second.files + 1, i, d.base_seq});
  }
  if (best.empty() || best.rbegin()->first <= applied_seq) return {};
  std::vector<size_t> path;
  for (auto it = std::prev(best.end()); it->second.last != SIZE_MAX;
       it = best.find(it->second.from)) {
    path.push_back(it->second.last);
    if (it->second.from == 0) break;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace bundle
