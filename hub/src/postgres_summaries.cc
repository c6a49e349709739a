// The summary tables on PostgreSQL (summary_sql.h).
#include <algorithm>
#include <string>

#include "summary_sql.h"

namespace hub {
namespace {

using pg::Int;
using pg::Params;
using pg::PgResult;
using pg::Str;

void AddQueryParams(const SumQuery& q, Params* p) {
  if (q.detail == SumDetail::kDay || q.detail == SumDetail::kHour) p->Int(q.utc_offset_seconds);
}

}  // namespace

base::Status PostgresSummaryRows::CreateTables() {
  CK_ASSIGN_OR_RETURN(
      PgResult have,
      conn_.Exec("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
                 "AND table_name = 'entry_sums'",
                 Params()));
  if (PQntuples(have.get()) > 0) return base::Status::Ok();
  for (const std::string& sql : SummaryTablesSql("BYTEA", "")) {
    CK_TRY(conn_.Exec(sql, Params()).status());
  }
  // Once, over every entry held (tens of seconds for millions): a statement_timeout or
  // lock_timeout set for the hub's role must not abort it, or the hub could never start.
  CK_TRY(conn_.Exec("SET LOCAL statement_timeout = 0", Params()).status());
  CK_TRY(conn_.Exec("SET LOCAL lock_timeout = 0", Params()).status());
  for (const std::string& sql : BuildSummariesSql()) {
    CK_TRY(conn_.Exec(sql, Params()).status().WithContext("building the summaries"));
  }
  return base::Status::Ok();
}

base::Status PostgresSummaryRows::SumEntries(const SumQuery& q,
                                             const std::function<base::Status(const SumRow&)>& fn) {
  Params p;
  AddQueryParams(q, &p);
  p.Int(q.from).Int(q.to).Text(journal::KindName(q.kind));
  CK_ASSIGN_OR_RETURN(PgResult r, conn_.Exec(SumEntriesSql(q, Placeholders::kNumbered), p));
  for (int row = 0; row < PQntuples(r.get()); ++row) {
    CK_TRY(fn({.scope_id = Str(r.get(), row, 0),
               .detail = Str(r.get(), row, 1),
               .count = Int(r.get(), row, 2),
               .purchase_minor = Int(r.get(), row, 3),
               .discount_minor = Int(r.get(), row, 4),
               .members = Int(r.get(), row, 5),
               .cashback_minor = Int(r.get(), row, 6)}));
  }
  return base::Status::Ok();
}

base::Result<std::map<std::string, int64_t>> PostgresSummaryRows::CountVoidsOf(
    int64_t device_id, const std::vector<std::string_view>& uuids) {
  std::map<std::string, int64_t> out;
  for (size_t from = 0; from < uuids.size(); from += kVoidsPerQuery) {
    const size_t n = std::min(kVoidsPerQuery, uuids.size() - from);
    Params p;
    p.Int(device_id);
    for (size_t i = 0; i < n; ++i) p.Text(uuids[from + i]);
    CK_ASSIGN_OR_RETURN(PgResult r, conn_.Exec(CountVoidsSql(Placeholders::kNumbered, n), p));
    for (int row = 0; row < PQntuples(r.get()); ++row) {
      out[Str(r.get(), row, 0)] += Int(r.get(), row, 1);
    }
  }
  return out;
}

base::Status PostgresSummaryRows::AddToSummaries(const SummaryDeltas& d) {
  const std::string sum = UpsertSumSql(Placeholders::kNumbered);
  for (const auto& [k, a] : d.sums) {
    Params p;
    p.Text(k.kind).Text(k.decision).Int(k.voided).Int(k.by_offer).Text(k.scope_id);
    p.Text(k.offer_id).Int(k.span).Int(k.bucket).Int(a.count).Int(a.purchase_minor);
    p.Int(a.discount_minor).Int(a.cashback_minor);
    CK_TRY(conn_.Exec(sum, p).status());
  }
  const std::string member = UpsertMemberSql(Placeholders::kNumbered);
  for (const auto& [k, n] : d.members) {
    CK_TRY(
        conn_.Exec(member, Params().Text(k.event_id).Int(k.bucket).Bytes(k.rid).Int(n)).status());
  }
  return base::Status::Ok();
}

base::Status PostgresSummaryRows::SumSummaryRange(
    const SumQuery& q, const SummaryRange& r,
    const std::function<base::Status(const SumRow&)>& fn) {
  Params p;
  AddQueryParams(q, &p);
  p.Text(journal::KindName(q.kind)).Text(q.repeats ? kAlreadyCheckedIn : journal::kAccepted);
  p.Int(q.voided).Int(q.detail == SumDetail::kOffer).Int(r.span).Int(r.from).Int(r.to);
  CK_ASSIGN_OR_RETURN(PgResult res, conn_.Exec(SumRangeSql(q, Placeholders::kNumbered), p));
  for (int row = 0; row < PQntuples(res.get()); ++row) {
    CK_TRY(fn({.scope_id = Str(res.get(), row, 0),
               .detail = Str(res.get(), row, 1),
               .count = Int(res.get(), row, 2),
               .purchase_minor = Int(res.get(), row, 3),
               .discount_minor = Int(res.get(), row, 4),
               .cashback_minor = Int(res.get(), row, 5)}));
  }
  return base::Status::Ok();
}

base::Status PostgresSummaryRows::CountMembers(
    const SumQuery& q, const std::function<base::Status(const SumRow&)>& fn) {
  Params p;
  AddQueryParams(q, &p);
  p.Int(q.from).Int(q.to);
  CK_ASSIGN_OR_RETURN(PgResult res, conn_.Exec(CountMembersSql(q, Placeholders::kNumbered), p));
  for (int row = 0; row < PQntuples(res.get()); ++row) {
    CK_TRY(fn({.scope_id = Str(res.get(), row, 0),
               .detail = Str(res.get(), row, 1),
               .members = Int(res.get(), row, 2)}));
  }
  return base::Status::Ok();
}

}  // namespace hub
