// Files: bounded reads and crash-safe writes. errno is mapped to Status here and nowhere else.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace base {

// Owns a file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release();

 private:
  int fd_ = -1;
};

// Opens an existing regular file for reading and reports its size. A FIFO or device planted under
// the name is refused without blocking on it.
Result<UniqueFd> OpenRegularFile(const std::string& path, uint64_t* size);

// Writes all of `data` to `fd` (retrying short writes and EINTR); `path` names it in errors.
Status WriteAll(int fd, std::string_view data, const std::string& path);

// Reads a whole file; fails with kOutOfRange if it is larger than max_bytes (checked before
// reading).
Result<std::string> ReadFile(const std::string& path, size_t max_bytes);

enum class Durability {
  kSync,      // fsync the file and its directory before returning
  kDeferred,  // the caller makes a batch durable later with SyncFilesystem()
};

// Writes `data` to `path` so that a crash leaves either the old file or the new one, never a part:
// write to a temporary file in the same directory, (fsync,) rename, (fsync the directory).
Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0644,
                       Durability durability = Durability::kSync);

// Creates `path`, which must not exist (kAlreadyExists when it does), and writes `data` to it, with
// no temporary file: for files in a folder that nothing reads until it is complete (a folder
// renamed into place when every file is in it), where a crash leaves only the unfinished folder.
// Durability is the caller's (SyncFilesystem); a failed write removes the file.
Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode = 0644);

// Flushes everything written to the filesystem that holds `path` (syncfs).
Status SyncFilesystem(const std::string& path);

// Creates a directory (and its parents) if missing.
Status MakeDirs(const std::string& path, mode_t mode = 0755);

// fsyncs a directory so that renames inside it are durable.
Status SyncDir(const std::string& path);

}  // namespace base
