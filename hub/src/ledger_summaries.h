// The Ledger's rules for the summaries kept at intake (hub/summaries.h): what a stored batch adds
// to them, and the settlement sums read from them. Internal to ck_hub.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "base/status.h"
#include "hub/store.h"
#include "hub/tables.h"
#include "journal/entry.h"

namespace hub {

// Inside the batch's transaction, after its new entries (`stored`, in seq order) are inserted:
// each summarized one is added, voided when a void of the device already names it; each void
// moves the entry it names from the settled sums to the voided ones, unless that entry came in
// this batch (already added as voided) or another void named it first.
base::Status AddBatchToSummaries(TableRows& t, int64_t device_id,
                                 const std::vector<const journal::Entry*>& stored);

// q's sums (SummariesServe(q)) from the summary rows of PlanSummaryRanges(q), with the distinct
// members when q wants them; rows by scope_id then detail, as SumEntriesSql orders them.
base::Status SumFromSummaries(TableRows& t, const SumQuery& q,
                              const std::function<base::Status(const SumRow&)>& fn);

}  // namespace hub
