// The device key (journal/device_key.h) is made on first use and written through the injected
// FileSystem: atomically (temporary file, sync, rename, directory sync), the private key 0600.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "base/fs.h"
#include "fault_fs.h"
#include "journal/device_key.h"
#include "subprocess.h"

namespace {

using cktest::FaultInjectionFs;
using cktest::FsOp;

class DeviceKeyTest : public ::testing::Test {
 protected:
  std::string KeyPath() const { return dir_.File(journal::kDeviceKeyFile); }
  std::string PubPath() const { return dir_.File(journal::kDevicePubFile); }

  cktest::TempDir dir_;
  base::PosixFileSystem posix_;
  FaultInjectionFs fs_{posix_};
};

TEST_F(DeviceKeyTest, MadeOnFirstUseThroughTheFileSystemAndLoadedAfter) {
  base::Result<card::PrivateKey> made = journal::LoadOrCreateDeviceKey(fs_, dir_.path());
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  // Both files, each: create the temporary file, append, sync, close, rename, sync the directory.
  const std::vector<cktest::FsOpInfo> log = fs_.log();
  const FsOp each[] = {FsOp::kCreate, FsOp::kAppend, FsOp::kSync,
                       FsOp::kClose,  FsOp::kRename, FsOp::kSyncDir};
  ASSERT_EQ(log.size(), 12u);
  for (size_t i = 0; i < log.size(); ++i) EXPECT_EQ(log[i].op, each[i % 6]) << log[i].ToString();
  EXPECT_EQ(log[4].to, PubPath());
  EXPECT_EQ(log[10].to, KeyPath());
  struct stat st {};
  ASSERT_EQ(::stat(KeyPath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  fs_.ResetCounters();
  base::Result<card::PrivateKey> again = journal::LoadOrCreateDeviceKey(fs_, dir_.path());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(fs_.op_count(), 0) << "loading writes nothing";
  EXPECT_EQ(again->Public()->kid(), made->Public()->kid());
}

// Every one of the 12 operations failing fails the call; only the last (the directory sync after
// the key's rename) leaves a key file, not yet known to be on disk. The next start goes on.
TEST_F(DeviceKeyTest, AnyFailedOperationFailsAndTheNextStartHasAKey) {
  for (int64_t n = 1; n <= 12; ++n) {
    cktest::TempDir dir;
    FaultInjectionFs fs(posix_);
    fs.FailAt(n);
    base::Result<card::PrivateKey> key = journal::LoadOrCreateDeviceKey(fs, dir.path());
    SCOPED_TRACE("fault at op " + std::to_string(n));
    EXPECT_EQ(fs.faults_injected(), 1);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), base::StatusCode::kIo) << key.status().ToString();
    EXPECT_EQ(fs.Exists(dir.File(journal::kDeviceKeyFile)), n == 12);
    EXPECT_FALSE(fs.Exists(dir.File(journal::kDeviceKeyFile) + ".tmp"));
    fs.Disarm();
    base::Result<card::PrivateKey> next = journal::LoadOrCreateDeviceKey(fs, dir.path());
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    EXPECT_TRUE(fs.Exists(dir.File(journal::kDevicePubFile)));
  }
}

TEST_F(DeviceKeyTest, AGarbledKeyFileIsAnErrorNamingIt) {
  ASSERT_TRUE(base::WriteFileAtomic(fs_, KeyPath(), "not a key", 0600).ok());
  base::Result<card::PrivateKey> key = journal::LoadOrCreateDeviceKey(fs_, dir_.path());
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find(KeyPath()), std::string::npos) << key.status().ToString();
}

}  // namespace
