// `cardhub import`: .ckjournal files collected by USB stick, each taken as one batch through the
// path POST /v1/journal uses (hub/intake.h), with one line per file. The files are read through
// the caller's FileSystem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "hub/store.h"

namespace hub {

struct ImportLimits {
  size_t max_file_bytes = size_t{256} << 20;  // 256 MiB: about a million entries
  // A file created, or holding an entry, later than the hub's clock plus this is refused.
  int64_t max_ahead_seconds = 24 * 3600;
};

struct ImportTally {
  int64_t files_taken = 0;  // stored, or everything already held
  int64_t files_refused = 0;
  int64_t files_unreadable = 0;
  // 0 all taken, 1 any refused, 2 any unreadable (the exit status of `cardhub import`).
  int ExitStatus() const { return files_unreadable > 0 ? 2 : files_refused > 0 ? 1 : 0; }
};

// For each file, one line on `out`:
//   FILE: device NAME: seqs A-B: stored N, already held M (held through seq K)
//   FILE: refused: WHY; nothing stored from it
//   FILE: cannot read: WHY
ImportTally ImportFiles(HubStore& store, base::FileSystem& fs,
                        const std::vector<std::string>& files, int64_t now, std::FILE* out,
                        const ImportLimits& limits = {});

}  // namespace hub
