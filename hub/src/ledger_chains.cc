#include "ledger_chains.h"

#include "journal/journal.h"

namespace hub {
namespace {

// Whether `entries` may continue `first`: anything but a batch whose seq 1 is another entry than
// the one held at seq 1 (the anchor and seq checks that follow decide the rest).
base::Result<bool> Continues(TableRows& t, const JournalChain& first,
                             const std::vector<journal::Entry>& entries) {
  if (entries.empty() || entries.front().seq != 1) return true;
  bool held = false, same = false;
  CK_TRY(t.ScanEntriesInRange(first.device_id, first.chain, 1, 1, [&](const StoredEntry& se) {
    held = true;
    same |= se.entry.hash == entries.front().hash;
    return base::Status::Ok();
  }));
  return !held || same;
}

}  // namespace

base::Result<ChainPick> PickChain(TableRows& t, int64_t device_id, const std::string& journal_id,
                                  const std::vector<journal::Entry>& entries, int64_t now) {
  CK_ASSIGN_OR_RETURN(std::vector<JournalChain> chains, t.ChainsOf(device_id));
  const JournalChain fresh{
      .device_id = device_id, .chain = 1, .journal_id = journal_id, .started = now};
  if (chains.empty()) return ChainPick{.chain = fresh, .insert = true};
  if (journal_id.empty()) {
    return ChainPick{.chain = chains.front(),
                     .held_id = chains.front().journal_id,
                     .newest = chains.size() == 1};
  }
  for (const JournalChain& c : chains) {
    if (c.journal_id == journal_id) {
      return ChainPick{
          .chain = c, .held_id = c.journal_id, .newest = c.chain == chains.back().chain};
    }
  }
  if (chains.front().journal_id.empty()) {
    CK_ASSIGN_OR_RETURN(bool continues, Continues(t, chains.front(), entries));
    if (continues) {
      ChainPick pick{.chain = chains.front(), .held_id = "", .newest = chains.size() == 1};
      pick.chain.journal_id = journal_id;
      return pick;
    }
  }
  const JournalChain& last = chains.back();
  CK_ASSIGN_OR_RETURN(DeviceTail tail, t.LastEntry(device_id, last.chain, journal::kMaxSeq));
  JournalChain next = fresh;
  next.chain = last.chain + 1;
  next.previous_journal_id = last.journal_id;
  next.previous_last_seq = tail.last_seq;
  return ChainPick{.chain = next, .insert = true, .after_first = true};
}

base::Status SaveChain(TableRows& t, const ChainPick& pick) {
  if (pick.insert) return t.InsertChain(pick.chain);
  if (pick.chain.journal_id == pick.held_id) return base::Status::Ok();
  return t.UpdateChain(pick.chain.device_id, pick.chain.chain, pick.chain.journal_id,
                       pick.chain.acked_seq);
}

}  // namespace hub
