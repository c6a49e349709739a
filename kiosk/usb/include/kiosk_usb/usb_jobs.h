// The kiosk's USB sticks: the admin menu's import and export (one job at a time, on a worker
// thread so the screen stays alive) and the watcher that handles every stick plugged in by itself
// (its own thread: UsbWatcher::Run on inotify and the mount table). A stick's newest signed bundle
// is applied; with an export, this device's journal is written to it too. What happened comes
// back as plain data (UsbOutcome: a translation key and its one placeholder) for the UI thread to
// word. The registry is never switched here: `on_imported` says a bundle was applied.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/file.h"
#include "base/fs.h"
#include "card/crypto.h"
#include "kiosk_settings/strings.h"

namespace kiosk_usb {

// What one stick (or a whole job) brought: translation key, its placeholder and the value.
struct UsbOutcome {
  std::string key, arg, value;
  bool error = false;
  bool operator==(const UsbOutcome&) const = default;
};

// The outcome in the words of `strings`.
std::string Words(const UsbOutcome& outcome, const kiosk_settings::Strings& strings);
// One line for a stick the watcher handled: "USB: <each outcome>" ("USB: <nothing>" when empty).
// `*error` is set when any outcome is an error.
std::string StickLine(const std::vector<UsbOutcome>& stick, const kiosk_settings::Strings& strings,
                      bool* error);

// What every USB job needs. `fs` and `clock` must outlive the jobs and the watcher.
struct UsbSetup {
  base::FileSystem* fs = nullptr;
  const base::Clock* clock = nullptr;
  std::string data_dir;   // the device's: registry.db, journal.db
  std::string mount_dir;  // where sticks appear
  std::string device_id;  // names the receipt and the journal export
  card::PublicKey trusted;
};

// One import (or, with `do_export`, export) over every stick under mount_dir, run to the end on
// the calling thread. Returns the one line for the admin: a stick that must not be pulled yet
// ("usb.not_removable": its receipt or its flush failed) first; else the last import if any, else
// the first refusal; for an export, written if any stick got the journal, else the first reason
// why not. `*imported` is set when a bundle was applied; `*removable` (when given) when there were
// sticks and everything written to each is flushed onto it (FileSystem::SyncFs): they may be
// pulled now.
UsbOutcome RunUsbJob(const UsbSetup& setup, bool do_export, bool* imported,
                     bool* removable = nullptr);

// The admin menu's job: at most one at a time, on a worker thread. Thread-safe only in that the
// worker reports through `wake` (any thread); call the methods from one thread.
class UsbAdminJob {
 public:
  // `wake` is called from the worker when a job is done; `on_imported` when it applied a bundle.
  UsbAdminJob(UsbSetup setup, std::function<void()> wake, std::function<void()> on_imported);
  ~UsbAdminJob();  // waits for a running job
  UsbAdminJob(const UsbAdminJob&) = delete;
  UsbAdminJob& operator=(const UsbAdminJob&) = delete;

  // Starts an import or export; false (nothing started) while one runs.
  bool Start(bool do_export);
  bool running() const { return running_; }
  // When the job is done: its outcome (once), and running() is false again.
  std::optional<UsbOutcome> TakeResult();
  // After TakeResult(): the job's sticks may be pulled (see RunUsbJob).
  bool removable();
  // Waits for the running job to end (tests).
  void Wait();

 private:
  UsbSetup setup_;
  std::function<void()> wake_, on_imported_;
  std::thread thread_;
  bool running_ = false;
  std::atomic<bool> done_{false};
  std::mutex mu_;
  UsbOutcome outcome_;
  bool removable_ = false;
};

// Watches mount_dir on its own thread while it lives: the newest signed bundle on a stick is
// applied and this device's journal written to it, as `cardctl usb-watch --export-journal` does.
// Each stick's news ends with "usb.can_remove" (everything is flushed onto it) or
// "usb.not_removable" (an error, with why).
// Call the methods from one thread; `wake` and `on_imported` are called on the watcher's.
class UsbStickWatcher {
 public:
  UsbStickWatcher(UsbSetup setup, std::function<void()> wake, std::function<void()> on_imported);
  ~UsbStickWatcher();  // stops the thread and waits for it (between sticks)
  UsbStickWatcher(const UsbStickWatcher&) = delete;
  UsbStickWatcher& operator=(const UsbStickWatcher&) = delete;

  // Starts the thread; false (and why, printed) when it cannot.
  bool Start();
  // What each stick handled since the last call brought (one entry per stick).
  std::vector<std::vector<UsbOutcome>> TakeNews();

 private:
  UsbSetup setup_;
  std::function<void()> wake_, on_imported_;
  base::UniqueFd stop_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::vector<UsbOutcome>> news_;
};

}  // namespace kiosk_usb
