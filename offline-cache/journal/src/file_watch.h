// Private to ck_journal: whether journal.db and its WAL are still the files the journal opened.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/status.h"

namespace journal {

// The device, inode and last seen size of journal.db and journal.db-wal, taken when the journal
// opened them. Not thread-safe; owned by the Journal.
class FileWatch {
 public:
  // Records both files as they are now (the WAL must exist: SQLite opens it with the journal).
  base::Status Start(const std::string& db_path);
  // kDataLoss if either file was removed, replaced (another inode at the path) or truncated
  // (smaller than last seen; SQLite here never shrinks either), or cannot be stat()ed; the only
  // error it returns. Two stat() calls.
  base::Status Check();

 private:
  struct Id {
    dev_t dev = 0;
    ino_t ino = 0;
    int64_t size = 0;
  };
  static base::Result<Id> StatPath(const std::string& path);
  static base::Status Compare(const std::string& path, Id* known);

  std::string db_path_, wal_path_;
  Id db_, wal_;
};

}  // namespace journal
