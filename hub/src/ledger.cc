#include "hub/ledger.h"

#include <map>
#include <string>
#include <utility>

#include "ledger_chains.h"
#include "ledger_summaries.h"

namespace hub {
namespace {

bool SameContent(const journal::Entry& a, const journal::Entry& b) {
  return journal::EncodeEntry(a) == journal::EncodeEntry(b);
}

std::string SeqText(int64_t seq) { return "seq " + std::to_string(seq); }

// The highest N >= `from` such that every seq from..N of the chain is held (from itself is taken
// as held).
base::Result<int64_t> HeldThrough(TableRows& t, int64_t device_id, int64_t chain, int64_t from) {
  int64_t held = from;
  CK_TRY(t.ScanSeqsAbove(device_id, chain, from, [&held](int64_t seq) {
    if (seq != held + 1) return false;
    ++held;
    return true;
  }));
  return held;
}

// The conflict, recorded in `*out`, and the kAlreadyExists answer naming it.
base::Status Conflicting(const journal::Entry& e, const std::string& reason,
                         std::optional<Conflict>* out) {
  *out = Conflict{.seq = e.seq, .uuid = e.uuid, .reason = reason};
  return base::AlreadyExists("conflict at " + SeqText(e.seq) + ": " + reason +
                             "; nothing of the batch was stored and the device is flagged");
}

// The chain's stored entries the batch is checked against: seq first - 1 (its anchor) to the
// batch's last.
base::Result<std::map<int64_t, std::vector<journal::Entry>>> HeldAround(
    TableRows& t, int64_t device_id, int64_t chain, const std::vector<journal::Entry>& entries) {
  std::map<int64_t, std::vector<journal::Entry>> by_seq;
  CK_TRY(t.ScanEntriesInRange(device_id, chain, entries.front().seq - 1, entries.back().seq,
                              [&by_seq](const StoredEntry& se) {
                                by_seq[se.entry.seq].push_back(se.entry);
                                return base::Status::Ok();
                              }));
  return by_seq;
}

// The answer to an empty batch: the seq the chain holds contiguously (0 for a chain not held).
base::Status AnswerProbe(TableRows& t, const ChainPick& pick, int64_t now, PutResult* res) {
  // An empty batch names no chain for good.
  if (!pick.insert) {
    res->chain = pick.chain.chain;
    CK_ASSIGN_OR_RETURN(res->acked_seq,
                        HeldThrough(t, pick.chain.device_id, res->chain, pick.chain.acked_seq));
  }
  return t.SetLastContact(pick.chain.device_id, now);
}

}  // namespace

base::Status CheckBatchShape(const std::vector<journal::Entry>& entries) {
  std::map<std::string, int64_t> seq_of_uuid;
  for (size_t i = 0; i < entries.size(); ++i) {
    const journal::Entry& e = entries[i];
    if (i == 0 && e.seq < 1) return base::InvalidArgument("the batch starts at " + SeqText(e.seq));
    if (i > 0 && e.seq != entries[i - 1].seq + 1) {
      return base::InvalidArgument("the batch's seqs are not consecutive: " + SeqText(e.seq) +
                                   " follows " + SeqText(entries[i - 1].seq));
    }
    if (i > 0 && e.prev_hash != entries[i - 1].hash) {
      return base::InvalidArgument("entry " + SeqText(e.seq) +
                                   " does not link to the entry before it");
    }
    auto [it, fresh] = seq_of_uuid.emplace(e.uuid, e.seq);
    if (!fresh) {
      return base::InvalidArgument("uuid " + e.uuid + " appears twice in the batch (" +
                                   SeqText(it->second) + " and " + SeqText(e.seq) + ")");
    }
  }
  return base::Status::Ok();
}

base::Status Ledger::StoreBatch(TableRows& t, int64_t device_id, int64_t chain, int64_t held,
                                const std::vector<journal::Entry>& entries, int64_t now,
                                PutResult* res, std::optional<Conflict>* conflict,
                                std::vector<const journal::Entry*>* stored) {
  const journal::Entry& first = entries.front();
  if (first.seq > held + 1) {
    return base::FailedPrecondition("gap: the hub holds this device's entries through " +
                                    SeqText(held) + " and the batch starts at " +
                                    SeqText(first.seq) + "; send from " + SeqText(held + 1));
  }
  CK_ASSIGN_OR_RETURN(auto by_seq, HeldAround(t, device_id, chain, entries));
  // The anchor: 32 zero bytes before seq 1, else the hash of the entry held just before.
  bool anchored = first.seq == 1 && first.prev_hash == journal::Hash{};
  for (const journal::Entry& h : by_seq[first.seq - 1]) anchored |= h.hash == first.prev_hash;
  if (!anchored) {
    return Conflicting(
        first,
        first.seq == 1
            ? "the anchor of seq 1 is not the chain's start"
            : "the anchor is not the hash of the entry the hub holds at " + SeqText(first.seq - 1),
        conflict);
  }
  for (const journal::Entry& e : entries) {
    const std::vector<journal::Entry>& same_seq = by_seq[e.seq];
    bool same = false;
    for (const journal::Entry& h : same_seq) same |= SameContent(h, e);
    if (same) {
      ++res->duplicates;
      continue;
    }
    if (!same_seq.empty()) {
      const bool uuid_held = same_seq.front().uuid == e.uuid;
      return Conflicting(e,
                         uuid_held ? "uuid " + e.uuid + " is held with other content"
                                   : "the hub holds another entry (uuid " + same_seq.front().uuid +
                                         ") at this seq",
                         conflict);
    }
    CK_ASSIGN_OR_RETURN(bool inserted, t.InsertEntry(device_id, chain, e, now));
    if (!inserted) {
      CK_ASSIGN_OR_RETURN(std::optional<journal::Entry> h, t.EntryWithUuid(device_id, e.uuid));
      return Conflicting(
          e, "uuid " + e.uuid + " is held at " + SeqText(h ? h->seq : 0) + " with other content",
          conflict);
    }
    ++res->stored;
    stored->push_back(&e);
  }
  return base::Status::Ok();
}

base::Status CheckBundleSeqIsNew(const std::optional<BundleRecord>& latest, int64_t seq) {
  if (latest && seq <= latest->seq) {
    return base::FailedPrecondition("bundle seq " + std::to_string(seq) +
                                    " is not above the published seq " +
                                    std::to_string(latest->seq));
  }
  return base::Status::Ok();
}

base::Result<Device> Ledger::AddDevice(const std::string& name, const std::string& kid_hex,
                                       const std::string& pubkey_pem, int64_t now) {
  Device added;
  CK_TRY(tables_->InTransaction([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(std::optional<Device> by_name, t.DeviceByName(name));
    if (by_name) return base::AlreadyExists("a device named '" + name + "' is already enrolled");
    CK_ASSIGN_OR_RETURN(std::optional<Device> by_kid, t.DeviceByKid(kid_hex));
    if (by_kid) {
      return base::AlreadyExists("this key (kid " + kid_hex + ") is already enrolled as '" +
                                 by_kid->name + "'");
    }
    base::Result<Device> d = t.InsertDevice(name, kid_hex, pubkey_pem, now);
    if (!d.ok() && d.status().code() == base::StatusCode::kAlreadyExists) {
      // Enrolled by another hub instance between the checks and the insert.
      return base::AlreadyExists("the name '" + name + "' or the key (kid " + kid_hex +
                                 ") is already enrolled");
    }
    CK_ASSIGN_OR_RETURN(added, std::move(d));
    return base::Status::Ok();
  }));
  return added;
}

base::Status Ledger::WithdrawDevice(const std::string& name) {
  return tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(int64_t changed, t.SetWithdrawn(name));
    if (changed == 0) return base::NotFound("no device named '" + name + "'");
    return base::Status::Ok();
  });
}

base::Result<std::optional<Device>> Ledger::FindDeviceByKid(const std::string& kid_hex) {
  std::optional<Device> found;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(found, t.DeviceByKid(kid_hex));
    return base::Status::Ok();
  }));
  return found;
}

base::Result<std::optional<Device>> Ledger::FindDeviceByName(const std::string& name) {
  std::optional<Device> found;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(found, t.DeviceByName(name));
    return base::Status::Ok();
  }));
  return found;
}

base::Result<std::vector<Device>> Ledger::ListDevices() {
  std::vector<Device> all;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(all, t.Devices());
    return base::Status::Ok();
  }));
  return all;
}

base::Status Ledger::TouchDevice(int64_t device_id, int64_t now) {
  return tables_->Run([&](TableRows& t) { return t.SetLastContact(device_id, now); });
}

base::Result<PutResult> Ledger::PutEntries(int64_t device_id, const std::string& journal_id,
                                           const std::vector<journal::Entry>& entries,
                                           int64_t now) {
  CK_TRY(CheckBatchShape(entries));
  PutResult res;
  std::optional<Conflict> conflict;
  base::Status st = tables_->InTransaction([&](TableRows& t) -> base::Status {
    res = PutResult();
    conflict.reset();
    // Locked first: batches of one device (from any hub instance) are taken one at a time, and
    // each sees every entry and chain the one before it committed.
    CK_ASSIGN_OR_RETURN(std::optional<Device> device, t.DeviceById(device_id, /*lock=*/true));
    if (!device) return base::NotFound("no such device");
    CK_ASSIGN_OR_RETURN(ChainPick pick, PickChain(t, device_id, journal_id, entries, now));
    if (entries.empty()) return AnswerProbe(t, pick, now, &res);
    const int64_t chain = pick.chain.chain;
    if (pick.after_first && entries.front().seq > 1) {
      return base::FailedPrecondition(
          "gap: the hub holds no entry of journal " + journal_id +
          " (a new journal chain of this device) and the batch starts at " +
          SeqText(entries.front().seq) + "; send from seq 1");
    }
    CK_TRY(SaveChain(t, pick));
    CK_ASSIGN_OR_RETURN(int64_t held, HeldThrough(t, device_id, chain, pick.chain.acked_seq));
    std::vector<const journal::Entry*> stored;
    CK_TRY(StoreBatch(t, device_id, chain, held, entries, now, &res, &conflict, &stored));
    CK_TRY(AddBatchToSummaries(t, device_id, stored));
    CK_ASSIGN_OR_RETURN(res.acked_seq, HeldThrough(t, device_id, chain, held));
    res.chain = chain;
    res.new_chain = pick.after_first;
    CK_TRY(t.UpdateChain(device_id, chain, pick.chain.journal_id, res.acked_seq));
    return pick.newest ? t.SetAckedSeq(device_id, res.acked_seq, now)
                       : t.SetLastContact(device_id, now);
  });
  if (!st.ok() && conflict) {
    // Nothing of the batch is stored; the refusal itself is kept, on its own.
    conflict->device_id = device_id;
    conflict->received = now;
    if (!journal_id.empty()) conflict->reason += " (journal " + journal_id + ")";
    base::Status recorded =
        tables_->InTransaction([&](TableRows& t) { return t.InsertConflict(*conflict); });
    if (!recorded.ok()) {
      return base::Status(st.code(), st.message() + " (and recording the conflict failed: " +
                                         recorded.message() + ")");
    }
  }
  CK_TRY(st);
  return res;
}

base::Result<std::vector<JournalChain>> Ledger::ListChains() {
  std::vector<JournalChain> all;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(all, t.AllChains());
    return base::Status::Ok();
  }));
  return all;
}

base::Result<std::vector<Conflict>> Ledger::ListConflicts() {
  std::vector<Conflict> all;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(all, t.Conflicts());
    return base::Status::Ok();
  }));
  return all;
}

base::Result<int64_t> Ledger::AckedSeq(int64_t device_id) {
  int64_t acked = 0;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(std::optional<Device> device, t.DeviceById(device_id, /*lock=*/false));
    if (!device) return base::NotFound("no such device");
    acked = device->acked_seq;
    return base::Status::Ok();
  }));
  return acked;
}

base::Status Ledger::ForEachEntry(std::optional<int64_t> device_id,
                                  const std::function<base::Status(const StoredEntry&)>& fn) {
  return tables_->Run([&](TableRows& t) { return t.ScanEntries({.device_id = device_id}, fn); });
}

base::Status Ledger::ForEachEntryOfKind(journal::Kind kind,
                                        const std::function<base::Status(const StoredEntry&)>& fn) {
  return tables_->Run([&](TableRows& t) { return t.ScanEntries({.kind = kind}, fn); });
}

base::Status Ledger::SumEntries(const SumQuery& q,
                                const std::function<base::Status(const SumRow&)>& fn) {
  // The summaries are read in several queries (a range each, then the members): one snapshot.
  if (!q.scan && SummariesServe(q))
    return tables_->InSnapshot([&](TableRows& t) { return SumFromSummaries(t, q, fn); });
  return tables_->Run([&](TableRows& t) { return t.SumEntries(q, fn); });
}

base::Result<DeviceTail> Ledger::LastEntry(int64_t device_id, int64_t at_most_seq) {
  DeviceTail tail;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(std::vector<JournalChain> chains, t.ChainsOf(device_id));
    const int64_t newest = chains.empty() ? 1 : chains.back().chain;
    CK_ASSIGN_OR_RETURN(tail, t.LastEntry(device_id, newest, at_most_seq));
    return base::Status::Ok();
  }));
  return tail;
}

base::Status Ledger::AddBundle(const BundleRecord& bundle) {
  return tables_->InTransaction([&](TableRows& t) -> base::Status {
    // Publishers on other instances wait here, so the check and the insert are one step.
    CK_TRY(t.LockBundles());
    CK_ASSIGN_OR_RETURN(std::optional<BundleRecord> latest, t.LatestBundle());
    CK_TRY(CheckBundleSeqIsNew(latest, bundle.seq));
    return t.InsertBundle(bundle);
  });
}

base::Result<std::optional<BundleRecord>> Ledger::LatestBundle() {
  std::optional<BundleRecord> latest;
  CK_TRY(tables_->Run([&](TableRows& t) -> base::Status {
    CK_ASSIGN_OR_RETURN(latest, t.LatestBundle());
    return base::Status::Ok();
  }));
  return latest;
}

}  // namespace hub
