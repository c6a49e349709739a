// Which of a device's journal chains a batch belongs to (the rule in hub/ledger.h), for the
// Ledger. Internal to ck_hub.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "hub/store.h"
#include "hub/tables.h"
#include "journal/entry.h"

namespace hub {

struct ChainPick {
  JournalChain chain;        // as it is to be stored (journal id, for a renamed first chain)
  std::string held_id;       // the journal id the hub holds for it now ("" for a new one)
  bool insert = false;       // a chain the hub does not hold yet
  bool after_first = false;  // inserted after the device's first chain: flagged
  bool newest = true;        // the device's newest chain (its acked seq is the device's)
};

// The chain of `device_id` that `journal_id` ("" = none, a format-1 batch) names, looked up, or
// made when the hub holds none by that id (nothing written here):
//   - no journal id: the device's first chain;
//   - a held journal id: its chain;
//   - the device's first chain, while held without a journal id (format-1 batches, or entries
//     held before the hub kept chains), takes the id of the first batch that continues it (one
//     that does not bring another entry at seq 1);
//   - otherwise a new chain, numbered after the device's last, which records where that one
//     ended (the highest seq held of it).
base::Result<ChainPick> PickChain(TableRows& t, int64_t device_id, const std::string& journal_id,
                                  const std::vector<journal::Entry>& entries, int64_t now);

// Writes the pick: inserts a new chain, or renames the first one. Not for an empty batch (it
// names no chain for good).
base::Status SaveChain(TableRows& t, const ChainPick& pick);

}  // namespace hub
