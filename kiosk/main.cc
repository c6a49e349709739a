// kiosk: the verifier at a partner shop or an event desk. By default the fullscreen SDL2 app
// (docs/kiosk-app.md); with --headless, JSON-lines commands on stdin and screens on stdout
// (docs/kiosk-protocol.md). main() is where real parts are wired: the system clock (or a fake one
// for tests), the data directory, the session.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app.h"
#include "base/clock.h"
#include "base/time_format.h"
#include "headless/headless.h"
#include "kiosk/device.h"
#include "kiosk/session.h"
#include "kiosk_settings/config.h"
#include "sync/background_sync.h"
#include "sync/device_id.h"

namespace {

constexpr char kUsage[] =
    "usage: kiosk [--config FILE] [--data-dir DIR] [--mode shop|event] [--partner ID | --event "
    "ID]\n"
    "             [--camera DIR|FILE.y4m|/dev/videoN] [--scanner /dev/input/eventN]\n"
    "             [--language ru|en|kk] [--windowed] [--size WxH] [--screenshot-dir DIR]\n"
    "             [--script FILE] [--quit-after SECONDS] [--fake-clock ISO-8601]\n"
    "             [--utc-offset +03:00] [--stale-registry warn|refuse]\n"
    "             [--hub URL [--hub-cert FILE]] [--trust bundle.pub.pem] [--sync-interval S]\n"
    "   or: kiosk --print-config   (the config file with every key and its default)\n"
    "The app: fullscreen, touch, keyboard, keyboard-wedge scanner and camera (docs/kiosk-app.md).\n"
    "Flags override the config file (default /etc/cardkiosk/kiosk.conf when it exists).\n"
    "  --camera       frames to scan: a V4L2 camera, or a recording (image directory, Y4M)\n"
    "  --screenshot-dir  writes NNNN-SCREEN.png each time the screen changes\n"
    "  --script       scripted input: scan, type, key, press, tap, wait, expect, screenshot, quit\n"
    "  --quit-after   ends the app after SECONDS (demos, tests)\n"
    "\n"
    "usage: kiosk --headless --data-dir DIR --mode shop|event [--partner ID | --event ID]\n"
    "             [--utc-offset +03:00] [--stale-registry warn|refuse] [--fake-clock ISO-8601]\n"
    "             [--hub URL [--hub-cert FILE] --trust bundle.pub.pem [--sync-interval SECONDS]]\n"
    "Reads JSON-lines commands on stdin and writes one JSON line per screen on stdout:\n"
    "  {\"cmd\":\"scan\",\"text\":\"UC1:...\"} {\"cmd\":\"amount\",\"minor\":125000} "
    "{\"cmd\":\"confirm\"}\n"
    "  {\"cmd\":\"cancel\"} {\"cmd\":\"tick\"} {\"cmd\":\"status\"} {\"cmd\":\"quit\"}\n"
    "  with --fake-clock also {\"cmd\":\"advance\",\"seconds\":N}\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "kiosk: %s\n%s", why.c_str(), kUsage);
  return 2;
}

// The value after the flag at args[*i] (moving *i onto it); false when there is none.
bool TakeValue(const std::vector<std::string>& args, size_t* i, std::string* out) {
  if (*i + 1 >= args.size()) return false;
  *out = args[++*i];
  return true;
}

}  // namespace

int RunApp(const std::vector<std::string>& args);

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool headless = false;
  for (const std::string& a : args) headless = headless || a == "--headless";
  if (!headless) {
    for (const std::string& a : args)
      if (a == "--help" || a == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      }
    return RunApp(args);
  }
  std::string data_dir, mode, partner, event, fake_clock, hub, hub_cert, trust;
  int64_t sync_interval = 300;
  kiosk::Config config;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* out) { return TakeValue(args, &i, out); };
    std::string v;
    if (a == "--headless") {
      headless = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--data-dir" && value(&data_dir)) {
    } else if (a == "--mode" && value(&mode)) {
    } else if (a == "--partner" && value(&partner)) {
    } else if (a == "--event" && value(&event)) {
    } else if (a == "--fake-clock" && value(&fake_clock)) {
    } else if (a == "--hub" && value(&hub)) {
    } else if (a == "--hub-cert" && value(&hub_cert)) {
    } else if (a == "--trust" && value(&trust)) {
    } else if (a == "--sync-interval" && value(&v)) {
      sync_interval = std::atoll(v.c_str());
      if (sync_interval < 1 || sync_interval > 86400)
        return Usage("--sync-interval must be 1-86400");
    } else if (a == "--utc-offset" && value(&v)) {
      base::Result<int64_t> offset = kiosk_settings::ParseUtcOffset(v);
      if (!offset.ok()) return Usage("bad --utc-offset " + v + " (use +03:00)");
      config.utc_offset_seconds = *offset;
    } else if (a == "--stale-registry" && value(&v)) {
      if (v != "warn" && v != "refuse") return Usage("--stale-registry must be warn or refuse");
      config.stale_registry = v == "warn" ? kiosk::StalePolicy::kWarn : kiosk::StalePolicy::kRefuse;
    } else {
      return Usage("unknown or incomplete option " + a);
    }
  }
  if (data_dir.empty()) return Usage("--data-dir is required");
  if (partner.size() > 64 || event.size() > 64)
    return Usage("--partner and --event are at most 64 bytes");
  if (mode == "shop") {
    config.mode = kiosk::Mode::kShop;
    if (partner.empty()) return Usage("shop mode needs --partner ID");
    config.partner_id = partner;
  } else if (mode == "event") {
    config.mode = kiosk::Mode::kEvent;
    if (event.empty()) return Usage("event mode needs --event ID");
    config.event_id = event;
  } else {
    return Usage("--mode must be shop or event");
  }
  std::unique_ptr<base::Clock> clock;
  base::FakeClock* fake = nullptr;
  if (!fake_clock.empty()) {
    base::Result<int64_t> t = base::ParseIso8601(fake_clock);
    if (!t.ok()) return Usage("bad --fake-clock: " + t.status().message());
    auto f = std::make_unique<base::FakeClock>(*t);
    fake = f.get();
    clock = std::move(f);
  } else {
    clock = std::make_unique<base::SystemClock>();
  }
  base::Result<kiosk::Device> device = kiosk::Device::Open(data_dir, *clock);
  if (!device.ok()) {
    std::fprintf(stderr, "kiosk: cannot open %s: %s\n", data_dir.c_str(),
                 device.status().message().c_str());
    return 2;
  }
  if (!device->open_problem.empty())
    std::fprintf(stderr, "kiosk: no usable registry: %s\n", device->open_problem.c_str());
  if (!hub.empty() && trust.empty()) return Usage("--hub needs --trust bundle.pub.pem");
  // Network sync in the background (docs/network-sync.md): its own thread and journal connection.
  // A bundle it applies is picked up by rebuilding the session between customers.
  std::atomic<bool> registry_changed{false};
  std::unique_ptr<ck_sync::BackgroundSync> sync;
  if (!hub.empty()) {
    base::Result<card::PublicKey> trusted = card::PublicKey::FromPemFile(trust);
    if (!trusted.ok()) return Usage(trusted.status().message());
    base::Result<std::string> device_id = ck_sync::LoadOrCreateDeviceId(base::PosixFs(), data_dir);
    if (!device_id.ok()) return Usage(device_id.status().message());
    ck_sync::BackgroundSyncOptions options{.trusted = *trusted,
                                           .interval = std::chrono::seconds(sync_interval)};
    options.net.data_dir = data_dir;
    options.net.device_id = *device_id;
    options.net.transport.hub_url = hub;
    options.net.transport.hub_cert_path = hub_cert;
    sync = std::make_unique<ck_sync::BackgroundSync>(
        base::PosixFs(), *clock, std::move(options), [&](const ck_sync::SyncReport& r) {
          if (r.pull.state == ck_sync::PullReport::State::kApplied) registry_changed = true;
          for (const std::string& line : r.Lines())
            std::fprintf(stderr, "kiosk: sync: %s\n", line.c_str());
        });
    sync->Start();
  }
  auto make_session = [&] {
    return std::make_unique<kiosk::Session>(config, *clock, device->verifier.get(),
                                            device->registry.get(), *device->journal);
  };
  std::unique_ptr<kiosk::Session> session = make_session();
  auto current = [&]() -> kiosk::Session& {
    const kiosk::State state = session->screen().state;
    // Never in the middle of a customer, nor over a result still on screen: only when idle.
    if (state == kiosk::State::kIdle && registry_changed.exchange(false)) {
      session.reset();
      device->ReloadRegistry(*clock);
      session = make_session();
    }
    return *session;
  };
  auto decorate = [&](nlohmann::json& j) {
    if (sync) j["last_sync"] = sync->last_success();
  };
  const int rc = kiosk::RunHeadless(current, std::cin, stdout, fake, decorate);
  if (sync) sync->Stop();
  return rc;
}

namespace {

bool ParseSize(const std::string& s, int* w, int* h) {
  return std::sscanf(s.c_str(), "%dx%d", w, h) == 2 && *w >= 320 && *w <= 7680 && *h >= 240 &&
         *h <= 4320;
}

}  // namespace

// The SDL app: the config file first, then the flags over it.
int RunApp(const std::vector<std::string>& args) {
  std::string config_path;
  bool explicit_config = false;
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--config") {
      config_path = args[i + 1];
      explicit_config = true;
    }
  for (const std::string& a : args)
    if (a == "--print-config") {
      std::fputs(kiosk_settings::DefaultConfigText().c_str(), stdout);
      return 0;
    }
  if (config_path.empty()) config_path = "/etc/cardkiosk/kiosk.conf";
  kiosk_sdl::AppOptions o;
  base::Result<kiosk_settings::AppConfig> cfg = kiosk_settings::LoadAppConfig(config_path);
  if (cfg.ok()) {
    o.config = std::move(*cfg);
  } else if (explicit_config || cfg.status().code() != base::StatusCode::kNotFound) {
    std::fprintf(stderr, "kiosk: %s\n", cfg.status().message().c_str());
    return 2;
  }
  kiosk_settings::AppConfig& c = o.config;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* out) { return TakeValue(args, &i, out); };
    std::string v;
    if (a == "--config" && value(&v)) {
    } else if (a == "--data-dir" && value(&c.data_dir)) {
    } else if (a == "--mode" && value(&c.mode)) {
      if (c.mode != "shop" && c.mode != "event") return Usage("--mode must be shop or event");
      o.mode_fixed = true;
    } else if (a == "--partner" && value(&c.partner)) {
      o.mode_fixed = true;
    } else if (a == "--event" && value(&c.event)) {
      o.mode_fixed = true;
    } else if (a == "--camera" && value(&c.camera)) {
    } else if (a == "--scanner" && value(&c.scanner_device)) {
    } else if (a == "--language" && value(&c.language)) {
      if (c.language != "ru" && c.language != "en" && c.language != "kk")
        return Usage("--language must be ru, en or kk");
      o.language_fixed = true;
    } else if (a == "--windowed") {
      c.fullscreen = false;
    } else if (a == "--size" && value(&v)) {
      if (!ParseSize(v, &c.window_width, &c.window_height))
        return Usage("bad --size " + v + " (use 800x480)");
    } else if (a == "--screenshot-dir" && value(&o.screenshot_dir)) {
    } else if (a == "--script" && value(&o.script_path)) {
    } else if (a == "--quit-after" && value(&v)) {
      o.quit_after_seconds = std::atof(v.c_str());
      if (!(o.quit_after_seconds > 0 && o.quit_after_seconds <= 86400 * 365))
        return Usage("--quit-after must be a positive number of seconds");
    } else if (a == "--fake-clock" && value(&o.fake_clock)) {
    } else if (a == "--utc-offset" && value(&v)) {
      base::Result<int64_t> off = kiosk_settings::ParseUtcOffset(v);
      if (!off.ok()) return Usage("bad --utc-offset " + v + " (use +03:00)");
      c.utc_offset_seconds = *off;
    } else if (a == "--stale-registry" && value(&v)) {
      if (v != "warn" && v != "refuse") return Usage("--stale-registry must be warn or refuse");
      c.stale_registry = v;
    } else if (a == "--hub" && value(&c.hub)) {
    } else if (a == "--hub-cert" && value(&c.hub_cert)) {
    } else if (a == "--trust" && value(&c.trust)) {
    } else if (a == "--assets" && value(&c.assets_dir)) {
    } else if (a == "--sync-interval" && value(&v)) {
      c.sync_interval_seconds = std::atoll(v.c_str());
      if (c.sync_interval_seconds < 1 || c.sync_interval_seconds > 86400)
        return Usage("--sync-interval must be 1-86400");
    } else {
      return Usage("unknown or incomplete option " + a);
    }
  }
  if (c.partner.size() > 64 || c.event.size() > 64)
    return Usage("--partner and --event are at most 64 bytes");
  o.version = CK_VERSION;
  return kiosk_sdl::RunApp(o);
}
