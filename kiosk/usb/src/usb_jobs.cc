#include "kiosk_usb/usb_jobs.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bundle/importer.h"
#include "sync/journal_to_stick.h"
#include "sync/usb_watcher.h"

namespace kiosk_usb {
namespace {

constexpr char kCanRemove[] = "usb.can_remove";
constexpr char kNotRemovable[] = "usb.not_removable";

// Why the stick's newest bundle was not applied, in a key of the translations: the bundle already
// applied is no error (neutral); the rest are refusals (red), each with its reason.
UsbOutcome RefusalOf(const ck_sync::BundleOutcome& b, std::optional<int64_t> previous_seq) {
  if (!b.seq) return {"admin.usb_not_verified", "file", b.file, true};
  const std::string seq = std::to_string(*b.seq);
  if (previous_seq && *b.seq == *previous_seq) return {"admin.usb_already_applied", "seq", seq};
  if (previous_seq && *b.seq < *previous_seq) return {"admin.usb_older", "seq", seq, true};
  if (b.status.code() == base::StatusCode::kDataLoss)
    return {"admin.usb_damaged", "file", b.file, true};
  if (b.status.message().find(" expired on ") != std::string::npos)
    return {"admin.usb_expired", "seq", seq, true};
  return {"admin.usb_failed", "why", b.status.message(), true};
}

bool IsImportRefusal(const UsbOutcome& o) {
  return o.key.rfind("admin.usb_", 0) == 0 && o.key != "admin.usb_imported";
}
constexpr char kAckTaken[] = "journal: acknowledged by the union through seq ";

// What one stick brought, from the watcher's result and this stick's export lines (also logged).
std::vector<UsbOutcome> StickOutcomes(const ck_sync::VolumeResult& v,
                                      const std::vector<std::string>& exported,
                                      const std::string& device_id) {
  std::fprintf(stderr, "kiosk: usb: %s\n", v.Summary().c_str());
  std::vector<UsbOutcome> news;
  if (const ck_sync::BundleOutcome* a = v.applied()) {
    news.push_back({"admin.usb_imported", "seq", std::to_string(*a->seq), false});
  } else if (v.all_refused()) {
    news.push_back(RefusalOf(v.bundles.front(), v.previous_seq));
  }
  for (const std::string& line : exported) {
    std::fprintf(stderr, "kiosk: usb: %s\n", line.c_str());
    if (line.rfind("journal: exported", 0) == 0) {
      news.push_back(
          {"admin.export_done", "file", ck_sync::JournalExportFileName(device_id), false});
    } else if (line.rfind(kAckTaken, 0) == 0) {
      news.push_back({"admin.ack_taken", "seq", line.substr(sizeof kAckTaken - 1), false});
    } else if (line.rfind("journal: ack refused", 0) == 0) {
      news.push_back({"admin.ack_refused", "why", line, true});
    } else {
      news.push_back({"admin.export_failed", "why", line, true});
    }
  }
  // Last: whether the stick may be pulled now (everything written to it is flushed onto it).
  if (v.removable()) {
    news.push_back({kCanRemove, "", "", false});
  } else {
    const base::Status& why = v.receipt_status.ok() ? v.flush_status : v.receipt_status;
    news.push_back({kNotRemovable, "why", why.message(), true});
  }
  return news;
}

// The watcher's options for the admin's actions and the watcher alike: bundles are applied by the
// watcher itself; with `with_export` this device's journal is written to each stick too. After
// each stick, `on_stick` gets what happened there (on the thread processing the stick).
ck_sync::UsbWatcherOptions StickOptions(const UsbSetup& s, bool with_export,
                                        std::function<void(std::vector<UsbOutcome>)> on_stick) {
  ck_sync::UsbWatcherOptions o{.mount_dir = s.mount_dir, .device_id = s.device_id};
  auto exported = std::make_shared<std::vector<std::string>>();  // this stick's export lines
  if (with_export) {
    ck_sync::ReceiptExtension inner =
        ck_sync::MakeJournalExportExtension(*s.fs, *s.clock, s.data_dir, s.device_id, s.trusted);
    o.receipt_extension = [inner, exported](const std::string& dir) {
      *exported = inner(dir);
      return *exported;
    };
  }
  o.on_volume = [exported, device_id = s.device_id, on_stick](const ck_sync::VolumeResult& v) {
    std::vector<UsbOutcome> news = StickOutcomes(v, *exported, device_id);
    exported->clear();
    on_stick(std::move(news));
  };
  return o;
}

const UsbOutcome* Find(const std::vector<UsbOutcome>& news, std::string_view key) {
  for (const UsbOutcome& o : news)
    if (o.key == key) return &o;
  return nullptr;
}

}  // namespace

std::string Words(const UsbOutcome& o, const kiosk_settings::Strings& strings) {
  return o.arg.empty() ? strings.Get(o.key) : strings.Format(o.key, {{o.arg, o.value}});
}

std::string StickLine(const std::vector<UsbOutcome>& stick, const kiosk_settings::Strings& strings,
                      bool* error) {
  std::string text = "USB:";
  *error = false;
  for (const UsbOutcome& o : stick) {
    text += ' ' + Words(o, strings);
    *error = *error || o.error;
  }
  if (stick.empty()) text += ' ' + strings.Get("admin.usb_nothing");
  return text;
}

UsbOutcome RunUsbJob(const UsbSetup& setup, bool do_export, bool* imported, bool* removable) {
  std::vector<UsbOutcome> news;  // of every stick
  bundle::Importer importer(*setup.fs, *setup.clock, setup.data_dir, setup.trusted);
  ck_sync::UsbWatcher watcher(*setup.fs, *setup.clock, importer, setup.trusted,
                              StickOptions(setup, do_export, [&news](std::vector<UsbOutcome> s) {
                                news.insert(news.end(), s.begin(), s.end());
                              }));
  base::Result<std::vector<ck_sync::VolumeResult>> r = watcher.ProcessAllOnce();
  *imported = Find(news, "admin.usb_imported") != nullptr;
  const UsbOutcome* not_removable = Find(news, kNotRemovable);
  if (removable != nullptr) *removable = r.ok() && !r->empty() && not_removable == nullptr;
  if (!r.ok() || r->empty()) return {"admin.usb_no_stick", "dir", setup.mount_dir, true};
  // A stick that must not be pulled yet is what the admin needs to know first.
  if (not_removable != nullptr) return *not_removable;
  if (do_export) {
    if (const UsbOutcome* done = Find(news, "admin.export_done")) return *done;
    if (const UsbOutcome* failed = Find(news, "admin.export_failed")) return *failed;
    return {"admin.export_failed", "why", "-", true};
  }
  // An import beats a refusal; a refusal (red) beats a bundle already applied (neutral).
  UsbOutcome out{"admin.usb_nothing", "", "", false};
  for (const UsbOutcome& o : news)
    if (IsImportRefusal(o) && (out.key == "admin.usb_nothing" || (o.error && !out.error))) out = o;
  for (const UsbOutcome& o : news)
    if (o.key == "admin.usb_imported") out = o;
  return out;
}

UsbAdminJob::UsbAdminJob(UsbSetup setup, std::function<void()> wake,
                         std::function<void()> on_imported)
    : setup_(std::move(setup)), wake_(std::move(wake)), on_imported_(std::move(on_imported)) {}

UsbAdminJob::~UsbAdminJob() { Wait(); }

void UsbAdminJob::Wait() {
  if (thread_.joinable()) thread_.join();
}

bool UsbAdminJob::Start(bool do_export) {
  if (running_) return false;
  Wait();
  running_ = true;
  done_ = false;
  thread_ = std::thread([this, do_export] {
    bool imported = false, removable = false;
    UsbOutcome out = RunUsbJob(setup_, do_export, &imported, &removable);
    if (imported && on_imported_) on_imported_();
    {
      std::lock_guard<std::mutex> lock(mu_);
      outcome_ = std::move(out);
      removable_ = removable;
    }
    done_ = true;
    if (wake_) wake_();
  });
  return true;
}

std::optional<UsbOutcome> UsbAdminJob::TakeResult() {
  if (!running_ || !done_) return std::nullopt;
  thread_.join();
  running_ = false;
  std::lock_guard<std::mutex> lock(mu_);
  return outcome_;
}

bool UsbAdminJob::removable() {
  std::lock_guard<std::mutex> lock(mu_);
  return removable_;
}

UsbStickWatcher::UsbStickWatcher(UsbSetup setup, std::function<void()> wake,
                                 std::function<void()> on_imported)
    : setup_(std::move(setup)), wake_(std::move(wake)), on_imported_(std::move(on_imported)) {}

UsbStickWatcher::~UsbStickWatcher() {
  if (!thread_.joinable()) return;
  const uint64_t one = 1;
  if (::write(stop_.get(), &one, sizeof one) != sizeof one) std::perror("kiosk: eventfd");
  thread_.join();
}

bool UsbStickWatcher::Start() {
  stop_ = base::UniqueFd(::eventfd(0, EFD_CLOEXEC));
  if (!stop_.valid()) {
    std::perror("kiosk: eventfd");
    return false;
  }
  thread_ = std::thread([this] {
    bundle::Importer importer(*setup_.fs, *setup_.clock, setup_.data_dir, setup_.trusted);
    auto on_stick = [this](std::vector<UsbOutcome> stick) {
      if (Find(stick, "admin.usb_imported") != nullptr && on_imported_) on_imported_();
      {
        std::lock_guard<std::mutex> lock(mu_);
        news_.push_back(std::move(stick));
      }
      if (wake_) wake_();
    };
    ck_sync::UsbWatcher watcher(*setup_.fs, *setup_.clock, importer, setup_.trusted,
                                StickOptions(setup_, /*with_export=*/true, on_stick));
    if (base::Status st = watcher.Run(stop_.get()); !st.ok())
      std::fprintf(stderr, "kiosk: not watching %s for USB sticks: %s\n", setup_.mount_dir.c_str(),
                   st.message().c_str());
  });
  return true;
}

std::vector<std::vector<UsbOutcome>> UsbStickWatcher::TakeNews() {
  std::vector<std::vector<UsbOutcome>> news;
  std::lock_guard<std::mutex> lock(mu_);
  news.swap(news_);
  return news;
}

}  // namespace kiosk_usb
