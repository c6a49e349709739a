// RAII wrappers for SQLite connections and statements, with errors as Status values.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace sqlite {

// Maps an SQLite result code to a Status ("what: message").
base::Status Error(sqlite3* db, int rc, std::string_view what);

class Stmt;

// One connection. Move-only; not thread-safe (SQLite's default threading mode applies).
class Db {
 public:
  enum class Mode { kReadOnly, kReadWrite, kReadWriteCreate };

  // `vfs`: the name of a registered SQLite VFS to open the file through; nullptr for the default.
  static base::Result<Db> Open(const std::string& path, Mode mode, const char* vfs = nullptr);

  Db() = default;
  Db(Db&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  sqlite3* get() const { return db_; }
  base::Status Exec(std::string_view sql);
  base::Result<Stmt> Prepare(std::string_view sql);
  // `PRAGMA quick_check`: OK, or kDataLoss with SQLite's first complaint.
  base::Status QuickCheck();
  base::Status Close();

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// A prepared statement, reusable after Reset(). Move-only; must not outlive its Db.
class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Binds are 1-based like SQLite's. Blobs and text are copied only if `transient` (default: the
  // caller keeps the memory alive until the statement is stepped).
  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, std::string_view text);
  Stmt& Bind(int i, base::ByteSpan blob);
  Stmt& BindNull(int i);

  // kRow: a row is ready; kDone: finished. Errors come back as Status.
  enum class StepResult { kRow, kDone };
  base::Result<StepResult> Step();
  // Steps to completion, for statements that return no rows.
  base::Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const;
  base::ByteSpan Blob(int col) const;  // valid until the next Step/Reset

  sqlite3_stmt* get() const { return stmt_; }

 private:
  friend class Db;
  explicit Stmt(sqlite3_stmt* s) : stmt_(s) {}
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a reused statement when the scope ends, on every path.
class ResetOnExit {
 public:
  explicit ResetOnExit(Stmt& st) : st_(st) {}
  ~ResetOnExit() { st_.Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Stmt& st_;
};

}  // namespace sqlite
