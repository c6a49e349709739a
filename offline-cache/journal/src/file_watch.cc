#include "file_watch.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace journal {

base::Result<FileWatch::Id> FileWatch::StatPath(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return base::NotFound(path + " is missing");
    return base::DataLoss(path + " cannot be checked: " + std::strerror(err));
  }
  return Id{st.st_dev, st.st_ino, static_cast<int64_t>(st.st_size)};
}

base::Status FileWatch::Start(const std::string& db_path) {
  db_path_ = db_path;
  wal_path_ = db_path + "-wal";
  CK_ASSIGN_OR_RETURN(db_, StatPath(db_path_));
  CK_ASSIGN_OR_RETURN(wal_, StatPath(wal_path_));
  return base::Status::Ok();
}

base::Status FileWatch::Compare(const std::string& path, Id* known) {
  base::Result<Id> now = StatPath(path);
  if (!now.ok()) {
    if (now.status().code() == base::StatusCode::kNotFound) {
      return base::DataLoss(path + " was removed while the journal was open");
    }
    return now.status();  // kDataLoss too: a file that cannot be checked is not trusted
  }
  if (now->dev != known->dev || now->ino != known->ino) {
    return base::DataLoss(path + " was replaced by another file while the journal was open");
  }
  if (now->size < known->size) {
    return base::DataLoss(path + " was truncated while the journal was open");
  }
  known->size = now->size;  // a checkpoint grows journal.db; the WAL grows until it is rewound
  return base::Status::Ok();
}

base::Status FileWatch::Check() {
  CK_TRY(Compare(db_path_, &db_));
  return Compare(wal_path_, &wal_);
}

}  // namespace journal
