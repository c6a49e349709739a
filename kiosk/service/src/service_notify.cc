#include "kiosk_service/service_notify.h"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace kiosk_service {

base::Status SystemdNotifier::Notify(std::string_view state) {
  const std::string text(state);
  // 0: no $NOTIFY_SOCKET (not run by a service manager); > 0 sent; < 0 -errno.
  const int r = sd_notify(/*unset_environment=*/0, text.c_str());
  if (r < 0) return base::IoError("sd_notify " + text.substr(0, text.find('=')), -r);
  return base::Status::Ok();
}

int64_t SystemdNotifier::WatchdogUsec() {
  uint64_t usec = 0;
  // > 0: a watchdog is asked of this process (WATCHDOG_USEC, and WATCHDOG_PID is ours or unset).
  if (sd_watchdog_enabled(/*unset_environment=*/0, &usec) <= 0) return 0;
  return static_cast<int64_t>(usec);
}

bool SystemdNotifier::Enabled() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  return socket != nullptr && socket[0] != '\0';
}

ServiceHealth::ServiceHealth(Notifier& notifier)
    : notifier_(notifier), watchdog_usec_(notifier.WatchdogUsec()) {}

void ServiceHealth::Send(std::string_view state) {
  base::Status st = notifier_.Notify(state);
  if (!st.ok() && !warned_) {
    std::fprintf(stderr, "kiosk: service manager: %s\n", st.message().c_str());
    warned_ = true;
  }
}

void ServiceHealth::FirstFrameShown() {
  if (ready_) return;
  ready_ = true;
  Send("READY=1");
}

void ServiceHealth::Alive(int64_t now_ns) {
  if (watchdog_usec_ <= 0) return;
  // Half the period, as sd_watchdog_enabled(3) advises: a late turn still arrives in time.
  if (fed_ && now_ns - last_fed_ns_ < watchdog_usec_ * 1000 / 2) return;
  fed_ = true;
  last_fed_ns_ = now_ns;
  Send("WATCHDOG=1");
}

void ServiceHealth::SetStatus(const std::string& text) {
  if (text == status_) return;
  status_ = text;
  Send("STATUS=" + text);
}

int ServiceHealth::TimeoutMs(int64_t now_ns) const {
  if (watchdog_usec_ <= 0) return -1;
  if (!fed_) return 0;
  const int64_t due_ns = last_fed_ns_ + watchdog_usec_ * 1000 / 2 - now_ns;
  return static_cast<int>(std::clamp<int64_t>((due_ns + 999'999) / 1'000'000, 0, 1 << 30));
}

}  // namespace kiosk_service
