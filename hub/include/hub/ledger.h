// The hub's business rules, once, over any HubTables (SQLite, PostgreSQL): the HubStore that
// OpenSqliteStore and OpenPostgresStore return.
//
// The rules:
//   - a device name and a device key (kid) are each enrolled once (kAlreadyExists, naming which);
//   - withdrawing keeps the device and its entries; an unknown name is kNotFound;
//   - a batch of entries is one piece of a chain (CheckBatchShape, kInvalidArgument otherwise);
//   - a batch belongs to the device's journal chain its journal id names (JournalChain in
//     hub/store.h): no id (a format-1 batch) is the device's first chain; a held id is its chain;
//     a device's first chain, while held without an id, takes the id of the first batch that
//     continues it (one that brings no other entry at seq 1); any other id starts a new chain
//     (numbered after the last, which records where the previous one ended; listed by `cardhub
//     flags`), at seq 1 (kFailedPrecondition otherwise). An empty batch (a probe) names no chain
//     for good;
//   - a batch is one transaction: the device must exist (kNotFound); it must start at or before
//     the seq after those of its chain held contiguously (a gap is kFailedPrecondition); its
//     anchor (the first entry's prev_hash) must be the hash of the chain's entry held just before
//     it, or 32 zero bytes for seq 1; an entry already held (same seq, same content) is a
//     duplicate, any other entry at a held seq, or with a uuid the device holds in any chain, is
//     a conflict (kAlreadyExists, nothing stored, the conflict recorded for `cardhub flags`); the
//     chain's acked_seq walks up while its next seq is held; the newest chain's is the device's
//     acked_seq, saved with last_contact; in the same transaction the batch's new entries are
//     added to the summaries (hub/summaries.h), and its voids move the entries they cancel to the
//     voided sums; the settlement sums come from the summaries where they are exact;
//   - a bundle is published only with a seq above every published one (kFailedPrecondition), the
//     check and the insert in one transaction that keeps other publishers out;
//   - a device's status reports and contacts are kept for a known device only (kNotFound), the
//     newest kStatusesKept / kContactsKept of each (hub/device_status.h).
//
// Thread-safe as its HubTables is.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "base/status.h"
#include "hub/store.h"
#include "hub/tables.h"

namespace hub {

// kFailedPrecondition unless `seq` is above the latest published bundle's (also checked by
// `cardhub publish` before it unpacks anything).
base::Status CheckBundleSeqIsNew(const std::optional<BundleRecord>& latest, int64_t seq);

// kInvalidArgument unless the entries are consecutive seqs from 1 or above, each linked to the one
// before it (prev_hash), with no uuid twice.
base::Status CheckBatchShape(const std::vector<journal::Entry>& entries);

class Ledger final : public HubStore {
 public:
  explicit Ledger(std::unique_ptr<HubTables> tables) : tables_(std::move(tables)) {}

  base::Result<Device> AddDevice(const std::string& name, const std::string& kid_hex,
                                 const std::string& pubkey_pem, int64_t now) override;
  base::Status WithdrawDevice(const std::string& name) override;
  base::Result<std::optional<Device>> FindDeviceByKid(const std::string& kid_hex) override;
  base::Result<std::optional<Device>> FindDeviceByName(const std::string& name) override;
  base::Result<std::vector<Device>> ListDevices() override;
  base::Status TouchDevice(int64_t device_id, int64_t now) override;

  using HubStore::PutEntries;
  base::Result<PutResult> PutEntries(int64_t device_id, const std::string& journal_id,
                                     const std::vector<journal::Entry>& entries,
                                     int64_t now) override;
  base::Result<std::vector<JournalChain>> ListChains() override;
  base::Result<std::vector<Conflict>> ListConflicts() override;
  base::Result<int64_t> AckedSeq(int64_t device_id) override;
  base::Status ForEachEntry(std::optional<int64_t> device_id,
                            const std::function<base::Status(const StoredEntry&)>& fn) override;
  base::Status ForEachEntryOfKind(
      journal::Kind kind, const std::function<base::Status(const StoredEntry&)>& fn) override;

  base::Status SumEntries(const SumQuery& q,
                          const std::function<base::Status(const SumRow&)>& fn) override;
  base::Result<DeviceTail> LastEntry(int64_t device_id, int64_t at_most_seq) override;

  base::Status AddBundle(const BundleRecord& bundle) override;
  base::Result<std::optional<BundleRecord>> LatestBundle() override;

  base::Status RecordStatus(const DeviceStatus& s) override;
  base::Result<std::vector<DeviceStatus>> LatestStatuses() override;
  base::Result<std::vector<DeviceStatus>> StatusHistory(int64_t device_id, int64_t limit) override;
  base::Status RecordContact(const Contact& c) override;
  base::Result<std::vector<Contact>> ListContacts(int64_t device_id, int64_t limit) override;

 private:
  // Checks the batch against the chain's entries held (contiguously through `held`) and inserts
  // the new ones (listed in `*stored`, pointing into `entries`); a conflict is described in
  // `*conflict`.
  static base::Status StoreBatch(TableRows& t, int64_t device_id, int64_t chain, int64_t held,
                                 const std::vector<journal::Entry>& entries, int64_t now,
                                 PutResult* res, std::optional<Conflict>* conflict,
                                 std::vector<const journal::Entry*>* stored);

  std::unique_ptr<HubTables> tables_;
};

}  // namespace hub
