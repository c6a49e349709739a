#include "sync/usb_watcher.h"

#include <algorithm>
#include <utility>

#include "base/time_format.h"
#include "bundle/format.h"
#include "bundle/path.h"
#include "volume_scan.h"
#include "watch_loop.h"

namespace ck_sync {

// One `*.ckbundle` file and what its header said.
struct UsbWatcher::Candidate {
  std::string name;
  std::string path;
  base::Status header_status;  // why the header did not verify; OK when it did
  int64_t seq = 0;             // valid when header_status is OK
  int64_t base_seq = 0;        // a delta's base seq; 0 for a full bundle
  uint64_t size = 0;
};

UsbWatcher::UsbWatcher(base::FileSystem& fs, const base::Clock& clock, bundle::Importer& importer,
                       card::PublicKey trusted, UsbWatcherOptions options)
    : fs_(fs),
      clock_(clock),
      importer_(importer),
      trusted_(std::move(trusted)),
      options_(std::move(options)) {}

VolumeResult UsbWatcher::ProcessVolume(const std::string& volume_dir) {
  VolumeResult result;
  result.volume_dir = volume_dir;
  result.previous_seq = AppliedSeq(&result.registry_status);
  base::Result<internal::BundleListing> listing =
      internal::ListBundleFiles(volume_dir, options_.max_bundles);
  if (listing.ok()) {
    result.ignored_bundles = listing->ignored;
    std::vector<Candidate> candidates = ReadCandidates(volume_dir, listing->names);
    ApplyNewest(candidates, &result);
  } else {
    result.scan_status = listing.status();
  }
  base::Status after;
  result.current_seq = AppliedSeq(&after);
  if (result.registry_status.ok()) result.registry_status = after;

  std::vector<std::string> extra;
  if (options_.receipt_extension) extra = options_.receipt_extension(volume_dir);
  const std::string text =
      FormatReceipt(result, clock_.NowUnixSeconds(), options_.device_id, extra);
  result.receipt_status = WriteReceipt(volume_dir, text, &result.receipt_path);
  // Last: the receipt and the export are complete on the stick, not only in the page cache
  // (vfat writes them back about 30 s later otherwise), before anyone says it may be pulled.
  result.flush_status = fs_.SyncFs(volume_dir).WithContext("flushing the stick");
  if (options_.on_volume) options_.on_volume(result);
  return result;
}

std::vector<UsbWatcher::Candidate> UsbWatcher::ReadCandidates(
    const std::string& volume_dir, const std::vector<std::string>& names) {
  std::vector<Candidate> out;
  for (const std::string& name : names) {
    Candidate c{.name = name, .path = volume_dir + "/" + name};
    base::Result<std::unique_ptr<base::SequentialFile>> in = fs_.OpenSequential(c.path);
    if (!in.ok()) {
      c.header_status = in.status();
    } else {
      base::Result<bundle::Header> header = bundle::ReadHeader(**in, &trusted_);
      if (header.ok()) {
        c.seq = header->manifest.seq;
        if (header->manifest.is_delta()) c.base_seq = header->manifest.base_seq;
        c.size = (*in)->size();
      } else {
        c.header_status = header.status();
      }
    }
    out.push_back(std::move(c));
  }
  // Verified headers first, newest first (ties by name); then the rest by name.
  std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    if (a.header_status.ok() != b.header_status.ok()) return a.header_status.ok();
    return a.header_status.ok() && a.seq > b.seq;
  });
  return out;
}

// Applies the path from the applied seq to the newest seq the verified candidates reach (a full
// bundle and/or deltas, bundle::PlanPath); a step that is refused is set aside and the path
// planned again without it. The candidates on no path are then tried newest first as before, so
// each gets the importer's reason (already applied, older, expired, ...) or, once something was
// applied, "not applied: ... is newer and was applied".
void UsbWatcher::ApplyNewest(const std::vector<Candidate>& candidates, VolumeResult* result) {
  std::vector<std::optional<BundleOutcome>> outcomes(candidates.size());
  const Candidate* applied = nullptr;
  auto apply = [&](size_t i) {
    const Candidate& c = candidates[i];
    BundleOutcome outcome{.file = c.name, .seq = c.seq};
    base::Result<bundle::ApplyReport> report = importer_.Apply(c.path);
    if (report.ok()) {
      outcome.applied = true;
      applied = &c;
    } else {
      outcome.status = report.status();
    }
    outcomes[i] = std::move(outcome);
    return report.ok();
  };
  for (;;) {
    std::vector<bundle::OfferedBundle> offered;
    std::vector<size_t> index;
    for (size_t i = 0; i < candidates.size(); ++i) {
      const Candidate& c = candidates[i];
      if (!c.header_status.ok() || outcomes[i]) continue;
      offered.push_back({.seq = c.seq, .base_seq = c.base_seq, .size = c.size});
      index.push_back(i);
    }
    base::Status error;
    const int64_t current = AppliedSeq(&error).value_or(0);
    std::vector<size_t> path = bundle::PlanPath(current, offered);
    if (path.empty()) break;
    for (size_t step : path) {
      if (!apply(index[step])) break;
    }
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    if (!outcomes[i] && !c.header_status.ok()) {
      outcomes[i] = BundleOutcome{.file = c.name, .status = c.header_status};
    } else if (!outcomes[i] && applied != nullptr && c.seq <= applied->seq) {
      outcomes[i] = BundleOutcome{.file = c.name,
                                  .seq = c.seq,
                                  .status = base::FailedPrecondition(
                                      "not applied: seq " + std::to_string(applied->seq) +
                                      " from " + applied->name + " is newer and was applied")};
    } else if (!outcomes[i]) {
      apply(i);
    }
    result->bundles.push_back(std::move(*outcomes[i]));
  }
}

std::optional<int64_t> UsbWatcher::AppliedSeq(base::Status* error) const {
  base::Result<std::optional<registry::Meta>> meta = importer_.AppliedMeta();
  if (!meta.ok()) {
    *error = meta.status();
    return std::nullopt;
  }
  if (!meta->has_value()) return std::nullopt;
  return (*meta)->seq;
}

// Temporary dotfile (never taken for a bundle or a receipt), fsync, rename, fsync the directory:
// a stick pulled out midway holds the old receipt or the new one, plus at most a stray dotfile.
base::Status UsbWatcher::WriteReceipt(const std::string& volume_dir, const std::string& text,
                                      std::string* path) {
  *path = volume_dir + "/" + ReceiptFileName(options_.device_id);
  const std::string tmp = volume_dir + "/." + ReceiptFileName(options_.device_id) + ".tmp";
  base::Status st = [&]() -> base::Status {
    // A stick could carry a symlink by that name: opening it would write through it, onto any
    // file of the kiosk. Unlinking removes the link itself.
    CK_TRY(fs_.Remove(tmp));
    CK_ASSIGN_OR_RETURN(auto out, fs_.OpenWritable(tmp, 0644));
    CK_TRY(out->Append(base::AsBytes(text)));
    CK_TRY(out->Sync());
    CK_TRY(out->Close());
    CK_TRY(fs_.Rename(tmp, *path));
    return fs_.SyncDir(volume_dir);
  }();
  if (!st.ok()) {
    (void)fs_.Remove(tmp);
    return st.WithContext("writing the receipt");
  }
  return st;
}

base::Result<std::vector<VolumeResult>> UsbWatcher::ProcessAllOnce() {
  const std::string& root = options_.mount_dir;
  CK_TRY(internal::CheckMountDir(root));
  base::Result<std::string> canonical = internal::CanonicalPath(root);
  if (!canonical.ok()) return canonical.status().WithContext("mount directory");
  const internal::ScanContext ctx = internal::ReadScanContext(root, *canonical);
  base::Result<internal::MountDirScan> scan = internal::ScanMountDir(ctx);
  if (!scan.ok()) return scan.status().WithContext("mount directory " + root);
  std::vector<VolumeResult> results;
  for (const internal::ScannedDir& v : scan->volumes) results.push_back(ProcessVolume(v.path));
  return results;
}

base::Status UsbWatcher::Run(int stop_fd) {
  internal::WatchLoop loop(options_.mount_dir,
                           [this](const std::string& dir) { (void)ProcessVolume(dir); });
  return loop.Run(stop_fd);
}

}  // namespace ck_sync
