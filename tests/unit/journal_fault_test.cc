// journal.db on a failing disk, in SQLite's do_faultsim_test style: the same run (open the
// journal, append, export and acknowledge what the export held, append more) is repeated with a
// fault at call N = 1, 2, 3... of the FaultVfs (tests/unit/fault_vfs.h) until a run ends without
// the fault firing. After every run the power is cut (whatever was not synced is lost), the
// journal is opened again and must hold every entry whose Append returned OK, none whose Append
// failed, an acknowledged seq no lower than the last Ack that returned OK, and a chain that
// verifies. Three loops: a write fails, a sync fails, the power goes off right after a sync.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "base/clock.h"
#include "fault_vfs.h"
#include "journal/entry.h"
#include "journal/export.h"
#include "journal/journal.h"
#include "sqlite/db.h"
#include "subprocess.h"

namespace {

using cktest::FaultVfs;

constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z
constexpr int64_t kPurchaseBase = 10'000;
constexpr int kPrefilled = 3;  // entries on disk before the faulty run
constexpr int kPerPhase = 4;   // appends before the export, and again after it
const card::Rid kMember = {7, 7, 7, 7, 7, 7, 7, 7};

// Attempt `i` is told apart by its purchase amount.
journal::NewEntry Attempt(int64_t i) {
  return {.kind = journal::Kind::kDiscount,
          .rid = kMember,
          .partner_id = "P-1",
          .offer_id = "O-1",
          .purchase_minor = kPurchaseBase + i,
          .discount_minor = 100,
          .bundle_seq = 1,
          .verdict = "VALID",
          .decision = journal::kAccepted};
}

// What the faulty run was told.
struct Outcome {
  std::map<int64_t, journal::Entry> durable;  // by attempt: Append returned OK
  std::set<int64_t> failed;                   // attempts whose Append failed
  int64_t acked = 0;                          // the last seq whose Ack returned OK
  int appends_failed = 0, exports_failed = 0;
};

struct LoopStats {
  int runs = 0, runs_with_failed_appends = 0, runs_with_failed_exports = 0;
  int runs_dropping_data = 0;  // the crash had written but unsynced data to lose
  bool completed = false;      // the last run had nothing left to fail
};

void Print(const char* what, const LoopStats& s) {
  std::printf(
      "%s: %d runs, %d with failed appends, %d with a failed export or ack, %d lost unsynced "
      "data in the crash\n",
      what, s.runs, s.runs_with_failed_appends, s.runs_with_failed_exports, s.runs_dropping_data);
}

// --- the VFS itself

class FaultVfsTest : public ::testing::Test {
 protected:
  base::Result<sqlite::Db> Open() {
    return sqlite::Db::Open(dir_.File("t.db"), sqlite::Db::Mode::kReadWriteCreate, vfs_.name());
  }
  // Rows in t, read through SQLite's own VFS; -1 when there is no table t.
  int64_t Rows() {
    auto db = sqlite::Db::Open(dir_.File("t.db"), sqlite::Db::Mode::kReadWriteCreate);
    if (!db.ok()) return -2;
    auto st = db->Prepare("SELECT count(*) FROM t");
    if (!st.ok()) return -1;
    return st->Step().ok() ? st->Int(0) : -3;
  }
  void Crash(sqlite::Db db) {
    vfs_.PowerOff();
    (void)db.Close();
    ASSERT_TRUE(vfs_.DropUnsyncedData().ok());
    vfs_.PowerOn();
  }

  cktest::TempDir dir_;
  FaultVfs vfs_{"ck-fault-self"};
};

TEST_F(FaultVfsTest, PowerLossDropsWhatWasNotSyncedAndKeepsWhatWas) {
  {
    auto db = Open();
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                         "CREATE TABLE t(x); INSERT INTO t VALUES(1)")
                    .ok());
    EXPECT_GT(vfs_.syncs(), 0);
    ASSERT_TRUE(db->Exec("PRAGMA synchronous=OFF; INSERT INTO t VALUES(2)").ok());
    EXPECT_GT(vfs_.UnsyncedBytes(dir_.File("t.db-wal")), 0u);
    Crash(std::move(*db));
  }
  EXPECT_EQ(Rows(), 1) << "the synced row must stay, the unsynced one must go";
}

TEST_F(FaultVfsTest, FailsOnlyTheChosenCall) {
  auto db = Open();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x)").ok());
  vfs_.Arm(FaultVfs::Kind::kWrite, 1);
  base::Status st = db->Exec("INSERT INTO t VALUES(1)");
  EXPECT_EQ(st.code(), base::StatusCode::kIo) << st.ToString();
  EXPECT_EQ(vfs_.faults_injected(), 1);
  EXPECT_TRUE(db->Exec("INSERT INTO t VALUES(2)").ok());
  vfs_.Arm(FaultVfs::Kind::kSync, 1);
  st = db->Exec("INSERT INTO t VALUES(3)");
  EXPECT_EQ(st.code(), base::StatusCode::kIo) << st.ToString();
  EXPECT_EQ(vfs_.faults_injected(), 1);
  ASSERT_TRUE(db->Close().ok());
}

// --- the journal through it

class JournalFaultTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = new card::PrivateKey(card::PrivateKey::Generate(card::Alg::kEdDSA).value());
  }
  static void TearDownTestSuite() { delete key_; }

  std::string Path() const { return dir_->File(journal::kJournalFile); }

  // A fresh directory holding a journal of kPrefilled entries, closed cleanly (on disk).
  void Prefill() {
    dir_ = std::make_unique<cktest::TempDir>();
    auto j = journal::Journal::Open(Path(), clock_);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    for (int64_t i = 0; i < kPrefilled; ++i) {
      ASSERT_TRUE((*j)->Append(Attempt(i)).ok());
    }
  }

  void TryAppend(journal::Journal& j, int64_t i, Outcome* out) {
    clock_.Advance(1);
    base::Result<journal::Entry> e = j.Append(Attempt(i));
    if (e.ok()) {
      out->durable[i] = *e;
    } else {
      out->failed.insert(i);
      ++out->appends_failed;
    }
  }

  // What `cardctl journal export` and then `journal ack` do.
  void ExportAndAck(journal::Journal& j, Outcome* out) {
    base::Result<int64_t> acked = j.AckedSeq();
    if (!acked.ok()) {
      ++out->exports_failed;
      return;
    }
    base::Result<base::Bytes> file = journal::WriteExport(j, *acked + 1, "kiosk-1", *key_, kNow);
    if (!file.ok()) {
      ++out->exports_failed;
      return;
    }
    base::Result<journal::ExportCheck> check = journal::CheckExport(*file, *key_->Public());
    ASSERT_TRUE(check.ok()) << check.status().ToString();
    EXPECT_TRUE(check->ok()) << "an export read from a faulty disk: " << check->problem
                             << check->signature_problem;
    for (const journal::Entry& e : check->entries) {
      const int64_t i = e.purchase_minor - kPurchaseBase;
      EXPECT_TRUE(i < kPrefilled || out->durable.count(i) == 1)
          << "the export holds attempt " << i << ", whose Append was not reported durable";
    }
    if (check->header.count == 0) return;
    if (j.Ack(check->header.last_seq).ok()) {
      out->acked = check->header.last_seq;
    } else {
      ++out->exports_failed;
    }
  }

  // The faulty run; the journal is left open (the crash comes before any clean close).
  std::unique_ptr<journal::Journal> Run(FaultVfs& vfs, Outcome* out) {
    auto j = journal::Journal::Open(Path(), clock_, {.sqlite_vfs = vfs.name()});
    if (!j.ok()) return nullptr;
    int64_t next = kPrefilled;
    for (int k = 0; k < kPerPhase; ++k) TryAppend(**j, next++, out);
    ExportAndAck(**j, out);
    for (int k = 0; k < kPerPhase; ++k) TryAppend(**j, next++, out);
    return std::move(*j);
  }

  // Power cut: the connection dies with the disk, then what was not synced is gone.
  static void Crash(FaultVfs& vfs, std::unique_ptr<journal::Journal> j) {
    vfs.PowerOff();
    j.reset();
    ASSERT_TRUE(vfs.DropUnsyncedData().ok());
    vfs.PowerOn();
  }

  // After the crash, through SQLite's own VFS.
  void ExpectKept(const Outcome& out) {
    auto j = journal::Journal::Open(Path(), clock_);
    ASSERT_TRUE(j.ok()) << "the journal does not open after the crash: " << j.status().ToString();
    base::Result<journal::ChainReport> chain = (*j)->VerifyChain();
    ASSERT_TRUE(chain.ok()) << chain.status().ToString();
    EXPECT_EQ(chain->first_bad_seq, 0) << chain->problem;
    std::map<int64_t, journal::Entry> found;  // by attempt
    ASSERT_TRUE((*j)->ForEach(1,
                              [&](const journal::Entry& e) {
                                found[e.purchase_minor - kPurchaseBase] = e;
                                return base::Status::Ok();
                              })
                    .ok());
    for (int64_t i = 0; i < kPrefilled; ++i) EXPECT_EQ(found.count(i), 1u) << "prefilled " << i;
    for (const auto& [i, e] : out.durable) {
      auto it = found.find(i);
      ASSERT_NE(it, found.end()) << "attempt " << i << " (seq " << e.seq
                                 << ") was reported durable but is gone";
      EXPECT_EQ(it->second.uuid, e.uuid);
      EXPECT_EQ(it->second.seq, e.seq);
      EXPECT_EQ(it->second.hash, e.hash);
    }
    for (int64_t i : out.failed) {
      EXPECT_EQ(found.count(i), 0u) << "attempt " << i << " was reported failed but is accepted";
    }
    EXPECT_EQ(static_cast<int64_t>(found.size()),
              kPrefilled + static_cast<int64_t>(out.durable.size()));
    base::Result<int64_t> acked = (*j)->AckedSeq();
    ASSERT_TRUE(acked.ok());
    EXPECT_GE(*acked, out.acked) << "an acknowledgement reported saved is gone";
    EXPECT_LE(*acked, (*j)->last_seq());
    // And the journal goes on from where it is.
    base::Result<journal::Entry> next = (*j)->Append(Attempt(999));
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    EXPECT_EQ(next->seq, static_cast<int64_t>(found.size()) + 1);
  }

  // arm(vfs, n) sets the fault up; fired(vfs) says whether it took effect.
  template <typename Arm, typename Fired>
  LoopStats FaultLoop(Arm arm, Fired fired) {
    LoopStats stats;
    for (int64_t n = 1; n <= 500 && !HasFatalFailure(); ++n) {
      Prefill();
      FaultVfs vfs("ck-fault");
      arm(vfs, n);
      Outcome out;
      std::unique_ptr<journal::Journal> j = Run(vfs, &out);
      const bool fault = fired(vfs);
      SCOPED_TRACE("fault at call " + std::to_string(n) + ": " +
                   std::to_string(out.durable.size()) + " appends durable, " +
                   std::to_string(out.failed.size()) + " failed, acked " +
                   std::to_string(out.acked) + (j ? "" : ", the journal did not open"));
      ++stats.runs;
      stats.runs_with_failed_appends += out.appends_failed > 0;
      stats.runs_with_failed_exports += out.exports_failed > 0;
      stats.runs_dropping_data += vfs.UnsyncedBytes() > 0;
      Crash(vfs, std::move(j));
      ExpectKept(out);
      if (!fault) {
        EXPECT_EQ(out.durable.size(), 2u * kPerPhase);
        EXPECT_GT(out.acked, 0);
        stats.completed = out.durable.size() == 2u * kPerPhase;
        break;
      }
    }
    return stats;
  }

  static card::PrivateKey* key_;
  std::unique_ptr<cktest::TempDir> dir_;
  base::FakeClock clock_{kNow};
};

card::PrivateKey* JournalFaultTest::key_ = nullptr;

TEST_F(JournalFaultTest, FailingAnyOneWriteLosesNothingReportedDurable) {
  LoopStats s = FaultLoop([](FaultVfs& v, int64_t n) { v.Arm(FaultVfs::Kind::kWrite, n); },
                          [](const FaultVfs& v) { return v.fault_fired(); });
  Print("write faults", s);
  EXPECT_GT(s.runs, 2 * kPerPhase);  // at least a write per append
  EXPECT_GT(s.runs_with_failed_appends, 0);
  EXPECT_TRUE(s.completed);
}

TEST_F(JournalFaultTest, DiskDyingAtAnyWriteLosesNothingReportedDurable) {
  LoopStats s = FaultLoop(
      [](FaultVfs& v, int64_t n) {
        v.Arm(FaultVfs::Kind::kWrite, n, FaultVfs::FailMode::kThatAndLater);
      },
      [](const FaultVfs& v) { return v.fault_fired(); });
  Print("dead disk", s);
  EXPECT_GT(s.runs, 2 * kPerPhase);
  EXPECT_TRUE(s.completed);
}

TEST_F(JournalFaultTest, FailingAnyOneSyncLosesNothingReportedDurable) {
  LoopStats s = FaultLoop([](FaultVfs& v, int64_t n) { v.Arm(FaultVfs::Kind::kSync, n); },
                          [](const FaultVfs& v) { return v.fault_fired(); });
  Print("sync faults", s);
  EXPECT_GT(s.runs, 2 * kPerPhase);  // at least a sync per append (synchronous=FULL)
  EXPECT_GT(s.runs_with_failed_appends, 0);
  EXPECT_TRUE(s.completed);
}

TEST_F(JournalFaultTest, PowerLossAfterAnySyncLosesNothingReportedDurable) {
  LoopStats s = FaultLoop([](FaultVfs& v, int64_t n) { v.PowerOffAfterSync(n); },
                          [](const FaultVfs& v) { return v.powered_off(); });
  Print("power loss after a sync", s);
  EXPECT_GT(s.runs, 2 * kPerPhase);
  EXPECT_GT(s.runs_with_failed_appends, 0);
  EXPECT_GT(s.runs_dropping_data, 0) << "the simulation never had anything to lose";
  EXPECT_TRUE(s.completed);
}

}  // namespace
