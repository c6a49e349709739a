// journal.db: appends (seq, uuid, time, hash chain), durability across reopening, the append-only
// triggers, acknowledgements, and the cap and check-in queries the rules read. The canonical
// encoding the hashes cover is checked in journal_entry_test.cc.
#include "journal/journal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "journal/entry.h"
#include "sqlite/db.h"
#include "subprocess.h"

namespace {

constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z
const card::Rid kAnna = {1, 1, 1, 1, 1, 1, 1, 1};
const card::Rid kBoris = {2, 2, 2, 2, 2, 2, 2, 2};
const card::Rid kVera = {3, 3, 3, 3, 3, 3, 3, 3};

journal::NewEntry Discount(const card::Rid& rid, const std::string& offer, int64_t purchase,
                           int64_t discount, const std::string& decision = journal::kAccepted) {
  return {.kind = journal::Kind::kDiscount,
          .rid = rid,
          .partner_id = "P-BOOKS",
          .offer_id = offer,
          .purchase_minor = purchase,
          .discount_minor = discount,
          .bundle_seq = 7,
          .verdict = "VALID",
          .decision = decision};
}

journal::NewEntry Checkin(const card::Rid& rid, const std::string& event,
                          const std::string& decision = journal::kAccepted) {
  return {.kind = journal::Kind::kCheckin,
          .rid = rid,
          .event_id = event,
          .bundle_seq = 7,
          .verdict = "VALID",
          .decision = decision};
}

journal::NewEntry Rejected(const std::string& verdict) {
  return {.kind = journal::Kind::kRejected,
          .partner_id = "P-BOOKS",
          .bundle_seq = 7,
          .verdict = verdict,
          .decision = verdict};
}

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    Reopen();
  }

  void Reopen() {
    journal_.reset();
    auto j = journal::Journal::Open(path(), clock_);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    journal_ = std::move(j).value();
  }

  journal::Entry Append(const journal::NewEntry& e) {
    auto r = journal_->Append(e);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : journal::Entry{};
  }

  std::vector<journal::Entry> All() {
    std::vector<journal::Entry> out;
    base::Status st = journal_->ForEach(0, [&](const journal::Entry& e) {
      out.push_back(e);
      return base::Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  std::string path() const { return dir_.File("journal.db"); }

  cktest::TempDir dir_;
  base::FakeClock clock_{kNow};
  std::unique_ptr<journal::Journal> journal_;
};

void ExpectSameEntry(const journal::Entry& a, const journal::Entry& b) {
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.uuid, b.uuid);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.time_utc, b.time_utc);
  EXPECT_EQ(a.mono_ns, b.mono_ns);
  EXPECT_EQ(a.rid, b.rid);
  EXPECT_EQ(a.partner_id, b.partner_id);
  EXPECT_EQ(a.event_id, b.event_id);
  EXPECT_EQ(a.offer_id, b.offer_id);
  EXPECT_EQ(a.purchase_minor, b.purchase_minor);
  EXPECT_EQ(a.discount_minor, b.discount_minor);
  EXPECT_EQ(a.bundle_seq, b.bundle_seq);
  EXPECT_EQ(a.verdict, b.verdict);
  EXPECT_EQ(a.decision, b.decision);
  EXPECT_EQ(a.prev_hash, b.prev_hash);
  EXPECT_EQ(a.hash, b.hash);
}

const std::regex& UuidV4() {
  static const std::regex re(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return re;
}

TEST_F(JournalTest, AppendAssignsSeqUuidTimeAndChain) {
  clock_.Advance(5);
  journal::Entry a = Append(Discount(kAnna, "O-1", 10000, 700));
  clock_.Advance(1);
  journal::Entry b = Append(Checkin(kBoris, "E-1"));
  journal::Entry c = Append(Rejected("BAD_SIGNATURE"));
  EXPECT_EQ(a.seq, 1);
  EXPECT_EQ(b.seq, 2);
  EXPECT_EQ(c.seq, 3);
  for (const journal::Entry* e : {&a, &b, &c}) {
    EXPECT_TRUE(std::regex_match(e->uuid, UuidV4())) << e->uuid;
    EXPECT_EQ(e->hash, journal::ComputeHash(*e));
  }
  EXPECT_NE(a.uuid, b.uuid);
  EXPECT_NE(b.uuid, c.uuid);
  EXPECT_EQ(a.prev_hash, journal::Hash{});  // the first entry links to 32 zero bytes
  EXPECT_EQ(b.prev_hash, a.hash);
  EXPECT_EQ(c.prev_hash, b.hash);
  EXPECT_EQ(a.time_utc, kNow + 5);
  EXPECT_EQ(a.mono_ns, 5'000'000'000);
  EXPECT_EQ(b.time_utc, kNow + 6);
  EXPECT_EQ(journal_->last_seq(), 3);
  EXPECT_EQ(journal_->last_time(), kNow + 6);
  EXPECT_FALSE(c.rid.has_value());
  EXPECT_EQ(a.purchase_minor, 10000);
  EXPECT_EQ(a.discount_minor, 700);
  EXPECT_EQ(a.offer_id, "O-1");
}

TEST(JournalUuidTest, ManyAreUniqueVersion4) {
  std::set<std::string> seen;
  for (int i = 0; i < 5000; ++i) {
    std::string u = journal::NewUuid();
    ASSERT_TRUE(std::regex_match(u, UuidV4())) << u;
    ASSERT_TRUE(seen.insert(u).second) << "duplicate " << u;
  }
}

TEST_F(JournalTest, EmptyJournal) {
  EXPECT_EQ(journal_->last_seq(), 0);
  EXPECT_EQ(journal_->last_time(), 0);
  EXPECT_TRUE(All().empty());
  auto acked = journal_->AckedSeq();
  ASSERT_TRUE(acked.ok());
  EXPECT_EQ(*acked, 0);
  auto report = journal_->VerifyChain();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries, 0);
  EXPECT_EQ(report->first_bad_seq, 0);
}

TEST_F(JournalTest, DurableAcrossReopen) {
  std::vector<journal::Entry> written;
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(10);
    written.push_back(Append(Discount(kAnna, "O-1", 1000 * (i + 1), 70 * (i + 1))));
  }
  Reopen();
  EXPECT_EQ(journal_->last_seq(), 5);
  EXPECT_EQ(journal_->last_time(), kNow + 50);
  std::vector<journal::Entry> read = All();
  ASSERT_EQ(read.size(), written.size());
  for (size_t i = 0; i < read.size(); ++i) ExpectSameEntry(read[i], written[i]);
  journal::Entry next = Append(Rejected("EXPIRED"));
  EXPECT_EQ(next.seq, 6);
  EXPECT_EQ(next.prev_hash, written.back().hash);  // the chain continues after a restart
  // The file is in WAL mode with synchronous=FULL (durable at each commit).
  auto db = sqlite::Db::Open(path(), sqlite::Db::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto st = db->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(st->Step().ok());
  EXPECT_EQ(st->Text(0), "wal");
}

TEST_F(JournalTest, ForEachFromSeq) {
  for (int i = 0; i < 5; ++i) Append(Rejected("MALFORMED"));
  std::vector<int64_t> seqs;
  ASSERT_TRUE(journal_
                  ->ForEach(3,
                            [&](const journal::Entry& e) {
                              seqs.push_back(e.seq);
                              return base::Status::Ok();
                            })
                  .ok());
  EXPECT_EQ(seqs, (std::vector<int64_t>{3, 4, 5}));
  // An error from the callback stops the walk and comes back.
  int calls = 0;
  base::Status st = journal_->ForEach(1, [&](const journal::Entry&) {
    ++calls;
    return base::Internal("stop");
  });
  EXPECT_EQ(st.code(), base::StatusCode::kInternal);
  EXPECT_EQ(calls, 1);
}

TEST_F(JournalTest, UpdateAndDeleteAreRefusedByTriggers) {
  for (int i = 0; i < 3; ++i) Append(Discount(kAnna, "O-1", 1000, 70));
  auto db = sqlite::Db::Open(path(), sqlite::Db::Mode::kReadWrite);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  base::Status update = db->Exec("UPDATE entries SET discount_minor = 0 WHERE seq = 2");
  EXPECT_FALSE(update.ok());
  EXPECT_NE(update.message().find("append-only"), std::string::npos) << update.message();
  base::Status del = db->Exec("DELETE FROM entries WHERE seq = 3");
  EXPECT_FALSE(del.ok());
  EXPECT_NE(del.message().find("append-only"), std::string::npos) << del.message();
  base::Status del_all = db->Exec("DELETE FROM entries");
  EXPECT_FALSE(del_all.ok());
  ASSERT_TRUE(db->Close().ok());
  EXPECT_EQ(All().size(), 3u);
  auto report = journal_->VerifyChain();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_bad_seq, 0);
}

// INSERT OR REPLACE deletes the row it conflicts with without firing DELETE triggers (unless the
// connection turned on recursive_triggers); the BEFORE INSERT trigger refusing seq <= max(seq)
// stops it from overwriting an entry.
TEST_F(JournalTest, ReplaceIsRefusedToo) {
  for (int i = 0; i < 3; ++i) Append(Discount(kAnna, "O-1", 1000, 70));
  auto db = sqlite::Db::Open(path(), sqlite::Db::Mode::kReadWrite);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  base::Status replace = db->Exec(
      "INSERT OR REPLACE INTO entries SELECT seq, 'forged', kind, time_utc, mono_ns, rid,"
      " partner_id, event_id, offer_id, purchase_minor, 0, bundle_seq, verdict, decision,"
      " prev_hash, hash FROM entries WHERE seq = 2");
  EXPECT_FALSE(replace.ok()) << "entry 2 was overwritten";
  ASSERT_TRUE(db->Close().ok());
  std::vector<journal::Entry> all = All();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_NE(all[1].uuid, "forged");
}

TEST_F(JournalTest, AckNeverMovesBackAndRefusesBeyondLast) {
  base::Status early = journal_->Ack(1);
  EXPECT_EQ(early.code(), base::StatusCode::kOutOfRange) << early.ToString();
  for (int i = 0; i < 5; ++i) Append(Rejected("EXPIRED"));
  auto acked = [&] {
    auto a = journal_->AckedSeq();
    EXPECT_TRUE(a.ok());
    return a.ok() ? *a : -1;
  };
  ASSERT_TRUE(journal_->Ack(3).ok());
  EXPECT_EQ(acked(), 3);
  ASSERT_TRUE(
      journal_->Ack(2).ok());  // an older acknowledgement is not an error, and changes nothing
  EXPECT_EQ(acked(), 3);
  ASSERT_TRUE(journal_->Ack(0).ok());
  EXPECT_EQ(acked(), 3);
  base::Status beyond = journal_->Ack(6);
  EXPECT_EQ(beyond.code(), base::StatusCode::kOutOfRange);
  EXPECT_NE(beyond.message().find("ends at 5"), std::string::npos) << beyond.message();
  EXPECT_EQ(acked(), 3);
  ASSERT_TRUE(journal_->Ack(5).ok());
  EXPECT_EQ(acked(), 5);
  Reopen();
  EXPECT_EQ(acked(), 5);
  ASSERT_TRUE(journal_->Ack(4).ok());
  EXPECT_EQ(acked(), 5);
}

TEST_F(JournalTest, UsageCountsOnlyAcceptedDiscountsOfThatMemberAndOffer) {
  const int64_t t0 = kNow;
  Append(Discount(kAnna, "O-1", 10000, 100));  // t0
  clock_.Advance(10);
  Append(Discount(kAnna, "O-1", 20000, 200));  // t0 + 10
  Append(Discount(kAnna, "O-1", 30000, 300, "LIMIT_REACHED"));
  Append(Discount(kBoris, "O-1", 40000, 400));
  Append(Discount(kAnna, "O-2", 50000, 500));
  Append(Checkin(kAnna, "E-1"));
  journal::NewEntry rejected = Rejected("SUSPENDED");
  rejected.rid = kAnna;
  rejected.offer_id = "O-1";
  Append(rejected);
  clock_.Advance(90);
  Append(Discount(kAnna, "O-1", 60000, 600));  // t0 + 100

  auto usage = [&](const card::Rid& rid, const std::string& offer, int64_t from, int64_t to) {
    auto u = journal_->Usage(rid, offer, from, to);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? std::pair<int64_t, int64_t>{u->count, u->discount_minor}
                  : std::pair<int64_t, int64_t>{-1, -1};
  };
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(usage(kAnna, "O-1", t0, t0 + 100), (P{2, 300}));  // [from, to): t0+100 is out
  EXPECT_EQ(usage(kAnna, "O-1", t0, t0 + 101), (P{3, 900}));
  EXPECT_EQ(usage(kAnna, "O-1", t0 + 1, t0 + 101), (P{2, 800}));
  EXPECT_EQ(usage(kAnna, "O-1", t0, t0 + 10), (P{1, 100}));
  EXPECT_EQ(usage(kAnna, "O-2", t0, t0 + 1000), (P{1, 500}));
  EXPECT_EQ(usage(kBoris, "O-1", t0, t0 + 1000), (P{1, 400}));
  EXPECT_EQ(usage(kVera, "O-1", t0, t0 + 1000), (P{0, 0}));
  EXPECT_EQ(usage(kAnna, "O-3", t0, t0 + 1000), (P{0, 0}));
  EXPECT_EQ(usage(kAnna, "O-1", t0 + 1000, t0 + 2000), (P{0, 0}));
  // The prepared statement is reusable: the same question twice gives the same answer.
  EXPECT_EQ(usage(kAnna, "O-1", t0, t0 + 100), (P{2, 300}));
}

TEST_F(JournalTest, CheckinsOfAndAttendance) {
  Append(Checkin(kAnna, "E-1"));  // kNow
  clock_.Advance(60);
  Append(Checkin(kAnna, "E-1"));  // a re-entry
  Append(Checkin(kBoris, "E-1", "NOT_REGISTERED"));
  Append(Checkin(kVera, "E-1"));
  Append(Checkin(kAnna, "E-2"));
  Append(Discount(kBoris, "O-1", 1000, 70));

  auto checkins = [&](const card::Rid& rid, const std::string& event) {
    auto r = journal_->CheckinsOf(rid, event);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::pair<int64_t, int64_t>{-1, -1};
  };
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(checkins(kAnna, "E-1"), (P{2, kNow}));
  EXPECT_EQ(checkins(kBoris, "E-1"), (P{0, 0}));  // refused check-ins do not count
  EXPECT_EQ(checkins(kVera, "E-1"), (P{1, kNow + 60}));
  EXPECT_EQ(checkins(kAnna, "E-2"), (P{1, kNow + 60}));
  EXPECT_EQ(checkins(kAnna, "E-3"), (P{0, 0}));

  auto attendance = [&](const std::string& event) {
    auto r = journal_->Attendance(event);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : -1;
  };
  EXPECT_EQ(attendance("E-1"), 2);  // Anna (twice) and Vera: distinct members
  EXPECT_EQ(attendance("E-2"), 1);
  EXPECT_EQ(attendance("E-3"), 0);
}

TEST_F(JournalTest, VerifyChainCleanOverEveryKind) {
  for (int i = 0; i < 30; ++i) {
    clock_.Advance(i % 3);
    switch (i % 3) {
      case 0:
        Append(Discount(i % 2 == 0 ? kAnna : kBoris, "O-1", 1000 + i, i));
        break;
      case 1:
        Append(Checkin(kVera, "E-1", i % 2 == 0 ? "accepted" : "ALREADY_CHECKED_IN"));
        break;
      default:
        Append(Rejected("UNKNOWN_KEY"));
        break;
    }
  }
  Reopen();
  auto report = journal_->VerifyChain();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->entries, 30);
  EXPECT_EQ(report->first_bad_seq, 0) << report->problem;
  EXPECT_TRUE(report->problem.empty());
}

}  // namespace
