#include "sync/failed_scans.h"

#include <algorithm>

#include "protocol/status_report.h"

namespace ck_sync {
namespace {

constexpr char kSchema[] =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=2000;"
    "CREATE TABLE IF NOT EXISTS failed_scans(reason TEXT PRIMARY KEY,"
    " count INTEGER NOT NULL CHECK(count > 0)) WITHOUT ROWID;";

// The largest counts first, the rest folded into "OTHER", then in byte order.
ReasonCounts Fold(ReasonCounts counts) {
  if (counts.size() <= ck_protocol::kMaxFailedScanReasons) return counts;
  std::sort(counts.begin(), counts.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  int64_t other = 0;
  for (size_t i = ck_protocol::kMaxFailedScanReasons - 1; i < counts.size(); ++i)
    other += counts[i].second;
  counts.resize(ck_protocol::kMaxFailedScanReasons - 1);
  auto it =
      std::find_if(counts.begin(), counts.end(), [](const auto& c) { return c.first == "OTHER"; });
  if (it != counts.end()) {
    it->second += other;
  } else {
    counts.emplace_back("OTHER", other);
  }
  std::sort(counts.begin(), counts.end());
  return counts;
}

}  // namespace

std::string ReasonCode(std::string_view reason) {
  const bool ok = !reason.empty() && reason.size() <= ck_protocol::kMaxStatusText &&
                  std::all_of(reason.begin(), reason.end(), [](char c) {
                    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
                  });
  return ok ? std::string(reason) : std::string("OTHER");
}

base::Result<std::unique_ptr<FailedScans>> FailedScans::Open(const std::string& data_dir) {
  base::Result<sqlite::Db> db =
      sqlite::Db::Open(data_dir + "/" + kFailedScansFile, sqlite::Db::Mode::kReadWriteCreate);
  if (!db.ok()) return db.status().WithContext(kFailedScansFile);
  if (base::Status st = db->Exec(kSchema); !st.ok()) return st.WithContext(kFailedScansFile);
  return std::unique_ptr<FailedScans>(new FailedScans(std::move(db).value()));
}

base::Status FailedScans::Count(std::string_view reason) {
  const std::string code = ReasonCode(reason);
  std::lock_guard<std::mutex> lock(mu_);
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      db_.Prepare("INSERT INTO failed_scans(reason, count) VALUES(?, 1)"
                                  " ON CONFLICT(reason) DO UPDATE SET count = count + 1"));
  st.Bind(1, code);
  return st.Run();
}

base::Result<ReasonCounts> FailedScans::Snapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  CK_ASSIGN_OR_RETURN(sqlite::Stmt st,
                      db_.Prepare("SELECT reason, count FROM failed_scans ORDER BY reason"));
  ReasonCounts out;
  while (true) {
    CK_ASSIGN_OR_RETURN(sqlite::Stmt::StepResult r, st.Step());
    if (r == sqlite::Stmt::StepResult::kDone) break;
    out.emplace_back(st.Text(0), st.Int(1));
  }
  return Fold(std::move(out));
}

base::Status FailedScans::Forget(const ReasonCounts& sent) {
  std::lock_guard<std::mutex> lock(mu_);
  CK_TRY(db_.Exec("BEGIN IMMEDIATE"));
  CK_ASSIGN_OR_RETURN(sqlite::Stmt take,
                      db_.Prepare("UPDATE failed_scans SET count = count - ? WHERE reason = ?"
                                  " AND count > ?"));
  CK_ASSIGN_OR_RETURN(sqlite::Stmt drop,
                      db_.Prepare("DELETE FROM failed_scans WHERE reason = ? AND count <= ?"));
  for (const auto& [reason, n] : sent) {
    // "OTHER" may hold reasons folded in by Snapshot: those rows stay until a report carries
    // them by name (counts are never lost, at worst sent twice under OTHER).
    take.Bind(1, n).Bind(2, reason).Bind(3, n);
    drop.Bind(1, reason).Bind(2, n);
    base::Status st = drop.Run();  // first: a row left at n or below was all sent
    if (st.ok()) st = take.Run();
    take.Reset();
    drop.Reset();
    if (!st.ok()) {
      (void)db_.Exec("ROLLBACK");
      return st;
    }
  }
  return db_.Exec("COMMIT");
}

}  // namespace ck_sync
