// The device-health row operations (TableRows::InsertStatus ... Contacts) on each database, for
// sqlite_store.cc and postgres_store.cc: the tables, created with the rest of the schema, and the
// statements of health_sql.h. Internal to ck_hub.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "hub/device_status.h"
#include "hub/tables.h"
#include "postgres_conn.h"
#include "sqlite/db.h"

namespace hub {

// The statuses and contacts tables on one connection (the caller serialises its use), with the
// same operations on both databases.
class SqliteHealthRows {
 public:
  explicit SqliteHealthRows(sqlite::Db& conn) : conn_(conn) {}

  // Creates the tables and their indexes if missing.
  base::Status CreateTables();
  base::Status InsertStatus(const DeviceStatus& s, int64_t keep);
  base::Result<std::vector<DeviceStatus>> LatestStatuses();
  base::Result<std::vector<DeviceStatus>> Statuses(int64_t device_id, int64_t limit);
  base::Status InsertContact(const Contact& c, int64_t keep);
  base::Result<std::vector<Contact>> Contacts(int64_t device_id, int64_t limit);

 private:
  sqlite::Db& conn_;
};

class PostgresHealthRows {
 public:
  explicit PostgresHealthRows(pg::PgConnection& conn) : conn_(conn) {}

  // Creates the tables and their indexes if missing.
  base::Status CreateTables();
  base::Status InsertStatus(const DeviceStatus& s, int64_t keep);
  base::Result<std::vector<DeviceStatus>> LatestStatuses();
  base::Result<std::vector<DeviceStatus>> Statuses(int64_t device_id, int64_t limit);
  base::Status InsertContact(const Contact& c, int64_t keep);
  base::Result<std::vector<Contact>> Contacts(int64_t device_id, int64_t limit);

 private:
  pg::PgConnection& conn_;
};

// The TableRows health operations, forwarded to `Health` (SqliteHealthRows, PostgresHealthRows):
// the base of each database's TableRows.
template <typename Health>
class HealthTableRows : public TableRows {
 public:
  explicit HealthTableRows(Health health) : health_(health) {}

  base::Status InsertStatus(const DeviceStatus& s, int64_t keep) override {
    return health_.InsertStatus(s, keep);
  }
  base::Result<std::vector<DeviceStatus>> LatestStatuses() override {
    return health_.LatestStatuses();
  }
  base::Result<std::vector<DeviceStatus>> Statuses(int64_t device_id, int64_t limit) override {
    return health_.Statuses(device_id, limit);
  }
  base::Status InsertContact(const Contact& c, int64_t keep) override {
    return health_.InsertContact(c, keep);
  }
  base::Result<std::vector<Contact>> Contacts(int64_t device_id, int64_t limit) override {
    return health_.Contacts(device_id, limit);
  }

 private:
  Health health_;
};

}  // namespace hub
