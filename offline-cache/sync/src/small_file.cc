#include "small_file.h"

#include <memory>

namespace ck_sync {

base::Result<std::string> ReadSmallFile(base::FileSystem& fs, const std::string& path,
                                        size_t max_bytes) {
  CK_ASSIGN_OR_RETURN(std::unique_ptr<base::SequentialFile> f, fs.OpenSequential(path));
  if (f->size() > max_bytes) {
    return base::OutOfRange(path + ": file is " + std::to_string(f->size()) + " bytes, limit " +
                            std::to_string(max_bytes));
  }
  std::string out(static_cast<size_t>(f->size()), '\0');
  size_t done = 0;
  while (done < out.size()) {
    CK_ASSIGN_OR_RETURN(size_t n,
                        f->Read(reinterpret_cast<uint8_t*>(out.data()) + done, out.size() - done));
    if (n == 0) break;  // the file shrank while we read it
    done += n;
  }
  out.resize(done);
  return out;
}

base::Status WriteSmallFileAtomic(base::FileSystem& fs, const std::string& path,
                                  std::string_view data, mode_t mode) {
  const std::string tmp = path + ".tmp";
  CK_ASSIGN_OR_RETURN(std::unique_ptr<base::WritableFile> f, fs.OpenWritable(tmp, mode));
  CK_TRY(f->Append(base::AsBytes(data)));
  CK_TRY(f->Sync());
  CK_TRY(f->Close());
  CK_TRY(fs.Rename(tmp, path));
  return fs.SyncDir(base::DirName(path));
}

uint64_t FileSizeOrZero(base::FileSystem& fs, const std::string& path) {
  base::Result<std::unique_ptr<base::SequentialFile>> f = fs.OpenSequential(path);
  return f.ok() ? (*f)->size() : 0;
}

}  // namespace ck_sync
