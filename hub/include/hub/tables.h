// The hub's tables (devices, entries, bundles, conflicts) as plain row reads and writes, for the
// Ledger (hub/ledger.h), which holds every rule over them. A database backend implements
// HubTables: SQLite (hub.db) and PostgreSQL. No rule lives here: not what a duplicate is, not
// which seq is acknowledged, not which bundle seq may follow; only SQL.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "hub/store.h"
#include "hub/summaries.h"
#include "journal/entry.h"

namespace hub {

// Which entries TableRows::ScanEntries reads.
struct EntryScan {
  std::optional<int64_t> device_id;   // every device's when unset
  std::optional<journal::Kind> kind;  // of every kind when unset
};

// The row operations, valid only inside the HubTables::Run or InTransaction call that handed them
// out (on that call's thread).
class TableRows {
 public:
  virtual ~TableRows() = default;

  virtual base::Result<std::optional<Device>> DeviceByName(const std::string& name) = 0;
  virtual base::Result<std::optional<Device>> DeviceByKid(const std::string& kid_hex) = 0;
  // With `lock`, the row stays locked against other writers until the transaction ends (where the
  // database locks rows: SELECT ... FOR UPDATE).
  virtual base::Result<std::optional<Device>> DeviceById(int64_t id, bool lock) = 0;
  // Every device, by name in byte order.
  virtual base::Result<std::vector<Device>> Devices() = 0;
  // The new row (last_contact 0, acked_seq 0, not withdrawn); kAlreadyExists when the name or
  // the kid is taken (a unique constraint).
  virtual base::Result<Device> InsertDevice(const std::string& name, const std::string& kid_hex,
                                            const std::string& pubkey_pem, int64_t enrolled) = 0;
  // The number of rows changed.
  virtual base::Result<int64_t> SetWithdrawn(const std::string& name) = 0;
  virtual base::Status SetLastContact(int64_t device_id, int64_t now) = 0;
  virtual base::Status SetAckedSeq(int64_t device_id, int64_t acked_seq, int64_t now) = 0;

  // Inserts the entry into the device's chain unless the device already holds its uuid (in any
  // chain): true when it was inserted.
  virtual base::Result<bool> InsertEntry(int64_t device_id, int64_t chain, const journal::Entry& e,
                                         int64_t received) = 0;
  // The chain's distinct entry seqs above `after`, ascending, while `more` returns true.
  virtual base::Status ScanSeqsAbove(int64_t device_id, int64_t chain, int64_t after,
                                     const std::function<bool(int64_t seq)>& more) = 0;
  // The entries `which` selects, by device name, chain, seq, uuid (byte order).
  virtual base::Status ScanEntries(const EntryScan& which,
                                   const std::function<base::Status(const StoredEntry&)>& fn) = 0;
  // The chain's entries with from_seq <= seq <= to_seq, by seq then uuid.
  virtual base::Status ScanEntriesInRange(
      int64_t device_id, int64_t chain, int64_t from_seq, int64_t to_seq,
      const std::function<base::Status(const StoredEntry&)>& fn) = 0;
  // The device's entry with this uuid (in any chain), if it holds one.
  virtual base::Result<std::optional<journal::Entry>> EntryWithUuid(int64_t device_id,
                                                                    const std::string& uuid) = 0;

  // The settlement sums (HubStore::SumEntries); the SQL is one text for every backend
  // (hub/src/settlement_sql.h).
  virtual base::Status SumEntries(const SumQuery& q,
                                  const std::function<base::Status(const SumRow&)>& fn) = 0;
  // The summaries kept at intake (hub/summaries.h). How many void entries of the device name
  // each of `uuids` (entries_voided_by), for those some void names.
  virtual base::Result<std::map<std::string, int64_t>> CountVoidsOf(
      int64_t device_id, const std::vector<std::string_view>& uuids) = 0;
  // Adds the deltas to entry_sums and entry_members, creating missing rows.
  virtual base::Status AddToSummaries(const SummaryDeltas& d) = 0;
  // q's sums over the entry_sums rows of one range, grouped by scope and q's detail (unordered;
  // members left 0).
  virtual base::Status SumSummaryRange(const SumQuery& q, const SummaryRange& r,
                                       const std::function<base::Status(const SumRow&)>& fn) = 0;
  // The distinct members of q's settled accepted check-ins in [q.from, q.to), by event and q's
  // detail (day, hour or none; unordered; only scope_id, detail and members set).
  virtual base::Status CountMembers(const SumQuery& q,
                                    const std::function<base::Status(const SumRow&)>& fn) = 0;

  // The chain's entry with the highest seq <= at_most_seq (zeros when it holds none).
  virtual base::Result<DeviceTail> LastEntry(int64_t device_id, int64_t chain,
                                             int64_t at_most_seq) = 0;

  // The device's journal chains, by chain number (`device` left empty).
  virtual base::Result<std::vector<JournalChain>> ChainsOf(int64_t device_id) = 0;
  // Every device's chains, by device name (byte order), then chain.
  virtual base::Result<std::vector<JournalChain>> AllChains() = 0;
  // kAlreadyExists when the device already has that chain number or journal id.
  virtual base::Status InsertChain(const JournalChain& c) = 0;
  // Sets the chain's journal id and acked seq.
  virtual base::Status UpdateChain(int64_t device_id, int64_t chain, const std::string& journal_id,
                                   int64_t acked_seq) = 0;

  // Records a refused conflicting batch (listed by `cardhub flags`).
  virtual base::Status InsertConflict(const Conflict& c) = 0;
  // Every recorded conflict, by device name, then received time.
  virtual base::Result<std::vector<Conflict>> Conflicts() = 0;

  // Keeps other writers from publishing until the transaction ends (where the transaction alone
  // does not).
  virtual base::Status LockBundles() = 0;
  virtual base::Result<std::optional<BundleRecord>> LatestBundle() = 0;
  virtual base::Status InsertBundle(const BundleRecord& b) = 0;

  // Device health (hub/device_status.h): inserts the row, then deletes the device's rows but the
  // newest `keep`.
  virtual base::Status InsertStatus(const DeviceStatus& s, int64_t keep) = 0;
  // The newest status row of every device that has one, by device id (one query).
  virtual base::Result<std::vector<DeviceStatus>> LatestStatuses() = 0;
  // The device's newest `limit` status rows, newest first.
  virtual base::Result<std::vector<DeviceStatus>> Statuses(int64_t device_id, int64_t limit) = 0;
  virtual base::Status InsertContact(const Contact& c, int64_t keep) = 0;
  // The device's newest `limit` contacts, newest first.
  virtual base::Result<std::vector<Contact>> Contacts(int64_t device_id, int64_t limit) = 0;
};

// One database. Thread-safe: calls are serialised on the instance's one connection.
class HubTables {
 public:
  virtual ~HubTables() = default;
  // `fn` with each statement committing on its own (no transaction around them).
  virtual base::Status Run(const std::function<base::Status(TableRows&)>& fn) = 0;
  // `fn` in one write transaction: committed when it returns Ok, rolled back otherwise. A
  // transaction lost to a transient failure (a serialisation failure, a deadlock, a dropped
  // connection) is run again, up to 3 times: `fn` must start afresh on every call.
  virtual base::Status InTransaction(const std::function<base::Status(TableRows&)>& fn) = 0;
  // `fn` in one read-only transaction: its statements all see the database as it was at the
  // first, so an answer read in several queries (the summaries, hub/summaries.h) is not torn by a
  // batch that another process or instance commits meanwhile. Retried like InTransaction.
  virtual base::Status InSnapshot(const std::function<base::Status(TableRows&)>& fn) = 0;
};

// SQLite (WAL): creates the file and schema if missing.
base::Result<std::unique_ptr<HubTables>> OpenSqliteTables(const std::string& path);
// PostgreSQL (libpq): see OpenPostgresStore.
base::Result<std::unique_ptr<HubTables>> OpenPostgresTables(const std::string& conninfo);

}  // namespace hub
