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
  Status Append(ByteSpan data) override { return WriteAll(fd_.get(), AsChars(data), path_); }
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

}  // namespace

Result<std::unique_ptr<SequentialFile>> PosixFileSystem::OpenSequential(const std::string& path) {
  uint64_t size = 0;
  CK_ASSIGN_OR_RETURN(UniqueFd fd, OpenRegularFile(path, &size));
  return std::unique_ptr<SequentialFile>(new PosixSequentialFile(std::move(fd), path, size));
}

Result<std::unique_ptr<WritableFile>> PosixFileSystem::OpenWritable(const std::string& path,
                                                                    mode_t mode) {
  // O_NOFOLLOW: never write through a symlink (files written onto a USB stick).
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd.valid()) return IoError("creating " + path, errno);
  return std::unique_ptr<WritableFile>(new PosixWritableFile(std::move(fd), path));
}

Status PosixFileSystem::Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return IoError("renaming " + from + " to " + to, errno);
  return Status::Ok();
}

Status PosixFileSystem::Link(const std::string& from, const std::string& to) {
  if (::link(from.c_str(), to.c_str()) != 0) return IoError("linking " + from + " to " + to, errno);
  return Status::Ok();
}

Status PosixFileSystem::Remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("removing " + path, errno);
  return Status::Ok();
}

Status PosixFileSystem::SyncDir(const std::string& dir) { return base::SyncDir(dir); }

Status PosixFileSystem::SyncFs(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return IoError("opening " + path + " to flush its filesystem", errno);
  if (::syncfs(fd.get()) != 0) return IoError("syncfs " + path, errno);
  return Status::Ok();
}

bool PosixFileSystem::Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Result<std::string> ReadFile(FileSystem& fs, const std::string& path, size_t max_bytes) {
  CK_ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> in, fs.OpenSequential(path));
  if (in->size() > max_bytes) {
    return OutOfRange(path + ": file is " + std::to_string(in->size()) + " bytes, limit " +
                      std::to_string(max_bytes));
  }
  std::string out(static_cast<size_t>(in->size()), '\0');
  size_t done = 0;
  while (done < out.size()) {
    CK_ASSIGN_OR_RETURN(size_t got,
                        in->Read(reinterpret_cast<uint8_t*>(out.data()) + done, out.size() - done));
    if (got == 0) break;  // the file shrank while we read it
    done += got;
  }
  out.resize(done);
  return out;
}

Status WriteFileAtomic(FileSystem& fs, const std::string& path, std::string_view data, mode_t mode,
                       Durability durability) {
  const bool sync = durability == Durability::kSync;
  const std::string tmp = path + ".tmp";
  Status st = [&]() -> Status {
    CK_TRY(fs.Remove(tmp));  // a new file, so that it gets `mode`
    CK_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs.OpenWritable(tmp, mode));
    CK_TRY(f->Append(AsBytes(data)));
    if (sync) CK_TRY(f->Sync());
    CK_TRY(f->Close());
    return fs.Rename(tmp, path);
  }();
  if (!st.ok()) {
    (void)fs.Remove(tmp);
    return st;
  }
  return sync ? fs.SyncDir(DirName(path)) : Status::Ok();
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace base
