// kiosk: the verifier at a partner shop or an event desk. By default the fullscreen SDL2 app
// (docs/kiosk-app.md); with --headless, JSON-lines commands on stdin and screens on stdout
// (docs/kiosk-protocol.md). main() owns the real filesystem and parses the flags; the real parts
// are wired by kiosk_wiring::Wiring for either front end.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "app.h"
#include "base/fs.h"
#include "base/version.h"
#include "headless_kiosk.h"
#include "kiosk/session.h"
#include "kiosk_service/service_notify.h"
#include "kiosk_settings/config.h"

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
    "   or: kiosk --version\n"
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
    "             [--void-window SECONDS]\n"
    "Reads JSON-lines commands on stdin and writes one JSON line per screen on stdout:\n"
    "  {\"cmd\":\"scan\",\"text\":\"UC1:...\"} {\"cmd\":\"amount\",\"minor\":125000} "
    "{\"cmd\":\"confirm\"}\n"
    "  {\"cmd\":\"cancel\"} {\"cmd\":\"tick\"} {\"cmd\":\"status\"} {\"cmd\":\"quit\"}\n"
    "  {\"cmd\":\"recent\"} {\"cmd\":\"void\",\"entry_uuid\":\"...\"} {\"cmd\":\"undo\"} "
    "{\"cmd\":\"manual_count\"}\n"
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

bool ParseSize(const std::string& s, int* w, int* h) {
  return std::sscanf(s.c_str(), "%dx%d", w, h) == 2 && *w >= 320 && *w <= 7680 && *h >= 240 &&
         *h <= 4320;
}

constexpr int kParsed = -1;  // the flags are fine: run

// --headless: every flag into `o`; kParsed, or the exit code (usage printed).
int ParseHeadlessFlags(const std::vector<std::string>& args, kiosk::HeadlessOptions* o) {
  std::string mode, partner, event;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* out) { return TakeValue(args, &i, out); };
    std::string v;
    if (a == "--headless") {
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--data-dir" && value(&o->data_dir)) {
    } else if (a == "--mode" && value(&mode)) {
    } else if (a == "--partner" && value(&partner)) {
    } else if (a == "--event" && value(&event)) {
    } else if (a == "--fake-clock" && value(&o->fake_clock)) {
    } else if (a == "--hub" && value(&o->hub)) {
    } else if (a == "--hub-cert" && value(&o->hub_cert)) {
    } else if (a == "--trust" && value(&o->trust)) {
    } else if (a == "--sync-interval" && value(&v)) {
      o->sync_interval_seconds = std::atoll(v.c_str());
      if (o->sync_interval_seconds < 1 || o->sync_interval_seconds > 86400)
        return Usage("--sync-interval must be 1-86400");
    } else if (a == "--void-window" && value(&v)) {
      o->config.void_window_seconds = std::atoll(v.c_str());
      if (o->config.void_window_seconds < 60 || o->config.void_window_seconds > 86400)
        return Usage("--void-window must be 60-86400 seconds");
    } else if (a == "--utc-offset" && value(&v)) {
      base::Result<int64_t> offset = kiosk_settings::ParseUtcOffset(v);
      if (!offset.ok()) return Usage("bad --utc-offset " + v + " (use +03:00)");
      o->config.utc_offset_seconds = *offset;
    } else if (a == "--stale-registry" && value(&v)) {
      if (v != "warn" && v != "refuse") return Usage("--stale-registry must be warn or refuse");
      o->config.stale_registry =
          v == "warn" ? kiosk::StalePolicy::kWarn : kiosk::StalePolicy::kRefuse;
    } else {
      return Usage("unknown or incomplete option " + a);
    }
  }
  if (o->data_dir.empty()) return Usage("--data-dir is required");
  if (partner.size() > 64 || event.size() > 64)
    return Usage("--partner and --event are at most 64 bytes");
  if (mode == "shop") {
    o->config.mode = kiosk::Mode::kShop;
    if (partner.empty()) return Usage("shop mode needs --partner ID");
    o->config.partner_id = partner;
  } else if (mode == "event") {
    o->config.mode = kiosk::Mode::kEvent;
    if (event.empty()) return Usage("event mode needs --event ID");
    o->config.event_id = event;
  } else {
    return Usage("--mode must be shop or event");
  }
  return kParsed;
}

// The SDL app's config file (--config, else /etc/cardkiosk/kiosk.conf when it exists) into
// `o->config`; kParsed, or the exit code (printed).
int LoadConfigFile(const std::vector<std::string>& args, kiosk_sdl::AppOptions* o) {
  std::string config_path;
  bool explicit_config = false;
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--config") {
      config_path = args[i + 1];
      explicit_config = true;
    }
  if (config_path.empty()) config_path = "/etc/cardkiosk/kiosk.conf";
  base::Result<kiosk_settings::AppConfig> cfg = kiosk_settings::LoadAppConfig(config_path);
  if (cfg.ok()) {
    o->config = std::move(*cfg);
  } else if (explicit_config || cfg.status().code() != base::StatusCode::kNotFound) {
    std::fprintf(stderr, "kiosk: %s\n", cfg.status().message().c_str());
    return 2;
  } else {
    // Said once at start-up, so that a device's journal shows why it runs on the defaults.
    std::fprintf(stderr, "kiosk: no %s: using the defaults (kiosk --print-config lists them)\n",
                 config_path.c_str());
  }
  return kParsed;
}

// One of the SDL app's flags at args[*i] over the config file; kParsed, or the exit code.
int ParseAppFlag(const std::vector<std::string>& args, size_t* i, kiosk_sdl::AppOptions* o) {
  kiosk_settings::AppConfig& c = o->config;
  const std::string& a = args[*i];
  auto value = [&](std::string* out) { return TakeValue(args, i, out); };
  std::string v;
  if (a == "--config" && value(&v)) {
  } else if (a == "--data-dir" && value(&c.data_dir)) {
  } else if (a == "--mode" && value(&c.mode)) {
    if (c.mode != "shop" && c.mode != "event") return Usage("--mode must be shop or event");
    o->mode_fixed = true;
  } else if ((a == "--partner" && value(&c.partner)) || (a == "--event" && value(&c.event))) {
    o->mode_fixed = true;
  } else if (a == "--camera" && value(&c.camera)) {
  } else if (a == "--scanner" && value(&c.scanner_device)) {
  } else if (a == "--language" && value(&c.language)) {
    if (c.language != "ru" && c.language != "en" && c.language != "kk")
      return Usage("--language must be ru, en or kk");
    o->language_fixed = true;
  } else if (a == "--windowed") {
    c.fullscreen = false;
  } else if (a == "--size" && value(&v)) {
    if (!ParseSize(v, &c.window_width, &c.window_height))
      return Usage("bad --size " + v + " (use 800x480)");
  } else if (a == "--screenshot-dir" && value(&o->screenshot_dir)) {
  } else if (a == "--script" && value(&o->script_path)) {
  } else if (a == "--quit-after" && value(&v)) {
    o->quit_after_seconds = std::atof(v.c_str());
    if (!(o->quit_after_seconds > 0 && o->quit_after_seconds <= 86400 * 365))
      return Usage("--quit-after must be a positive number of seconds");
  } else if (a == "--fake-clock" && value(&o->fake_clock)) {
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
  return kParsed;
}

// The SDL app: the config file first, then the flags over it.
int ParseAppFlags(const std::vector<std::string>& args, kiosk_sdl::AppOptions* o) {
  for (const std::string& a : args)
    if (a == "--print-config") {
      std::fputs(kiosk_settings::DefaultConfigText().c_str(), stdout);
      return 0;
    }
  if (int rc = LoadConfigFile(args, o); rc != kParsed) return rc;
  for (size_t i = 0; i < args.size(); ++i)
    if (int rc = ParseAppFlag(args, &i, o); rc != kParsed) return rc;
  if (o->config.partner.size() > 64 || o->config.event.size() > 64)
    return Usage("--partner and --event are at most 64 bytes");
  o->version = base::kProjectVersion;
  return kParsed;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "--version") {
    std::printf("kiosk %s\n", base::kProjectVersion);
    return 0;
  }
  bool headless = false;
  for (const std::string& a : args) headless = headless || a == "--headless";
  base::PosixFileSystem fs;  // the real filesystem, for every part below
  if (headless) {
    kiosk::HeadlessOptions options;
    if (int rc = ParseHeadlessFlags(args, &options); rc != kParsed) return rc;
    return kiosk::RunHeadlessKiosk(options, fs, std::cin, stdout, Usage);
  }
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  kiosk_sdl::AppOptions options;
  if (int rc = ParseAppFlags(args, &options); rc != kParsed) return rc;
  kiosk_service::SystemdNotifier notifier;  // sd_notify; nothing without $NOTIFY_SOCKET
  return kiosk_sdl::RunApp(options, fs, notifier);
}
