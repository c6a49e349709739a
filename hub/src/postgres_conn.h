// libpq plumbing for the hub's PostgreSQL tables: RAII handles, query parameters, text-format
// result fields, errors as Status, and one connection that reconnects and retries transactions.
// Internal to ck_hub (hub/src).
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace hub::pg {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// libpq's message without its trailing newline.
std::string TrimMessage(const char* m);

// The Status for a failed result: unique violations are kAlreadyExists, lost connections and
// serialisation failures kUnavailable (worth retrying), anything else kInternal.
base::Status ErrorOf(const PGresult* r, PGconn* conn);

// Query parameters: integers and strings as text, byte strings as binary (bytea).
class Params {
 public:
  Params& Int(int64_t v) {
    Push(std::to_string(v), 0);
    return *this;
  }
  Params& Text(std::string_view v) {
    if (v.find('\0') != std::string_view::npos) has_nul_ = true;
    Push(std::string(v), 0);
    return *this;
  }
  Params& Bytes(base::ByteSpan b) {
    Push(std::string(base::AsChars(b)), 1);
    return *this;
  }
  Params& Null() {
    values_.emplace_back();
    nulls_.push_back(true);
    formats_.push_back(0);
    return *this;
  }

  bool has_nul() const { return has_nul_; }
  int size() const { return static_cast<int>(values_.size()); }
  // Pointers into values_: valid until the next Push.
  void Arrays(std::vector<const char*>* values, std::vector<int>* lengths) const;
  const int* formats() const { return formats_.data(); }

 private:
  void Push(std::string v, int format) {
    values_.push_back(std::move(v));
    nulls_.push_back(false);
    formats_.push_back(format);
  }
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::vector<int> formats_;
  bool has_nul_ = false;
};

// Text-format result fields.
std::string Str(const PGresult* r, int row, int col);
std::string_view StrView(const PGresult* r, int row, int col);  // valid while r lives
int64_t Int(const PGresult* r, int row, int col);
bool IsNull(const PGresult* r, int row, int col);
// bytea columns are selected as encode(col, 'hex').
base::Result<base::Bytes> Blob(const PGresult* r, int row, int col);
// The row count of an INSERT/UPDATE/DELETE result.
int64_t ChangedRows(const PGresult* r);

// One connection. Not thread-safe: the caller serialises its use.
class PgConnection {
 public:
  explicit PgConnection(Conn conn) : conn_(std::move(conn)) {}

  PGconn* get() const { return conn_.get(); }
  // Re-establishes a broken connection (the server restarted, a network blip).
  base::Status Connected();
  base::Result<PgResult> Exec(const std::string& sql, const Params& p);
  // Runs body between `begin` (BEGIN, or a BEGIN with its isolation level) and COMMIT (ROLLBACK
  // when it fails); a transaction that failed on a serialisation failure, a deadlock or a dropped
  // connection is run again (up to 3 times).
  base::Status InTransaction(const std::function<base::Status()>& body,
                             const std::string& begin = "BEGIN");

 private:
  Conn conn_;
};

}  // namespace hub::pg
