// A SQLite VFS for storage tests, in the style of SQLite's own src/test_vfs.c (fail chosen calls)
// and src/test6.c (crash: lose what was not synced). It wraps the default VFS and registers itself
// under its own name (never as the default), so only a connection opened with that name
// (journal::JournalOptions::sqlite_vfs, sqlite3_open_v2's last argument) goes through it.
//
// Counted calls, numbered from 1 (per kind) from construction or the last Arm:
//   writes  xWrite and xTruncate of any file opened through this VFS
//   syncs   xSync
// A fault makes the chosen call return SQLITE_IOERR_WRITE / _TRUNCATE / _FSYNC without reaching
// the disk: only that call (kOnlyThat), or that one and every later mutating call of either kind
// (kThatAndLater: a disk that died). PowerOffAfterSync(n) cuts the power after the nth sync: later
// writes still land (in the volatile disk cache, as on a real disk), but the next sync fails and
// so does every mutating call after it; the crash then loses what those writes changed.
//
// Power loss: the VFS keeps, per file, the bytes each write or truncate changed since the file's
// last successful xSync (and its size then). DropUnsyncedData() puts them back and cuts the file
// to that size, so the files hold exactly what was synced. File creations and deletions count as
// durable at once. Shared memory (-shm) passes through: SQLite rebuilds it from the WAL when the
// first connection opens the database after the "crash".
//
// A crash, then, is: PowerOff(); close every connection (their writes fail, as in a dead
// process); DropUnsyncedData(); PowerOn(); reopen.
//
// Thread-safe. The object must outlive every connection opened through it; the destructor
// unregisters the VFS.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"

namespace cktest {

class FaultVfs {
 public:
  enum class Kind : uint8_t { kWrite, kSync };
  enum class FailMode : uint8_t { kOnlyThat, kThatAndLater };

  // Registers a VFS called `name` wrapping sqlite3_vfs_find(nullptr).
  explicit FaultVfs(std::string name);
  ~FaultVfs();
  FaultVfs(const FaultVfs&) = delete;
  FaultVfs& operator=(const FaultVfs&) = delete;

  const char* name() const { return name_.c_str(); }

  // Numbers calls from 1 again, clears the fault count and arms a fault at call `n` of `kind`
  // (n <= 0: no fault). Also powers on.
  void Arm(Kind kind, int64_t n, FailMode mode = FailMode::kOnlyThat);
  void Disarm() { Arm(Kind::kWrite, 0); }
  // Numbers calls from 1 again; syncs 1..n succeed, the one after fails with the power off.
  void PowerOffAfterSync(int64_t n);
  void PowerOff();
  void PowerOn();

  int64_t writes() const;
  int64_t syncs() const;
  int64_t faults_injected() const;  // failed on purpose, power-off failures included
  bool fault_fired() const { return faults_injected() > 0; }
  bool powered_off() const;

  // Called before every write, truncate, sync and delete of a file opened through this VFS (the
  // kill test raises SIGKILL from it). Set it before opening connections.
  void SetCallHook(std::function<void()> hook) { hook_ = std::move(hook); }

  // Restores every file written through this VFS to its content at its last sync. Every
  // connection through this VFS must be closed first.
  base::Status DropUnsyncedData();
  // Bytes written to `path` (as SQLite named it) since its last sync, counting each write.
  uint64_t UnsyncedBytes(const std::string& path) const;
  // The same over every file.
  uint64_t UnsyncedBytes() const;

  struct File;  // internal: an open file (a sqlite3_file header, then the wrapped file)

 private:
  struct Undo {
    int64_t offset = 0;
    std::vector<uint8_t> old;  // what the region held before the write or truncate
  };
  struct FileState {
    int64_t synced_size = 0;
    std::vector<Undo> undo;  // in the order written
    uint64_t unsynced_bytes = 0;
  };

  // Counts a call of `kind` and decides whether it fails; false: go ahead.
  bool ShouldFail(Kind kind);
  bool DeleteShouldFail();
  void RecordUndo(File* f, int64_t offset, int64_t len);
  void Synced(File* f);
  std::shared_ptr<FileState> StateFor(const std::string& path, sqlite3_file* real);

  static int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags,
                  int* out_flags);
  static int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir);
  static int Close(sqlite3_file* file);
  static int Write(sqlite3_file* file, const void* buf, int amt, sqlite3_int64 offset);
  static int Truncate(sqlite3_file* file, sqlite3_int64 size);
  static int Sync(sqlite3_file* file, int flags);
  static const sqlite3_io_methods kMethods;

  std::string name_;
  sqlite3_vfs* real_ = nullptr;
  sqlite3_vfs vfs_{};
  mutable std::mutex mu_;
  int64_t writes_ = 0, syncs_ = 0, faults_ = 0;
  Kind fail_kind_ = Kind::kWrite;
  int64_t fail_at_ = 0;
  FailMode fail_mode_ = FailMode::kOnlyThat;
  bool dead_ = false;  // kThatAndLater fired: every later mutating call fails
  int64_t power_off_after_sync_ = 0;
  bool cut_at_next_sync_ = false;
  bool powered_off_ = false;
  std::map<std::string, std::shared_ptr<FileState>> files_;  // by path
  std::function<void()> hook_;
};

}  // namespace cktest
