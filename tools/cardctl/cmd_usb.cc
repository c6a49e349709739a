// cardctl usb-watch: the USB-stick watcher outside the kiosk app (for testing a stick, or for a
// headless kiosk run by systemd).
#include <sys/signalfd.h>

#include <csignal>
#include <cstdio>

#include "args.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/fs.h"
#include "bundle/importer.h"
#include "commands.h"
#include "sync/device_id.h"
#include "sync/journal_to_stick.h"
#include "sync/usb_watcher.h"

namespace cardctl {
namespace {

constexpr char kUsage[] =
    "usage: cardctl usb-watch --data-dir DIR --trust bundle.pub.pem [--mount-dir DIR] [--once]\n"
    "                         [--export-journal]";

void PrintSummary(const ck_sync::VolumeResult& r) {
  std::printf("%s\n", r.Summary().c_str());
  std::fflush(stdout);
}

// 0 when something was applied or there was nothing to do, 1 when bundles were found but all
// refused, 2 when a volume could not be read or written and nothing was applied.
int OnceExitCode(const std::vector<ck_sync::VolumeResult>& results) {
  bool applied = false, refused = false, io_error = false;
  for (const ck_sync::VolumeResult& r : results) {
    applied = applied || r.applied() != nullptr;
    refused = refused || r.all_refused();
    io_error = io_error || r.volume_error();
  }
  if (applied) return kExitOk;
  if (refused) return kExitRefused;
  return io_error ? kExitUsage : kExitOk;
}

int RunOnce(ck_sync::UsbWatcher& watcher) {
  base::Result<std::vector<ck_sync::VolumeResult>> results = watcher.ProcessAllOnce();
  if (!results.ok()) return Fail(results.status());
  if (results->empty()) std::printf("no volume to process\n");
  return OnceExitCode(*results);
}

// SIGINT/SIGTERM are blocked and delivered through a signalfd, which stops UsbWatcher::Run.
int RunUntilSignal(ck_sync::UsbWatcher& watcher) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) return Fail(base::IoError("sigprocmask", errno));
  base::UniqueFd stop(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!stop.valid()) return Fail(base::IoError("signalfd", errno));
  std::fprintf(stderr, "cardctl: watching for USB sticks; Ctrl-C stops\n");
  if (base::Status st = watcher.Run(stop.get()); !st.ok()) return Fail(st);
  return kExitOk;
}

int Watch(base::FileSystem& fs, const Args& args) {
  auto dir = args.Require("data-dir");
  if (!dir.ok()) return Fail(dir.status());
  auto trust_path = args.Require("trust");
  if (!trust_path.ok()) return Fail(trust_path.status());
  auto trusted = card::PublicKey::FromPemFile(*trust_path);
  if (!trusted.ok()) return Fail(trusted.status());
  if (base::Status st = base::MakeDirs(*dir, 0700); !st.ok()) return Fail(st);
  auto device_id = ck_sync::LoadOrCreateDeviceId(fs, *dir);
  if (!device_id.ok()) return Fail(device_id.status());

  base::SystemClock clock;
  bundle::Importer importer(fs, clock, *dir, *trusted);
  ck_sync::UsbWatcherOptions options{.device_id = *device_id, .on_volume = PrintSummary};
  if (auto mount_dir = args.Get("mount-dir")) options.mount_dir = *mount_dir;
  if (args.Has("export-journal")) {
    options.receipt_extension = ck_sync::MakeJournalExportExtension(fs, clock, *dir, *device_id);
  }
  ck_sync::UsbWatcher watcher(fs, clock, importer, *trusted, std::move(options));
  return args.Has("once") ? RunOnce(watcher) : RunUntilSignal(watcher);
}

}  // namespace

int RunUsbWatch(base::FileSystem& fs, const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {"data-dir", "trust", "mount-dir"}, {"once", "export-journal"});
  if (!args.ok()) return Fail(args.status().WithContext(kUsage));
  if (!args->positional().empty()) return Fail(kUsage);
  return Watch(fs, *args);
}

}  // namespace cardctl
