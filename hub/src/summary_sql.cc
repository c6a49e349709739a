#include "summary_sql.h"

namespace hub {
namespace {

// "?, ?, ?" or "$1, $2, $3".
std::string Params(Placeholders p, int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) {
    if (i > 1) out += ", ";
    out += p == Placeholders::kQuestionMarks ? std::string("?") : "$" + std::to_string(i);
  }
  return out;
}

// The local day or hour of a row, as SumEntriesSql computes it for an entry: the same number for
// every entry of a row that lies inside one local day or hour (PlanSummaryRanges).
std::string DetailOf(const SumQuery& q, const std::string& offset_placeholder) {
  switch (q.detail) {
    case SumDetail::kOffer:
      return "offer_id";
    case SumDetail::kDay:
      return "CAST((bucket + " + offset_placeholder + ") / 86400 AS TEXT)";
    case SumDetail::kHour:
      return "CAST((bucket + " + offset_placeholder + ") / 3600 AS TEXT)";
    default:
      return "''";
  }
}

bool HasOffset(const SumQuery& q) {
  return q.detail == SumDetail::kDay || q.detail == SumDetail::kHour;
}

// "$n" numbering from `first`, or "?".
std::string Placeholder(Placeholders p, int n) {
  return p == Placeholders::kQuestionMarks ? std::string("?") : "$" + std::to_string(n);
}

// An entry the summaries hold that a void of its device cancels (as SumEntriesSql decides it).
constexpr char kVoidedCase[] =
    "CASE WHEN EXISTS (SELECT 1 FROM entries v WHERE v.kind = 'void' AND v.device_id = "
    "e.device_id AND v.ref_uuid = e.uuid) THEN 1 ELSE 0 END";
constexpr char kSummarizedWhere[] =
    " WHERE e.kind IN ('discount', 'checkin', 'manual_count') AND e.decision IN ('accepted', "
    "'ALREADY_CHECKED_IN') AND e.time_utc >= 0";
constexpr char kSumColumns[] =
    "entry_sums(kind, decision, voided, by_offer, scope_id, offer_id, span, bucket, n, "
    "purchase_minor, discount_minor, cashback_minor)";

// The rows of `span` from those of the next shorter span (`from_span`).
std::string RollUp(int64_t from_span, int64_t span) {
  const std::string s = std::to_string(span), bucket = "bucket - bucket % " + s;
  return std::string("INSERT INTO ") + kSumColumns +
         " SELECT kind, decision, voided, by_offer, scope_id, offer_id, " + s + ", " + bucket +
         ", SUM(n), SUM(purchase_minor), SUM(discount_minor), SUM(cashback_minor) FROM "
         "entry_sums WHERE span = " +
         std::to_string(from_span) +
         " GROUP BY kind, decision, voided, by_offer, scope_id, offer_id, " + bucket;
}

}  // namespace

std::vector<std::string> SummaryTablesSql(const std::string& blob, const std::string& suffix) {
  return {
      "CREATE TABLE IF NOT EXISTS entry_sums(kind TEXT NOT NULL, decision TEXT NOT NULL, voided "
      "INTEGER NOT NULL, by_offer INTEGER NOT NULL, scope_id TEXT NOT NULL, offer_id TEXT NOT "
      "NULL, span BIGINT NOT NULL, bucket BIGINT NOT NULL, n BIGINT NOT NULL, purchase_minor "
      "BIGINT NOT NULL, discount_minor BIGINT NOT NULL, cashback_minor BIGINT NOT NULL, PRIMARY "
      "KEY(kind, decision, voided, by_offer, span, bucket, scope_id, offer_id))" +
          suffix,
      "CREATE TABLE IF NOT EXISTS entry_members(event_id TEXT NOT NULL, bucket BIGINT NOT NULL, "
      "rid " +
          blob + " NOT NULL, n BIGINT NOT NULL, PRIMARY KEY(bucket, event_id, rid))" + suffix,
  };
}

std::vector<std::string> BuildSummariesSql() {
  return {
      // The quarter-hours per offer, every kind (one pass over the entries).
      std::string("INSERT INTO ") + kSumColumns +
          " SELECT x.kind, x.decision, x.voided, 1, x.scope_id, x.offer_id, 900, x.bucket, "
          "COUNT(*), SUM(x.purchase_minor), SUM(x.discount_minor), SUM(x.cashback_minor) FROM "
          "(SELECT e.kind, e.decision, " +
          kVoidedCase +
          " AS voided, CASE WHEN e.kind = 'discount' THEN e.partner_id ELSE e.event_id END AS "
          "scope_id, e.offer_id, e.time_utc - e.time_utc % 900 AS bucket, e.purchase_minor, "
          "e.discount_minor, e.cashback_minor FROM entries e" +
          kSummarizedWhere +
          ") x GROUP BY x.kind, x.decision, x.voided, x.scope_id, x.offer_id, x.bucket",
      // Per scope, from those; only discounts keep rows per offer.
      std::string("INSERT INTO ") + kSumColumns +
          " SELECT kind, decision, voided, 0, scope_id, '', 900, bucket, SUM(n), "
          "SUM(purchase_minor), SUM(discount_minor), SUM(cashback_minor) FROM entry_sums WHERE "
          "by_offer = 1 GROUP BY kind, decision, voided, scope_id, bucket",
      "DELETE FROM entry_sums WHERE by_offer = 1 AND kind <> 'discount'",
      RollUp(900, 3600),
      RollUp(3600, 86400),
      std::string("INSERT INTO entry_members(event_id, bucket, rid, n) SELECT x.event_id, "
                  "x.bucket, x.rid, COUNT(*) FROM (SELECT e.event_id, e.time_utc - e.time_utc % "
                  "900 AS bucket, e.rid, ") +
          kVoidedCase + " AS voided FROM entries e" + kSummarizedWhere +
          " AND e.kind = 'checkin' AND e.decision = 'accepted' AND e.rid IS NOT NULL) x WHERE "
          "x.voided = 0 GROUP BY x.event_id, x.bucket, x.rid",
  };
}

std::string UpsertSumSql(Placeholders p) {
  return std::string("INSERT INTO ") + kSumColumns + " VALUES(" + Params(p, 12) +
         ") ON CONFLICT(kind, decision, voided, by_offer, span, bucket, scope_id, offer_id) DO "
         "UPDATE SET n = entry_sums.n + excluded.n, purchase_minor = entry_sums.purchase_minor "
         "+ excluded.purchase_minor, discount_minor = entry_sums.discount_minor + "
         "excluded.discount_minor, cashback_minor = entry_sums.cashback_minor + "
         "excluded.cashback_minor";
}

std::string UpsertMemberSql(Placeholders p) {
  return "INSERT INTO entry_members(event_id, bucket, rid, n) VALUES(" + Params(p, 4) +
         ") ON CONFLICT(bucket, event_id, rid) DO UPDATE SET n = entry_members.n + excluded.n";
}

std::string CountVoidsSql(Placeholders p, size_t n) {
  // The kind written into the text, so that the partial index entries_voided_by applies.
  std::string sql = "SELECT ref_uuid, COUNT(*) FROM entries WHERE kind = 'void' AND device_id = " +
                    Placeholder(p, 1) + " AND ref_uuid IN (";
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) sql += ", ";
    sql += Placeholder(p, static_cast<int>(i) + 2);
  }
  return sql + ") GROUP BY ref_uuid";
}

std::string SumRangeSql(const SumQuery& q, Placeholders p) {
  int n = HasOffset(q) ? 1 : 0;
  std::string sql = "SELECT scope_id, " + DetailOf(q, Placeholder(p, 1)) +
                    ", SUM(n), SUM(purchase_minor), SUM(discount_minor), SUM(cashback_minor) "
                    "FROM entry_sums WHERE ";
  for (const char* column : {"kind = ", " AND decision = ", " AND voided = ", " AND by_offer = ",
                             " AND span = ", " AND bucket >= ", " AND bucket < "}) {
    sql += column + Placeholder(p, ++n);
  }
  return sql + " GROUP BY 1, 2";
}

std::string CountMembersSql(const SumQuery& q, Placeholders p) {
  const int n = HasOffset(q) ? 1 : 0;
  return "SELECT event_id, " + DetailOf(q, Placeholder(p, 1)) +
         ", COUNT(DISTINCT rid) FROM entry_members WHERE bucket >= " + Placeholder(p, n + 1) +
         " AND bucket < " + Placeholder(p, n + 2) + " AND n > 0 GROUP BY 1, 2";
}

}  // namespace hub
