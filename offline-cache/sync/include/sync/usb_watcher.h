// The USB-stick watcher (DESIGN.md section 8): when a volume appears under the mount directory,
// bring the registry to the newest seq the valid `*.ckbundle` files at its top level reach (a full
// bundle and/or a chain of deltas, chosen from the kiosk's own seq) and write a plain-text receipt
// back to it.
//
// The watcher never owns the registry: it hands bundle files to the bundle::Importer, which either
// installs a complete, checked registry or leaves the old one in use. A stick pulled out at any
// moment therefore costs at most an error in the VolumeResult and a missing receipt.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/fs.h"
#include "base/status.h"
#include "bundle/importer.h"
#include "card/crypto.h"

namespace ck_sync {

inline constexpr char kBundleSuffix[] = ".ckbundle";
inline constexpr size_t kDefaultMaxBundles = 64;

// What happened to one `*.ckbundle` file on a volume.
struct BundleOutcome {
  std::string file;            // name inside the volume (no directory)
  std::optional<int64_t> seq;  // from a header that verified; nullopt when it did not
  bool applied = false;
  base::Status status;  // OK when applied; otherwise exactly why it was refused
};

// Everything ProcessVolume() did with one volume. Plain data: copyable, no references.
struct VolumeResult {
  std::string volume_dir;
  std::optional<int64_t> previous_seq;  // registry seq before; nullopt when none was applied
  std::optional<int64_t> current_seq;   // registry seq after
  base::Status registry_status;         // reading the applied registry's meta failed
  base::Status scan_status;             // listing the volume failed (e.g. the stick was pulled)
  // Newest verified bundle first, then those whose header did not verify (by name).
  std::vector<BundleOutcome> bundles;
  size_t ignored_bundles = 0;  // *.ckbundle files beyond UsbWatcherOptions::max_bundles
  std::string receipt_path;
  base::Status receipt_status;  // writing the receipt failed (the stick is read-only or gone)
  base::Status flush_status;    // flushing the stick's filesystem (syncfs) failed

  // The outcome that was applied, or null.
  const BundleOutcome* applied() const;
  // Bundles were there but none was applied.
  bool all_refused() const { return !bundles.empty() && applied() == nullptr; }
  // An I/O problem with the volume itself: it could not be listed or the receipt not written.
  // ...or the stick's filesystem could not be flushed.
  bool volume_error() const {
    return !scan_status.ok() || !receipt_status.ok() || !flush_status.ok();
  }
  // Everything written to the stick (the receipt, an export before it) is on it: the receipt was
  // written and the stick's filesystem flushed. Only then may a screen say it can be pulled.
  bool removable() const { return receipt_status.ok() && flush_status.ok(); }
  // One line for logs and `cardctl usb-watch`: "DIR: applied seq 3 (previous seq 2) ...".
  std::string Summary() const;
};

// Extension point: lines to add to the receipt, produced after the bundles were handled and
// before the receipt is written. The later "write the journal export to the stick" step plugs in
// here: it writes its export file into `volume_dir` and returns lines such as
// "journal: exported entries 120-185 to cardkiosk-journal-<id>.ckjournal" (or why it could not).
using ReceiptExtension = std::function<std::vector<std::string>(const std::string& volume_dir)>;

struct UsbWatcherOptions {
  std::string mount_dir = "/media";
  std::string device_id;  // names the receipt; see device_id.h
  size_t max_bundles = kDefaultMaxBundles;
  // Called after each volume is processed (by ProcessVolume, Run and ProcessAllOnce), on the thread
  // that processes it. May be empty.
  std::function<void(const VolumeResult&)> on_volume;
  ReceiptExtension receipt_extension;  // may be empty
};

// Name of the receipt a device writes to the top level of a volume.
std::string ReceiptFileName(const std::string& device_id);

// The receipt text for `result`, as written to the stick.
std::string FormatReceipt(const VolumeResult& result, int64_t now_unix_seconds,
                          const std::string& device_id,
                          const std::vector<std::string>& extra_lines);

// Not thread-safe: call ProcessVolume, ProcessAllOnce and Run from one thread at a time (Run keeps
// that thread until stopped). `fs`, `clock` and `importer` must outlive the watcher; `fs` should
// be the one the importer uses, so that a test's fault injection reaches both.
class UsbWatcher {
 public:
  // `trusted` is the pinned bundle key (the same one the importer holds): headers are verified
  // with it to choose which bundle to apply.
  UsbWatcher(base::FileSystem& fs, const base::Clock& clock, bundle::Importer& importer,
             card::PublicKey trusted, UsbWatcherOptions options);

  // Handles one volume: lists `*.ckbundle` regular files at its top level (no recursion, no
  // dotfiles, at most max_bundles by name), applies the path of verified bundles from the applied
  // seq to the newest seq they reach (bundle::PlanPath: deltas in seq order, or a full bundle and
  // the deltas after it; fewest bytes), planning again without a step that is refused, then writes
  // the receipt atomically (temporary dotfile, fsync, rename, fsync of the volume directory) and
  // flushes the stick's whole filesystem (FileSystem::SyncFs), so that the export and the receipt
  // are on the stick, not in the page cache, when on_volume hears of it. Never fails as a whole:
  // every problem is in the result.
  VolumeResult ProcessVolume(const std::string& volume_dir);

  // Processes every volume under mount_dir once (see Run for what counts as a volume).
  // kNotFound / kInvalidArgument when mount_dir is missing or not a directory.
  base::Result<std::vector<VolumeResult>> ProcessAllOnce();

  // Watches mount_dir until `stop_fd` (an eventfd, a signalfd or a pipe's read end) becomes
  // readable or hangs up, and returns OK then; Run never reads from `stop_fd`. Blocks in poll() on
  // inotify, /proc/self/mountinfo and `stop_fd`; never busy-waits.
  //
  // A volume is a directory at depth 1, or at depth 2 under a depth-1 directory that is not itself
  // a volume (Debian's /media/USER/LABEL), that is a mount point (in the mount table, or on
  // another device than its parent) or holds a `*.ckbundle` at its top level (a plain directory
  // renamed into place, as tests and staging do). Volumes already there when Run starts are
  // processed first. Each volume is processed once per identity (st_dev, st_ino); one that
  // disappears and comes back is processed again. A stop request is seen between volumes, not
  // during an apply. Errors: mount_dir missing (kNotFound) or not a directory, inotify failures,
  // mount_dir removed or moved while watching (kUnavailable).
  base::Status Run(int stop_fd);

 private:
  struct Candidate;
  std::vector<Candidate> ReadCandidates(const std::string& volume_dir,
                                        const std::vector<std::string>& names);
  void ApplyNewest(const std::vector<Candidate>& candidates, VolumeResult* result);
  std::optional<int64_t> AppliedSeq(base::Status* error) const;
  base::Status WriteReceipt(const std::string& volume_dir, const std::string& text,
                            std::string* path);

  base::FileSystem& fs_;
  const base::Clock& clock_;
  bundle::Importer& importer_;
  card::PublicKey trusted_;
  UsbWatcherOptions options_;
};

}  // namespace ck_sync
