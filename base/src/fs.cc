#include "base/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/file.h"

namespace base {
namespace {

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(UniqueFd fd, std::string path, uint64_t size)
      : fd_(std::move(fd)), path_(std::move(path)), size_(size) {}
  Result<size_t> Read(uint8_t* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_.get(), buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return IoError("reading " + path_, errno);
    }
  }
  uint64_t size() const override { return size_; }

 private:
  UniqueFd fd_;
  std::string path_;
  uint64_t size_;
};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  Status Append(ByteSpan data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_.get(), data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("writing " + path_, errno);
      }
      data = data.subspan(static_cast<size_t>(n));
    }
    return Status::Ok();
  }
  Status Sync() override {
    if (::fdatasync(fd_.get()) != 0) return IoError("fdatasync " + path_, errno);
    return Status::Ok();
  }
  Status Close() override {
    if (!fd_.valid()) return Status::Ok();
    if (::close(fd_.Release()) != 0) return IoError("closing " + path_, errno);
    return Status::Ok();
  }

 private:
  UniqueFd fd_;
  std::string path_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) override {
    // O_NONBLOCK: opening a FIFO planted under a bundle's name must not block; it is refused below.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) {
      if (errno == ENOENT) return NotFound(path + ": no such file");
      return IoError("opening " + path, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return IoError("stat " + path, errno);
    if (!S_ISREG(st.st_mode)) return InvalidArgument(path + ": not a regular file");
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
      return IoError("fcntl " + path, errno);
    return std::unique_ptr<SequentialFile>(
        new PosixSequentialFile(std::move(fd), path, static_cast<uint64_t>(st.st_size)));
  }
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path,
                                                     mode_t mode) override {
    // O_NOFOLLOW: never write through a symlink (files written onto a USB stick).
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!fd.valid()) return IoError("creating " + path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(std::move(fd), path));
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0)
      return IoError("renaming " + from + " to " + to, errno);
    return Status::Ok();
  }
  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("removing " + path, errno);
    return Status::Ok();
  }
  Status SyncDir(const std::string& dir) override { return base::SyncDir(dir); }
  bool Exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
};

}  // namespace

FileSystem& PosixFs() {
  static PosixFileSystem fs;
  return fs;
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace base
