// The summaries' SQL (hub/summaries.h), one text for SQLite and PostgreSQL but for the column
// types and placeholders, and the settlement's row operations on each database (TableRows::
// SumEntries, over the entries, and CountVoidsOf ... CountMembers, the summaries), for
// sqlite_store.cc and postgres_store.cc. Internal to ck_hub.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "hub/summaries.h"
#include "hub/tables.h"
#include "postgres_conn.h"
#include "settlement_sql.h"
#include "sqlite/db.h"

namespace hub {

// CREATE TABLE statements of entry_sums and entry_members; `blob` is the rid's type, `suffix`
// follows each (SQLite: " WITHOUT ROWID", so that a range of the primary key holds the sums).
std::vector<std::string> SummaryTablesSql(const std::string& blob, const std::string& suffix);
// Fills the new, empty tables from every entry held (a database an older hub made): the entries'
// quarter-hours once, with their voids, and the hours and days from those.
std::vector<std::string> BuildSummariesSql();
// Parameters: kind, decision, voided, by_offer, scope_id, offer_id, span, bucket, count,
// purchase, discount, cashback.
std::string UpsertSumSql(Placeholders p);
// Parameters: event_id, bucket, rid, n.
std::string UpsertMemberSql(Placeholders p);
// SELECT ref_uuid, count. Parameters: device_id, then `n` uuids.
std::string CountVoidsSql(Placeholders p, size_t n);
// At most this many uuids per CountVoidsSql (SQLite allows 32,766 parameters).
inline constexpr size_t kVoidsPerQuery = 500;
// SELECT scope_id, detail, count, purchase, discount, cashback. Parameters: [utc offset (kDay,
// kHour)], kind, decision, voided, by_offer, span, from, to.
std::string SumRangeSql(const SumQuery& q, Placeholders p);
// SELECT event_id, detail, members. Parameters: [utc offset (kDay, kHour)], from, to.
std::string CountMembersSql(const SumQuery& q, Placeholders p);

class SqliteSummaryRows {
 public:
  explicit SqliteSummaryRows(sqlite::Db& conn) : conn_(conn) {}

  // Creates the tables where they are missing and fills them from the entries held, in one
  // write transaction. After the schema and the entries' indexes.
  base::Status CreateTables();
  // SumEntriesSql over the entries.
  base::Status SumEntries(const SumQuery& q, const std::function<base::Status(const SumRow&)>& fn);
  base::Result<std::map<std::string, int64_t>> CountVoidsOf(
      int64_t device_id, const std::vector<std::string_view>& uuids);
  base::Status AddToSummaries(const SummaryDeltas& d);
  base::Status SumSummaryRange(const SumQuery& q, const SummaryRange& r,
                               const std::function<base::Status(const SumRow&)>& fn);
  base::Status CountMembers(const SumQuery& q,
                            const std::function<base::Status(const SumRow&)>& fn);

 private:
  sqlite::Db& conn_;
  // Prepared once, on first use: an intake runs them for every batch (count_voids_ with
  // kVoidsPerQuery uuids; fewer are bound as NULL).
  std::optional<sqlite::Stmt> count_voids_, upsert_sum_, upsert_member_;
};

class PostgresSummaryRows {
 public:
  explicit PostgresSummaryRows(pg::PgConnection& conn) : conn_(conn) {}

  // As SqliteSummaryRows::CreateTables, inside the caller's schema transaction.
  base::Status CreateTables();
  // SumEntriesSql over the entries.
  base::Status SumEntries(const SumQuery& q, const std::function<base::Status(const SumRow&)>& fn);
  base::Result<std::map<std::string, int64_t>> CountVoidsOf(
      int64_t device_id, const std::vector<std::string_view>& uuids);
  base::Status AddToSummaries(const SummaryDeltas& d);
  base::Status SumSummaryRange(const SumQuery& q, const SummaryRange& r,
                               const std::function<base::Status(const SumRow&)>& fn);
  base::Status CountMembers(const SumQuery& q,
                            const std::function<base::Status(const SumRow&)>& fn);

 private:
  pg::PgConnection& conn_;
};

// The TableRows summary operations, forwarded to `Sums` (SqliteSummaryRows, PostgresSummaryRows),
// over `Base` (ChainTableRows), whose constructor takes `args`.
template <typename Base, typename Sums>
class SummaryTableRows : public Base {
 public:
  template <typename... Args>
  explicit SummaryTableRows(Sums sums, Args&&... args)
      : Base(std::forward<Args>(args)...), sums_(std::move(sums)) {}

  base::Status SumEntries(const SumQuery& q,
                          const std::function<base::Status(const SumRow&)>& fn) override {
    return sums_.SumEntries(q, fn);
  }
  base::Result<std::map<std::string, int64_t>> CountVoidsOf(
      int64_t device_id, const std::vector<std::string_view>& uuids) override {
    return sums_.CountVoidsOf(device_id, uuids);
  }
  base::Status AddToSummaries(const SummaryDeltas& d) override { return sums_.AddToSummaries(d); }
  base::Status SumSummaryRange(const SumQuery& q, const SummaryRange& r,
                               const std::function<base::Status(const SumRow&)>& fn) override {
    return sums_.SumSummaryRange(q, r, fn);
  }
  base::Status CountMembers(const SumQuery& q,
                            const std::function<base::Status(const SumRow&)>& fn) override {
    return sums_.CountMembers(q, fn);
  }

 private:
  Sums sums_;
};

}  // namespace hub
