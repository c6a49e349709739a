// The registry's admin tables (schema version 3, docs/registry-and-bundles.md): the admin keys
// that sign admin cards, apart from the issuer keys, and the admin card ids withdrawn. A registry
// has these tables only when they hold rows (or once a delta added some), so a registry without
// admin cards keeps the bytes older kiosks read; an absent table reads as an empty one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "card/admin_card.h"
#include "card/stores.h"
#include "sqlite/db.h"

namespace registry {

// CREATE TABLE IF NOT EXISTS for both tables.
base::Status CreateAdminTables(sqlite::Db& db);
base::Result<bool> TableExists(sqlite::Db& db, std::string_view name);

// Inserts rows into tables made by CreateAdminTables; `withdrawn` sorted, no duplicates.
base::Status InsertAdminTables(sqlite::Db& db, const std::vector<card::IssuerKey>& keys,
                               const std::vector<card::AdminId>& withdrawn);

// Reads both tables when they exist, each key checked (the SPKI parses, the kid matches it). Rows
// in a registry whose schema version is below kSchemaVersionAdmin are refused (DataLoss).
base::Status ReadAdminTables(sqlite::Db& db, int64_t schema_version, card::MemoryAdminStore* out,
                             size_t* key_count = nullptr, size_t* withdrawn_count = nullptr);

// admin_keys.csv: key_file,not_before,not_after,withdrawn. key_file: a public key PEM, relative to
// the CSV's folder; not_before/not_after: ISO 8601 dates or times, empty = open; withdrawn: yes or
// no (empty = no). Bad rows are reported as "FILE:LINE: why", all of them, and nothing returned.
base::Result<std::vector<card::IssuerKey>> ReadAdminKeysCsv(const std::string& path);
// withdrawn_admins.csv: a column admin_id (16 hex digits, as cardctl issue-admin prints it); other
// columns (a name, a note) are kept out of the registry. Returned sorted, without duplicates.
base::Result<std::vector<card::AdminId>> ReadWithdrawnAdminsCsv(const std::string& path);

}  // namespace registry
