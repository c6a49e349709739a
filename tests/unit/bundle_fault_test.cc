// Applying a bundle on a failing disk, SQLite do_faultsim_test style: the same apply (seq 2 over an
// applied seq 1) is run with the fault at mutating operation N = 1, 2, 3... until an apply runs
// without the fault firing, and after each run the registry in use must be seq 1 or seq 2, whole.
// Also: power loss (unsynced data dropped) at every operation, and read faults on the source (the
// USB stick pulled out). The FaultInjectionFs wrapper itself is checked first.
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

namespace {

using cktest::Contains;
using cktest::FaultInjectionFs;
using cktest::FsOp;
using cktest::kFixtureNow;
using FailMode = cktest::FaultInjectionFs::FailMode;

// Enough members that the registry is written in a couple of dozen appends.
constexpr size_t kMembers = 120'000;

std::string Describe(const std::vector<cktest::FsOpInfo>& log) {
  std::string out;
  for (const cktest::FsOpInfo& op : log) out += "  " + op.ToString() + "\n";
  return out;
}

// --- the wrapper

class FaultInjectionFsTest : public ::testing::Test {
 protected:
  base::Status WriteFile(base::FileSystem& fs, const std::string& path, std::string_view text,
                         bool sync) {
    CK_ASSIGN_OR_RETURN(auto f, fs.OpenWritable(path, 0644));
    CK_TRY(f->Append(base::AsBytes(text)));
    if (sync) CK_TRY(f->Sync());
    return f->Close();
  }
  std::string Read(const std::string& path) {
    base::Bytes b = cktest::ReadBytes(path);
    return std::string(b.begin(), b.end());
  }

  cktest::ScratchDir dir_;
  FaultInjectionFs fs_{base::PosixFs()};
};

TEST_F(FaultInjectionFsTest, CountsMutatingOperationsOnly) {
  const std::string a = dir_.File("a"), b = dir_.File("b");
  ASSERT_TRUE(WriteFile(fs_, a, "hello", true).ok());  // create, append, sync, close
  ASSERT_TRUE(fs_.Rename(a, b).ok());
  ASSERT_TRUE(fs_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE(fs_.Remove(dir_.File("missing")).ok());  // nothing to remove: not counted
  EXPECT_TRUE(fs_.Exists(b));
  auto in = fs_.OpenSequential(b);
  ASSERT_TRUE(in.ok());
  uint8_t buf[16];
  ASSERT_TRUE((*in)->Read(buf, sizeof buf).ok());
  ASSERT_TRUE(fs_.Remove(b).ok());
  const std::vector<cktest::FsOpInfo> log = fs_.log();
  ASSERT_EQ(fs_.op_count(), 7) << Describe(log);
  const FsOp expected[] = {FsOp::kCreate, FsOp::kAppend,  FsOp::kSync,  FsOp::kClose,
                           FsOp::kRename, FsOp::kSyncDir, FsOp::kRemove};
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].op, expected[i]) << log[i].ToString();
    EXPECT_EQ(log[i].index, static_cast<int64_t>(i + 1));
  }
  EXPECT_EQ(log[1].bytes, 5u);
  EXPECT_EQ(log[4].to, b);
  EXPECT_FALSE(fs_.fault_fired());
}

TEST_F(FaultInjectionFsTest, FailsOnlyTheChosenOperation) {
  fs_.FailAt(2);
  auto f = fs_.OpenWritable(dir_.File("a"), 0644);
  ASSERT_TRUE(f.ok());
  base::Status st = (*f)->Append(base::AsBytes("lost"));
  EXPECT_EQ(st.code(), base::StatusCode::kIo);
  EXPECT_TRUE(Contains(st.message(), "injected fault #2 append"));
  EXPECT_TRUE((*f)->Append(base::AsBytes("kept")).ok());
  EXPECT_TRUE((*f)->Close().ok());
  EXPECT_EQ(Read(dir_.File("a")), "kept");
  EXPECT_EQ(fs_.faults_injected(), 1);
  EXPECT_TRUE(fs_.log()[1].failed);
}

TEST_F(FaultInjectionFsTest, DeadDiskFailsEverythingFromTheChosenOperationOn) {
  fs_.FailAt(3, FailMode::kThatAndLater);
  EXPECT_FALSE(WriteFile(fs_, dir_.File("a"), "x", true).ok());  // #3 sync fails
  EXPECT_FALSE(fs_.Rename(dir_.File("a"), dir_.File("b")).ok());
  EXPECT_FALSE(fs_.Remove(dir_.File("a")).ok());
  EXPECT_FALSE(fs_.SyncDir(dir_.path()).ok());
  EXPECT_TRUE(fs_.Exists(dir_.File("a")));
  EXPECT_EQ(fs_.faults_injected(), 4);
  fs_.Disarm();
  EXPECT_TRUE(fs_.Remove(dir_.File("a")).ok());
}

TEST_F(FaultInjectionFsTest, HookSeesEveryOperationAndMayFailIt) {
  std::vector<int64_t> seen;
  fs_.SetOpHook([&](const cktest::FsOpInfo& op) {
    seen.push_back(op.index);
    if (op.op == FsOp::kRename) return base::Unavailable("no renames today");
    return base::Status::Ok();
  });
  ASSERT_TRUE(WriteFile(fs_, dir_.File("a"), "x", false).ok());
  base::Status st = fs_.Rename(dir_.File("a"), dir_.File("b"));
  EXPECT_EQ(st.code(), base::StatusCode::kUnavailable);
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_TRUE(fs_.Exists(dir_.File("a")));
  EXPECT_EQ(fs_.faults_injected(), 1);
}

TEST_F(FaultInjectionFsTest, ResetCountersStartsNumberingAgain) {
  ASSERT_TRUE(WriteFile(fs_, dir_.File("a"), "x", false).ok());
  fs_.ResetCounters();
  EXPECT_EQ(fs_.op_count(), 0);
  EXPECT_TRUE(fs_.log().empty());
  ASSERT_TRUE(fs_.SyncDir(dir_.path()).ok());
  EXPECT_EQ(fs_.log().at(0).index, 1);
}

TEST_F(FaultInjectionFsTest, PowerLossDropsWhatWasNotSynced) {
  const std::string synced = dir_.File("synced"), partly = dir_.File("partly"),
                    never = dir_.File("never"), moved = dir_.File("moved");
  ASSERT_TRUE(WriteFile(fs_, synced, "all of it", true).ok());
  {
    auto f = fs_.OpenWritable(partly, 0644);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(base::AsBytes("durable ")).ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Append(base::AsBytes("volatile")).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  ASSERT_TRUE(WriteFile(fs_, never, "gone", false).ok());
  ASSERT_TRUE(fs_.Rename(never, moved).ok());  // the unsynced data follows the rename
  EXPECT_EQ(fs_.UnsyncedBytes(partly), 8u);
  EXPECT_EQ(fs_.UnsyncedBytes(moved), 4u);
  ASSERT_TRUE(fs_.DropUnsyncedData().ok());
  EXPECT_EQ(Read(synced), "all of it");
  EXPECT_EQ(Read(partly), "durable ");
  EXPECT_EQ(Read(moved), "");
  EXPECT_EQ(fs_.UnsyncedBytes(partly), 0u);
}

TEST_F(FaultInjectionFsTest, ReadHookSeesOffsetsAndMayFailReads) {
  ASSERT_TRUE(cktest::WriteText(dir_.File("src"), std::string(100, 'x')));
  std::vector<uint64_t> offsets;
  fs_.SetReadHook([&](const cktest::FsReadInfo& r) {
    offsets.push_back(r.offset);
    return r.offset >= 60 ? base::IoError("reading " + r.path, EIO) : base::Status::Ok();
  });
  auto in = fs_.OpenSequential(dir_.File("src"));
  ASSERT_TRUE(in.ok());
  EXPECT_EQ((*in)->size(), 100u);
  uint8_t buf[30];
  EXPECT_EQ(*(*in)->Read(buf, 30), 30u);
  EXPECT_EQ(*(*in)->Read(buf, 30), 30u);
  base::Result<size_t> third = (*in)->Read(buf, 30);
  EXPECT_EQ(third.status().code(), base::StatusCode::kIo);
  EXPECT_EQ(offsets, (std::vector<uint64_t>{0, 30, 60}));
  EXPECT_EQ(fs_.op_count(), 0);  // reads are not mutating operations
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
    // The registry every run starts from.
    const std::string golden = scratch_->File("golden");
    cktest::MakeDir(golden);
    base::FakeClock clock(kFixtureNow);
    bundle::Importer importer(base::PosixFs(), clock, golden, factory_->trusted());
    ASSERT_TRUE(importer.Apply(b1->path).ok());
    golden_ = new std::string(importer.registry_path());
    // What each seq's registry.db looks like, byte for byte.
    expected_[0] = new base::Bytes(cktest::ReadBytes(*golden_));
    ASSERT_TRUE(importer.Apply(b2->path).ok());
    expected_[1] = new base::Bytes(cktest::ReadBytes(*golden_));
    ASSERT_TRUE(cktest::WriteBytes(*golden_, *expected_[0]));
  }
  static void TearDownTestSuite() {
    delete expected_[0];
    delete expected_[1];
    delete golden_;
    delete seq2_;
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
    EXPECT_TRUE(cktest::ReadBytes(data_ + "/registry.db") == *expected_[s.seq - 1])
        << "registry.db says seq " << s.seq << " but is not that registry byte for byte";
  }
  base::Result<bundle::ApplyReport> ApplyThrough(base::FileSystem& fs,
                                                 const bundle::ApplyOptions& options = {}) {
    bundle::Importer importer(fs, clock_, data_, factory_->trusted());
    return importer.Apply(*seq2_, options);
  }
  // After a faulty run: a healthy disk applies seq 2 (reinstalling it if the faulty run got that
  // far) and leaves no incoming file behind.
  void ExpectRecovery(int64_t seq_in_use) {
    base::Result<bundle::ApplyReport> r =
        ApplyThrough(base::PosixFs(), {.reinstall_same_seq = seq_in_use == 2});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
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
      FaultInjectionFs fs(base::PosixFs());
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
        if (s.seq == 2) ++stats.failed_with_new;
      }
      if (mode == FailMode::kOnlyThat) {
        EXPECT_FALSE(s.incoming_exists) << "a failed apply cleans up once the disk works again";
      }
      (s.seq == 1 ? stats.kept_old : stats.installed_new)++;
      ExpectRecovery(s.seq);
    }
    return stats;
  }

  static cktest::ScratchDir* scratch_;
  static cktest::BundleFactory* factory_;
  static std::string* seq2_;
  static std::string* golden_;
  static base::Bytes* expected_[2];  // registry.db of seq 1 and of seq 2
  cktest::ScratchDir dir_;
  std::string data_;
  base::FakeClock clock_;
};

cktest::ScratchDir* BundleFaultTest::scratch_ = nullptr;
cktest::BundleFactory* BundleFaultTest::factory_ = nullptr;
std::string* BundleFaultTest::seq2_ = nullptr;
std::string* BundleFaultTest::golden_ = nullptr;
base::Bytes* BundleFaultTest::expected_[2] = {nullptr, nullptr};

TEST_F(BundleFaultTest, ApplyWritesTheRegistryInManyOperations) {
  ResetDataDir();
  FaultInjectionFs fs(base::PosixFs());
  ASSERT_TRUE(ApplyThrough(fs).ok());
  const std::vector<cktest::FsOpInfo> log = fs.log();
  EXPECT_GT(fs.op_count(), 15) << Describe(log);
  // The order that makes the apply atomic: data, sync, close, rename, directory sync.
  ASSERT_GE(log.size(), 5u);
  EXPECT_EQ(log[0].op, FsOp::kCreate);
  EXPECT_EQ(log[log.size() - 4].op, FsOp::kSync);
  EXPECT_EQ(log[log.size() - 3].op, FsOp::kClose);
  EXPECT_EQ(log[log.size() - 2].op, FsOp::kRename);
  EXPECT_EQ(log[log.size() - 1].op, FsOp::kSyncDir);
}

// base/fs.h: storage code writes through the injected FileSystem, so that a fault-injecting wrapper
// sees (and can fail, or crash at) every write. Every file the apply leaves in the data directory
// must therefore have been created or renamed into place through it.
TEST_F(BundleFaultTest, ApplyWritesOnlyThroughTheInjectedFileSystem) {
  ResetDataDir();
  FaultInjectionFs fs(base::PosixFs());
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

// DESIGN.md section 5: "Any failure leaves the old registry in use and says why." Failing the
// directory sync that follows the rename breaks this: the apply reports an I/O error, but seq 2 is
// already the registry in use (and a retry of the same bundle is then refused as already applied).
TEST_F(BundleFaultTest, ApplyThatReportsFailureLeavesTheOldRegistryInUse) {
  ResetDataDir();
  FaultInjectionFs probe(base::PosixFs());
  ASSERT_TRUE(ApplyThrough(probe).ok());
  const std::vector<cktest::FsOpInfo> ops = probe.log();
  ASSERT_FALSE(ops.empty());
  ASSERT_EQ(ops.back().op, FsOp::kSyncDir);

  ResetDataDir();
  FaultInjectionFs fs(base::PosixFs());
  fs.FailAt(ops.back().index);
  base::Result<bundle::ApplyReport> r = ApplyThrough(fs);
  const cktest::RegistryState s = cktest::InspectDataDir(data_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  if (!r.ok()) {
    EXPECT_EQ(s.seq, 1) << "apply failed (" << r.status().ToString()
                        << ") but the registry in use is now seq " << s.seq;
  }
}

// Power loss at every operation: the disk stops at op N, then everything not synced is lost.
TEST_F(BundleFaultTest, PowerLossAtAnyOperationLeavesSeq1OrSeq2) {
  int runs = 0, dropped = 0;
  for (int64_t n = 1; n <= 1000; ++n) {
    ResetDataDir();
    FaultInjectionFs fs(base::PosixFs());
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

// --- the source going away

TEST_F(BundleFaultTest, StickPulledOutMidReadIsRefusedAsTruncated) {
  ResetDataDir();
  FaultInjectionFs fs(base::PosixFs());
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
    FaultInjectionFs fs(base::PosixFs());
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
