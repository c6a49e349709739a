#include "sqlite/db.h"

namespace sqlite {

base::Status Error(sqlite3* db, int rc, std::string_view what) {
  std::string m(what);
  m += ": ";
  m += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return base::DataLoss(std::move(m));
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return base::Status(base::StatusCode::kIo, std::move(m));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return base::Unavailable(std::move(m));
    case SQLITE_CONSTRAINT:
      return base::AlreadyExists(std::move(m));
    default:
      return base::Internal(std::move(m));
  }
}

base::Result<Db> Db::Open(const std::string& path, Mode mode, const char* vfs) {
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (mode) {
    case Mode::kReadOnly:
      flags |= SQLITE_OPEN_READONLY;
      break;
    case Mode::kReadWrite:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case Mode::kReadWriteCreate:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
  Db db(raw);
  if (rc != SQLITE_OK) return Error(raw, rc, "opening " + path);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = other.db_;
    other.db_ = nullptr;
  }
  return *this;
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

base::Status Db::Close() {
  if (db_ == nullptr) return base::Status::Ok();
  int rc = sqlite3_close(db_);
  if (rc != SQLITE_OK) return Error(db_, rc, "closing database");
  db_ = nullptr;
  return base::Status::Ok();
}

base::Status Db::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(db_, rc, "executing SQL");
  return base::Status::Ok();
}

base::Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return Error(db_, rc, "preparing SQL");
  return Stmt(s);
}

base::Status Db::QuickCheck() {
  CK_ASSIGN_OR_RETURN(Stmt st, Prepare("PRAGMA quick_check(1)"));
  CK_ASSIGN_OR_RETURN(Stmt::StepResult r, st.Step());
  if (r != Stmt::StepResult::kRow) return base::DataLoss("quick_check returned nothing");
  std::string verdict = st.Text(0);
  if (verdict != "ok") return base::DataLoss("quick_check: " + verdict);
  return base::Status::Ok();
}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

Stmt& Stmt::Bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::Bind(int i, base::ByteSpan blob) {
  sqlite3_bind_blob(stmt_, i, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
  return *this;
}

Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

base::Result<Stmt::StepResult> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return StepResult::kRow;
  if (rc == SQLITE_DONE) return StepResult::kDone;
  return Error(sqlite3_db_handle(stmt_), rc, "stepping statement");
}

base::Status Stmt::Run() {
  for (;;) {
    CK_ASSIGN_OR_RETURN(StepResult r, Step());
    if (r == StepResult::kDone) break;
  }
  Reset();
  return base::Status::Ok();
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Stmt::Text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

base::ByteSpan Stmt::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return {static_cast<const uint8_t*>(p), static_cast<size_t>(n)};
}

}  // namespace sqlite
