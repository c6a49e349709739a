#include "journal/journal.h"

#include <sqlite3.h>

#include <cstdlib>
#include <cstring>

#include "file_watch.h"
#include "journal/entry_columns.h"

namespace journal {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS entries(
  seq INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
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
  hash BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS entries_by_member ON entries(rid, offer_id, event_id, time_utc) WHERE rid IS NOT NULL;
CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_checkins ON entries(event_id, rid)
  WHERE kind = 'checkin' AND decision = 'accepted';
CREATE TRIGGER IF NOT EXISTS entries_append_only BEFORE INSERT ON entries
  WHEN NEW.seq <= (SELECT coalesce(max(seq), 0) FROM entries)
  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
)sql";

// The entry columns in journal.db's order (journal/entry_columns.h).
const std::string& Columns() {
  static const std::string names = EntryColumnNames();
  return names;
}

void CopyHash(base::ByteSpan b, Hash* h) {
  *h = {};
  std::memcpy(h->data(), b.data(), std::min(b.size(), h->size()));
}

base::Result<Entry> ReadRow(const sqlite::Stmt& st) {
  Entry e;
  base::Status read = ReadEntryColumns(st, 0, &e);
  if (read.code() == base::StatusCode::kDataLoss) {
    return base::DataLoss("journal entry " + std::to_string(e.seq) + ": " + read.message());
  }
  CK_TRY(read);
  return e;
}

}  // namespace

Journal::Journal(sqlite::Db db, const base::Clock& clock) : db_(std::move(db)), clock_(clock) {}
Journal::~Journal() = default;

base::Result<std::unique_ptr<Journal>> Journal::Open(const std::string& path,
                                                     const base::Clock& clock,
                                                     const JournalOptions& options) {
  const char* vfs = options.sqlite_vfs.empty() ? nullptr : options.sqlite_vfs.c_str();
  CK_ASSIGN_OR_RETURN(sqlite::Db db,
                      sqlite::Db::Open(path, sqlite::Db::Mode::kReadWriteCreate, vfs));
  std::unique_ptr<Journal> j(new Journal(std::move(db), clock));
  j->watch_ = std::make_unique<FileWatch>();
  // WAL: an append is one sequential write and one fsync; FULL: that fsync happens at every commit.
  CK_TRY(j->db_.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=2000"));
  CK_TRY(j->db_.Exec(kSchema));
  CK_TRY(AddMissingEntryColumns(j->db_));
  // After the format-2 columns exist: the voids by the entry they cancel.
  CK_TRY(
      j->db_.Exec("CREATE INDEX IF NOT EXISTS entries_voids ON entries(ref_uuid) "
                  "WHERE kind = 'void'"));
  CK_TRY(j->LoadIdentity(options.previous));
  CK_TRY(j->Prepare());
  CK_TRY(j->LoadTail());
  CK_TRY(j->watch_->Start(path));
  return j;
}

// The journal id is made once, with the chain (or on the first open of a journal older than the
// id), in the same transaction as the chain's link to the one before it, if any.
base::Status Journal::LoadIdentity(const std::optional<PreviousChain>& previous) {
  CK_TRY(ReadIdentity());
  if (!id_.journal_id.empty()) return base::Status::Ok();  // the usual open: no write
  CK_TRY(db_.Exec("BEGIN IMMEDIATE"));
  base::Status made = [&]() -> base::Status {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt add,
                        db_.Prepare("INSERT OR IGNORE INTO meta(key, value) VALUES(?, ?)"));
    CK_TRY(add.Bind(1, std::string_view("journal_id")).Bind(2, NewUuid()).Run());
    // Another process may have made the id between the read and the transaction.
    if (sqlite3_changes(db_.get()) == 0 || !previous.has_value()) return base::Status::Ok();
    add.Reset();
    CK_TRY(
        add.Bind(1, std::string_view("previous_journal_id")).Bind(2, previous->journal_id).Run());
    add.Reset();
    return add.Bind(1, std::string_view("previous_last_seq"))
        .Bind(2, std::to_string(previous->last_seq))
        .Run();
  }();
  if (!made.ok()) {
    (void)db_.Exec("ROLLBACK");
    return made.WithContext("journal id");
  }
  CK_TRY(db_.Exec("COMMIT"));
  return ReadIdentity();
}

base::Status Journal::ReadIdentity() {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db_.Prepare("SELECT key, value FROM meta"));
  for (;;) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    if (r == sqlite::Stmt::StepResult::kDone) return base::Status::Ok();
    const std::string key = st.Text(0);
    if (key == "journal_id") id_.journal_id = st.Text(1);
    if (key == "previous_journal_id") id_.previous_journal_id = st.Text(1);
    if (key == "previous_last_seq")
      id_.previous_last_seq = std::strtoll(st.Text(1).c_str(), nullptr, 10);
  }
}

base::Status Journal::CheckFiles() {
  if (!broken_.ok()) return broken_;
  // Stays failed (every error here is kDataLoss): the next append must not go into a file nobody
  // will ever read.
  broken_ = watch_->Check();
  return broken_;
}

base::Status Journal::Prepare() {
  // An entry that a void cancels is not counted (entries_voids).
  const std::string not_voided =
      " AND NOT EXISTS (SELECT 1 FROM entries v WHERE v.kind = 'void' AND v.ref_uuid = "
      "entries.uuid)";
  CK_ASSIGN_OR_RETURN(insert_, db_.Prepare("INSERT INTO entries(" + Columns() + ") VALUES(" +
                                           EntryPlaceholders() + ")"));
  CK_ASSIGN_OR_RETURN(
      usage_, db_.Prepare("SELECT count(*), coalesce(sum(discount_minor + cashback_minor), 0) FROM "
                          "entries WHERE rid = ? AND offer_id = ? "
                          "AND event_id = '' AND kind = 'discount' AND decision = "
                          "'accepted' AND time_utc >= ? AND time_utc < ?" +
                          not_voided));
  CK_ASSIGN_OR_RETURN(checkins_,
                      db_.Prepare("SELECT count(*), coalesce(min(time_utc), 0) FROM entries WHERE "
                                  "rid = ? AND offer_id = '' AND event_id = ? "
                                  "AND kind = 'checkin' AND decision = 'accepted'" +
                                  not_voided));
  CK_ASSIGN_OR_RETURN(attendance_,
                      db_.Prepare("SELECT count(DISTINCT rid) FROM entries WHERE event_id = ? AND "
                                  "kind = 'checkin' AND decision = 'accepted'" +
                                  not_voided));
  CK_ASSIGN_OR_RETURN(manual_, db_.Prepare("SELECT count(*) FROM entries WHERE event_id = ? AND "
                                           "kind = 'manual_count' AND decision = 'accepted'" +
                                           not_voided));
  return base::Status::Ok();
}

base::Status Journal::LoadTail() {
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt st,
      db_.Prepare("SELECT seq, time_utc, hash FROM entries ORDER BY seq DESC LIMIT 1"));
  CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
  if (r == sqlite::Stmt::StepResult::kRow) {
    last_seq_ = st.Int(0);
    last_time_ = st.Int(1);
    CopyHash(st.Blob(2), &last_hash_);
  } else {
    last_seq_ = 0;
    last_time_ = 0;
    last_hash_ = {};
  }
  return base::Status::Ok();
}

base::Result<Entry> Journal::Append(const NewEntry& n) {
  for (const std::string* text :
       {&n.partner_id, &n.event_id, &n.offer_id, &n.verdict, &n.decision, &n.ref_uuid, &n.actor}) {
    if (text->size() > kMaxTextBytes) {
      return base::InvalidArgument("journal: a text field is longer than " +
                                   std::to_string(kMaxTextBytes) + " bytes");
    }
  }
  if (n.purchase_minor < 0 || n.discount_minor < 0 || n.purchase_minor > kMaxAmountMinor ||
      n.discount_minor > kMaxAmountMinor || n.cashback_minor < 0 ||
      n.cashback_minor > kMaxAmountMinor) {
    return base::InvalidArgument("journal: amount out of range");
  }
  if (n.clock_before_utc < 0 || n.clock_before_utc > kMaxTimeUtc) {
    return base::InvalidArgument("journal: clock_before_utc out of range");
  }
  CK_TRY(CheckFiles());  // before: a file truncated earlier would grow back with this entry
  Entry e;
  e.seq = last_seq_ + 1;
  e.uuid = NewUuid();
  e.kind = n.kind;
  e.time_utc = clock_.NowUnixSeconds();
  e.mono_ns = clock_.MonotonicNanos();
  e.rid = n.rid;
  e.partner_id = n.partner_id;
  e.event_id = n.event_id;
  e.offer_id = n.offer_id;
  e.purchase_minor = n.purchase_minor;
  e.discount_minor = n.discount_minor;
  e.bundle_seq = n.bundle_seq;
  e.verdict = n.verdict;
  e.decision = n.decision;
  e.cashback_minor = n.cashback_minor;
  e.ref_uuid = n.ref_uuid;
  e.actor = n.actor;
  e.clock_before_utc = n.clock_before_utc;
  e.prev_hash = last_hash_;
  e.hash = ComputeHash(e);
  BindEntryColumns(insert_, 1, e);
  base::Status st = insert_.Run();  // autocommit: durable when it returns
  if (!st.ok()) {
    insert_.Reset();
    CK_TRY(CheckFiles());  // a file truncated underneath fails the insert: say that, not SQLite's
    // Another writer may have appended (a second process on the same file): reload and say so.
    attendance_counts_.clear();
    manual_counts_.clear();
    (void)LoadTail();
    return st.WithContext("journal append");
  }
  // And after the commit: an entry that went into a file removed or replaced while it was written
  // is reported as not recorded: it is nowhere anyone will read it.
  CK_TRY(CheckFiles());
  last_seq_ = e.seq;
  last_time_ = e.time_utc;
  last_hash_ = e.hash;
  CountCheckin(e);
  return e;
}

void Journal::CountCheckin(const Entry& e) {
  if (e.kind == Kind::kVoid) {
    // What it cancels is counted again from the journal: a member's only check-in there, or
    // one of several, or a manual count.
    attendance_counts_.erase(e.event_id);
    manual_counts_.erase(e.event_id);
    return;
  }
  if (e.kind == Kind::kManualCount && e.decision == kAccepted) {
    if (auto it = manual_counts_.find(e.event_id); it != manual_counts_.end()) ++it->second;
    return;
  }
  if (e.kind != Kind::kCheckin || e.decision != kAccepted || !e.rid) return;
  auto it = attendance_counts_.find(e.event_id);
  if (it == attendance_counts_.end()) return;  // not counted yet: the next query counts it
  base::Result<std::pair<int64_t, int64_t>> n = CheckinsOf(*e.rid, e.event_id);
  if (!n.ok()) {
    attendance_counts_.erase(it);  // count again from the journal next time
  } else if (n->first == 1) {
    ++it->second;
  }
}

base::Result<int64_t> Journal::StateValue(const char* key) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db_.Prepare("SELECT value FROM state WHERE key = ?"));
  st.Bind(1, std::string(key));
  CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
  return r == sqlite::Stmt::StepResult::kRow ? st.Int(0) : int64_t{0};
}

base::Result<int64_t> Journal::AckedSeq() { return StateValue("acked_seq"); }

base::Result<int64_t> Journal::ExportedSeq() { return StateValue("exported_seq"); }

base::Status Journal::MarkExported(int64_t seq) {
  if (seq > last_seq_) {
    return base::OutOfRange("cannot mark seq " + std::to_string(seq) +
                            " exported: the journal ends at " + std::to_string(last_seq_));
  }
  CK_ASSIGN_OR_RETURN(int64_t current, ExportedSeq());
  CK_TRY(CheckFiles());
  if (seq <= current) return base::Status::Ok();
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt st,
      db_.Prepare("INSERT OR REPLACE INTO state(key, value) VALUES('exported_seq', ?)"));
  return st.Bind(1, seq).Run();
}

base::Status Journal::Ack(int64_t seq) {
  if (seq > last_seq_) {
    return base::OutOfRange("cannot acknowledge seq " + std::to_string(seq) +
                            ": the journal ends at " + std::to_string(last_seq_));
  }
  CK_ASSIGN_OR_RETURN(int64_t current, AckedSeq());
  CK_TRY(CheckFiles());
  if (seq <= current) return base::Status::Ok();  // acknowledgements never move back
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt st,
      db_.Prepare("INSERT OR REPLACE INTO state(key, value) VALUES('acked_seq', ?)"));
  return st.Bind(1, seq).Run();
}

base::Status Journal::ForEach(int64_t from_seq, const std::function<base::Status(const Entry&)>& fn,
                              int64_t to_seq) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      db_.Prepare("SELECT " + Columns() +
                                  " FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq"));
  st.Bind(1, from_seq).Bind(2, to_seq);
  for (;;) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    if (r == sqlite::Stmt::StepResult::kDone) return base::Status::Ok();
    CK_ASSIGN_OR_RETURN(Entry e, ReadRow(st));
    CK_TRY(fn(e));
  }
}

base::Result<DiscountUsage> Journal::Usage(const card::Rid& rid, const std::string& offer_id,
                                           int64_t from, int64_t to) {
  usage_.Bind(1, rid).Bind(2, offer_id).Bind(3, from).Bind(4, to);
  base::Result<sqlite::Stmt::StepResult> r = usage_.Step();
  DiscountUsage u;
  if (r.ok()) u = {usage_.Int(0), usage_.Int(1)};
  usage_.Reset();
  if (!r.ok()) return r.status();
  return u;
}

base::Result<std::pair<int64_t, int64_t>> Journal::CheckinsOf(const card::Rid& rid,
                                                              const std::string& event_id) {
  checkins_.Bind(1, rid).Bind(2, event_id);
  base::Result<sqlite::Stmt::StepResult> r = checkins_.Step();
  std::pair<int64_t, int64_t> out;
  if (r.ok()) out = {checkins_.Int(0), checkins_.Int(1)};
  checkins_.Reset();
  if (!r.ok()) return r.status();
  return out;
}

base::Result<int64_t> Journal::Attendance(const std::string& event_id) {
  if (auto it = attendance_counts_.find(event_id); it != attendance_counts_.end())
    return it->second;
  attendance_.Bind(1, event_id);
  base::Result<sqlite::Stmt::StepResult> r = attendance_.Step();
  int64_t n = r.ok() ? attendance_.Int(0) : 0;
  attendance_.Reset();
  if (!r.ok()) return r.status();
  attendance_counts_[event_id] = n;
  return n;
}

base::Result<int64_t> Journal::ManualCount(const std::string& event_id) {
  if (auto it = manual_counts_.find(event_id); it != manual_counts_.end()) return it->second;
  manual_.Bind(1, event_id);
  base::Result<sqlite::Stmt::StepResult> r = manual_.Step();
  int64_t n = r.ok() ? manual_.Int(0) : 0;
  manual_.Reset();
  if (!r.ok()) return r.status();
  manual_counts_[event_id] = n;
  return n;
}

base::Result<int64_t> Journal::CountKind(const std::string& kind) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db_.Prepare("SELECT count(*) FROM entries WHERE kind = ?"));
  st.Bind(1, kind);
  CK_TRY(st.Step().status());
  return st.Int(0);
}

base::Result<ChainReport> Journal::VerifyChain() {
  ChainReport report;
  ChainChecker chain(1, Hash{});
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      db_.Prepare("SELECT " + Columns() + " FROM entries ORDER BY seq"));
  for (;;) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    if (r == sqlite::Stmt::StepResult::kDone) break;
    ++report.entries;
    base::Result<Entry> row = ReadRow(st);
    if (row.ok()) {
      chain.Add(*row);
    } else {
      chain.Unreadable(st.Int(0), row.status().message());  // a row no kiosk could have written
    }
  }
  report.first_bad_seq = chain.first_bad_seq();
  report.problem = chain.problem();
  return report;
}

}  // namespace journal
