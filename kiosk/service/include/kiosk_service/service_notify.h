// The kiosk's messages to the service manager that runs it (systemd's sd_notify protocol,
// sd_notify(3)): READY=1 once the first frame is on screen, WATCHDOG=1 fed from the UI loop (so a
// hung UI stops feeding it and is restarted), STATUS= lines saying what the kiosk is doing.
//
// Notifier is the seam: SystemdNotifier sends through libsystemd to $NOTIFY_SOCKET and does
// nothing when that is unset (a kiosk started by hand); tests pass their own to see what is sent.
// ServiceHealth decides what to send and when; it refers to its Notifier, which must outlive it.
// Neither is thread-safe: the UI thread uses them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kiosk_service {

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Sends one notification ("READY=1", "WATCHDOG=1", "STATUS=text"). OK when it was sent or
  // there is no service manager to send it to.
  virtual base::Status Notify(std::string_view state) = 0;
  // The watchdog period the manager asked of this process (WATCHDOG_USEC), 0 when none.
  virtual int64_t WatchdogUsec() = 0;
};

// libsystemd's sd_notify() and sd_watchdog_enabled(). Stateless: reads the environment on each
// call; owned by main().
class SystemdNotifier final : public Notifier {
 public:
  base::Status Notify(std::string_view state) override;
  int64_t WatchdogUsec() override;
  // True when $NOTIFY_SOCKET is set (the kiosk runs under a service manager that listens).
  static bool Enabled();
};

class ServiceHealth {
 public:
  // Reads the watchdog period once.
  explicit ServiceHealth(Notifier& notifier);

  // The first frame is on screen: READY=1 (once; later calls send nothing).
  void FirstFrameShown();
  bool ready() const { return ready_; }
  // The UI loop went round at `now_ns` (monotonic): WATCHDOG=1 when half the period has passed
  // since the last one (none without a watchdog).
  void Alive(int64_t now_ns);
  // STATUS=`text` when it differs from the last one sent.
  void SetStatus(const std::string& text);
  // How long the loop may wait before Alive() is due again, in ms (>= 0); -1 without a watchdog.
  int TimeoutMs(int64_t now_ns) const;
  int64_t watchdog_usec() const { return watchdog_usec_; }

 private:
  void Send(std::string_view state);

  Notifier& notifier_;
  int64_t watchdog_usec_ = 0;
  bool ready_ = false;
  bool fed_ = false;
  int64_t last_fed_ns_ = 0;
  std::string status_;
  bool warned_ = false;  // a failed send is said once
};

}  // namespace kiosk_service
