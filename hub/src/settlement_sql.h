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
// those one cancels). Its parameters, in order: [utc offset (kDay, kHour)], from, to, kind.
// Served by the covering index entries_settlement (a range of it, never the table's rows) and,
// for the voids, by entries_voided_by. The void check is the one part whose text differs between
// the backends.
std::string SumEntriesSql(const SumQuery& q, Placeholders p);

// The index SumEntriesSql reads instead of the table: the accepted entries of one kind, by
// device and then in time order, with every column the sums and the details need (and decision:
// SQLite reads a partial index as covering only when it holds the columns of its WHERE; SQLite
// adds the rowid, which the void check uses). By device first, so that an import writes each
// kiosk's entries at the end of that kiosk's part of the index, not all over it; the report
// reads one range per device. Partial (accepted entries only) and without the uuid, so that it
// stays small. Created with the schema, after the format-2 columns exist (cashback_minor). It
// replaces entries_by_time (a plain index on time_utc that sent every row to the table), which
// is dropped.
inline constexpr char kDropEntriesByTimeIndex[] = "DROP INDEX IF EXISTS entries_by_time";
inline constexpr char kEntriesSettlementIndex[] =
    "CREATE INDEX IF NOT EXISTS entries_settlement ON entries(kind, device_id, time_utc, "
    "partner_id, event_id, offer_id, rid, purchase_minor, discount_minor, cashback_minor, "
    "decision) WHERE decision = 'accepted'";
// PostgreSQL's: the same keys, the other columns INCLUDEd, and the uuid too (its void check is
// an anti-join on the uuid; without it every row would be read from the table). An index-only
// scan, once VACUUM (autovacuum) has marked the table's pages all-visible.
inline constexpr char kEntriesSettlementIndexPostgres[] =
    "CREATE INDEX IF NOT EXISTS entries_settlement ON entries(kind, device_id, time_utc) "
    "INCLUDE (partner_id, event_id, offer_id, rid, purchase_minor, discount_minor, "
    "cashback_minor, decision, uuid) WHERE decision = 'accepted'";
// The check-ins refused as repeats (SumQuery::repeats), the same keys: few rows, so that the
// Events page's count of them reads a range of this, not the table. Covering on SQLite (every
// column SumEntriesSql reads, the decision for its WHERE); PostgreSQL's with the uuid for the void
// check.
inline constexpr char kEntriesRepeatsIndex[] =
    "CREATE INDEX IF NOT EXISTS entries_repeats ON entries(kind, device_id, time_utc, event_id, "
    "rid, purchase_minor, discount_minor, cashback_minor, decision) "
    "WHERE decision = 'ALREADY_CHECKED_IN'";
inline constexpr char kEntriesRepeatsIndexPostgres[] =
    "CREATE INDEX IF NOT EXISTS entries_repeats ON entries(kind, device_id, time_utc) "
    "INCLUDE (event_id, rid, purchase_minor, discount_minor, cashback_minor, decision, uuid) "
    "WHERE decision = 'ALREADY_CHECKED_IN'";
// After the format-2 columns exist (ref_uuid): the voids only, by the entry they name.
inline constexpr char kEntriesVoidedByIndex[] =
    "CREATE INDEX IF NOT EXISTS entries_voided_by ON entries(device_id, ref_uuid) "
    "WHERE kind = 'void'";

}  // namespace hub
