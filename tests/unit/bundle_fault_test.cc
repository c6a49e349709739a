// Applying a bundle on a failing disk, SQLite do_faultsim_test style: the same apply (seq 2 over an
// applied seq 1) is run with the fault at mutating operation N = 1, 2, 3... until an apply runs
// without the fault firing, and after each run the registry in use must be seq 1 or seq 2, whole.
// Also: power loss (unsynced data dropped) at every operation, and read faults on the source (the
// USB stick pulled out). The FaultInjectionFs wrapper itself is checked in fault_fs_test.cc.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/fs.h"
#include "bundle/importer.h"
#include "bundle_fixture.h"
#include "fault_fs.h"
#include "fault_vfs.h"
#include "real_fs.h"

namespace {

using cktest::Contains;
using cktest::FaultInjectionFs;
using cktest::FsOp;
using cktest::kFixtureNow;
using FailMode = cktest::FaultInjectionFs::FailMode;
using cktest::FaultVfs;

// Enough members that the registry is written in a couple of dozen appends.
constexpr size_t kMembers = 120'000;

std::string Describe(const std::vector<cktest::FsOpInfo>& log) {
  std::string out;
  for (const cktest::FsOpInfo& op : log) out += "  " + op.ToString() + "\n";
  return out;
}

// The position in `log` of the rename onto `to`; log.size() when there is none.
size_t FindRenameOnto(const std::vector<cktest::FsOpInfo>& log, const std::string& to) {
  for (size_t i = 0; i < log.size(); ++i) {
    if (log[i].op == FsOp::kRename && log[i].to == to) return i;
  }
  return log.size();
}

// --- applying through it

class BundleFaultTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new cktest::ScratchDir();
    factory_ = new cktest::BundleFactory(scratch_->File("build"));
    auto b1 = factory_->Build({.seq = 1, .extra_members = kMembers, .seed = 1});
    auto b2 = factory_->Build({.seq = 2, .extra_members = kMembers, .seed = 2});
    ASSERT_TRUE(b1.ok() && b2.ok());
    seq2_ = new std::string(b2->path);
    // A delta of seq 1 with 1,000 statuses changed.
    const cktest::BundleSpec from{.seq = 1, .extra_members = kMembers, .seed = 1};
    cktest::BundleSpec to = from;
    to.seq = 2;
    to.edit = [](registry::RegistryContents* c) {
      for (size_t i = 0; i < c->members.size(); i += c->members.size() / 1000)
        c->members[i].state = card::MemberState::kSuspended;
    };
    auto d12 = factory_->BuildDelta(from, to);
    ASSERT_TRUE(d12.ok()) << d12.status().ToString();
    delta12_ = new std::string(d12->path);
    // The registry every run starts from.
    const std::string golden = scratch_->File("golden");
    cktest::MakeDir(golden);
    base::FakeClock clock(kFixtureNow);
    bundle::Importer importer(cktest::RealFs(), clock, golden, factory_->trusted());
    ASSERT_TRUE(importer.Apply(b1->path).ok());
    golden_ = new std::string(importer.registry_path());
    // What each seq's registry.db looks like, byte for byte.
    expected_[0] = new base::Bytes(cktest::ReadBytes(*golden_));
    ASSERT_TRUE(importer.Apply(b2->path).ok());
    expected_[1] = new base::Bytes(cktest::ReadBytes(*golden_));
    ASSERT_TRUE(cktest::WriteBytes(*golden_, *expected_[0]));
    // What the delta apply makes of the seq-1 registry, byte for byte (the same every time).
    const std::string golden_delta = scratch_->File("golden-delta");
    cktest::MakeDir(golden_delta);
    ASSERT_TRUE(cktest::WriteBytes(golden_delta + "/registry.db", *expected_[0]));
    bundle::Importer delta_importer(cktest::RealFs(), clock, golden_delta, factory_->trusted());
    base::Result<bundle::ApplyReport> r = delta_importer.Apply(*delta12_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    expected_delta_ = new base::Bytes(cktest::ReadBytes(delta_importer.registry_path()));
  }
  static void TearDownTestSuite() {
    delete expected_[0];
    delete expected_[1];
    delete golden_;
    delete seq2_;
    delete delta12_;
    delete expected_delta_;
    delete factory_;
    delete scratch_;
  }

  BundleFaultTest() : data_(dir_.File("data")), clock_(kFixtureNow) {}
  void SetUp() override {
    ASSERT_NE(expected_[1], nullptr) << "the suite's bundles were not built";
  }

  // A data directory holding the seq-1 registry and nothing else.
  void ResetDataDir() {
    std::error_code ec;
    std::filesystem::remove_all(data_, ec);
    cktest::MakeDir(data_);
    cktest::CopyFile(*golden_, data_ + "/registry.db");
  }
  // The registry in use is exactly the seq-1 or the seq-2 one: never a mix of the two.
  void ExpectWholeRegistry(const cktest::RegistryState& s) {
    ASSERT_TRUE(s.seq == 1 || s.seq == 2) << s.ToString();
    const base::Bytes& expected = delta_ && s.seq == 2 ? *expected_delta_ : *expected_[s.seq - 1];
    EXPECT_TRUE(cktest::ReadBytes(data_ + "/registry.db") == expected)
        << "registry.db says seq " << s.seq << " but is not that registry byte for byte";
  }
  base::Result<bundle::ApplyReport> ApplyThrough(base::FileSystem& fs,
                                                 const bundle::ApplyOptions& options = {}) {
    bundle::Importer importer(fs, clock_, data_, factory_->trusted());
    return importer.Apply(delta_ ? *delta12_ : *seq2_, options);
  }
  // After a faulty run: a healthy disk applies seq 2 (reinstalling it if the faulty run got that
  // far; a delta cannot be reinstalled: then nothing is left to do) and leaves no incoming file
  // behind.
  void ExpectRecovery(int64_t seq_in_use) {
    if (!(delta_ && seq_in_use == 2)) {
      base::Result<bundle::ApplyReport> r =
          ApplyThrough(cktest::RealFs(), {.reinstall_same_seq = seq_in_use == 2});
      EXPECT_TRUE(r.ok()) << r.status().ToString();
    }
    cktest::RegistryState s = cktest::InspectDataDir(data_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(s.seq, 2);
    EXPECT_FALSE(s.incoming_exists);
  }

  struct LoopStats {
    int runs = 0;             // applies with the fault armed, the last one included
    int kept_old = 0;         // runs that ended with seq 1 in use
    int installed_new = 0;    // runs that ended with seq 2 in use
    int failed_with_new = 0;  // runs that reported a failure although seq 2 was in use
    bool completed = false;   // the last run had no fault to fire and applied seq 2
  };

  LoopStats FaultLoop(FailMode mode) {
    LoopStats stats;
    for (int64_t n = 1; n <= 1000; ++n) {
      ResetDataDir();
      FaultInjectionFs fs(cktest::RealFs());
      fs.FailAt(n, mode);
      base::Result<bundle::ApplyReport> r = ApplyThrough(fs);
      ++stats.runs;
      const cktest::RegistryState s = cktest::InspectDataDir(data_);
      SCOPED_TRACE("fault at op " + std::to_string(n) + ": " +
                   (r.ok() ? std::string("applied") : r.status().ToString()) + "; " + s.ToString() +
                   "\n" + Describe(fs.log()));
      EXPECT_TRUE(s.ok()) << s.ToString();
      ExpectWholeRegistry(s);
      if (!fs.fault_fired()) {
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        EXPECT_EQ(s.seq, 2);
        EXPECT_FALSE(s.incoming_exists);
        stats.completed = r.ok() && s.seq == 2;
        break;
      }
      if (!r.ok()) {
        // Only the injected error can make this apply fail, and it must be reported as such.
        EXPECT_EQ(r.status().code(), base::StatusCode::kIo) << r.status().ToString();
        EXPECT_TRUE(Contains(r.status().message(), "injected fault"));
        if (s.seq == 2) {
          // Only when the disk also refused to put the old registry back, and it says so.
          ++stats.failed_with_new;
          EXPECT_TRUE(Contains(r.status().message(), "putting the previous registry back failed"))
              << r.status().ToString();
        }
      }
      if (mode == FailMode::kOnlyThat) {
        EXPECT_FALSE(s.incoming_exists) << "a failed apply cleans up once the disk works again";
      }
      (s.seq == 1 ? stats.kept_old : stats.installed_new)++;
      ExpectRecovery(s.seq);
    }
    return stats;
  }

  // Power loss at every operation: the disk stops at op N, then everything not synced is lost.
  void PowerLossLoop() {
    int runs = 0, dropped = 0;
    for (int64_t n = 1; n <= 1000; ++n) {
      ResetDataDir();
      FaultInjectionFs fs(cktest::RealFs());
      fs.FailAt(n, FailMode::kThatAndLater);
      base::Result<bundle::ApplyReport> r = ApplyThrough(fs);
      ++runs;
      if (fs.UnsyncedBytes(data_ + "/" + bundle::kIncomingFile) > 0) ++dropped;
      ASSERT_TRUE(fs.DropUnsyncedData().ok());
      const cktest::RegistryState s = cktest::InspectDataDir(data_);
      SCOPED_TRACE("power lost at op " + std::to_string(n) + ": " + s.ToString());
      EXPECT_TRUE(s.ok()) << s.ToString();
      ExpectWholeRegistry(s);
      if (!fs.fault_fired()) break;
      ExpectRecovery(s.seq);
    }
    std::printf("power-loss loop: %d runs, %d dropped unsynced registry data\n", runs, dropped);
    EXPECT_GT(runs, 15);
    EXPECT_GT(dropped, 0) << "the simulation never had anything to drop";
  }

  static cktest::ScratchDir* scratch_;
  static cktest::BundleFactory* factory_;
  static std::string* seq2_;
  static std::string* delta12_;         // the delta from seq 1 to a seq 2 with 1,000 changes
  static base::Bytes* expected_delta_;  // registry.db after applying it onto seq 1
  static std::string* golden_;
  static base::Bytes* expected_[2];  // registry.db of seq 1 and of seq 2
  bool delta_ = false;               // apply the delta instead of the full seq-2 bundle
  cktest::ScratchDir dir_;
  std::string data_;
  base::FakeClock clock_;
};

// The same loops over a delta apply (DESIGN.md section 5 holds for manifest version 2 too).
class BundleDeltaFaultTest : public BundleFaultTest {
 protected:
  BundleDeltaFaultTest() { delta_ = true; }
};

cktest::ScratchDir* BundleFaultTest::scratch_ = nullptr;
cktest::BundleFactory* BundleFaultTest::factory_ = nullptr;
std::string* BundleFaultTest::seq2_ = nullptr;
std::string* BundleFaultTest::delta12_ = nullptr;
base::Bytes* BundleFaultTest::expected_delta_ = nullptr;
std::string* BundleFaultTest::golden_ = nullptr;
base::Bytes* BundleFaultTest::expected_[2] = {nullptr, nullptr};

TEST_F(BundleFaultTest, ApplyWritesTheRegistryInManyOperations) {
  ResetDataDir();
  FaultInjectionFs fs(cktest::RealFs());
  ASSERT_TRUE(ApplyThrough(fs).ok());
  const std::vector<cktest::FsOpInfo> log = fs.log();
  EXPECT_GT(fs.op_count(), 15) << Describe(log);
  // The order that makes the apply atomic: data, sync, close, (a second name for the old
  // registry,) rename over registry.db, directory sync.
  ASSERT_GE(log.size(), 6u);
  EXPECT_EQ(log[0].op, FsOp::kCreate);
  EXPECT_EQ(log[0].path, data_ + "/" + bundle::kIncomingFile);
  const size_t rename = FindRenameOnto(log, data_ + "/registry.db");
  ASSERT_LT(rename, log.size()) << Describe(log);
  ASSERT_GE(rename, 3u) << Describe(log);
  ASSERT_LT(rename + 1, log.size()) << Describe(log);
  EXPECT_EQ(log[rename].path, data_ + "/" + bundle::kIncomingFile);
  EXPECT_EQ(log[rename - 3].op, FsOp::kSync);
  EXPECT_EQ(log[rename - 3].path, data_ + "/" + bundle::kIncomingFile);
  EXPECT_EQ(log[rename - 2].op, FsOp::kClose);
  EXPECT_EQ(log[rename - 1].op, FsOp::kLink);
  EXPECT_EQ(log[rename - 1].to, data_ + "/" + bundle::kPreviousFile);
  EXPECT_EQ(log[rename + 1].op, FsOp::kSyncDir);
  EXPECT_EQ(log[rename + 1].path, data_);
  // Then the rollback floor, written the same way.
  const size_t floor = FindRenameOnto(log, data_ + "/" + bundle::kAppliedSeqFile);
  ASSERT_LT(floor + 1, log.size()) << Describe(log);
  EXPECT_GT(floor, rename);
  EXPECT_EQ(log[floor - 1].op, FsOp::kClose);
  EXPECT_EQ(log[floor - 2].op, FsOp::kSync);
  EXPECT_EQ(log[floor + 1].op, FsOp::kSyncDir);
  EXPECT_FALSE(fs.Exists(data_ + "/" + bundle::kPreviousFile));
}

// base/fs.h: storage code writes through the injected FileSystem, so that a fault-injecting wrapper
// sees (and can fail, or crash at) every write. Every file the apply leaves in the data directory
// must therefore have been created or renamed into place through it.
TEST_F(BundleFaultTest, ApplyWritesOnlyThroughTheInjectedFileSystem) {
  ResetDataDir();
  FaultInjectionFs fs(cktest::RealFs());
  ASSERT_TRUE(ApplyThrough(fs).ok());
  std::set<std::string> written = {
      data_ + "/registry.db",  // there before the apply
                               // an empty file flock()ed to serialise applies: holds no data
      data_ + "/" + bundle::kLockFile};
  for (const cktest::FsOpInfo& op : fs.log()) {
    if (op.op == FsOp::kCreate) written.insert(op.path);
    if (op.op == FsOp::kRename) written.insert(op.to);
  }
  for (const auto& entry : std::filesystem::directory_iterator(data_)) {
    EXPECT_TRUE(written.count(entry.path().string()) == 1)
        << entry.path().string() << " was written behind the FileSystem's back\n"
        << Describe(fs.log());
  }
}

TEST_F(BundleFaultTest, FailingAnyOneOperationLeavesSeq1OrSeq2) {
  LoopStats stats = FaultLoop(FailMode::kOnlyThat);
  std::printf("fail-once loop: %d runs, %d kept seq 1, %d installed seq 2\n", stats.runs,
              stats.kept_old, stats.installed_new);
  EXPECT_GT(stats.runs, 15);
  EXPECT_GT(stats.kept_old, 0);
  // DESIGN.md section 5: any failure leaves the old registry in use.
  EXPECT_EQ(stats.failed_with_new, 0);
  EXPECT_TRUE(stats.completed);
}

TEST_F(BundleFaultTest, DiskDyingAtAnyOperationLeavesSeq1OrSeq2) {
  LoopStats stats = FaultLoop(FailMode::kThatAndLater);
  std::printf("dead-disk loop: %d runs, %d kept seq 1, %d installed seq 2\n", stats.runs,
              stats.kept_old, stats.installed_new);
  EXPECT_GT(stats.runs, 15);
  EXPECT_GT(stats.kept_old, 0);
  EXPECT_TRUE(stats.completed);
}

// DESIGN.md section 5: "fsync; rename over registry.db; fsync the directory. Any failure leaves
// the old registry in use and says why." Until the directory sync after the rename succeeds, the
// new registry is not known to be on disk (a power cut could bring either back), so a failed
// directory sync is a failed apply: the old registry is put back, and applying the same bundle
// again (no reinstall needed) then installs it.
TEST_F(BundleFaultTest, FailedDirectorySyncAfterTheRenameLeavesTheOldRegistryInUse) {
  ResetDataDir();
  FaultInjectionFs probe(cktest::RealFs());
  ASSERT_TRUE(ApplyThrough(probe).ok());
  const std::vector<cktest::FsOpInfo> ops = probe.log();
  const size_t rename = FindRenameOnto(ops, data_ + "/registry.db");
  ASSERT_LT(rename + 1, ops.size()) << Describe(ops);
  ASSERT_EQ(ops[rename + 1].op, FsOp::kSyncDir) << Describe(ops);

  ResetDataDir();
  FaultInjectionFs fs(cktest::RealFs());
  fs.FailAt(ops[rename + 1].index);
  base::Result<bundle::ApplyReport> r = ApplyThrough(fs);
  ASSERT_FALSE(r.ok()) << "an apply whose rename is not known to be on disk was reported as done"
                       << (r.ok() ? " (warning: " + r->warning + ")" : "");
  EXPECT_EQ(r.status().code(), base::StatusCode::kIo) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "injected fault")) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "the previous registry is back in use"))
      << r.status().ToString();
  const cktest::RegistryState s = cktest::InspectDataDir(data_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(s.seq, 1) << "apply failed (" << r.status().ToString()
                      << ") but the registry in use is now seq " << s.seq;
  ExpectWholeRegistry(s);
  EXPECT_FALSE(s.incoming_exists);
  EXPECT_FALSE(fs.Exists(data_ + "/" + bundle::kPreviousFile));
  ExpectRecovery(s.seq);
}

// The rollback floor (registry.seq) is written after the registry is in place and on disk: if
// that fails, the apply stands, with a warning (the registry's own meta records the seq).
TEST_F(BundleFaultTest, FailedRollbackFloorIsAppliedWithAWarning) {
  ResetDataDir();
  FaultInjectionFs probe(cktest::RealFs());
  ASSERT_TRUE(ApplyThrough(probe).ok());
  const std::vector<cktest::FsOpInfo> ops = probe.log();
  const size_t floor = FindRenameOnto(ops, data_ + "/" + bundle::kAppliedSeqFile);
  ASSERT_LT(floor, ops.size()) << Describe(ops);

  ResetDataDir();
  FaultInjectionFs fs(cktest::RealFs());
  fs.FailAt(ops[floor].index);
  base::Result<bundle::ApplyReport> r = ApplyThrough(fs);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(Contains(r->warning, "the rollback floor was not saved")) << r->warning;
  EXPECT_TRUE(Contains(r->warning, "injected fault")) << r->warning;
  const cktest::RegistryState s = cktest::InspectDataDir(data_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(s.seq, 2);
  ExpectWholeRegistry(s);
}

// Power loss at every operation: the disk stops at op N, then everything not synced is lost.
TEST_F(BundleFaultTest, PowerLossAtAnyOperationLeavesSeq1OrSeq2) { PowerLossLoop(); }

// A delta apply changes registry.db through SQLite (the loops over SQLite's calls are below); its
// file operations are the bundle's reading, the rollback floor and registry.state. Failing any of
// them still leaves seq 1 or seq 2, whole, and never a failure reported with seq 2 in use.
TEST_F(BundleDeltaFaultTest, FailingAnyOneFileOperationLeavesSeq1OrSeq2) {
  LoopStats stats = FaultLoop(FailMode::kOnlyThat);
  std::printf("delta fail-once loop: %d runs, %d kept seq 1, %d installed seq 2\n", stats.runs,
              stats.kept_old, stats.installed_new);
  EXPECT_GT(stats.runs, 5);
  EXPECT_EQ(stats.failed_with_new, 0);
  EXPECT_TRUE(stats.completed);
}

TEST_F(BundleDeltaFaultTest, DiskDyingAtAnyFileOperationLeavesSeq1OrSeq2) {
  LoopStats stats = FaultLoop(FailMode::kThatAndLater);
  EXPECT_GT(stats.runs, 5);
  EXPECT_TRUE(stats.completed);
}

TEST_F(BundleDeltaFaultTest, ApplyWritesOnlyThroughTheInjectedFileSystem) {
  ResetDataDir();
  FaultInjectionFs fs(cktest::RealFs());
  ASSERT_TRUE(ApplyThrough(fs).ok());
  std::set<std::string> written = {data_ + "/registry.db", data_ + "/" + bundle::kLockFile};
  for (const cktest::FsOpInfo& op : fs.log()) {
    if (op.op == FsOp::kCreate) written.insert(op.path);
    if (op.op == FsOp::kRename) written.insert(op.to);
  }
  for (const auto& entry : std::filesystem::directory_iterator(data_)) {
    EXPECT_TRUE(written.count(entry.path().string()) == 1)
        << entry.path().string() << " was written behind the FileSystem's back\n"
        << Describe(fs.log());
  }
}

// The change records are applied to registry.db in place by SQLite: a failing write or sync
// there (the SQLite VFS), early, late or at the commit's sync, leaves seq 1 in use, whole, and no
// journal behind (the failed apply rolls back). With the disk dead from that call on, the rollback
// cannot write either: the journal stays, and the next open (the disk working again) plays it back.
TEST_F(BundleDeltaFaultTest, FailingAnySqliteCallOfTheApplyKeepsSeq1) {
  cktest::FaultVfs vfs("bundle-delta-fault");
  int runs = 0, journals = 0;
  for (FaultVfs::FailMode mode :
       {FaultVfs::FailMode::kOnlyThat, FaultVfs::FailMode::kThatAndLater}) {
    for (FaultVfs::Kind kind : {FaultVfs::Kind::kWrite, FaultVfs::Kind::kSync}) {
      // Every call up to 8, then every 1.5th: a delta's commit writes hundreds of pages.
      for (int64_t n = 1; n <= 100'000; n = n < 8 ? n + 1 : n * 3 / 2) {
        ResetDataDir();
        vfs.Arm(kind, n, mode);
        bundle::Importer importer(cktest::RealFs(), clock_, data_, factory_->trusted());
        importer.set_sqlite_vfs(vfs.name());
        base::Result<bundle::ApplyReport> r = importer.Apply(*delta12_);
        const bool fired = vfs.fault_fired();
        vfs.Disarm();
        ++runs;
        const cktest::RegistryState s = cktest::InspectDataDir(data_);
        SCOPED_TRACE("SQLite call " + std::to_string(n) + " failed: " + s.ToString());
        EXPECT_TRUE(s.ok()) << s.ToString();
        ExpectWholeRegistry(s);
        EXPECT_FALSE(s.incoming_exists);
        if (s.journal_existed) ++journals;
        if (mode == FaultVfs::FailMode::kOnlyThat) {
          EXPECT_FALSE(s.journal_existed);
        }
        if (!fired) {
          EXPECT_TRUE(r.ok()) << r.status().ToString();
          EXPECT_EQ(s.seq, 2);
          EXPECT_GT(n, 1) << "the registry was never written or synced through the VFS";
          break;
        }
        EXPECT_FALSE(r.ok());
        EXPECT_EQ(s.seq, 1);
      }
    }
  }
  std::printf("delta SQLite fault loop: %d runs, %d left a journal to play back\n", runs, journals);
  EXPECT_GT(journals, 0) << "no dead-disk run left the journal: the loop never reached the commit";
}

// Power loss during a delta apply, at every sync of SQLite's (journal, registry): the power goes
// after sync N, later writes reach only the volatile cache, the crash drops what was not synced,
// and the device starts again. Seq 1 or seq 2, whole; and an apply reported done is seq 2.
TEST_F(BundleDeltaFaultTest, PowerLossAtAnySqliteSyncLeavesSeq1OrSeq2) {
  cktest::FaultVfs vfs("bundle-delta-power");
  int runs = 0, kept_old = 0, journals = 0;
  for (int64_t n = 1; n <= 1000; ++n) {
    ResetDataDir();
    vfs.PowerOffAfterSync(n);
    base::Result<bundle::ApplyReport> r = [&] {
      bundle::Importer importer(cktest::RealFs(), clock_, data_, factory_->trusted());
      importer.set_sqlite_vfs(vfs.name());
      return importer.Apply(*delta12_);
    }();
    const bool cut = vfs.fault_fired();
    ++runs;
    ASSERT_TRUE(vfs.DropUnsyncedData().ok());
    vfs.PowerOn();
    const cktest::RegistryState s = cktest::InspectDataDir(data_);
    SCOPED_TRACE("power lost after SQLite sync " + std::to_string(n) + ": " + s.ToString());
    EXPECT_TRUE(s.ok()) << s.ToString();
    ExpectWholeRegistry(s);
    if (r.ok()) {
      EXPECT_EQ(s.seq, 2) << "an apply reported done did not survive the power loss";
    }
    if (s.seq == 1) ++kept_old;
    if (s.journal_existed) ++journals;
    if (!cut) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      break;
    }
    ExpectRecovery(s.seq);
  }
  vfs.Disarm();
  std::printf("delta power-loss loop: %d runs, %d kept seq 1, %d left a journal\n", runs, kept_old,
              journals);
  EXPECT_GT(runs, 2);
  EXPECT_GT(kept_old, 0);
  EXPECT_GT(journals, 0);
}

// --- the source going away

TEST_F(BundleFaultTest, StickPulledOutMidReadIsRefusedAsTruncated) {
  ResetDataDir();
  FaultInjectionFs fs(cktest::RealFs());
  const std::string copy = dir_.File("on-stick.ckbundle");
  ASSERT_TRUE(cktest::CopyFile(*seq2_, copy));
  bool pulled = false;
  fs.SetReadHook([&](const cktest::FsReadInfo& r) {
    if (!pulled && r.offset > 100'000) {
      pulled = true;
      std::filesystem::resize_file(copy, r.offset);  // nothing more to read
    }
    return base::Status::Ok();
  });
  bundle::Importer importer(fs, clock_, data_, factory_->trusted());
  base::Result<bundle::ApplyReport> r = importer.Apply(copy);
  ASSERT_TRUE(pulled);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kDataLoss) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "bundle content is truncated"));
  EXPECT_TRUE(Contains(r.status().message(), "was the stick pulled out?"));
  const cktest::RegistryState s = cktest::InspectDataDir(data_);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(s.seq, 1);
  EXPECT_FALSE(s.incoming_exists);
}

TEST_F(BundleFaultTest, ReadErrorOnTheSourceKeepsTheOldRegistry) {
  for (int fail_read = 1; fail_read <= 6; ++fail_read) {
    ResetDataDir();
    FaultInjectionFs fs(cktest::RealFs());
    int reads = 0;
    fs.SetReadHook([&](const cktest::FsReadInfo& r) {
      return ++reads == fail_read ? base::IoError("reading " + r.path, EIO) : base::Status::Ok();
    });
    base::Result<bundle::ApplyReport> r = ApplyThrough(fs);
    SCOPED_TRACE("read " + std::to_string(fail_read) + " failed");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), base::StatusCode::kIo) << r.status().ToString();
    const cktest::RegistryState s = cktest::InspectDataDir(data_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(s.seq, 1);
    EXPECT_FALSE(s.incoming_exists);
  }
}

}  // namespace
