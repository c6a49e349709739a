// Directory listing for the USB watcher (private to ck_sync): the bundle files at the top level of
// a volume, the volumes under a mount directory, and the mount table. base::FileSystem has no
// directory listing, so this is POSIX directly; errno is mapped to Status here.
#pragma once

#include <sys/types.h>

#include <compare>
#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ck_sync::internal {

// A directory's identity: a volume mounted again, or a directory re-created, gets a new one.
struct DirId {
  dev_t dev = 0;
  ino_t ino = 0;
  auto operator<=>(const DirId&) const = default;
};

struct BundleListing {
  std::vector<std::string> names;  // sorted, at most the cap given
  size_t ignored = 0;              // matches beyond the cap
};

// Names of the regular files `*.ckbundle` directly in `dir`: no dotfiles, no symlinks, no
// directories or devices. The first `max_names` by name are kept.
base::Result<BundleListing> ListBundleFiles(const std::string& dir, size_t max_names);

// The mount points listed in a mountinfo text (/proc/self/mountinfo format), with the kernel's
// octal escapes (\040 for a space, ...) decoded.
std::set<std::string> ParseMountInfo(std::string_view text);
// Reads and parses /proc/self/mountinfo.
base::Result<std::set<std::string>> ReadMountPoints();

struct ScannedDir {
  std::string path;  // mount_dir as given + "/" + relative path
  DirId id;
};

struct MountDirScan {
  std::vector<ScannedDir> volumes;     // in name order, depth 1 before their parent's children
  std::vector<ScannedDir> containers;  // depth-1 directories that are not volumes
};

// What ScanMountDir needs to know about the mount directory.
struct ScanContext {
  std::string root;              // mount_dir as given
  std::string canonical_root;    // realpath(mount_dir), to compare with the mount table
  std::set<std::string> mounts;  // canonical mount points
};

// A context with the mount table as it is now (empty when /proc/self/mountinfo cannot be read:
// mount points are then recognised by their device number alone).
ScanContext ReadScanContext(const std::string& root, const std::string& canonical_root);

// Finds the volumes under ctx.root: directories at depth 1, or at depth 2 under a depth-1
// directory that is not a volume, that are mount points or hold a `*.ckbundle` at their top
// level. (A plain directory without bundles is not a volume: /media/USER must get no receipt.)
// Fails only when ctx.root itself cannot be listed; unreadable subdirectories are skipped.
base::Result<MountDirScan> ScanMountDir(const ScanContext& ctx);

// kNotFound "mount directory DIR does not exist", or kInvalidArgument when not a directory.
base::Status CheckMountDir(const std::string& dir);

// realpath(3), as a Result.
base::Result<std::string> CanonicalPath(const std::string& path);

}  // namespace ck_sync::internal
