// The real parts of one kiosk, built once for both front ends (`kiosk --headless` and the SDL
// app): the clock (a FakeClock with --fake-clock, else the system clock), the device's data
// directory (registry, journal, verifier), its identity (device id, device key), the pinned
// bundle key, network sync in the background, the session and the registry swap between
// customers, the camera and scanner inputs and the USB jobs and watcher.
//
// Built in steps (a front end reports each step's problem in its own words); each step is optional
// except the clock and OpenDevice(). Owns everything it builds; the FileSystem it is given (the one
// main() owns) must outlive it. The destructor stops the threads (USB, inputs, sync) before the
// session and the device go. Not thread-safe: use it from the front end's thread; the threads it
// starts only call the `wake` functions they are given and MarkRegistryChanged().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/fs.h"
#include "base/status.h"
#include "card/crypto.h"
#include "kiosk/device.h"
#include "kiosk/session.h"
#include "kiosk_scan_input/scan_inputs.h"
#include "kiosk_usb/usb_jobs.h"
#include "sync/background_sync.h"
#include "sync/failed_scans.h"

namespace kiosk_wiring {

// Where the kiosk syncs over the network (docs/network-sync.md).
struct HubSpec {
  std::string url;
  std::string cert;  // CA/cert file for the hub; "" = the system's
  int64_t interval_seconds = 300;
};

class Wiring {
 public:
  // A FakeClock at `fake_clock` (ISO-8601) when not empty, else the system clock. The error is
  // the timestamp parser's.
  static base::Result<std::unique_ptr<Wiring>> Create(base::FileSystem& fs,
                                                      const std::string& fake_clock);
  ~Wiring();
  Wiring(const Wiring&) = delete;
  Wiring& operator=(const Wiring&) = delete;

  base::FileSystem& fs() { return fs_; }
  base::Clock& clock() { return *clock_; }
  base::FakeClock* fake_clock() { return fake_; }  // null on the system clock
  // The system clock, always: cameras, scanners and frame timings run on it.
  const base::Clock& system_clock() const { return system_; }

  // Opens the data directory ("cannot open DIR: why"). A missing or unusable registry is printed
  // ("kiosk: no usable registry: ...") and not an error, nor are the refused-scan counters
  // (DATA_DIR/failed-scans.db) that cannot be opened ("kiosk: refused scans are not counted: ...").
  base::Status OpenDevice(const std::string& data_dir);
  kiosk::Device& device() { return *device_; }

  // The device id (created on first use) and the device key's fingerprint (hex kid; empty when
  // the key cannot be read). The status is the device id's.
  base::Status LoadIdentity();
  const std::string& device_id() const { return device_id_; }
  const std::string& key_fingerprint() const { return key_fingerprint_; }
  // The device public key's PEM, as `cardctl device pubkey` prints it (empty when unreadable).
  const std::string& public_key_pem() const { return public_key_pem_; }

  // Reads the pinned bundle key (PEM) that USB imports and network sync check bundles with.
  base::Status LoadTrust(const std::string& pem_path);
  const std::optional<card::PublicKey>& trusted() const { return trusted_; }

  // Starts network sync in the background (needs LoadTrust and LoadIdentity). Each report is
  // printed ("kiosk: sync: ..."); an applied bundle marks the registry changed; then `wake` runs
  // (on the sync thread; may be empty).
  void StartSync(const HubSpec& hub, std::function<void()> wake);
  ck_sync::BackgroundSync* sync() { return sync_.get(); }

  // The session over the device, rebuilt with `config` (the old one goes first). Its refusals are
  // counted for the status report (sync/failed_scans.h).
  void RebuildSession(const kiosk::Config& config);
  kiosk::Session& session() { return *session_; }
  const kiosk::Config& session_config() const { return session_config_; }
  // A new registry (USB import, network sync) is switched in between customers only: when the
  // session is idle and one was applied since, the registry is reopened and the session rebuilt.
  // True when that happened.
  bool SwapRegistryWhenIdle();
  // Thread-safe: a bundle was applied to the data directory.
  void MarkRegistryChanged() { registry_changed_ = true; }

  // The USB jobs over this device (needs LoadTrust and LoadIdentity; null without trust): the
  // admin's import/export, and the watcher of `mount_dir` when `watch` (started at once).
  void StartUsb(const std::string& mount_dir, bool watch, std::function<void()> wake);
  kiosk_usb::UsbAdminJob* usb_job() { return usb_job_.get(); }
  kiosk_usb::UsbStickWatcher* usb_watcher() { return usb_watcher_.get(); }

  // The camera and the scanner device (either may be empty: not used).
  kiosk_scan_input::ScanInputs& OpenInputs(const kiosk_scan_input::CameraSpec& camera,
                                           const std::string& scanner_device,
                                           std::function<void()> wake);
  kiosk_scan_input::ScanInputs* inputs() { return inputs_.get(); }

 private:
  Wiring(base::FileSystem& fs, std::unique_ptr<base::Clock> clock, base::FakeClock* fake)
      : fs_(fs), clock_(std::move(clock)), fake_(fake) {}
  kiosk_usb::UsbSetup UsbSetupFor(const std::string& mount_dir) const;

  base::FileSystem& fs_;
  base::SystemClock system_;
  std::unique_ptr<base::Clock> clock_;
  base::FakeClock* fake_;
  std::optional<kiosk::Device> device_;
  std::string device_id_, key_fingerprint_, public_key_pem_;
  std::optional<card::PublicKey> trusted_;
  kiosk::Config session_config_;
  std::unique_ptr<ck_sync::FailedScans> failed_scans_;  // null when it cannot be opened
  std::unique_ptr<kiosk::Session> session_;             // after failed_scans_: counts into it
  // The session's mode and scope, for the sync thread's status report.
  std::mutex scope_mu_;
  ck_sync::StatusScope scope_;
  std::atomic<bool> registry_changed_{false};
  // Threads: declared last, so that they stop first.
  std::unique_ptr<ck_sync::BackgroundSync> sync_;
  std::unique_ptr<kiosk_scan_input::ScanInputs> inputs_;
  std::unique_ptr<kiosk_usb::UsbAdminJob> usb_job_;
  std::unique_ptr<kiosk_usb::UsbStickWatcher> usb_watcher_;
};

}  // namespace kiosk_wiring
