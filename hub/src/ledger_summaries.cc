#include "ledger_summaries.h"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "hub/summaries.h"

namespace hub {

base::Status AddBatchToSummaries(TableRows& t, int64_t device_id,
                                 const std::vector<const journal::Entry*>& stored) {
  std::map<std::string_view, int64_t> voids_in_batch;  // by the uuid they name
  std::vector<std::string_view> asked;  // the summarized entries' and the named uuids
  asked.reserve(stored.size());
  for (const journal::Entry* e : stored) {
    if (Summarized(*e)) asked.push_back(e->uuid);
    if (e->kind == journal::Kind::kVoid && ++voids_in_batch[e->ref_uuid] == 1) {
      asked.push_back(e->ref_uuid);
    }
  }
  if (asked.empty()) return base::Status::Ok();
  // The batch's own voids are in the table by now, and so is any earlier one.
  CK_ASSIGN_OR_RETURN(auto voids, t.CountVoidsOf(device_id, asked));
  SummaryDeltas deltas;
  for (const journal::Entry* e : stored) deltas.Add(*e, voids.count(e->uuid) > 0, +1);
  std::set<std::string_view> in_batch;  // only where a void names an entry
  if (!voids_in_batch.empty()) {
    for (const journal::Entry* e : stored) in_batch.insert(e->uuid);
  }
  for (const auto& [ref, n] : voids_in_batch) {
    if (in_batch.count(ref) > 0) continue;
    const std::string uuid(ref);
    if (voids[uuid] > n) continue;  // a void held before this batch already moved it
    CK_ASSIGN_OR_RETURN(std::optional<journal::Entry> target, t.EntryWithUuid(device_id, uuid));
    if (!target) continue;  // it may come later, voided on arrival
    deltas.Add(*target, false, -1);
    deltas.Add(*target, true, +1);
  }
  if (deltas.empty()) return base::Status::Ok();
  deltas.RollUp();
  return t.AddToSummaries(deltas);
}

base::Status SumFromSummaries(TableRows& t, const SumQuery& q,
                              const std::function<base::Status(const SumRow&)>& fn) {
  std::map<std::pair<std::string, std::string>, SumRow> rows;
  for (const SummaryRange& r : PlanSummaryRanges(q)) {
    CK_TRY(t.SumSummaryRange(q, r, [&rows](const SumRow& part) {
      SumRow& row = rows[{part.scope_id, part.detail}];
      row.scope_id = part.scope_id;
      row.detail = part.detail;
      row.count += part.count;
      row.purchase_minor += part.purchase_minor;
      row.discount_minor += part.discount_minor;
      row.cashback_minor += part.cashback_minor;
      return base::Status::Ok();
    }));
  }
  if (q.members) {
    CK_TRY(t.CountMembers(q, [&rows](const SumRow& m) {
      auto it = rows.find({m.scope_id, m.detail});
      if (it != rows.end()) it->second.members = m.members;
      return base::Status::Ok();
    }));
  }
  for (const auto& [key, row] : rows) {
    // Rows whose entries were all voided since stay, at zero: the entries' sums have no group.
    if (row.count > 0) CK_TRY(fn(row));
  }
  return base::Status::Ok();
}

}  // namespace hub
