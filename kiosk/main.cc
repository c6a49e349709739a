// kiosk: the verifier at a partner shop or an event desk. This revision runs headless: JSON-lines
// commands on stdin, screens on stdout (docs/kiosk-protocol.md). main() is where real parts are
// wired: the system clock (or a fake one for tests), the data directory, the session.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/time_format.h"
#include "headless/headless.h"
#include "kiosk/device.h"
#include "kiosk/session.h"

namespace {

constexpr char kUsage[] =
    "usage: kiosk --headless --data-dir DIR --mode shop|event [--partner ID | --event ID]\n"
    "             [--utc-offset +03:00] [--stale-registry warn|refuse] [--fake-clock ISO-8601]\n"
    "Reads JSON-lines commands on stdin and writes one JSON line per screen on stdout:\n"
    "  {\"cmd\":\"scan\",\"text\":\"UC1:...\"} {\"cmd\":\"amount\",\"minor\":125000} "
    "{\"cmd\":\"confirm\"}\n"
    "  {\"cmd\":\"cancel\"} {\"cmd\":\"tick\"} {\"cmd\":\"status\"} {\"cmd\":\"quit\"}\n"
    "  with --fake-clock also {\"cmd\":\"advance\",\"seconds\":N}\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "kiosk: %s\n%s", why.c_str(), kUsage);
  return 2;
}

bool ParseOffset(const std::string& s, int64_t* out) {
  base::Result<int64_t> t = base::ParseIso8601("1970-01-02T00:00:00" + s);
  if (!t.ok()) return false;
  *out = 86400 - *t;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool headless = false;
  std::string data_dir, mode, partner, event, fake_clock;
  kiosk::Config config;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= args.size()) return false;
      *out = args[++i];
      return true;
    };
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
    } else if (a == "--utc-offset" && value(&v)) {
      if (!ParseOffset(v, &config.utc_offset_seconds))
        return Usage("bad --utc-offset " + v + " (use +03:00)");
    } else if (a == "--stale-registry" && value(&v)) {
      if (v != "warn" && v != "refuse") return Usage("--stale-registry must be warn or refuse");
      config.stale_registry = v == "warn" ? kiosk::StalePolicy::kWarn : kiosk::StalePolicy::kRefuse;
    } else {
      return Usage("unknown or incomplete option " + a);
    }
  }
  if (!headless) return Usage("this build runs with --headless only");
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
  kiosk::Session session(config, *clock, device->verifier.get(), device->registry.get(),
                         *device->journal);
  return kiosk::RunHeadless(session, std::cin, stdout, fake);
}
