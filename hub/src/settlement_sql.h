// The settlement report's SQL, one text for SQLite and PostgreSQL (only the placeholders differ),
// so that both backends sum exactly the same rows. Internal to ck_hub.
#pragma once

#include <string>

#include "hub/store.h"

namespace hub {

// Placeholders: SQLite "?" or PostgreSQL "$1, $2, ...".
enum class Placeholders { kQuestionMarks, kNumbered };

// SELECT scope_id, detail, count, purchase, discount, members, cashback over the accepted entries
// of q.kind with time in [from, to) that no void entry of their device cancels (q.voided: only
// those one cancels). Its parameters, in order: [utc offset (kDay, kHour)], from, to, kind. Served
// by the indexes entries_by_time(time_utc) and entries_voided_by.
std::string SumEntriesSql(const SumQuery& q, Placeholders p);

// The index SumEntriesSql needs; created with the schema.
inline constexpr char kEntriesByTimeIndex[] =
    "CREATE INDEX IF NOT EXISTS entries_by_time ON entries(time_utc)";
// After the format-2 columns exist (ref_uuid).
inline constexpr char kEntriesVoidedByIndex[] =
    "CREATE INDEX IF NOT EXISTS entries_voided_by ON entries(device_id, ref_uuid) "
    "WHERE kind = 'void'";

}  // namespace hub
