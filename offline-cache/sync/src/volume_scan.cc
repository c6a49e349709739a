#include "volume_scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>

#include "base/file.h"
#include "sync/usb_watcher.h"

namespace ck_sync::internal {
namespace {

// Bounds the work a stick (or a crowded mount directory) can cause.
constexpr size_t kMaxDirEntries = 100'000;
constexpr size_t kMaxSubdirs = 256;
constexpr size_t kMaxMountInfoBytes = size_t{4} << 20;

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

struct Entry {
  std::string name;
  struct stat st {};
};

base::Result<DirPtr> OpenDir(const std::string& dir) {
  DirPtr d(::opendir(dir.c_str()));
  if (!d) {
    if (errno == ENOENT) return base::NotFound(dir + ": no such directory");
    return base::IoError("listing " + dir, errno);
  }
  return d;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Calls `keep` for every entry of `dir` except dotfiles (and . and ..); `keep` decides from the
// name alone whether the entry is worth an lstat. Stops after kMaxDirEntries entries.
template <typename NameFilter>
base::Result<std::vector<Entry>> ReadEntries(const std::string& dir, NameFilter keep) {
  CK_ASSIGN_OR_RETURN(DirPtr d, OpenDir(dir));
  std::vector<Entry> out;
  for (size_t seen = 0; seen < kMaxDirEntries; ++seen) {
    errno = 0;
    const dirent* e = ::readdir(d.get());
    if (e == nullptr) {
      if (errno != 0) return base::IoError("listing " + dir, errno);
      break;
    }
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.' || !keep(name)) continue;
    Entry entry{.name = std::move(name)};
    // lstat: a symlink on a stick is not followed (it could point anywhere on the kiosk).
    if (::fstatat(::dirfd(d.get()), entry.name.c_str(), &entry.st, AT_SYMLINK_NOFOLLOW) != 0) {
      continue;  // vanished or unreadable: as if absent
    }
    out.push_back(std::move(entry));
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return out;
}

base::Result<std::vector<Entry>> ListSubdirs(const std::string& dir) {
  CK_ASSIGN_OR_RETURN(std::vector<Entry> all,
                      ReadEntries(dir, [](const std::string&) { return true; }));
  std::vector<Entry> dirs;
  for (Entry& e : all) {
    if (S_ISDIR(e.st.st_mode) && dirs.size() < kMaxSubdirs) dirs.push_back(std::move(e));
  }
  return dirs;
}

bool HasBundles(const std::string& dir) {
  base::Result<BundleListing> listing = ListBundleFiles(dir, 1);
  return listing.ok() && !listing->names.empty();
}

DirId IdOf(const struct stat& st) { return DirId{.dev = st.st_dev, .ino = st.st_ino}; }

// A directory is a mount point if the mount table says so, or if it is on another device than
// its parent (the mount table can lag behind, or be unreadable).
bool IsVolume(const ScanContext& ctx, const std::string& rel, const Entry& e, dev_t parent_dev) {
  const bool mount = e.st.st_dev != parent_dev || ctx.mounts.count(ctx.canonical_root + "/" + rel);
  if (mount) return true;
  return HasBundles(ctx.root + "/" + rel);
}

void ScanContainer(const ScanContext& ctx, const Entry& container, MountDirScan* out) {
  base::Result<std::vector<Entry>> children = ListSubdirs(ctx.root + "/" + container.name);
  if (!children.ok()) return;  // vanished or unreadable: nothing in it to process
  for (const Entry& c : *children) {
    const std::string rel = container.name + "/" + c.name;
    if (IsVolume(ctx, rel, c, container.st.st_dev)) {
      out->volumes.push_back({.path = ctx.root + "/" + rel, .id = IdOf(c.st)});
    }
  }
}

char UnescapeOctal(std::string_view s) {
  return static_cast<char>(((s[0] - '0') << 6) | ((s[1] - '0') << 3) | (s[2] - '0'));
}

bool IsOctalEscape(std::string_view s, size_t i) {
  if (s[i] != '\\' || i + 3 >= s.size()) return false;
  for (size_t k = i + 1; k <= i + 3; ++k) {
    if (s[k] < '0' || s[k] > '7') return false;
  }
  return true;
}

std::string UnescapeMountPath(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (IsOctalEscape(field, i)) {
      out.push_back(UnescapeOctal(field.substr(i + 1, 3)));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

// The fifth space-separated field of a mountinfo line: the mount point.
std::string_view MountPointField(std::string_view line) {
  for (int skip = 0; skip < 4; ++skip) {
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return {};
    line.remove_prefix(sp + 1);
  }
  return line.substr(0, line.find(' '));
}

}  // namespace

base::Result<BundleListing> ListBundleFiles(const std::string& dir, size_t max_names) {
  CK_ASSIGN_OR_RETURN(std::vector<Entry> entries, ReadEntries(dir, [](const std::string& name) {
                        return name.size() > sizeof kBundleSuffix - 1 &&
                               EndsWith(name, kBundleSuffix);
                      }));
  BundleListing out;
  for (Entry& e : entries) {
    if (!S_ISREG(e.st.st_mode)) continue;
    if (out.names.size() < max_names) {
      out.names.push_back(std::move(e.name));
    } else {
      ++out.ignored;
    }
  }
  return out;
}

std::set<std::string> ParseMountInfo(std::string_view text) {
  std::set<std::string> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    std::string_view field = MountPointField(line);
    if (!field.empty()) out.insert(UnescapeMountPath(field));
  }
  return out;
}

base::Result<std::set<std::string>> ReadMountPoints() {
  // Not base::ReadFile: /proc files report a size of 0, so read until the end.
  const char* path = "/proc/self/mountinfo";
  base::UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return base::IoError(std::string("opening ") + path, errno);
  std::string text;
  char buf[8192];
  while (text.size() < kMaxMountInfoBytes) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::IoError(std::string("reading ") + path, errno);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return ParseMountInfo(text);
}

ScanContext ReadScanContext(const std::string& root, const std::string& canonical_root) {
  base::Result<std::set<std::string>> mounts = ReadMountPoints();
  return ScanContext{.root = root,
                     .canonical_root = canonical_root,
                     .mounts = mounts.ok() ? std::move(mounts).value() : std::set<std::string>()};
}

base::Result<MountDirScan> ScanMountDir(const ScanContext& ctx) {
  struct stat root_st {};
  if (::stat(ctx.root.c_str(), &root_st) != 0) return base::IoError("stat " + ctx.root, errno);
  CK_ASSIGN_OR_RETURN(std::vector<Entry> top, ListSubdirs(ctx.root));
  MountDirScan out;
  for (const Entry& e : top) {
    if (IsVolume(ctx, e.name, e, root_st.st_dev)) {
      out.volumes.push_back({.path = ctx.root + "/" + e.name, .id = IdOf(e.st)});
      continue;
    }
    out.containers.push_back({.path = ctx.root + "/" + e.name, .id = IdOf(e.st)});
    ScanContainer(ctx, e, &out);
  }
  return out;
}

base::Status CheckMountDir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return base::NotFound("mount directory " + dir + " does not exist");
    return base::IoError("mount directory " + dir, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    return base::InvalidArgument("mount directory " + dir + " is not a directory");
  }
  return base::Status::Ok();
}

base::Result<std::string> CanonicalPath(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
  if (!real) {
    if (errno == ENOENT) return base::NotFound(path + ": no such directory");
    return base::IoError("resolving " + path, errno);
  }
  return std::string(real.get());
}

}  // namespace ck_sync::internal
