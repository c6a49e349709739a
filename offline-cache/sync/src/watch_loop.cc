#include "watch_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace ck_sync::internal {
namespace {

// Directory events only matter; files written inside a volume (our own receipts) do not.
constexpr uint32_t kContainerMask =
    IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR;
constexpr uint32_t kRootMask = kContainerMask | IN_DELETE_SELF | IN_MOVE_SELF;
constexpr uint32_t kRootGone = IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT;
// A scan that adds watches is repeated (a directory may have appeared before its parent was
// watched), but not forever if directories keep appearing.
constexpr int kMaxScanRounds = 8;

enum class StopState { kNone, kStop, kBadFd };

StopState CheckStop(short revents) {
  if ((revents & POLLNVAL) != 0) return StopState::kBadFd;
  if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) return StopState::kStop;
  return StopState::kNone;
}

bool StopRequested(int stop_fd) {
  pollfd p{.fd = stop_fd, .events = POLLIN, .revents = 0};
  return ::poll(&p, 1, 0) > 0 && CheckStop(p.revents) != StopState::kNone;
}

}  // namespace

WatchLoop::WatchLoop(std::string mount_dir, ProcessFn process)
    : mount_dir_(std::move(mount_dir)), process_(std::move(process)) {}

base::Status WatchLoop::Start() {
  CK_TRY(CheckMountDir(mount_dir_));
  CK_ASSIGN_OR_RETURN(canonical_mount_dir_, CanonicalPath(mount_dir_));
  inotify_ = base::UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!inotify_.valid()) return base::IoError("inotify_init1", errno);
  root_wd_ = ::inotify_add_watch(inotify_.get(), mount_dir_.c_str(), kRootMask);
  if (root_wd_ < 0) return base::IoError("watching " + mount_dir_, errno);
  // poll() on the mount table reports POLLPRI|POLLERR once per change: a mount completing on a
  // directory that already existed. Without /proc, new directories are still seen by inotify.
  mountinfo_ = base::UniqueFd(::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
  return base::Status::Ok();
}

base::Status WatchLoop::Run(int stop_fd) {
  CK_TRY(Start());
  CK_ASSIGN_OR_RETURN(bool stopped, Rescan(stop_fd));
  while (!stopped) {
    std::array<pollfd, 3> fds{{{.fd = stop_fd, .events = POLLIN, .revents = 0},
                               {.fd = inotify_.get(), .events = POLLIN, .revents = 0},
                               {.fd = mountinfo_.get(), .events = POLLPRI, .revents = 0}}};
    const nfds_t n = mountinfo_.valid() ? 3 : 2;
    if (::poll(fds.data(), n, -1) < 0) {
      if (errno == EINTR) continue;
      return base::IoError("poll", errno);
    }
    const StopState stop = CheckStop(fds[0].revents);
    if (stop == StopState::kBadFd) return base::InvalidArgument("stop fd is not open");
    if (stop == StopState::kStop) return base::Status::Ok();
    bool rescan = (fds[2].revents & (POLLPRI | POLLERR)) != 0;
    if ((fds[1].revents & POLLIN) != 0) {
      CK_ASSIGN_OR_RETURN(bool inotify_rescan, DrainInotify());
      rescan = rescan || inotify_rescan;
    }
    if (!rescan) continue;
    CK_ASSIGN_OR_RETURN(stopped, Rescan(stop_fd));
  }
  return base::Status::Ok();
}

base::Result<bool> WatchLoop::Rescan(int stop_fd) {
  CK_ASSIGN_OR_RETURN(MountDirScan scan, ScanAndWatch());
  ForgetVanished(scan);
  for (const ScannedDir& v : scan.volumes) {
    auto it = processed_.find(v.path);
    if (it != processed_.end() && it->second == v.id) continue;
    if (StopRequested(stop_fd)) return true;
    processed_[v.path] = v.id;
    process_(v.path);
  }
  return false;
}

base::Result<MountDirScan> WatchLoop::ScanAndWatch() {
  for (int round = 1;; ++round) {
    const ScanContext ctx = ReadScanContext(mount_dir_, canonical_mount_dir_);
    base::Result<MountDirScan> scan = ScanMountDir(ctx);
    if (!scan.ok()) {
      return base::Unavailable("mount directory " + mount_dir_ + ": " + scan.status().message());
    }
    CK_ASSIGN_OR_RETURN(bool added, UpdateWatches(*scan));
    if (!added || round == kMaxScanRounds) return scan;
  }
}

// Watches every container directory (/media/USER) so that volumes created inside it are seen, and
// drops watches on directories that are gone or became volumes.
base::Result<bool> WatchLoop::UpdateWatches(const MountDirScan& scan) {
  std::map<std::string, DirId> wanted;
  for (const ScannedDir& c : scan.containers) wanted[c.path] = c.id;
  for (auto it = watches_.begin(); it != watches_.end();) {
    auto w = wanted.find(it->second.path);
    if (w != wanted.end() && w->second == it->second.id) {
      wanted.erase(w);
      ++it;
      continue;
    }
    (void)::inotify_rm_watch(inotify_.get(), it->first);  // may be gone already
    it = watches_.erase(it);
  }
  bool added = false;
  for (const auto& [path, id] : wanted) {
    const int wd = ::inotify_add_watch(inotify_.get(), path.c_str(), kContainerMask);
    if (wd < 0) {
      if (errno == ENOSPC || errno == ENOMEM) return base::IoError("watching " + path, errno);
      continue;  // vanished meanwhile: the next event rescans
    }
    watches_[wd] = Watch{.path = path, .id = id};
    added = true;
  }
  return added;
}

// A volume that is no longer there (or is there in another identity) is processed again when it
// comes back.
void WatchLoop::ForgetVanished(const MountDirScan& scan) {
  std::map<std::string, DirId> present;
  for (const ScannedDir& v : scan.volumes) present[v.path] = v.id;
  std::erase_if(processed_, [&](const auto& entry) {
    auto it = present.find(entry.first);
    return it == present.end() || it->second != entry.second;
  });
}

base::Result<bool> WatchLoop::DrainInotify() {
  alignas(inotify_event) std::array<char, 16 * 1024> buf;
  bool rescan = false;
  for (;;) {
    const ssize_t n = ::read(inotify_.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return rescan;
    if (n < 0) return base::IoError("reading inotify events", errno);
    if (n == 0) return rescan;
    for (size_t off = 0; off + sizeof(inotify_event) <= static_cast<size_t>(n);) {
      inotify_event ev{};
      std::memcpy(&ev, buf.data() + off, sizeof ev);
      off += sizeof ev + ev.len;
      if (ev.wd == root_wd_ && (ev.mask & kRootGone) != 0) {
        return base::Unavailable("mount directory " + mount_dir_ + " was removed or moved");
      }
      if ((ev.mask & IN_IGNORED) != 0) {
        watches_.erase(ev.wd);
        continue;
      }
      if ((ev.mask & (IN_Q_OVERFLOW | IN_ISDIR)) != 0) rescan = true;
    }
  }
}

}  // namespace ck_sync::internal
