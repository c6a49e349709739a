// The hub's storage behind one interface (devices, journal entries, published bundles, acks), so
// that the SQLite store (one hub instance) and a PostgreSQL store (several instances) are
// interchangeable. Both are a hub::Ledger (hub/ledger.h: the rules, once) over that database's
// tables (hub/tables.h). Implementations are thread-safe: the server calls them from its worker
// threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "hub/device_status.h"
#include "hub/serve_limits.h"
#include "journal/entry.h"

namespace hub {

struct Device {
  int64_t id = 0;
  std::string name;
  std::string kid_hex;       // 16 lower-case hex digits
  std::string pubkey_pem;    // SubjectPublicKeyInfo PEM
  int64_t enrolled = 0;      // Unix seconds
  int64_t last_contact = 0;  // 0 = never
  int64_t acked_seq = 0;     // of the device's newest chain (JournalChain)
  bool withdrawn = false;
};

struct PutResult {
  int64_t stored = 0;      // new entries
  int64_t duplicates = 0;  // already held (same device, chain, seq, uuid and content)
  int64_t acked_seq = 0;   // highest N such that 1..N of the batch's chain are all held
  int64_t chain = 0;       // the device's chain the batch went to (1 = its first); 0 for none
  bool new_chain = false;  // this batch started a chain after the device's first (flagged)
};

// One journal chain of a device: the entries of one journal.db (docs/journal.md, "Identity").
// A device's first chain is 1; a chain an admin started after a lost journal (`cardctl journal
// new-chain`) is the next number, flagged (`cardhub flags`). Seqs, anchors and acknowledgements
// are per chain; a uuid is stored once per device, whatever the chain.
struct JournalChain {
  int64_t device_id = 0;
  std::string device;      // device name (filled in when listed)
  int64_t chain = 1;       // 1, 2, ... in the order the hub first took them
  std::string journal_id;  // "" while only format-1 batches (no journal id) came for it
  int64_t started = 0;     // when the hub took its first batch (Unix seconds)
  int64_t acked_seq = 0;   // highest N such that 1..N of this chain are all held
  // For chain > 1: the chain before it, and the highest seq the hub held of it then.
  std::string previous_journal_id;
  int64_t previous_last_seq = 0;
};

// A batch the hub refused because it contradicts what the hub holds (a rewritten chain): kept so
// that `cardhub flags` lists it.
struct Conflict {
  int64_t device_id = 0;
  std::string device;  // device name (filled in when read)
  int64_t seq = 0;     // the batch's entry that conflicts
  std::string uuid;
  std::string reason;
  int64_t received = 0;
};

struct BundleRecord {
  int64_t seq = 0;
  std::string file;  // path relative to the data directory
  int64_t size = 0;
  int64_t published = 0;
};

// What the settlement report sums (hub/report.h): accepted entries of one kind with time in
// [from, to), grouped by partner (discounts) or event (check-ins), and by `detail`.
enum class SumDetail { kNone, kOffer, kDevice, kDay, kMember, kHour };
struct SumQuery {
  int64_t from = 0, to = 0;  // Unix seconds
  journal::Kind kind = journal::Kind::kDiscount;
  SumDetail detail = SumDetail::kNone;
  int64_t utc_offset_seconds = 0;  // the kiosks' local time, for kDay and kHour
  // false: the entries no void cancels (the settlement); true: only those a void cancels.
  bool voided = false;
  // kCheckin: the check-ins refused as repeats (decision ALREADY_CHECKED_IN) instead of the
  // accepted ones. Outside entries_settlement (accepted entries only): read from the table.
  bool repeats = false;
  // false: SumRow::members is not wanted (left 0), so that the summaries kept at intake answer
  // more queries (hub/summaries.h; they count distinct members of settled check-ins only).
  bool members = true;
  // true: read the entries even where the summaries would answer (to check them against it).
  bool scan = false;
};
struct SumRow {
  std::string scope_id;  // partner_id, or event_id (check-ins, manual counts)
  // offer id, device name, local day number (days since 1970-01-01), local hour number (hours
  // since 1970-01-01T00:00 local), rid (16 lower-case hex digits; entries without one are left
  // out), or ""
  std::string detail;
  int64_t count = 0, purchase_minor = 0, discount_minor = 0;
  int64_t members = 0;  // distinct rids
  int64_t cashback_minor = 0;
};

// The last entry the hub holds for a device, at or below a seq (`cardhub devices`, `acks`).
struct DeviceTail {
  int64_t last_seq = 0;    // 0: none
  int64_t bundle_seq = 0;  // the registry it was decided with
  int64_t time_utc = 0;
  journal::Hash hash{};
};

struct StoredEntry {
  std::string device;  // device name
  journal::Entry entry;
  int64_t received = 0;
};

class HubStore {
 public:
  virtual ~HubStore() = default;

  // kAlreadyExists when the name or the key (kid) is already enrolled.
  virtual base::Result<Device> AddDevice(const std::string& name, const std::string& kid_hex,
                                         const std::string& pubkey_pem, int64_t now) = 0;
  // kNotFound for an unknown name.
  virtual base::Status WithdrawDevice(const std::string& name) = 0;
  virtual base::Result<std::optional<Device>> FindDeviceByKid(const std::string& kid_hex) = 0;
  virtual base::Result<std::optional<Device>> FindDeviceByName(const std::string& name) = 0;
  virtual base::Result<std::vector<Device>> ListDevices() = 0;
  virtual base::Status TouchDevice(int64_t device_id, int64_t now) = 0;

  // Checks the batch against what the hub holds of the chain `journal_id` names and stores it in
  // one transaction (the rules, and how a journal id picks the chain: hub/ledger.h); "" is a
  // batch without a journal id (format 1), the device's first chain. kInvalidArgument for a batch
  // that is not one piece of a chain (a seq or uuid twice, seqs not consecutive, entries not
  // linked); kFailedPrecondition for a gap after the held entries; kAlreadyExists for a conflict (a
  // uuid or seq held with other content, an anchor that is not the held entry's hash), which is
  // recorded (ListConflicts). Nothing is stored on error.
  virtual base::Result<PutResult> PutEntries(int64_t device_id, const std::string& journal_id,
                                             const std::vector<journal::Entry>& entries,
                                             int64_t now) = 0;
  // A batch without a journal id: the device's first chain.
  base::Result<PutResult> PutEntries(int64_t device_id, const std::vector<journal::Entry>& entries,
                                     int64_t now) {
    return PutEntries(device_id, "", entries, now);
  }
  // Every device's chains, by device name then chain (`cardhub flags` lists those after the
  // first).
  virtual base::Result<std::vector<JournalChain>> ListChains() = 0;
  virtual base::Result<std::vector<Conflict>> ListConflicts() = 0;
  // The highest N such that 1..N of the device's newest chain are all held (Device::acked_seq).
  virtual base::Result<int64_t> AckedSeq(int64_t device_id) = 0;
  // Every stored entry (of one device when device_id is set), by device, chain, then seq.
  virtual base::Status ForEachEntry(std::optional<int64_t> device_id,
                                    const std::function<base::Status(const StoredEntry&)>& fn) = 0;
  // Every stored entry of one kind (e.g. the clock corrections `cardhub flags` lists), by device,
  // chain, then seq: one query.
  virtual base::Status ForEachEntryOfKind(
      journal::Kind kind, const std::function<base::Status(const StoredEntry&)>& fn) = 0;

  // Sums for the settlement report, by scope_id then detail (byte order): from the summaries
  // kept at intake where they are exact (hub/summaries.h, SummariesServe), else from the entries.
  virtual base::Status SumEntries(const SumQuery& q,
                                  const std::function<base::Status(const SumRow&)>& fn) = 0;
  // Of the device's newest chain (the one its kiosk holds now).
  virtual base::Result<DeviceTail> LastEntry(int64_t device_id, int64_t at_most_seq) = 0;

  // kFailedPrecondition unless seq is above every published one.
  virtual base::Status AddBundle(const BundleRecord& bundle) = 0;
  virtual base::Result<std::optional<BundleRecord>> LatestBundle() = 0;

  // Device health (hub/device_status.h). RecordStatus and RecordContact keep the newest
  // kStatusesKept / kContactsKept rows of the device (older ones are deleted in the same
  // transaction); kNotFound for an unknown device.
  virtual base::Status RecordStatus(const DeviceStatus& s) = 0;
  // The newest report of every device that sent one, by device id; one query.
  virtual base::Result<std::vector<DeviceStatus>> LatestStatuses() = 0;
  // The device's newest `limit` reports, newest first (kInvalidArgument for a negative limit).
  virtual base::Result<std::vector<DeviceStatus>> StatusHistory(int64_t device_id,
                                                                int64_t limit) = 0;
  virtual base::Status RecordContact(const Contact& c) = 0;
  // The device's newest `limit` contacts, newest first (kInvalidArgument for a negative limit).
  virtual base::Result<std::vector<Contact>> ListContacts(int64_t device_id, int64_t limit) = 0;
};

inline constexpr char kHubDbFile[] = "hub.db";

// SQLite (WAL): creates the file and schema if missing.
base::Result<std::unique_ptr<HubStore>> OpenSqliteStore(const std::string& path);

// PostgreSQL (libpq): connects with the libpq connection string (e.g. "host=/run/postgresql
// dbname=cardhub user=cardhub") and creates the schema if missing, in the first schema of the
// search_path. Several hub instances may share one database.
base::Result<std::unique_ptr<HubStore>> OpenPostgresStore(const std::string& conninfo);

// Hub configuration (--config FILE, docs/hub.md): TOML, read through ck_config.
//   store = "sqlite" | "postgres"
//   postgres_conninfo = "<libpq connection string>"   (`postgres` is an alias)
//   utc_offset_minutes = 180   (the kiosks' local time, for cap periods in `flags`; -1440..1440)
//   serve_connections = 4096, serve_connections_per_address = 64, serve_idle_timeout = 10 (or
//   "10s"), serve_connection_memory_kib = 32, serve_listen_backlog = 1024, serve_threads = 2,
//   serve_workers = 16: `cardhub serve`'s ServeLimits (docs/hub.md, "Limits", for the ranges)
//   record_contacts = true, contact_interval_seconds = 60 (0..3600): which contacts `cardhub serve`
//   writes (ServeOptions, docs/hub.md "Storage")
struct Config {
  std::string store = "sqlite";
  std::string postgres_conninfo;
  int64_t utc_offset_seconds = 3 * 3600;
  ServeLimits limits;
  bool record_contacts = true;
  int64_t contact_interval_seconds = 60;
};
// Parses a config's text; `source` names it in errors: "hub.conf:2: key 'store': must be sqlite |
// postgres, got 'mysql'" (InvalidArgument); an unknown key is refused.
base::Result<Config> ParseConfig(std::string_view text, std::string_view source);
// Reads (at most 1 MiB) and parses `path`.
base::Result<Config> LoadConfig(const std::string& path);

// The store the config selects, for the data directory.
base::Result<std::unique_ptr<HubStore>> OpenStore(const std::string& data_dir,
                                                  const Config& config);

}  // namespace hub
