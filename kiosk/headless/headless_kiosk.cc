#include "headless_kiosk.h"

#include <nlohmann/json.hpp>

#include "headless.h"
#include "kiosk_wiring/wiring.h"

namespace kiosk {

int RunHeadlessKiosk(const HeadlessOptions& o, base::FileSystem& fs, std::istream& in,
                     std::FILE* out, const std::function<int(const std::string&)>& usage) {
  base::Result<std::unique_ptr<kiosk_wiring::Wiring>> made =
      kiosk_wiring::Wiring::Create(fs, o.fake_clock);
  if (!made.ok()) return usage("bad --fake-clock: " + made.status().message());
  kiosk_wiring::Wiring& wiring = **made;
  if (base::Status st = wiring.OpenDevice(o.data_dir); !st.ok()) {
    std::fprintf(stderr, "kiosk: %s\n", st.message().c_str());
    return 2;
  }
  if (!o.hub.empty()) {
    if (o.trust.empty()) return usage("--hub needs --trust bundle.pub.pem");
    if (base::Status st = wiring.LoadTrust(o.trust); !st.ok()) return usage(st.message());
    if (base::Status st = wiring.LoadIdentity(); !st.ok()) return usage(st.message());
    // Network sync in the background (docs/network-sync.md).
    wiring.StartSync({o.hub, o.hub_cert, o.sync_interval_seconds}, nullptr);
  }
  wiring.RebuildSession(o.config);
  // The session is asked for before every command: a bundle applied by the sync is switched in
  // while the session is idle.
  auto current = [&wiring]() -> Session& {
    wiring.SwapRegistryWhenIdle();
    return wiring.session();
  };
  auto decorate = [&wiring](nlohmann::json& j) {
    if (wiring.sync() != nullptr) j["last_sync"] = wiring.sync()->last_success();
  };
  return RunHeadless(current, in, out, wiring.fake_clock(), decorate);
}

}  // namespace kiosk
