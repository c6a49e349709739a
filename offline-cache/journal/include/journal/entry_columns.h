// The SQL columns of a journal entry: one table of (name, type, getter, setter) that every store of
// entries builds its statements from and binds or reads its values through: the kiosk's
// journal.db and the hub's SQLite and PostgreSQL `entries` tables. The hashed bytes
// (CanonicalBytes) do not depend on it. Stateless; the table is constant, so thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "base/bytes.h"
#include "base/status.h"
#include "journal/entry.h"
#include "sqlite/db.h"

namespace journal {

enum class ColumnType { kInteger, kText, kBlob };

// One column value. std::monostate is SQL NULL (only `rid` is ever NULL: an entry without a
// member). Views point into the entry (getters) or the row being read (setters): they live only
// as long as those.
using ColumnValue = std::variant<std::monostate, int64_t, std::string_view, base::ByteSpan>;

struct EntryColumn {
  std::string_view name;
  ColumnType type;
  ColumnValue (*get)(const Entry& e);
  // Takes a value of `type` (or NULL) read back from a row; kDataLoss when it cannot be an
  // entry's (a rid that is not 8 bytes), InvalidArgument for an unknown kind. A NULL integer or
  // text reads as 0 or "", a hash of the wrong length is cut or zero-filled to 32 bytes (the
  // chain check then reports the entry).
  base::Status (*set)(const ColumnValue& v, Entry* e);
  // 1: in the tables since they were made; 2: added to an existing table when it is opened
  // (AddMissingEntryColumns), NOT NULL with the default 0 or ''.
  int since_format = 1;
};

inline constexpr size_t kEntryColumnCount = 20;

// seq, uuid, kind, time_utc, mono_ns, rid, partner_id, event_id, offer_id, purchase_minor,
// discount_minor, bundle_seq, verdict, decision, prev_hash, hash (the order of journal.db's
// CREATE TABLE), then the format-2 columns cashback_minor, ref_uuid, actor, clock_before_utc.
const std::array<EntryColumn, kEntryColumnCount>& EntryColumns();

// "seq, uuid, ..., hash", each name after `prefix` (e.g. "e.").
std::string EntryColumnNames(std::string_view prefix = "");

// "?, ?, ..., ?": one SQLite parameter per entry column.
std::string EntryPlaceholders();

// SQLite: binds the entry to parameters first_param .. first_param + 15 (views: the entry must
// outlive the statement's next step), and reads it from columns first_col .. first_col + 15.
void BindEntryColumns(sqlite::Stmt& st, int first_param, const Entry& e);
base::Status ReadEntryColumns(const sqlite::Stmt& st, int first_col, Entry* e);

// The SQL that adds a format-2 column to an `entries` table that lacks it:
// "ALTER TABLE entries ADD COLUMN <name> <type> NOT NULL DEFAULT <0 or ''>", with `if_not_exists`
// as PostgreSQL writes it. `integer_type` is "INTEGER" (SQLite) or "BIGINT" (PostgreSQL).
std::string AddEntryColumnSql(const EntryColumn& c, std::string_view integer_type,
                              bool if_not_exists);

// SQLite: adds the format-2 columns an existing `entries` table lacks (a journal.db or hub.db made
// by an older version). Call inside the transaction that creates the schema, or before anyone
// else writes.
base::Status AddMissingEntryColumns(sqlite::Db& db);

}  // namespace journal
