// The FaultInjectionFs wrapper (fault_fs.h) that the storage fault tests run on: what it counts,
// the faults it injects, its hooks and its power-loss simulation.
#include "fault_fs.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "base/fs.h"
#include "bundle_fixture.h"
#include "real_fs.h"

namespace {

using cktest::Contains;
using cktest::FaultInjectionFs;
using cktest::FsOp;
using FailMode = cktest::FaultInjectionFs::FailMode;

std::string Describe(const std::vector<cktest::FsOpInfo>& log) {
  std::string out;
  for (const cktest::FsOpInfo& op : log) out += "  " + op.ToString() + "\n";
  return out;
}

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
  FaultInjectionFs fs_{cktest::RealFs()};
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

TEST_F(FaultInjectionFsTest, LinkIsCountedAndBothNamesLoseTheUnsyncedData) {
  const std::string a = dir_.File("a"), b = dir_.File("b");
  ASSERT_TRUE(WriteFile(fs_, a, "gone", false).ok());
  ASSERT_TRUE(fs_.Link(a, b).ok());
  EXPECT_FALSE(fs_.Link(a, b).ok()) << "the second name exists already";
  const std::vector<cktest::FsOpInfo> log = fs_.log();
  ASSERT_GE(log.size(), 4u) << Describe(log);
  EXPECT_EQ(log[3].op, FsOp::kLink);
  EXPECT_EQ(log[3].path, a);
  EXPECT_EQ(log[3].to, b);
  EXPECT_EQ(fs_.UnsyncedBytes(b), 4u);
  ASSERT_TRUE(fs_.DropUnsyncedData().ok());
  EXPECT_EQ(Read(a), "");
  EXPECT_EQ(Read(b), "");
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

// --- base::WriteFileAtomic and base::ReadFile through a FileSystem (base/fs.h)

TEST_F(FaultInjectionFsTest, WriteFileAtomicSyncsAndRenamesThroughTheFileSystem) {
  const std::string f = dir_.File("f");
  ASSERT_TRUE(base::WriteFileAtomic(fs_, f, "durable", 0600).ok());
  const std::vector<cktest::FsOpInfo> log = fs_.log();
  const FsOp expected[] = {FsOp::kCreate, FsOp::kAppend, FsOp::kSync,
                           FsOp::kClose,  FsOp::kRename, FsOp::kSyncDir};
  ASSERT_EQ(log.size(), 6u) << Describe(log);
  for (size_t i = 0; i < log.size(); ++i) EXPECT_EQ(log[i].op, expected[i]) << Describe(log);
  EXPECT_EQ(log[0].path, f + ".tmp");
  EXPECT_EQ(log[4].to, f);
  EXPECT_EQ(log[5].path, dir_.path());
  EXPECT_EQ(Read(f), "durable");
  base::Result<std::string> back = base::ReadFile(fs_, f, 7);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, "durable");
  EXPECT_EQ(base::ReadFile(fs_, f, 6).status().code(), base::StatusCode::kOutOfRange);
  EXPECT_EQ(base::ReadFile(fs_, dir_.File("missing"), 6).status().code(),
            base::StatusCode::kNotFound);
}

TEST_F(FaultInjectionFsTest, WriteFileAtomicDeferredSyncsNothing) {
  ASSERT_TRUE(
      base::WriteFileAtomic(fs_, dir_.File("f"), "x", 0644, base::Durability::kDeferred).ok());
  for (const cktest::FsOpInfo& op : fs_.log()) {
    EXPECT_NE(op.op, FsOp::kSync) << op.ToString();
    EXPECT_NE(op.op, FsOp::kSyncDir) << op.ToString();
  }
  EXPECT_EQ(fs_.op_count(), 4);
}

TEST_F(FaultInjectionFsTest, WriteFileAtomicThatFailsKeepsTheOldFileAndNoTemporary) {
  const std::string f = dir_.File("f");
  ASSERT_TRUE(base::WriteFileAtomic(fs_, f, "old", 0644).ok());
  for (int64_t n = 1; n <= 5; ++n) {  // every operation up to the rename
    fs_.ResetCounters();
    fs_.FailAt(n);
    base::Status st = base::WriteFileAtomic(fs_, f, "new", 0644);
    SCOPED_TRACE("fault at op " + std::to_string(n));
    EXPECT_EQ(st.code(), base::StatusCode::kIo) << st.ToString();
    EXPECT_EQ(Read(f), "old");
    EXPECT_FALSE(fs_.Exists(f + ".tmp"));
  }
}

}  // namespace
