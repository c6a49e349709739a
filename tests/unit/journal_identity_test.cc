// journal.db knows it is itself: a random journal id made once (and given to an older file on
// open), and every write refused for good once journal.db or its WAL was removed, replaced or
// truncated under the open journal. Real files, real SQLite.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "base/clock.h"
#include "journal/journal.h"
#include "sqlite/db.h"
#include "subprocess.h"

namespace {

constexpr int64_t kNow = 1'800'000'000;

journal::NewEntry Rejected() {
  return {.kind = journal::Kind::kRejected,
          .partner_id = "P-BOOKS",
          .bundle_seq = 7,
          .verdict = "MALFORMED",
          .decision = "MALFORMED"};
}

class JournalIdentityTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.path() + "/journal.db"; }
  std::unique_ptr<journal::Journal> OpenJournal(const std::string& path,
                                                const journal::JournalOptions& o = {}) {
    auto j = journal::Journal::Open(path, clock_, o);
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return j.ok() ? std::move(j).value() : nullptr;
  }
  // Appends twice more after the files changed: both refused with the same kDataLoss.
  void ExpectStaysFailed(journal::Journal& j, const std::string& words) {
    for (int i = 0; i < 2; ++i) {
      base::Result<journal::Entry> e = j.Append(Rejected());
      ASSERT_FALSE(e.ok());
      EXPECT_EQ(e.status().code(), base::StatusCode::kDataLoss) << e.status().ToString();
      EXPECT_NE(e.status().message().find(words), std::string::npos) << e.status().ToString();
    }
    EXPECT_EQ(j.Ack(1).code(), base::StatusCode::kDataLoss);
    EXPECT_EQ(j.last_seq(), 1);
  }

  cktest::TempDir dir_;
  base::FakeClock clock_{kNow};
};

TEST_F(JournalIdentityTest, IdIsMadeOnceAndKeptAcrossOpens) {
  std::string id;
  {
    auto j = OpenJournal(Path());
    ASSERT_NE(j, nullptr);
    id = j->identity().journal_id;
    EXPECT_EQ(id.size(), 36u);
    EXPECT_TRUE(j->identity().previous_journal_id.empty());
    ASSERT_TRUE(j->Append(Rejected()).ok());
  }
  auto again = OpenJournal(Path());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->identity().journal_id, id);
  auto other = OpenJournal(dir_.path() + "/other.db");
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other->identity().journal_id, id);
}

TEST_F(JournalIdentityTest, OlderJournalWithoutIdGetsOneAndKeepsItsEntries) {
  {
    auto j = OpenJournal(Path());
    ASSERT_NE(j, nullptr);
    ASSERT_TRUE(j->Append(Rejected()).ok());
    ASSERT_TRUE(j->Append(Rejected()).ok());
  }
  {  // what a journal written before the id looks like: no meta table
    auto db = sqlite::Db::Open(Path(), sqlite::Db::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("DROP TABLE meta").ok());
  }
  auto j = OpenJournal(Path());
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->identity().journal_id.size(), 36u);
  EXPECT_EQ(j->last_seq(), 2);
  auto report = j->VerifyChain();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries, 2);
  EXPECT_EQ(report->first_bad_seq, 0);
  ASSERT_TRUE(j->Append(Rejected()).ok());
  const std::string id = j->identity().journal_id;
  j.reset();
  EXPECT_EQ(OpenJournal(Path())->identity().journal_id, id);
}

TEST_F(JournalIdentityTest, PreviousChainIsRecordedOnlyInANewJournal) {
  journal::JournalOptions o;
  o.previous =
      journal::PreviousChain{.journal_id = "11111111-2222-4333-8444-555555555555", .last_seq = 41};
  {
    auto j = OpenJournal(Path(), o);
    ASSERT_NE(j, nullptr);
    EXPECT_EQ(j->identity().previous_journal_id, o.previous->journal_id);
    EXPECT_EQ(j->identity().previous_last_seq, 41);
  }
  o.previous->journal_id = "99999999-2222-4333-8444-555555555555";
  auto j = OpenJournal(Path(), o);  // not new: the recorded link stays
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->identity().previous_journal_id, "11111111-2222-4333-8444-555555555555");
}

TEST_F(JournalIdentityTest, DeletedWhileOpenRefusesEveryLaterWrite) {
  auto j = OpenJournal(Path());
  ASSERT_NE(j, nullptr);
  ASSERT_TRUE(j->Append(Rejected()).ok());
  ASSERT_EQ(::unlink(Path().c_str()), 0);
  ExpectStaysFailed(*j, "journal.db was removed");
}

TEST_F(JournalIdentityTest, ReplacedByAnotherJournalRefusesEveryLaterWrite) {
  auto j = OpenJournal(Path());
  ASSERT_NE(j, nullptr);
  ASSERT_TRUE(j->Append(Rejected()).ok());
  const std::string other = dir_.path() + "/other.db";
  {
    auto o = OpenJournal(other);
    ASSERT_NE(o, nullptr);
  }
  std::filesystem::rename(other, Path());
  ExpectStaysFailed(*j, "journal.db was replaced");
  // Even once the original is back under its name, the journal stays failed: no silent reopen.
}

TEST_F(JournalIdentityTest, WalRemovedWhileOpenRefusesEveryLaterWrite) {
  auto j = OpenJournal(Path());
  ASSERT_NE(j, nullptr);
  ASSERT_TRUE(j->Append(Rejected()).ok());
  ASSERT_EQ(::unlink((Path() + "-wal").c_str()), 0);
  ExpectStaysFailed(*j, "journal.db-wal was removed");
}

TEST_F(JournalIdentityTest, WalReplacedWhileOpenRefusesEveryLaterWrite) {
  auto j = OpenJournal(Path());
  ASSERT_NE(j, nullptr);
  ASSERT_TRUE(j->Append(Rejected()).ok());
  const std::string copy = dir_.path() + "/copy-wal";
  std::filesystem::copy_file(Path() + "-wal", copy);
  std::filesystem::rename(copy, Path() + "-wal");
  ExpectStaysFailed(*j, "journal.db-wal was replaced");
}

TEST_F(JournalIdentityTest, TruncatedWhileOpenRefusesEveryLaterWrite) {
  auto j = OpenJournal(Path());
  ASSERT_NE(j, nullptr);
  ASSERT_TRUE(j->Append(Rejected()).ok());
  std::filesystem::resize_file(Path(), 0);
  ExpectStaysFailed(*j, "journal.db was truncated");
}

TEST_F(JournalIdentityTest, TruncatedWalRefusesEveryLaterWrite) {
  auto j = OpenJournal(Path());
  ASSERT_NE(j, nullptr);
  ASSERT_TRUE(j->Append(Rejected()).ok());
  ASSERT_GT(std::filesystem::file_size(Path() + "-wal"), 0u);
  std::filesystem::resize_file(Path() + "-wal", 0);
  ExpectStaysFailed(*j, "journal.db-wal was truncated");
}

TEST_F(JournalIdentityTest, ManyAppendsThroughCheckpointsStayAccepted) {
  auto j = OpenJournal(Path());
  ASSERT_NE(j, nullptr);
  const auto db_size = std::filesystem::file_size(Path());
  // Past SQLite's automatic checkpoint (1000 WAL pages): journal.db grows, the WAL is rewound.
  int n = 0;
  while (std::filesystem::file_size(Path()) == db_size && n < 5000) {
    ASSERT_TRUE(j->Append(Rejected()).ok()) << n;
    ++n;
  }
  ASSERT_GT(std::filesystem::file_size(Path()), db_size);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(j->Append(Rejected()).ok()) << i;
  auto again = OpenJournal(Path());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->last_seq(), n + 50);
}

}  // namespace
