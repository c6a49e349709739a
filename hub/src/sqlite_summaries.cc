// The summary tables on SQLite (summary_sql.h).
#include <string>

#include "summary_sql.h"

namespace hub {
namespace {

using Step = sqlite::Stmt::StepResult;

base::Result<bool> HaveSums(sqlite::Db& db) {
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt st,
      db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entry_sums'"));
  CK_ASSIGN_OR_RETURN(Step r, st.Step());
  return r == Step::kRow;
}

// The statement in `slot`, prepared on first use.
base::Result<sqlite::Stmt*> Prepared(sqlite::Db& db, std::optional<sqlite::Stmt>& slot,
                                     const std::string& sql) {
  if (!slot) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt st, db.Prepare(sql));
    slot = std::move(st);
  }
  return &*slot;
}

int BindQuery(sqlite::Stmt& st, const SumQuery& q) {
  if (q.detail != SumDetail::kDay && q.detail != SumDetail::kHour) return 1;
  st.Bind(1, q.utc_offset_seconds);
  return 2;
}

}  // namespace

base::Status SqliteSummaryRows::CreateTables() {
  CK_ASSIGN_OR_RETURN(bool have, HaveSums(conn_));
  if (have) return base::Status::Ok();
  // Another process may open the same file now: take the write lock, then look again.
  CK_TRY(conn_.Exec("BEGIN IMMEDIATE"));
  base::Status built = [&]() -> base::Status {
    CK_ASSIGN_OR_RETURN(bool now_have, HaveSums(conn_));
    if (now_have) return base::Status::Ok();
    for (const std::string& sql : SummaryTablesSql("BLOB", " WITHOUT ROWID"))
      CK_TRY(conn_.Exec(sql));
    for (const std::string& sql : BuildSummariesSql()) CK_TRY(conn_.Exec(sql));
    return base::Status::Ok();
  }();
  if (!built.ok()) {
    (void)conn_.Exec("ROLLBACK");
    return built.WithContext("building the summaries");
  }
  return conn_.Exec("COMMIT");
}

base::Status SqliteSummaryRows::SumEntries(const SumQuery& q,
                                           const std::function<base::Status(const SumRow&)>& fn) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      conn_.Prepare(SumEntriesSql(q, Placeholders::kQuestionMarks)));
  const int i = BindQuery(st, q);
  st.Bind(i, q.from).Bind(i + 1, q.to).Bind(i + 2, journal::KindName(q.kind));
  while (true) {
    CK_ASSIGN_OR_RETURN(Step r, st.Step());
    if (r == Step::kDone) return base::Status::Ok();
    CK_TRY(fn({.scope_id = st.Text(0),
               .detail = st.Text(1),
               .count = st.Int(2),
               .purchase_minor = st.Int(3),
               .discount_minor = st.Int(4),
               .members = st.Int(5),
               .cashback_minor = st.Int(6)}));
  }
}

base::Result<std::map<std::string, int64_t>> SqliteSummaryRows::CountVoidsOf(
    int64_t device_id, const std::vector<std::string_view>& uuids) {
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt * st,
      Prepared(conn_, count_voids_, CountVoidsSql(Placeholders::kQuestionMarks, kVoidsPerQuery)));
  std::map<std::string, int64_t> out;
  for (size_t from = 0; from < uuids.size(); from += kVoidsPerQuery) {
    sqlite::ResetOnExit reset(*st);
    st->Bind(1, device_id);
    for (size_t i = 0; i < kVoidsPerQuery; ++i) {
      const int at = static_cast<int>(i) + 2;
      if (from + i < uuids.size()) {
        st->Bind(at, uuids[from + i]);
      } else {
        st->BindNull(at);  // IN (..., NULL) matches nothing more
      }
    }
    while (true) {
      CK_ASSIGN_OR_RETURN(Step r, st->Step());
      if (r == Step::kDone) break;
      out[st->Text(0)] += st->Int(1);
    }
  }
  return out;
}

base::Status SqliteSummaryRows::AddToSummaries(const SummaryDeltas& d) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt * sum,
                      Prepared(conn_, upsert_sum_, UpsertSumSql(Placeholders::kQuestionMarks)));
  for (const auto& [k, a] : d.sums) {
    sqlite::ResetOnExit reset(*sum);
    sum->Bind(1, k.kind).Bind(2, k.decision).Bind(3, int64_t{k.voided});
    sum->Bind(4, int64_t{k.by_offer}).Bind(5, k.scope_id).Bind(6, k.offer_id);
    sum->Bind(7, k.span).Bind(8, k.bucket).Bind(9, a.count).Bind(10, a.purchase_minor);
    sum->Bind(11, a.discount_minor).Bind(12, a.cashback_minor);
    CK_TRY(sum->Run());
  }
  if (d.members.empty()) return base::Status::Ok();
  CK_ASSIGN_OR_RETURN(
      sqlite::Stmt * member,
      Prepared(conn_, upsert_member_, UpsertMemberSql(Placeholders::kQuestionMarks)));
  for (const auto& [k, n] : d.members) {
    sqlite::ResetOnExit reset(*member);
    member->Bind(1, k.event_id).Bind(2, k.bucket).Bind(3, base::ByteSpan(k.rid)).Bind(4, n);
    CK_TRY(member->Run());
  }
  return base::Status::Ok();
}

base::Status SqliteSummaryRows::SumSummaryRange(
    const SumQuery& q, const SummaryRange& r,
    const std::function<base::Status(const SumRow&)>& fn) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st, conn_.Prepare(SumRangeSql(q, Placeholders::kQuestionMarks)));
  const int i = BindQuery(st, q);
  st.Bind(i, journal::KindName(q.kind));
  st.Bind(i + 1, q.repeats ? kAlreadyCheckedIn : journal::kAccepted);
  st.Bind(i + 2, int64_t{q.voided}).Bind(i + 3, int64_t{q.detail == SumDetail::kOffer});
  st.Bind(i + 4, r.span).Bind(i + 5, r.from).Bind(i + 6, r.to);
  while (true) {
    CK_ASSIGN_OR_RETURN(Step s, st.Step());
    if (s == Step::kDone) return base::Status::Ok();
    CK_TRY(fn({.scope_id = st.Text(0),
               .detail = st.Text(1),
               .count = st.Int(2),
               .purchase_minor = st.Int(3),
               .discount_minor = st.Int(4),
               .cashback_minor = st.Int(5)}));
  }
}

base::Status SqliteSummaryRows::CountMembers(const SumQuery& q,
                                             const std::function<base::Status(const SumRow&)>& fn) {
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      conn_.Prepare(CountMembersSql(q, Placeholders::kQuestionMarks)));
  const int i = BindQuery(st, q);
  st.Bind(i, q.from).Bind(i + 1, q.to);
  while (true) {
    CK_ASSIGN_OR_RETURN(Step s, st.Step());
    if (s == Step::kDone) return base::Status::Ok();
    CK_TRY(fn({.scope_id = st.Text(0), .detail = st.Text(1), .members = st.Int(2)}));
  }
}

}  // namespace hub
