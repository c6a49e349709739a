// A base::FileSystem wrapper for storage tests, in the style of leveldb's
// SpecialEnv/FaultInjectionTestEnv and SQLite's test_vfs.c: it forwards everything to another
// FileSystem, numbers every mutating operation, and can
//   - fail the Nth mutating operation with a kIo status (only that one, or that one and every later
//     one, like a disk that died),
//   - call a hook before every mutating operation (to SIGKILL the process, truncate a file, or fail
//     a chosen operation),
//   - call a hook before every read (to cut a source file short mid-read: a USB stick pulled out),
//   - simulate a power loss by dropping what was appended to each file since its last Sync.
//
// Mutating operations, numbered from 1 in the order they are attempted:
//   kCreate   FileSystem::OpenWritable (creates or truncates a file)
//   kAppend   WritableFile::Append
//   kSync     WritableFile::Sync
//   kClose    WritableFile::Close
//   kRename   FileSystem::Rename
//   kLink     FileSystem::Link
//   kRemove   FileSystem::Remove, only when the file exists (removing nothing changes nothing)
//   kSyncDir  FileSystem::SyncDir
//   kSyncFs   FileSystem::SyncFs (the whole filesystem holding the path)
// Reads (OpenSequential, SequentialFile::Read) and Exists are not counted; they pass through.
//
// Thread-safe: several threads may use the wrapper and its files. Hooks run on the thread doing
// the operation, without any lock held, so a hook may itself call into the wrapper or the target.
// The target FileSystem must outlive the wrapper, and the wrapper must outlive every file it
// opened.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/status.h"

namespace cktest {

enum class FsOp : uint8_t {
  kCreate,
  kAppend,
  kSync,
  kClose,
  kRename,
  kLink,
  kRemove,
  kSyncDir,
  kSyncFs,
};
std::string_view FsOpName(FsOp op);

// One mutating operation, as passed to the hook and kept in the log.
struct FsOpInfo {
  int64_t index = 0;  // 1-based, in the order attempted
  FsOp op = FsOp::kAppend;
  std::string path;  // the file (kRename, kLink: the source; kSyncDir: the directory; kSyncFs: the
                     // path whose filesystem is flushed)
  std::string to;    // kRename, kLink only: the destination
  size_t bytes = 0;  // kAppend only: the size of the data
  bool failed = false;           // set in the log when the operation was failed on purpose
  std::string ToString() const;  // "#12 append /tmp/x/registry.db.incoming (65536 bytes)"
};

// One read, as passed to the read hook.
struct FsReadInfo {
  std::string path;
  uint64_t offset = 0;  // bytes of this file read so far through this handle
  size_t n = 0;         // bytes asked for
};

class FaultInjectionFs final : public base::FileSystem {
 public:
  enum class FailMode : uint8_t {
    kOnlyThat,      // only the chosen operation fails; the disk then works again
    kThatAndLater,  // the chosen operation and every later mutating one fail (a dead disk)
  };

  // Called before each mutating operation. Returning a non-OK status makes the operation fail
  // with that status without reaching the target (it counts as an injected fault).
  using OpHook = std::function<base::Status(const FsOpInfo&)>;
  // Called before each SequentialFile::Read. A non-OK status is returned from the Read instead.
  // The hook may change the file on disk (truncate, delete) and return OK to let the read see it.
  using ReadHook = std::function<base::Status(const FsReadInfo&)>;

  // `target` must outlive this object.
  explicit FaultInjectionFs(base::FileSystem& target);
  FaultInjectionFs(const FaultInjectionFs&) = delete;
  FaultInjectionFs& operator=(const FaultInjectionFs&) = delete;

  // Fails mutating operation number `n` (1-based, counting from the last ResetCounters) with a
  // kIo status whose message contains "injected fault". n <= 0 disarms.
  void FailAt(int64_t n, FailMode mode = FailMode::kOnlyThat);
  void Disarm() { FailAt(0); }
  void SetOpHook(OpHook hook);
  void SetReadHook(ReadHook hook);
  // Starts numbering from 1 again and clears the log and the fault counters (not the armed
  // fault, the hooks or the power-loss bookkeeping).
  void ResetCounters();

  // Mutating operations attempted so far (failed ones included).
  int64_t op_count() const;
  // How many operations were failed on purpose (by FailAt or the hook).
  int64_t faults_injected() const;
  bool fault_fired() const { return faults_injected() > 0; }
  // Every mutating operation so far, in order.
  std::vector<FsOpInfo> log() const;

  // Power loss: truncates every file written through this wrapper to the length it had at its
  // last successful Sync (0 if never synced), following renames and links. Files must be closed
  // first.
  // Directory entries (creations, renames, removals) are treated as durable at once. The
  // truncation goes straight to the target and is not counted.
  base::Status DropUnsyncedData();
  // Bytes appended to `path` since its last Sync (0 for a file not written through this wrapper).
  uint64_t UnsyncedBytes(const std::string& path) const;

  // base::FileSystem
  base::Result<std::unique_ptr<base::SequentialFile>> OpenSequential(
      const std::string& path) override;
  base::Result<std::unique_ptr<base::WritableFile>> OpenWritable(const std::string& path,
                                                                 mode_t mode) override;
  base::Status Rename(const std::string& from, const std::string& to) override;
  base::Status Link(const std::string& from, const std::string& to) override;
  base::Status Remove(const std::string& path) override;
  base::Status SyncDir(const std::string& dir) override;
  base::Status SyncFs(const std::string& path) override;
  bool Exists(const std::string& path) override;

 private:
  class Sequential;  // the file classes, defined in fault_fs.cc
  class Writable;

  // Bookkeeping for one file written through the wrapper, shared by its open handle and the map.
  struct FileState {
    uint64_t written = 0;  // bytes appended since the file was created
    uint64_t synced = 0;   // `written` at the last successful Sync
  };

  // Numbers an operation, runs the hook and the armed fault. OK means: go ahead.
  base::Status BeforeOp(FsOpInfo info);
  base::Status BeforeRead(const FsReadInfo& info);
  void Appended(const std::shared_ptr<FileState>& state, size_t n);
  void Synced(const std::shared_ptr<FileState>& state);

  base::FileSystem& target_;
  mutable std::mutex mu_;
  int64_t ops_ = 0;
  int64_t faults_ = 0;
  int64_t fail_at_ = 0;
  FailMode fail_mode_ = FailMode::kOnlyThat;
  OpHook op_hook_;
  ReadHook read_hook_;
  std::vector<FsOpInfo> log_;
  std::map<std::string, std::shared_ptr<FileState>> files_;  // by current path
};

}  // namespace cktest
