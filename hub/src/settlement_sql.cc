#include "settlement_sql.h"

namespace hub {

std::string SumEntriesSql(const SumQuery& q, Placeholders p) {
  int n = 0;
  auto param = [&]() {
    ++n;
    return p == Placeholders::kQuestionMarks ? std::string("?") : "$" + std::to_string(n);
  };
  const bool by_event = q.kind == journal::Kind::kCheckin || q.kind == journal::Kind::kManualCount;
  const std::string scope = by_event ? "e.event_id" : "e.partner_id";
  std::string detail = "''";
  std::string join;
  switch (q.detail) {
    case SumDetail::kNone:
      break;
    case SumDetail::kOffer:
      detail = "e.offer_id";
      break;
    case SumDetail::kDevice:
      detail = "d.name";
      join = " JOIN devices d ON d.id = e.device_id";
      break;
    case SumDetail::kMember:
      detail = p == Placeholders::kQuestionMarks ? "lower(hex(e.rid))" : "encode(e.rid, 'hex')";
      break;
    case SumDetail::kDay:
      // Integer division in both databases; the days are counted from 1970-01-01 local time.
      detail = "CAST((e.time_utc + " + param() + ") / 86400 AS TEXT)";
      break;
    case SumDetail::kHour:
      detail = "CAST((e.time_utc + " + param() + ") / 3600 AS TEXT)";
      break;
  }
  const std::string from = param(), to = param(), kind = param();
  // `device_id IN (SELECT id FROM devices)` lets the range of time be read device by device
  // from entries_settlement (kind, device_id, time_utc, ...): every entry has its device.
  // Voids net out: an entry a void of the same device names counts nowhere, whenever the void
  // was made. SQLite: the voided entries' rowids are found once (the voids through
  // entries_voided_by, each one's entry through UNIQUE(device_id, uuid)) and each entry of the
  // range is looked up in that set, so the covering index needs no uuid. PostgreSQL: an
  // anti-join on entries_voided_by (a hash anti-join). q.voided turns both round: only the
  // entries a void cancels.
  const std::string negation = q.voided ? "" : "NOT ";
  const std::string voided =
      p == Placeholders::kQuestionMarks
          ? " AND e.rowid " + negation +
                "IN (SELECT o.rowid FROM entries v JOIN entries o ON o.device_id = "
                "v.device_id AND o.uuid = v.ref_uuid WHERE v.kind = 'void')"
          : " AND " + negation +
                "EXISTS (SELECT 1 FROM entries v WHERE v.kind = 'void' AND v.device_id = "
                "e.device_id AND v.ref_uuid = e.uuid)";
  std::string sql = "SELECT " + scope + ", " + detail +
                    ", COUNT(*), COALESCE(SUM(e.purchase_minor), 0), "
                    "COALESCE(SUM(e.discount_minor), 0), COUNT(DISTINCT e.rid), "
                    "COALESCE(SUM(e.cashback_minor), 0) FROM entries e" +
                    join + " WHERE e.time_utc >= " + from + " AND e.time_utc < " + to +
                    " AND e.kind = " + kind +
                    " AND e.decision = " + (q.repeats ? "'ALREADY_CHECKED_IN'" : "'accepted'") +
                    " AND e.device_id IN (SELECT id FROM devices)" + voided;
  if (q.detail == SumDetail::kMember) sql += " AND e.rid IS NOT NULL";
  sql += " GROUP BY 1, 2 ORDER BY 1, 2";
  return sql;
}

}  // namespace hub
