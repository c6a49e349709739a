// The receipt written to a stick and the one-line summary of a processed volume.
#include <string>
#include <vector>

#include "base/time_format.h"
#include "sync/usb_watcher.h"

namespace ck_sync {
namespace {

// File names on a stick and error texts may hold anything but '/' and NUL: no control character
// may reach the receipt, where a newline could forge a line.
std::string Clean(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::string SeqText(const std::optional<int64_t>& seq) {
  return seq ? "seq " + std::to_string(*seq) : "none";
}

std::string OutcomeText(const BundleOutcome& b) {
  if (b.applied) return "applied seq " + std::to_string(b.seq.value_or(0));
  return "refused: " + b.status.message();
}

std::string ResultLine(const VolumeResult& r) {
  if (const BundleOutcome* a = r.applied()) {
    return "applied seq " + std::to_string(a->seq.value_or(0)) + " from " + a->file;
  }
  if (!r.scan_status.ok()) return "nothing applied (the stick could not be read)";
  if (r.bundles.empty()) return "nothing to do (no *.ckbundle file at the top level)";
  if (r.bundles.size() == 1) return "nothing applied (the only bundle was refused)";
  return "nothing applied (all " + std::to_string(r.bundles.size()) + " bundles refused)";
}

void AppendBundles(const VolumeResult& r, std::string* out) {
  if (!r.scan_status.ok()) {
    *out += "bundles: could not list the stick: " + Clean(r.scan_status.message()) + "\n";
    return;
  }
  if (r.bundles.empty()) {
    *out += "bundles: none found\n";
    return;
  }
  *out += "bundles: " + std::to_string(r.bundles.size()) + "\n";
  for (const BundleOutcome& b : r.bundles) {
    *out += "  " + Clean(b.file) + ": " + Clean(OutcomeText(b)) + "\n";
  }
  if (r.ignored_bundles > 0) {
    *out += "  (" + std::to_string(r.ignored_bundles) + " more *.ckbundle files ignored: at most " +
            std::to_string(r.bundles.size()) + " are considered)\n";
  }
}

}  // namespace

const BundleOutcome* VolumeResult::applied() const {
  for (const BundleOutcome& b : bundles) {
    if (b.applied) return &b;
  }
  return nullptr;
}

std::string ReceiptFileName(const std::string& device_id) {
  return "cardkiosk-receipt-" + device_id + ".txt";
}

std::string FormatReceipt(const VolumeResult& r, int64_t now_unix_seconds,
                          const std::string& device_id,
                          const std::vector<std::string>& extra_lines) {
  std::string out = "cardkiosk receipt\n";
  out += "time: " + base::FormatIso8601Utc(now_unix_seconds) + "\n";
  out += "device: " + Clean(device_id) + "\n";
  out += "registry before: " + SeqText(r.previous_seq) + "\n";
  out += "registry now: " + SeqText(r.current_seq) + "\n";
  if (!r.registry_status.ok()) {
    out += "registry error: " + Clean(r.registry_status.message()) + "\n";
  }
  out += "result: " + Clean(ResultLine(r)) + "\n";
  AppendBundles(r, &out);
  // Extension point (journal export and later steps): their lines, after ours.
  for (const std::string& line : extra_lines) out += Clean(line) + "\n";
  return out;
}

std::string VolumeResult::Summary() const {
  std::string out = volume_dir + ": " + ResultLine(*this);
  if (applied() != nullptr) {
    out += " (previous " + SeqText(previous_seq) + ")";
  } else if (!bundles.empty()) {
    out += ", registry stays at " + SeqText(current_seq) + "; newest: " + bundles.front().file +
           ": " + bundles.front().status.message();
  }
  if (!scan_status.ok()) out += "; " + scan_status.message();
  out += receipt_status.ok() ? "; receipt written"
                             : "; receipt NOT written: " + receipt_status.message();
  out +=
      flush_status.ok() ? "; flushed, safe to remove" : "; NOT flushed: " + flush_status.message();
  return Clean(out);
}

}  // namespace ck_sync
