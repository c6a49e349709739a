// The filesystem behind an injected interface (as leveldb's Env), so that storage code can be run
// against a fault-injecting wrapper in tests. PosixFileSystem is the real one.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "base/bytes.h"
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
  virtual Status Remove(const std::string& path) = 0;  // missing is not an error
  virtual Status SyncDir(const std::string& dir) = 0;
  virtual bool Exists(const std::string& path) = 0;
};

// The real filesystem. Stateless and thread-safe: a program's main() owns one and passes it down.
class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, mode_t mode) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
  bool Exists(const std::string& path) override;
};

// A function-static PosixFileSystem (being replaced by one owned by each main()).
FileSystem& PosixFs();

// The directory part of a path ("." when there is none).
std::string DirName(const std::string& path);

}  // namespace base
