// The hub's tables on SQLite: hub.db in the data directory, WAL, one connection behind a mutex.
// A transaction is BEGIN IMMEDIATE: it holds the database's one write lock from its start, so
// other processes on the file (a `cardhub publish` beside `serve`) wait for it.
#include <algorithm>
#include <mutex>

#include "chain_rows.h"
#include "health_rows.h"
#include "hub/ledger.h"
#include "hub/tables.h"
#include "journal/entry_columns.h"
#include "settlement_sql.h"
#include "sqlite/db.h"
#include "summary_sql.h"

namespace hub {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS devices(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kid TEXT NOT NULL UNIQUE,
  pubkey_pem TEXT NOT NULL,
  enrolled INTEGER NOT NULL,
  last_contact INTEGER NOT NULL DEFAULT 0,
  acked_seq INTEGER NOT NULL DEFAULT 0,
  withdrawn INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS entries(
  device_id INTEGER NOT NULL REFERENCES devices(id),
  uuid TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  time_utc INTEGER NOT NULL,
  mono_ns INTEGER NOT NULL,
  rid BLOB,
  partner_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  offer_id TEXT NOT NULL,
  purchase_minor INTEGER NOT NULL,
  discount_minor INTEGER NOT NULL,
  bundle_seq INTEGER NOT NULL,
  verdict TEXT NOT NULL,
  decision TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL,
  received INTEGER NOT NULL,
  UNIQUE(device_id, uuid));
CREATE INDEX IF NOT EXISTS entries_by_seq ON entries(device_id, seq);
CREATE TABLE IF NOT EXISTS conflicts(
  device_id INTEGER NOT NULL REFERENCES devices(id),
  seq INTEGER NOT NULL,
  uuid TEXT NOT NULL,
  reason TEXT NOT NULL,
  received INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bundles(
  seq INTEGER PRIMARY KEY,
  file TEXT NOT NULL,
  size INTEGER NOT NULL,
  published INTEGER NOT NULL);
)sql";

constexpr char kDeviceCols[] =
    "SELECT id, name, kid, pubkey_pem, enrolled, last_contact, acked_seq, withdrawn FROM devices ";

Device ReadDevice(const sqlite::Stmt& st) {
  Device d;
  d.id = st.Int(0);
  d.name = st.Text(1);
  d.kid_hex = st.Text(2);
  d.pubkey_pem = st.Text(3);
  d.enrolled = st.Int(4);
  d.last_contact = st.Int(5);
  d.acked_seq = st.Int(6);
  d.withdrawn = st.Int(7) != 0;
  return d;
}

using Step = sqlite::Stmt::StepResult;

// The row operations on the connection; the caller (SqliteTables) holds its mutex.
class SqliteRows final
    : public SummaryTableRows<ChainTableRows<HealthTableRows<SqliteHealthRows>, SqliteChainRows>,
                              SqliteSummaryRows> {
 public:
  explicit SqliteRows(sqlite::Db& db)
      : SummaryTableRows(SqliteSummaryRows(db), SqliteHealthRows(db), SqliteChainRows(db)),
        db_(db) {}

  base::Result<std::optional<Device>> DeviceByName(const std::string& name) override {
    return FindDevice("WHERE name = ?", [&](sqlite::Stmt& st) { st.Bind(1, name); });
  }
  base::Result<std::optional<Device>> DeviceByKid(const std::string& kid_hex) override {
    return FindDevice("WHERE kid = ?", [&](sqlite::Stmt& st) { st.Bind(1, kid_hex); });
  }
  // BEGIN IMMEDIATE already holds the write lock: no row lock to take.
  base::Result<std::optional<Device>> DeviceById(int64_t id, bool /*lock*/) override {
    return FindDevice("WHERE id = ?", [&](sqlite::Stmt& st) { st.Bind(1, id); });
  }

  base::Result<std::vector<Device>> Devices() override {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db_.Prepare(std::string(kDeviceCols) + "ORDER BY name"));
    std::vector<Device> out;
    while (true) {
      CK_ASSIGN_OR_RETURN(Step r, st.Step());
      if (r == Step::kDone) break;
      out.push_back(ReadDevice(st));
    }
    return out;
  }

  base::Result<Device> InsertDevice(const std::string& name, const std::string& kid_hex,
                                    const std::string& pubkey_pem, int64_t enrolled) override {
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt st,
        db_.Prepare("INSERT INTO devices(name, kid, pubkey_pem, enrolled) VALUES(?, ?, ?, ?)"));
    st.Bind(1, name).Bind(2, kid_hex).Bind(3, pubkey_pem).Bind(4, enrolled);
    CK_TRY(st.Run());  // a taken name or kid: SQLITE_CONSTRAINT, kAlreadyExists
    CK_ASSIGN_OR_RETURN(std::optional<Device> d, DeviceById(sqlite3_last_insert_rowid(db_.get()),
                                                            /*lock=*/false));
    if (!d) return base::Internal("device vanished after insert");
    return *d;
  }

  base::Result<int64_t> SetWithdrawn(const std::string& name) override {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                        db_.Prepare("UPDATE devices SET withdrawn = 1 WHERE name = ?"));
    st.Bind(1, name);
    CK_TRY(st.Run());
    return int64_t{sqlite3_changes(db_.get())};
  }

  base::Status SetLastContact(int64_t device_id, int64_t now) override {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                        db_.Prepare("UPDATE devices SET last_contact = ? WHERE id = ?"));
    st.Bind(1, now).Bind(2, device_id);
    return st.Run();
  }

  base::Status SetAckedSeq(int64_t device_id, int64_t acked_seq, int64_t now) override {
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt st,
        db_.Prepare("UPDATE devices SET acked_seq = ?, last_contact = ? WHERE id = ?"));
    st.Bind(1, acked_seq).Bind(2, now).Bind(3, device_id);
    return st.Run();
  }

  base::Result<bool> InsertEntry(int64_t device_id, int64_t chain, const journal::Entry& e,
                                 int64_t received) override {
    if (!insert_entry_) {
      CK_ASSIGN_OR_RETURN(
          sqlite::Stmt st,
          db_.Prepare("INSERT OR IGNORE INTO entries(device_id, " + journal::EntryColumnNames() +
                      ", received, chain) VALUES(?, " + journal::EntryPlaceholders() + ", ?, ?)"));
      insert_entry_ = std::move(st);
    }
    sqlite::Stmt& ins = *insert_entry_;
    sqlite::ResetOnExit reset(ins);
    ins.Bind(1, device_id);
    journal::BindEntryColumns(ins, 2, e);
    ins.Bind(2 + static_cast<int>(journal::kEntryColumnCount), received);
    ins.Bind(3 + static_cast<int>(journal::kEntryColumnCount), chain);
    CK_TRY(ins.Run());
    return sqlite3_changes(db_.get()) > 0;
  }

  base::Status ScanSeqsAbove(int64_t device_id, int64_t chain, int64_t after,
                             const std::function<bool(int64_t)>& more) override {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                        db_.Prepare("SELECT DISTINCT seq FROM entries WHERE device_id = ? AND "
                                    "chain = ? AND seq > ? ORDER BY seq"));
    st.Bind(1, device_id).Bind(2, chain).Bind(3, after);
    while (true) {
      CK_ASSIGN_OR_RETURN(Step r, st.Step());
      if (r == Step::kDone || !more(st.Int(0))) return base::Status::Ok();
    }
  }

  base::Status ScanEntries(const EntryScan& which,
                           const std::function<base::Status(const StoredEntry&)>& fn) override {
    std::string sql = "SELECT d.name, " + journal::EntryColumnNames("e.") +
                      ", e.received FROM entries e JOIN devices d ON d.id = e.device_id ";
    sql += EntryScanWhere(which, "?") + "ORDER BY d.name, e.chain, e.seq, e.uuid";
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db_.Prepare(sql));
    if (which.device_id) st.Bind(1, *which.device_id);
    return ReadEntries(st, fn);
  }

  base::Status ScanEntriesInRange(
      int64_t device_id, int64_t chain, int64_t from_seq, int64_t to_seq,
      const std::function<base::Status(const StoredEntry&)>& fn) override {
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt st,
        db_.Prepare("SELECT d.name, " + journal::EntryColumnNames("e.") +
                    ", e.received FROM entries e JOIN devices d ON d.id = e.device_id WHERE "
                    "e.device_id = ? AND e.chain = ? AND e.seq BETWEEN ? AND ? ORDER BY e.seq, "
                    "e.uuid"));
    st.Bind(1, device_id).Bind(2, chain).Bind(3, from_seq).Bind(4, to_seq);
    return ReadEntries(st, fn);
  }

  base::Result<std::optional<journal::Entry>> EntryWithUuid(int64_t device_id,
                                                            const std::string& uuid) override {
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt st,
        db_.Prepare("SELECT d.name, " + journal::EntryColumnNames("e.") +
                    ", e.received FROM entries e JOIN devices d ON d.id = e.device_id WHERE "
                    "e.device_id = ? AND e.uuid = ?"));
    st.Bind(1, device_id).Bind(2, uuid);
    std::optional<journal::Entry> found;
    CK_TRY(ReadEntries(st, [&found](const StoredEntry& se) {
      found = se.entry;
      return base::Status::Ok();
    }));
    return found;
  }

  base::Result<DeviceTail> LastEntry(int64_t device_id, int64_t chain,
                                     int64_t at_most_seq) override {
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt st,
        db_.Prepare("SELECT seq, bundle_seq, time_utc, hash FROM entries WHERE device_id = ? AND "
                    "chain = ? AND seq <= ? ORDER BY seq DESC LIMIT 1"));
    st.Bind(1, device_id).Bind(2, chain).Bind(3, at_most_seq);
    CK_ASSIGN_OR_RETURN(Step r, st.Step());
    if (r == Step::kDone) return DeviceTail{};
    DeviceTail t{.last_seq = st.Int(0), .bundle_seq = st.Int(1), .time_utc = st.Int(2)};
    base::ByteSpan hash = st.Blob(3);
    if (hash.size() != t.hash.size()) return base::DataLoss("stored hash is not 32 bytes");
    std::copy(hash.begin(), hash.end(), t.hash.begin());
    return t;
  }

  base::Status InsertConflict(const Conflict& c) override {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                        db_.Prepare("INSERT INTO conflicts(device_id, seq, uuid, reason, received) "
                                    "VALUES(?, ?, ?, ?, ?)"));
    st.Bind(1, c.device_id).Bind(2, c.seq).Bind(3, c.uuid).Bind(4, c.reason).Bind(5, c.received);
    return st.Run();
  }

  base::Result<std::vector<Conflict>> Conflicts() override {
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt st,
        db_.Prepare("SELECT c.device_id, d.name, c.seq, c.uuid, c.reason, c.received FROM "
                    "conflicts c JOIN devices d ON d.id = c.device_id ORDER BY d.name, "
                    "c.received, c.rowid"));
    std::vector<Conflict> out;
    while (true) {
      CK_ASSIGN_OR_RETURN(Step r, st.Step());
      if (r == Step::kDone) break;
      out.push_back({.device_id = st.Int(0),
                     .device = st.Text(1),
                     .seq = st.Int(2),
                     .uuid = st.Text(3),
                     .reason = st.Text(4),
                     .received = st.Int(5)});
    }
    return out;
  }

  base::Status LockBundles() override { return base::Status::Ok(); }  // BEGIN IMMEDIATE did

  base::Result<std::optional<BundleRecord>> LatestBundle() override {
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt st,
        db_.Prepare("SELECT seq, file, size, published FROM bundles ORDER BY seq DESC LIMIT 1"));
    CK_ASSIGN_OR_RETURN(Step r, st.Step());
    if (r == Step::kDone) return std::optional<BundleRecord>();
    BundleRecord b;
    b.seq = st.Int(0);
    b.file = st.Text(1);
    b.size = st.Int(2);
    b.published = st.Int(3);
    return std::optional<BundleRecord>(b);
  }

  base::Status InsertBundle(const BundleRecord& b) override {
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt st,
        db_.Prepare("INSERT INTO bundles(seq, file, size, published) VALUES(?, ?, ?, ?)"));
    st.Bind(1, b.seq).Bind(2, b.file).Bind(3, b.size).Bind(4, b.published);
    return st.Run();
  }

 private:
  // Rows of "SELECT d.name, <entry columns>, e.received ...".
  static base::Status ReadEntries(sqlite::Stmt& st,
                                  const std::function<base::Status(const StoredEntry&)>& fn) {
    while (true) {
      CK_ASSIGN_OR_RETURN(Step r, st.Step());
      if (r == Step::kDone) break;
      StoredEntry se;
      se.device = st.Text(0);
      base::Status read = journal::ReadEntryColumns(st, 1, &se.entry);
      if (read.code() == base::StatusCode::kDataLoss) {
        return base::DataLoss("stored " + read.message());
      }
      CK_TRY(read);
      se.received = st.Int(1 + static_cast<int>(journal::kEntryColumnCount));
      CK_TRY(fn(se));
    }
    return base::Status::Ok();
  }

  base::Result<std::optional<Device>> FindDevice(const char* where,
                                                 const std::function<void(sqlite::Stmt&)>& bind) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db_.Prepare(std::string(kDeviceCols) + where));
    bind(st);
    CK_ASSIGN_OR_RETURN(Step r, st.Step());
    if (r == Step::kDone) return std::optional<Device>();
    return std::optional<Device>(ReadDevice(st));
  }

  sqlite::Db& db_;
  std::optional<sqlite::Stmt> insert_entry_;  // prepared once, on the first insert
};

class SqliteTables final : public HubTables {
 public:
  explicit SqliteTables(sqlite::Db db) : db_(std::move(db)), rows_(db_) {}

  base::Status Run(const std::function<base::Status(TableRows&)>& fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    return fn(rows_);
  }

  base::Status InTransaction(const std::function<base::Status(TableRows&)>& fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    CK_TRY(db_.Exec("BEGIN IMMEDIATE"));
    base::Status st = fn(rows_);
    if (!st.ok()) {
      (void)db_.Exec("ROLLBACK");
      return st;
    }
    return db_.Exec("COMMIT");
  }

  // A deferred transaction: in WAL mode its first read fixes the snapshot every later read sees.
  base::Status InSnapshot(const std::function<base::Status(TableRows&)>& fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    CK_TRY(db_.Exec("BEGIN DEFERRED"));
    base::Status st = fn(rows_);
    base::Status end = db_.Exec(st.ok() ? "COMMIT" : "ROLLBACK");
    return st.ok() ? end : st;
  }

 private:
  std::mutex mu_;
  sqlite::Db db_;
  SqliteRows rows_;  // after db_: uses it
};

}  // namespace

base::Result<std::unique_ptr<HubTables>> OpenSqliteTables(const std::string& path) {
  CK_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::Open(path, sqlite::Db::Mode::kReadWriteCreate));
  sqlite3_busy_timeout(db.get(), 5000);
  CK_TRY(db.Exec("PRAGMA journal_mode=WAL"));
  CK_TRY(db.Exec("PRAGMA synchronous=FULL"));
  CK_TRY(db.Exec("PRAGMA foreign_keys=ON"));
  // 64 MiB of pages (the default is 2 MiB): an import writes the table and its indexes at many
  // places at once, and with the small cache each page went out and was read back.
  CK_TRY(db.Exec("PRAGMA cache_size=-65536"));
  CK_TRY(db.Exec(kSchema));
  CK_TRY(journal::AddMissingEntryColumns(db));
  CK_TRY(db.Exec(kDropEntriesByTimeIndex));
  CK_TRY(db.Exec(kEntriesSettlementIndex));
  CK_TRY(db.Exec(kEntriesRepeatsIndex));
  CK_TRY(db.Exec(kEntriesVoidedByIndex));
  CK_TRY(db.Exec(kEntriesClockCorrectionsIndex));
  CK_TRY(SqliteHealthRows(db).CreateTables());
  CK_TRY(SqliteChainRows(db).CreateTables());
  CK_TRY(SqliteSummaryRows(db).CreateTables());
  return std::unique_ptr<HubTables>(new SqliteTables(std::move(db)));
}

base::Result<std::unique_ptr<HubStore>> OpenSqliteStore(const std::string& path) {
  CK_ASSIGN_OR_RETURN(std::unique_ptr<HubTables> tables, OpenSqliteTables(path));
  return std::unique_ptr<HubStore>(new Ledger(std::move(tables)));
}

}  // namespace hub
