// The settlement's SQL on SQLite (hub/src/settlement_sql.h): every form of the report and the
// cashback file reads a range of the covering index entries_settlement, never the table's rows
// nor a scan of every entry, and nets the voids out through entries_voided_by (found once, not
// a subquery per row; docs/settlement.md, "Speed"). A plan that reads the table makes the month-end
// report over millions of entries take minutes on a loaded machine.
#include <gtest/gtest.h>

#include <string>

#include "hub/store.h"
#include "settlement_sql.h"
#include "sqlite/db.h"
#include "subprocess.h"

namespace {

// EXPLAIN QUERY PLAN's details, one a line.
std::string Plan(sqlite::Db& db, const std::string& sql) {
  auto st = db.Prepare("EXPLAIN QUERY PLAN " + sql);
  if (!st.ok()) return "error: " + st.status().ToString();
  std::string plan;
  while (true) {
    auto r = st->Step();
    if (!r.ok()) return "error: " + r.status().ToString();
    if (*r == sqlite::Stmt::StepResult::kDone) return plan;
    plan += st->Text(3) + "\n";
  }
}

TEST(HubSettlementPlanTest, EveryFormReadsTheCoveringIndexAndTheVoidsIndex) {
  cktest::TempDir dir;
  const std::string path = dir.File("hub.db");
  ASSERT_TRUE(hub::OpenSqliteStore(path).ok());  // the schema, as the hub makes it
  auto db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  for (journal::Kind kind :
       {journal::Kind::kDiscount, journal::Kind::kCheckin, journal::Kind::kManualCount}) {
    for (hub::SumDetail detail :
         {hub::SumDetail::kNone, hub::SumDetail::kOffer, hub::SumDetail::kDevice,
          hub::SumDetail::kMember, hub::SumDetail::kDay}) {
      const std::string sql =
          hub::SumEntriesSql({.kind = kind, .detail = detail}, hub::Placeholders::kQuestionMarks);
      const std::string plan = Plan(*db, sql);
      EXPECT_NE(plan.find("SEARCH e USING COVERING INDEX entries_settlement (kind=? AND "
                          "device_id=? AND time_utc>? AND time_utc<?)"),
                std::string::npos)
          << sql << "\n"
          << plan;
      // The voided entries, found once: the voids' own index, then each one's entry by uuid.
      EXPECT_NE(plan.find("LIST SUBQUERY"), std::string::npos) << sql << "\n" << plan;
      EXPECT_NE(plan.find("SCAN v USING INDEX entries_voided_by"), std::string::npos) << sql << "\n"
                                                                                      << plan;
      EXPECT_NE(plan.find("SEARCH o USING COVERING INDEX sqlite_autoindex_entries_1 (device_id=? "
                          "AND uuid=?)"),
                std::string::npos)
          << sql << "\n"
          << plan;
      EXPECT_EQ(plan.find("SCAN e"), std::string::npos) << sql << "\n" << plan;
      EXPECT_EQ(plan.find("SCAN o"), std::string::npos) << sql << "\n" << plan;
      EXPECT_EQ(plan.find("CORRELATED"), std::string::npos) << sql << "\n" << plan;
    }
  }
}

// The Events page's count of check-ins refused as repeats: a range of entries_repeats.
TEST(HubSettlementPlanTest, RepeatsReadTheirOwnIndex) {
  cktest::TempDir dir;
  const std::string path = dir.File("hub.db");
  ASSERT_TRUE(hub::OpenSqliteStore(path).ok());
  auto db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::string sql = hub::SumEntriesSql({.kind = journal::Kind::kCheckin, .repeats = true},
                                             hub::Placeholders::kQuestionMarks);
  const std::string plan = Plan(*db, sql);
  EXPECT_NE(plan.find("SEARCH e USING COVERING INDEX entries_repeats (kind=? AND device_id=? AND "
                      "time_utc>? AND time_utc<?)"),
            std::string::npos)
      << sql << "\n"
      << plan;
  EXPECT_EQ(plan.find("SCAN e"), std::string::npos) << sql << "\n" << plan;
}

}  // namespace
