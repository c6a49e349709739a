#include "settlement_sql.h"

namespace hub {

std::string SumEntriesSql(const SumQuery& q, Placeholders p) {
  int n = 0;
  auto param = [&]() {
    ++n;
    return p == Placeholders::kQuestionMarks ? std::string("?") : "$" + std::to_string(n);
  };
  const std::string scope = q.kind == journal::Kind::kCheckin ? "e.event_id" : "e.partner_id";
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
  std::string sql = "SELECT " + scope + ", " + detail +
                    ", COUNT(*), COALESCE(SUM(e.purchase_minor), 0), "
                    "COALESCE(SUM(e.discount_minor), 0), COUNT(DISTINCT e.rid), "
                    "COALESCE(SUM(e.cashback_minor), 0) FROM entries e" +
                    join + " WHERE e.time_utc >= " + param();
  sql += " AND e.time_utc < " + param();
  sql += " AND e.kind = " + param();
  if (q.detail == SumDetail::kMember) sql += " AND e.rid IS NOT NULL";
  // Voids net out: an entry a void of the same device names counts nowhere, whenever the void
  // was made (entries_voided_by).
  sql += std::string(" AND e.decision = 'accepted' AND ") + (q.voided ? "" : "NOT ") +
         "EXISTS (SELECT 1 FROM entries v WHERE "
         "v.device_id = e.device_id AND v.kind = 'void' AND v.ref_uuid = e.uuid) "
         "GROUP BY 1, 2 ORDER BY 1, 2";
  return sql;
}

}  // namespace hub
