// HubStore on SQLite: hub.db in the data directory, WAL, one connection behind a mutex.
#include <mutex>

#include "base/file.h"
#include "base/hex.h"
#include "hub/store.h"
#include "sqlite/db.h"

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

class SqliteStore final : public HubStore {
 public:
  explicit SqliteStore(sqlite::Db db) : db_(std::move(db)) {}

  base::Result<Device> AddDevice(const std::string& name, const std::string& kid_hex,
                                 const std::string& pubkey_pem, int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    CK_ASSIGN_OR_RETURN(std::optional<Device> by_name, FindLocked("WHERE name = ?", name));
    if (by_name) return base::AlreadyExists("a device named '" + name + "' is already enrolled");
    CK_ASSIGN_OR_RETURN(std::optional<Device> by_kid, FindLocked("WHERE kid = ?", kid_hex));
    if (by_kid) {
      return base::AlreadyExists("this key (kid " + kid_hex + ") is already enrolled as '" +
                                 by_kid->name + "'");
    }
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt st,
        db_.Prepare("INSERT INTO devices(name, kid, pubkey_pem, enrolled) VALUES(?, ?, ?, ?)"));
    st.Bind(1, name).Bind(2, kid_hex).Bind(3, pubkey_pem).Bind(4, now);
    CK_TRY(st.Run());
    CK_ASSIGN_OR_RETURN(std::optional<Device> d, FindLocked("WHERE name = ?", name));
    if (!d) return base::Internal("device vanished after insert");
    return *d;
  }

  base::Status WithdrawDevice(const std::string& name) override {
    std::lock_guard<std::mutex> lock(mu_);
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                        db_.Prepare("UPDATE devices SET withdrawn = 1 WHERE name = ?"));
    st.Bind(1, name);
    CK_TRY(st.Run());
    if (sqlite3_changes(db_.get()) == 0) return base::NotFound("no device named '" + name + "'");
    return base::Status::Ok();
  }

  base::Result<std::optional<Device>> FindDeviceByKid(const std::string& kid_hex) override {
    std::lock_guard<std::mutex> lock(mu_);
    return FindLocked("WHERE kid = ?", kid_hex);
  }
  base::Result<std::optional<Device>> FindDeviceByName(const std::string& name) override {
    std::lock_guard<std::mutex> lock(mu_);
    return FindLocked("WHERE name = ?", name);
  }

  base::Result<std::vector<Device>> ListDevices() override {
    std::lock_guard<std::mutex> lock(mu_);
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db_.Prepare(std::string(kDeviceCols) + "ORDER BY name"));
    std::vector<Device> out;
    while (true) {
      CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
      if (r == sqlite::Stmt::StepResult::kDone) break;
      out.push_back(ReadDevice(st));
    }
    return out;
  }

  base::Status TouchDevice(int64_t device_id, int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                        db_.Prepare("UPDATE devices SET last_contact = ? WHERE id = ?"));
    st.Bind(1, now).Bind(2, device_id);
    return st.Run();
  }

  base::Result<PutResult> PutEntries(int64_t device_id, const std::vector<journal::Entry>& entries,
                                     int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    CK_TRY(db_.Exec("BEGIN IMMEDIATE"));
    base::Result<PutResult> r = PutLocked(device_id, entries, now);
    if (!r.ok()) {
      (void)db_.Exec("ROLLBACK");
      return r;
    }
    CK_TRY(db_.Exec("COMMIT"));
    return r;
  }

  base::Result<int64_t> AckedSeq(int64_t device_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db_.Prepare("SELECT acked_seq FROM devices WHERE id = ?"));
    st.Bind(1, device_id);
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    if (r == sqlite::Stmt::StepResult::kDone) return base::NotFound("no such device");
    return st.Int(0);
  }

  base::Status ForEachEntry(std::optional<int64_t> device_id,
                            const std::function<base::Status(const StoredEntry&)>& fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string sql =
        "SELECT d.name, e.seq, e.uuid, e.kind, e.time_utc, e.mono_ns, e.rid, e.partner_id, "
        "e.event_id, e.offer_id, e.purchase_minor, e.discount_minor, e.bundle_seq, e.verdict, "
        "e.decision, e.prev_hash, e.hash, e.received FROM entries e JOIN devices d ON "
        "d.id = e.device_id ";
    if (device_id) sql += "WHERE e.device_id = ? ";
    sql += "ORDER BY d.name, e.seq, e.uuid";
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db_.Prepare(sql));
    if (device_id) st.Bind(1, *device_id);
    while (true) {
      CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
      if (r == sqlite::Stmt::StepResult::kDone) break;
      StoredEntry se;
      se.device = st.Text(0);
      journal::Entry& e = se.entry;
      e.seq = st.Int(1);
      e.uuid = st.Text(2);
      CK_ASSIGN_OR_RETURN(e.kind, journal::ParseKind(st.Text(3)));
      e.time_utc = st.Int(4);
      e.mono_ns = st.Int(5);
      if (!st.IsNull(6)) {
        base::ByteSpan rid = st.Blob(6);
        if (rid.size() != 8) return base::DataLoss("stored rid is not 8 bytes");
        card::Rid v{};
        std::copy(rid.begin(), rid.end(), v.begin());
        e.rid = v;
      }
      e.partner_id = st.Text(7);
      e.event_id = st.Text(8);
      e.offer_id = st.Text(9);
      e.purchase_minor = st.Int(10);
      e.discount_minor = st.Int(11);
      e.bundle_seq = st.Int(12);
      e.verdict = st.Text(13);
      e.decision = st.Text(14);
      CopyHash(st.Blob(15), &e.prev_hash);
      CopyHash(st.Blob(16), &e.hash);
      se.received = st.Int(17);
      CK_TRY(fn(se));
    }
    return base::Status::Ok();
  }

  base::Status AddBundle(const BundleRecord& b) override {
    std::lock_guard<std::mutex> lock(mu_);
    CK_ASSIGN_OR_RETURN(std::optional<BundleRecord> latest, LatestLocked());
    if (latest && b.seq <= latest->seq) {
      return base::FailedPrecondition("bundle seq " + std::to_string(b.seq) +
                                      " is not above the published seq " +
                                      std::to_string(latest->seq));
    }
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt st,
        db_.Prepare("INSERT INTO bundles(seq, file, size, published) VALUES(?, ?, ?, ?)"));
    st.Bind(1, b.seq).Bind(2, b.file).Bind(3, b.size).Bind(4, b.published);
    return st.Run();
  }

  base::Result<std::optional<BundleRecord>> LatestBundle() override {
    std::lock_guard<std::mutex> lock(mu_);
    return LatestLocked();
  }

 private:
  static void CopyHash(base::ByteSpan b, journal::Hash* out) {
    if (b.size() == out->size()) std::copy(b.begin(), b.end(), out->begin());
  }

  base::Result<std::optional<Device>> FindLocked(const char* where, const std::string& key) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db_.Prepare(std::string(kDeviceCols) + where));
    st.Bind(1, key);
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    if (r == sqlite::Stmt::StepResult::kDone) return std::optional<Device>();
    return std::optional<Device>(ReadDevice(st));
  }

  base::Result<std::optional<BundleRecord>> LatestLocked() {
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt st,
        db_.Prepare("SELECT seq, file, size, published FROM bundles ORDER BY seq DESC LIMIT 1"));
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    if (r == sqlite::Stmt::StepResult::kDone) return std::optional<BundleRecord>();
    BundleRecord b;
    b.seq = st.Int(0);
    b.file = st.Text(1);
    b.size = st.Int(2);
    b.published = st.Int(3);
    return std::optional<BundleRecord>(b);
  }

  base::Result<PutResult> PutLocked(int64_t device_id, const std::vector<journal::Entry>& entries,
                                    int64_t now) {
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt ins,
        db_.Prepare("INSERT OR IGNORE INTO entries(device_id, uuid, seq, kind, time_utc, mono_ns, "
                    "rid, partner_id, event_id, offer_id, purchase_minor, discount_minor, "
                    "bundle_seq, verdict, decision, prev_hash, hash, received) "
                    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    PutResult res;
    for (const journal::Entry& e : entries) {
      std::string_view kind = journal::KindName(e.kind);
      ins.Bind(1, device_id).Bind(2, e.uuid).Bind(3, e.seq).Bind(4, kind).Bind(5, e.time_utc);
      ins.Bind(6, e.mono_ns);
      if (e.rid) {
        ins.Bind(7, base::ByteSpan(*e.rid));
      } else {
        ins.BindNull(7);
      }
      ins.Bind(8, e.partner_id).Bind(9, e.event_id).Bind(10, e.offer_id);
      ins.Bind(11, e.purchase_minor).Bind(12, e.discount_minor).Bind(13, e.bundle_seq);
      ins.Bind(14, e.verdict).Bind(15, e.decision);
      ins.Bind(16, base::ByteSpan(e.prev_hash)).Bind(17, base::ByteSpan(e.hash)).Bind(18, now);
      CK_TRY(ins.Run());
      if (sqlite3_changes(db_.get()) > 0) {
        ++res.stored;
      } else {
        ++res.duplicates;
      }
      ins.Reset();
    }
    // acked_seq: walk up from the recorded one while the next seq is held.
    CK_ASSIGN_OR_RETURN(sqlite::Stmt cur,
                        db_.Prepare("SELECT acked_seq FROM devices WHERE id = ?"));
    cur.Bind(1, device_id);
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, cur.Step());
    if (r == sqlite::Stmt::StepResult::kDone) return base::NotFound("no such device");
    int64_t acked = cur.Int(0);
    CK_ASSIGN_OR_RETURN(sqlite::Stmt walk,
                        db_.Prepare("SELECT DISTINCT seq FROM entries WHERE device_id = ? AND "
                                    "seq > ? ORDER BY seq"));
    walk.Bind(1, device_id).Bind(2, acked);
    while (true) {
      CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult w, walk.Step());
      if (w == sqlite::Stmt::StepResult::kDone || walk.Int(0) != acked + 1) break;
      ++acked;
    }
    CK_ASSIGN_OR_RETURN(
        sqlite::Stmt upd,
        db_.Prepare("UPDATE devices SET acked_seq = ?, last_contact = ? WHERE id = ?"));
    upd.Bind(1, acked).Bind(2, now).Bind(3, device_id);
    CK_TRY(upd.Run());
    res.acked_seq = acked;
    return res;
  }

  std::mutex mu_;
  sqlite::Db db_;
};

}  // namespace

base::Result<std::unique_ptr<HubStore>> OpenSqliteStore(const std::string& path) {
  CK_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::Open(path, sqlite::Db::Mode::kReadWriteCreate));
  sqlite3_busy_timeout(db.get(), 5000);
  CK_TRY(db.Exec("PRAGMA journal_mode=WAL"));
  CK_TRY(db.Exec("PRAGMA synchronous=FULL"));
  CK_TRY(db.Exec("PRAGMA foreign_keys=ON"));
  CK_TRY(db.Exec(kSchema));
  return std::unique_ptr<HubStore>(new SqliteStore(std::move(db)));
}

}  // namespace hub
