#include "postgres_conn.h"

#include <cstdlib>

#include "base/hex.h"

namespace hub::pg {
namespace {

bool Retryable(const base::Status& s, PGconn* conn) {
  return s.code() == base::StatusCode::kUnavailable && PQstatus(conn) == CONNECTION_OK;
}

}  // namespace

std::string TrimMessage(const char* m) {
  std::string s = m ? m : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

base::Status ErrorOf(const PGresult* r, PGconn* conn) {
  if (r == nullptr) return base::Unavailable("postgres: " + TrimMessage(PQerrorMessage(conn)));
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string code = state ? state : "";
  std::string msg = "postgres: " + TrimMessage(PQresultErrorMessage(r));
  if (code == "23505") return base::AlreadyExists(msg);
  if (code.rfind("08", 0) == 0 || code == "40001" || code == "40P01" || code == "57P01") {
    return base::Unavailable(msg);
  }
  if (PQstatus(conn) == CONNECTION_BAD) return base::Unavailable(msg);
  return base::Internal(msg);
}

void Params::Arrays(std::vector<const char*>* values, std::vector<int>* lengths) const {
  values->clear();
  lengths->clear();
  for (size_t i = 0; i < values_.size(); ++i) {
    values->push_back(nulls_[i] ? nullptr : values_[i].data());
    lengths->push_back(static_cast<int>(values_[i].size()));
  }
}

std::string Str(const PGresult* r, int row, int col) { return std::string(StrView(r, row, col)); }
std::string_view StrView(const PGresult* r, int row, int col) {
  return std::string_view(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}
int64_t Int(const PGresult* r, int row, int col) {
  return std::strtoll(PQgetvalue(r, row, col), nullptr, 10);
}
bool IsNull(const PGresult* r, int row, int col) { return PQgetisnull(r, row, col) != 0; }
base::Result<base::Bytes> Blob(const PGresult* r, int row, int col) {
  return base::FromHex(Str(r, row, col));
}
int64_t ChangedRows(const PGresult* r) {
  return std::strtoll(PQcmdTuples(const_cast<PGresult*>(r)), nullptr, 10);
}

base::Status PgConnection::Connected() {
  if (PQstatus(conn_.get()) == CONNECTION_OK) return base::Status::Ok();
  PQreset(conn_.get());
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    return base::Unavailable("postgres: reconnecting failed: " +
                             TrimMessage(PQerrorMessage(conn_.get())));
  }
  return base::Status::Ok();
}

base::Result<PgResult> PgConnection::Exec(const std::string& sql, const Params& p) {
  if (p.has_nul()) return base::InvalidArgument("a text value contains a NUL character");
  std::vector<const char*> values;
  std::vector<int> lengths;
  p.Arrays(&values, &lengths);
  PgResult r(PQexecParams(conn_.get(), sql.c_str(), p.size(), nullptr, values.data(),
                          lengths.data(), p.formats(), 0));
  if (r) {
    ExecStatusType s = PQresultStatus(r.get());
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return r;
  }
  return ErrorOf(r.get(), conn_.get());
}

base::Status PgConnection::InTransaction(const std::function<base::Status()>& body,
                                         const std::string& begin) {
  base::Status st = base::Status::Ok();
  for (int attempt = 0; attempt < 3; ++attempt) {
    CK_TRY(Connected());
    st = Exec(begin, Params()).status();
    if (st.ok()) {
      st = body();
      if (st.ok()) st = Exec("COMMIT", Params()).status();
    }
    if (st.ok()) return st;
    if (PQtransactionStatus(conn_.get()) != PQTRANS_IDLE &&
        PQstatus(conn_.get()) == CONNECTION_OK) {
      (void)Exec("ROLLBACK", Params());
    }
    if (!Retryable(st, conn_.get()) && PQstatus(conn_.get()) == CONNECTION_OK) return st;
  }
  return st;
}

}  // namespace hub::pg
