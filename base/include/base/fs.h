// The filesystem behind an injected interface (as leveldb's Env), so that storage code can be run
// against a fault-injecting wrapper in tests. PosixFileSystem is the real one: main() of each
// program constructs it and passes it down as a FileSystem& to everything that reads or writes
// files.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/file.h"
#include "base/status.h"

namespace base {

class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to `n` bytes into `buf`; returns the count, 0 at the end of the file.
  virtual Result<size_t> Read(uint8_t* buf, size_t n) = 0;
  // The file's size when it was opened.
  virtual uint64_t size() const = 0;
};

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(ByteSpan data) = 0;
  virtual Status Sync() = 0;  // fdatasync/fsync: data and size are durable
  virtual Status Close() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) = 0;
  // Creates or truncates `path` with `mode`.
  virtual Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path,
                                                             mode_t mode) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Gives the file `from` a second name `to` (a hard link: no data is copied); `to` must not
  // exist. Durable once the directory is synced, like a rename.
  virtual Status Link(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;  // missing is not an error
  virtual Status SyncDir(const std::string& dir) = 0;
  // Flushes the whole filesystem that holds `path` (syncfs(2)): every file written there, its
  // metadata and its directories are on the device when it returns OK. What a USB stick needs
  // before it may be pulled: on vfat, fsync + rename + a directory fsync still leave a 0-byte
  // file until the kernel's writeback. Errors name the path (an I/O error: the stick is gone).
  virtual Status SyncFs(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
};

// The real filesystem: POSIX calls, no state of its own. Thread-safe. Files are written with
// O_NOFOLLOW (never through a symlink).
class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, mode_t mode) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Link(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
  Status SyncFs(const std::string& path) override;
  bool Exists(const std::string& path) override;
};

// Reads a whole file through `fs`; fails with kOutOfRange if it is larger than max_bytes (checked
// before reading) and kNotFound if it is missing.
Result<std::string> ReadFile(FileSystem& fs, const std::string& path, size_t max_bytes);

// Writes `data` to `path` through `fs` so that a crash leaves either the old file or the new one:
// write `path`.tmp, (Sync,) Close, Rename over `path`, (SyncDir). kDeferred skips both syncs.
// One writer per path at a time (the temporary name is fixed).
Status WriteFileAtomic(FileSystem& fs, const std::string& path, std::string_view data,
                       mode_t mode = 0644, Durability durability = Durability::kSync);

// The directory part of a path ("." when there is none).
std::string DirName(const std::string& path);

}  // namespace base
