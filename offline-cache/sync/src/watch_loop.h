// The event loop behind UsbWatcher::Run (private to ck_sync): inotify on the mount directory and
// its first-level directories, poll() on /proc/self/mountinfo, a stop fd, and a rescan on every
// event that decides which volumes to process.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>

#include "base/file.h"
#include "base/status.h"
#include "volume_scan.h"

namespace ck_sync::internal {

// Not thread-safe; used by one Run() call.
class WatchLoop {
 public:
  using ProcessFn = std::function<void(const std::string& volume_dir)>;

  // `process` is called for each volume to handle, on the thread running Run().
  WatchLoop(std::string mount_dir, ProcessFn process);

  // See UsbWatcher::Run.
  base::Status Run(int stop_fd);

 private:
  struct Watch {
    std::string path;
    DirId id;
  };

  base::Status Start();
  // Scans, adds watches for new container directories, processes volumes not yet processed in
  // their current identity. Returns true when `stop_fd` asked to stop between two volumes.
  base::Result<bool> Rescan(int stop_fd);
  base::Result<MountDirScan> ScanAndWatch();
  base::Result<bool> UpdateWatches(const MountDirScan& scan);
  void ForgetVanished(const MountDirScan& scan);
  // Reads every pending inotify event; true when a rescan is due.
  base::Result<bool> DrainInotify();

  std::string mount_dir_;
  std::string canonical_mount_dir_;
  ProcessFn process_;
  base::UniqueFd inotify_;
  base::UniqueFd mountinfo_;  // invalid when /proc is not there: inotify alone then
  int root_wd_ = -1;
  std::map<int, Watch> watches_;            // container directories, by watch descriptor
  std::map<std::string, DirId> processed_;  // volume path -> identity it was processed in
};

}  // namespace ck_sync::internal
