#include "fault_vfs.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <new>

#include "base/file.h"

namespace cktest {

// What SQLite allocates per open file (vfs_.szOsFile bytes): this header, then the wrapped file.
struct FaultVfs::File {
  sqlite3_file base;  // first: SQLite sees a sqlite3_file
  FaultVfs* vfs = nullptr;
  std::shared_ptr<FileState> state;  // null for files without a name (temporary files)
  std::string path;

  sqlite3_file* real();
  static File* Of(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
  static sqlite3_file* Real(sqlite3_file* f) { return Of(f)->real(); }
};

namespace {
constexpr size_t kAlign = alignof(std::max_align_t);
constexpr size_t kFileHeaderBytes = (sizeof(FaultVfs::File) + kAlign - 1) & ~(kAlign - 1);
}  // namespace

sqlite3_file* FaultVfs::File::real() {
  // Through void*: the header is rounded up to max_align_t, so the wrapped file is aligned (a
  // cast from char* would still warn on 32-bit ARM, -Wcast-align).
  return static_cast<sqlite3_file*>(
      static_cast<void*>(reinterpret_cast<char*>(this) + kFileHeaderBytes));
}

namespace {

using File = FaultVfs::File;

int RealFileSize(sqlite3_file* real, sqlite3_int64* size) {
  return real->pMethods->xFileSize(real, size);
}

}  // namespace

// Everything but writes, truncates, syncs and close goes straight to the wrapped file.
const sqlite3_io_methods FaultVfs::kMethods = {
    .iVersion = 2,  // no xFetch/xUnfetch: SQLite then reads through xRead, never a memory map
    .xClose = &FaultVfs::Close,
    .xRead =
        +[](sqlite3_file* f, void* buf, int amt, sqlite3_int64 off) {
          return File::Real(f)->pMethods->xRead(File::Real(f), buf, amt, off);
        },
    .xWrite = &FaultVfs::Write,
    .xTruncate = &FaultVfs::Truncate,
    .xSync = &FaultVfs::Sync,
    .xFileSize =
        +[](sqlite3_file* f, sqlite3_int64* size) { return RealFileSize(File::Real(f), size); },
    .xLock = +[](sqlite3_file* f,
                 int lock) { return File::Real(f)->pMethods->xLock(File::Real(f), lock); },
    .xUnlock = +[](sqlite3_file* f,
                   int lock) { return File::Real(f)->pMethods->xUnlock(File::Real(f), lock); },
    .xCheckReservedLock =
        +[](sqlite3_file* f, int* out) {
          return File::Real(f)->pMethods->xCheckReservedLock(File::Real(f), out);
        },
    .xFileControl =
        +[](sqlite3_file* f, int op, void* arg) {
          return File::Real(f)->pMethods->xFileControl(File::Real(f), op, arg);
        },
    .xSectorSize =
        +[](sqlite3_file* f) { return File::Real(f)->pMethods->xSectorSize(File::Real(f)); },
    .xDeviceCharacteristics =
        +[](sqlite3_file* f) {
          return File::Real(f)->pMethods->xDeviceCharacteristics(File::Real(f));
        },
    .xShmMap =
        +[](sqlite3_file* f, int page, int size, int extend, void volatile** out) {
          return File::Real(f)->pMethods->xShmMap(File::Real(f), page, size, extend, out);
        },
    .xShmLock =
        +[](sqlite3_file* f, int offset, int n, int flags) {
          return File::Real(f)->pMethods->xShmLock(File::Real(f), offset, n, flags);
        },
    .xShmBarrier = +[](sqlite3_file* f) { File::Real(f)->pMethods->xShmBarrier(File::Real(f)); },
    .xShmUnmap = +[](sqlite3_file* f,
                     int del) { return File::Real(f)->pMethods->xShmUnmap(File::Real(f), del); },
    .xFetch = nullptr,
    .xUnfetch = nullptr,
};

FaultVfs::FaultVfs(std::string name) : name_(std::move(name)), real_(sqlite3_vfs_find(nullptr)) {
  vfs_ = *real_;  // the time, randomness, dlopen, ... entries stay the default VFS's
  vfs_.szOsFile = static_cast<int>(kFileHeaderBytes) + real_->szOsFile;
  vfs_.pNext = nullptr;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = &FaultVfs::Open;
  vfs_.xDelete = &FaultVfs::Delete;
  vfs_.xAccess = +[](sqlite3_vfs* v, const char* path, int flags, int* out) {
    sqlite3_vfs* real = static_cast<FaultVfs*>(v->pAppData)->real_;
    return real->xAccess(real, path, flags, out);
  };
  vfs_.xFullPathname = +[](sqlite3_vfs* v, const char* path, int n, char* out) {
    sqlite3_vfs* real = static_cast<FaultVfs*>(v->pAppData)->real_;
    return real->xFullPathname(real, path, n, out);
  };
  sqlite3_vfs_register(&vfs_, /*makeDflt=*/0);
}

FaultVfs::~FaultVfs() { sqlite3_vfs_unregister(&vfs_); }

void FaultVfs::Arm(Kind kind, int64_t n, FailMode mode) {
  std::lock_guard<std::mutex> lock(mu_);
  writes_ = syncs_ = faults_ = 0;
  fail_kind_ = kind;
  fail_at_ = n;
  fail_mode_ = mode;
  dead_ = false;
  power_off_after_sync_ = 0;
  cut_at_next_sync_ = false;
  powered_off_ = false;
}

void FaultVfs::PowerOffAfterSync(int64_t n) {
  Disarm();
  std::lock_guard<std::mutex> lock(mu_);
  power_off_after_sync_ = n;
}

void FaultVfs::PowerOff() {
  std::lock_guard<std::mutex> lock(mu_);
  powered_off_ = true;
}

void FaultVfs::PowerOn() {
  std::lock_guard<std::mutex> lock(mu_);
  powered_off_ = false;
  dead_ = false;
  cut_at_next_sync_ = false;
  power_off_after_sync_ = 0;
}

int64_t FaultVfs::writes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return writes_;
}

int64_t FaultVfs::syncs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return syncs_;
}

int64_t FaultVfs::faults_injected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return faults_;
}

bool FaultVfs::powered_off() const {
  std::lock_guard<std::mutex> lock(mu_);
  return powered_off_;
}

bool FaultVfs::ShouldFail(Kind kind) {
  if (hook_) hook_();
  std::lock_guard<std::mutex> lock(mu_);
  if (powered_off_ || dead_) {
    ++faults_;
    return true;
  }
  const int64_t index = kind == Kind::kWrite ? ++writes_ : ++syncs_;
  if (kind == Kind::kSync && cut_at_next_sync_) {
    ++faults_;
    powered_off_ = true;
    return true;
  }
  if (fail_at_ > 0 && kind == fail_kind_ && index == fail_at_) {
    ++faults_;
    dead_ = fail_mode_ == FailMode::kThatAndLater;
    return true;
  }
  return false;
}

bool FaultVfs::DeleteShouldFail() {
  if (hook_) hook_();
  std::lock_guard<std::mutex> lock(mu_);
  if (!powered_off_ && !dead_) return false;
  ++faults_;
  return true;
}

std::shared_ptr<FaultVfs::FileState> FaultVfs::StateFor(const std::string& path,
                                                        sqlite3_file* real) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<FileState>& state = files_[path];
  if (!state) {
    state = std::make_shared<FileState>();
    sqlite3_int64 size = 0;
    if (RealFileSize(real, &size) == SQLITE_OK) state->synced_size = size;  // there: durable
  }
  return state;
}

void FaultVfs::RecordUndo(File* f, int64_t offset, int64_t len) {
  if (!f->state) return;
  std::lock_guard<std::mutex> lock(mu_);
  FileState& s = *f->state;
  const int64_t end = std::min(offset + len, s.synced_size);  // past it: cut off on a crash anyway
  if (offset < end) {
    Undo u{.offset = offset, .old = std::vector<uint8_t>(static_cast<size_t>(end - offset))};
    // A short read zero-fills: the region was already cut by a truncate that is recorded earlier.
    (void)f->real()->pMethods->xRead(f->real(), u.old.data(), static_cast<int>(u.old.size()),
                                     offset);
    s.undo.push_back(std::move(u));
  }
}

void FaultVfs::Synced(File* f) {
  std::lock_guard<std::mutex> lock(mu_);
  if (f->state) {
    sqlite3_int64 size = 0;
    if (RealFileSize(f->real(), &size) == SQLITE_OK) f->state->synced_size = size;
    f->state->undo.clear();
    f->state->unsynced_bytes = 0;
  }
  if (power_off_after_sync_ > 0 && syncs_ == power_off_after_sync_) cut_at_next_sync_ = true;
}

int FaultVfs::Open(sqlite3_vfs* v, const char* name, sqlite3_file* file, int flags,
                   int* out_flags) {
  auto* self = static_cast<FaultVfs*>(v->pAppData);
  File* f = new (file) File();
  int rc = self->real_->xOpen(self->real_, name, f->real(), flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real()->pMethods != nullptr) f->real()->pMethods->xClose(f->real());
    f->~File();
    file->pMethods = nullptr;
    return rc;
  }
  f->vfs = self;
  if (name != nullptr) {
    f->path = name;
    f->state = self->StateFor(f->path, f->real());
  }
  f->base.pMethods = &kMethods;
  return SQLITE_OK;
}

int FaultVfs::Delete(sqlite3_vfs* v, const char* name, int sync_dir) {
  auto* self = static_cast<FaultVfs*>(v->pAppData);
  if (self->DeleteShouldFail()) return SQLITE_IOERR_DELETE;
  const int rc = self->real_->xDelete(self->real_, name, sync_dir);
  if (rc == SQLITE_OK) {
    std::lock_guard<std::mutex> lock(self->mu_);
    self->files_.erase(name);
  }
  return rc;
}

int FaultVfs::Close(sqlite3_file* file) {
  File* f = File::Of(file);
  const int rc = f->real()->pMethods->xClose(f->real());
  f->~File();
  return rc;
}

int FaultVfs::Write(sqlite3_file* file, const void* buf, int amt, sqlite3_int64 offset) {
  File* f = File::Of(file);
  if (f->vfs->ShouldFail(Kind::kWrite)) return SQLITE_IOERR_WRITE;
  f->vfs->RecordUndo(f, offset, amt);
  const int rc = f->real()->pMethods->xWrite(f->real(), buf, amt, offset);
  if (f->state) {
    std::lock_guard<std::mutex> lock(f->vfs->mu_);
    f->state->unsynced_bytes += static_cast<uint64_t>(amt);
  }
  return rc;
}

int FaultVfs::Truncate(sqlite3_file* file, sqlite3_int64 size) {
  File* f = File::Of(file);
  if (f->vfs->ShouldFail(Kind::kWrite)) return SQLITE_IOERR_TRUNCATE;
  sqlite3_int64 current = 0;
  if (RealFileSize(f->real(), &current) == SQLITE_OK && current > size) {
    f->vfs->RecordUndo(f, size, current - size);
  }
  return f->real()->pMethods->xTruncate(f->real(), size);
}

int FaultVfs::Sync(sqlite3_file* file, int flags) {
  File* f = File::Of(file);
  if (f->vfs->ShouldFail(Kind::kSync)) return SQLITE_IOERR_FSYNC;
  const int rc = f->real()->pMethods->xSync(f->real(), flags);
  if (rc == SQLITE_OK) f->vfs->Synced(f);
  return rc;
}

base::Status FaultVfs::DropUnsyncedData() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [path, state] : files_) {
    base::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd.valid()) {
      if (errno == ENOENT) continue;
      return base::IoError("opening " + path, errno);
    }
    for (auto it = state->undo.rbegin(); it != state->undo.rend(); ++it) {
      const ssize_t n = ::pwrite(fd.get(), it->old.data(), it->old.size(), it->offset);
      if (n != static_cast<ssize_t>(it->old.size()))
        return base::IoError("restoring " + path, errno);
    }
    if (::ftruncate(fd.get(), state->synced_size) != 0)
      return base::IoError("cutting " + path, errno);
    if (::fsync(fd.get()) != 0) return base::IoError("fsync " + path, errno);
    state->undo.clear();
    state->unsynced_bytes = 0;
  }
  return base::Status::Ok();
}

uint64_t FaultVfs::UnsyncedBytes(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second->unsynced_bytes;
}

uint64_t FaultVfs::UnsyncedBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = 0;
  for (const auto& [path, state] : files_) n += state->unsynced_bytes;
  return n;
}

}  // namespace cktest
