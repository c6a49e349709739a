// The device-health tables on SQLite (hub.db).
#include <string>
#include <variant>

#include "health_rows.h"
#include "health_sql.h"

namespace hub {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS statuses(
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  received INTEGER NOT NULL,
  format INTEGER NOT NULL,
  app_version TEXT NOT NULL,
  mode TEXT NOT NULL,
  scope_id TEXT NOT NULL,
  registry_seq INTEGER NOT NULL,
  journal_last_seq INTEGER NOT NULL,
  kiosk_time_utc INTEGER NOT NULL,
  uptime_seconds INTEGER NOT NULL,
  disk_free_bytes INTEGER NOT NULL,
  clock_corrections INTEGER NOT NULL,
  failed_scans TEXT NOT NULL,
  temperature_millicelsius INTEGER,
  undervoltage INTEGER);
CREATE INDEX IF NOT EXISTS statuses_by_device ON statuses(device_id, id);
CREATE TABLE IF NOT EXISTS contacts(
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  time INTEGER NOT NULL,
  what TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS contacts_by_device ON contacts(device_id, id);
)sql";

using Step = sqlite::Stmt::StepResult;

// `sql` with `params` bound (the strings live in `params` until the statement is done).
base::Result<sqlite::Stmt> Prepared(sqlite::Db& db, const char* sql,
                                    const std::vector<SqlValue>& params) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db.Prepare(sql));
  for (size_t i = 0; i < params.size(); ++i) {
    const int at = static_cast<int>(i) + 1;
    if (const int64_t* n = std::get_if<int64_t>(&params[i])) {
      st.Bind(at, *n);
    } else if (const std::string* t = std::get_if<std::string>(&params[i])) {
      st.Bind(at, std::string_view(*t));
    } else {
      st.BindNull(at);
    }
  }
  return st;
}

base::Status Run(sqlite::Db& db, const char* sql, const std::vector<SqlValue>& params) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, Prepared(db, sql, params));
  return st.Run();
}

base::Result<std::vector<DeviceStatus>> ReadStatuses(sqlite::Db& db, const char* sql,
                                                     const std::vector<SqlValue>& params) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, Prepared(db, sql, params));
  std::vector<DeviceStatus> out;
  while (true) {
    CK_ASSIGN_OR_RETURN(Step r, st.Step());
    if (r == Step::kDone) return out;
    CK_ASSIGN_OR_RETURN(DeviceStatus s, ReadStatus(st));
    out.push_back(std::move(s));
  }
}

}  // namespace

base::Status SqliteHealthRows::CreateTables() { return conn_.Exec(kSchema); }

base::Status SqliteHealthRows::InsertStatus(const DeviceStatus& s, int64_t keep) {
  CK_TRY(Run(conn_, kInsertStatusSql, StatusParams(s)));
  return Run(conn_, kPruneStatusesSql, {s.device_id, keep});
}

base::Result<std::vector<DeviceStatus>> SqliteHealthRows::LatestStatuses() {
  return ReadStatuses(conn_, kLatestStatusesSql, {});
}

base::Result<std::vector<DeviceStatus>> SqliteHealthRows::Statuses(int64_t device_id,
                                                                   int64_t limit) {
  return ReadStatuses(conn_, kStatusesSql, {device_id, limit});
}

base::Status SqliteHealthRows::InsertContact(const Contact& c, int64_t keep) {
  CK_TRY(Run(conn_, kInsertContactSql, ContactParams(c)));
  return Run(conn_, kPruneContactsSql, {c.device_id, keep});
}

base::Result<std::vector<Contact>> SqliteHealthRows::Contacts(int64_t device_id, int64_t limit) {
  const std::vector<SqlValue> params{device_id, limit};
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, Prepared(conn_, kContactsSql, params));
  std::vector<Contact> out;
  while (true) {
    CK_ASSIGN_OR_RETURN(Step r, st.Step());
    if (r == Step::kDone) return out;
    out.push_back(ReadContact(st));
  }
}

}  // namespace hub
