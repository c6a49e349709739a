#include "kiosk_wiring/wiring.h"

#include <chrono>
#include <cstdio>

#include "base/hex.h"
#include "base/time_format.h"
#include "base/version.h"
#include "journal/device_key.h"
#include "sync/device_id.h"
#include "sync/hub_time.h"

namespace kiosk_wiring {

base::Result<std::unique_ptr<Wiring>> Wiring::Create(base::FileSystem& fs,
                                                     const std::string& fake_clock) {
  if (fake_clock.empty())
    return std::unique_ptr<Wiring>(new Wiring(fs, std::make_unique<base::SystemClock>(), nullptr));
  CK_ASSIGN_OR_RETURN(int64_t t, base::ParseIso8601(fake_clock));
  auto fake = std::make_unique<base::FakeClock>(t);
  base::FakeClock* raw = fake.get();
  return std::unique_ptr<Wiring>(new Wiring(fs, std::move(fake), raw));
}

Wiring::~Wiring() {
  // The threads first (they refer to the clock, the data directory and the registry flag), the
  // watcher before the admin's job as before, the session before its device.
  usb_watcher_.reset();
  usb_job_.reset();
  inputs_.reset();
  if (sync_) sync_->Stop();
  sync_.reset();
  session_.reset();
}

base::Status Wiring::OpenDevice(const std::string& data_dir) {
  base::Result<kiosk::Device> device = kiosk::Device::Open(fs_, data_dir, *clock_);
  if (!device.ok())
    return base::Status(device.status().code(),
                        "cannot open " + data_dir + ": " + device.status().message());
  device_.emplace(std::move(*device));
  if (!device_->open_problem.empty())
    std::fprintf(stderr, "kiosk: no usable registry: %s\n", device_->open_problem.c_str());
  // The hub's time at the last sync (cardctl sync's or our own) is a clock anchor: a restart
  // keeps it. A corrupt file is said and taken as none (the next sync writes it again).
  base::Result<int64_t> hub_time = ck_sync::ReadHubTime(fs_, data_dir);
  if (hub_time.ok()) {
    device_->hub_time->store(*hub_time);
  } else {
    std::fprintf(stderr, "kiosk: %s\n", hub_time.status().message().c_str());
  }
  base::Result<std::unique_ptr<ck_sync::FailedScans>> counters =
      ck_sync::FailedScans::Open(data_dir);
  if (counters.ok()) {
    failed_scans_ = std::move(counters).value();
  } else {
    std::fprintf(stderr, "kiosk: refused scans are not counted: %s\n",
                 counters.status().message().c_str());
  }
  return base::Status::Ok();
}

base::Status Wiring::LoadIdentity() {
  base::Result<std::string> id = ck_sync::LoadOrCreateDeviceId(fs_, device_->data_dir);
  if (id.ok()) device_id_ = *id;
  if (auto key = journal::LoadOrCreateDeviceKey(fs_, device_->data_dir); key.ok()) {
    if (auto pub = key->Public(); pub.ok()) {
      const card::Kid kid = pub->kid();
      key_fingerprint_ = base::ToHex(base::ByteSpan(kid.data(), kid.size()));
      public_key_pem_ = pub->ToPem();
    }
  }
  return id.status();
}

base::Status Wiring::LoadTrust(const std::string& pem_path) {
  CK_ASSIGN_OR_RETURN(card::PublicKey key, card::PublicKey::FromPemFile(pem_path));
  trusted_.emplace(std::move(key));
  return base::Status::Ok();
}

void Wiring::StartSync(const HubSpec& hub, std::function<void()> wake) {
  ck_sync::BackgroundSyncOptions o{.trusted = *trusted_,
                                   .interval = std::chrono::seconds(hub.interval_seconds)};
  o.net.data_dir = device_->data_dir;
  o.net.device_id = device_id_;
  o.net.transport.hub_url = hub.url;
  o.net.transport.hub_cert_path = hub.cert;
  o.net.status.app_version = base::kProjectVersion;
  o.net.status.failed_scans = failed_scans_.get();
  o.net.status.scope = [this] {
    std::lock_guard<std::mutex> lock(scope_mu_);
    return scope_;
  };
  // Its own thread and journal connection; a bundle it applies is picked up by rebuilding the
  // session between customers.
  sync_ = std::make_unique<ck_sync::BackgroundSync>(
      fs_, *clock_, std::move(o),
      [this, hub_time = device_->hub_time.get(),
       wake = std::move(wake)](const ck_sync::SyncReport& r) {
        if (r.pull.state == ck_sync::PullReport::State::kApplied) MarkRegistryChanged();
        if (r.hub_time > 0) hub_time->store(r.hub_time);
        for (const std::string& line : r.Lines())
          std::fprintf(stderr, "kiosk: sync: %s\n", line.c_str());
        if (wake) wake();
      });
  sync_->Start();
}

void Wiring::RebuildSession(const kiosk::Config& config) {
  session_.reset();
  session_config_ = config;
  session_ = std::make_unique<kiosk::Session>(session_config_, *clock_, device_->verifier.get(),
                                              device_->registry.get(), *device_->journal,
                                              device_->hub_time.get());
  if (failed_scans_) {
    session_->set_on_result([counters = failed_scans_.get()](const kiosk::Screen& screen) {
      if (screen.outcome == kiosk::Outcome::kValid) return;
      if (base::Status st = counters->Count(screen.decision); !st.ok()) {
        std::fprintf(stderr, "kiosk: a refused scan was not counted: %s\n", st.message().c_str());
      }
    });
  }
  const bool event = config.mode == kiosk::Mode::kEvent;
  std::lock_guard<std::mutex> lock(scope_mu_);
  scope_ = {.mode = event ? "event" : "shop",
            .scope_id = event ? config.event_id : config.partner_id};
}

bool Wiring::SwapRegistryWhenIdle() {
  // Never in the middle of a customer, nor over a result still on screen: only when idle.
  if (session_->screen().state != kiosk::State::kIdle || !registry_changed_.exchange(false))
    return false;
  session_.reset();
  device_->ReloadRegistry(*clock_);
  RebuildSession(session_config_);
  return true;
}

kiosk_usb::UsbSetup Wiring::UsbSetupFor(const std::string& mount_dir) const {
  return {.fs = &fs_,
          .clock = clock_.get(),
          .data_dir = device_->data_dir,
          .mount_dir = mount_dir,
          .device_id = device_id_,
          .trusted = *trusted_};
}

void Wiring::StartUsb(const std::string& mount_dir, bool watch, std::function<void()> wake) {
  if (!trusted_) return;
  auto changed = [this] { MarkRegistryChanged(); };
  usb_job_ = std::make_unique<kiosk_usb::UsbAdminJob>(UsbSetupFor(mount_dir), wake, changed);
  if (!watch) return;
  usb_watcher_ =
      std::make_unique<kiosk_usb::UsbStickWatcher>(UsbSetupFor(mount_dir), wake, changed);
  if (!usb_watcher_->Start()) usb_watcher_.reset();
}

kiosk_scan_input::ScanInputs& Wiring::OpenInputs(const kiosk_scan_input::CameraSpec& camera,
                                                 const std::string& scanner_device,
                                                 std::function<void()> wake) {
  inputs_ = std::make_unique<kiosk_scan_input::ScanInputs>(system_, std::move(wake));
  inputs_->OpenCamera(camera);
  inputs_->OpenScanner(scanner_device);
  return *inputs_;
}

}  // namespace kiosk_wiring
