// registry.db: the replaceable registry cache (DESIGN.md section 4). Built by the bundle builder,
// read-only on the kiosk, replaced whole by applying a bundle.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "card/stores.h"
#include "sqlite/db.h"

namespace registry {

// Bumped on any change of the tables below, or of the values they may hold; a kiosk refuses a
// registry of a version it does not read. Version 2 = version 1 whose offers may have kind
// `cashback`: the builder writes it only when an offer does, so a registry without one keeps the
// version-1 bytes that older kiosks read (docs/registry-and-bundles.md).
inline constexpr int64_t kSchemaVersion = 1;
// Version 3 = version 2 with rows in the admin tables (registry/admin_tables.h: admin keys and
// withdrawn admin cards), likewise written only when they hold rows; a version-2 kiosk, which
// would not know the admin card, refuses it.
inline constexpr int64_t kSchemaVersionCashback = 2;
inline constexpr int64_t kSchemaVersionAdmin = 3;
inline constexpr int64_t kMaxSchemaVersion = kSchemaVersionAdmin;  // the highest one read

// Creates every table in an empty database.
base::Status CreateSchema(sqlite::Db& db);

// The `meta` table (key/value), as typed values.
struct Meta {
  int64_t schema_version = kSchemaVersion;
  int64_t seq = 0;        // bundle sequence number
  int64_t created = 0;    // Unix seconds
  int64_t not_after = 0;  // Unix seconds: past it the registry is out of date
  card::ListMode mode = card::ListMode::kDenyList;
  std::string issuer;  // issuer code of the bundle's author
};

base::Status WriteMeta(sqlite::Db& db, const Meta& meta);
base::Result<Meta> ReadMeta(sqlite::Db& db);

std::string_view ListModeName(card::ListMode mode);  // "allow" / "deny"
base::Result<card::ListMode> ParseListMode(std::string_view s);

// Member status as stored: 0 active, 1 suspended, 2 revoked.
int64_t MemberStateCode(card::MemberState s);
base::Result<card::MemberState> MemberStateFromCode(int64_t code);
base::Result<card::MemberState> ParseMemberState(std::string_view s);  // active|suspended|revoked

}  // namespace registry
