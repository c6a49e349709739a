// Small files of the data directory (the download's ETag, the device id) read and written through
// the injected base::FileSystem. Internal to ck_sync.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/fs.h"
#include "base/status.h"

namespace ck_sync {

// The whole file; kNotFound when missing, kOutOfRange when larger than `max_bytes` (not read).
base::Result<std::string> ReadSmallFile(base::FileSystem& fs, const std::string& path,
                                        size_t max_bytes);

// A crash leaves the old file or the new one: PATH.tmp written and synced, renamed over `path`,
// the directory synced.
base::Status WriteSmallFileAtomic(base::FileSystem& fs, const std::string& path,
                                  std::string_view data, mode_t mode);

// The file's size, 0 when it cannot be opened.
uint64_t FileSizeOrZero(base::FileSystem& fs, const std::string& path);

}  // namespace ck_sync
