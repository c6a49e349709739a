// What the kiosk tells systemd: the real sd_notify() over a real $NOTIFY_SOCKET datagram socket,
// and ServiceHealth's choices (READY once, WATCHDOG at half the period, STATUS on change) over a
// recording Notifier.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "kiosk_service/service_notify.h"
#include "notify_socket.h"
#include "subprocess.h"

namespace kiosk_service {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// Sets (or unsets, for nullptr) an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    if (old != nullptr) old_ = old;
    had_ = old != nullptr;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (had_) {
      ::setenv(name_, old_.c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

class Recorder final : public Notifier {
 public:
  explicit Recorder(int64_t watchdog_usec) : watchdog_usec_(watchdog_usec) {}
  base::Status Notify(std::string_view state) override {
    sent.emplace_back(state);
    return base::Status::Ok();
  }
  int64_t WatchdogUsec() override { return watchdog_usec_; }
  std::vector<std::string> sent;

 private:
  int64_t watchdog_usec_;
};

TEST(SystemdNotifierTest, SendsEachNotificationAsOneDatagramToNotifySocket) {
  cktest::TempDir dir;
  cktest::NotifySocket socket(dir.File("notify"));
  ASSERT_TRUE(socket.ok()) << socket.path();
  ScopedEnv env("NOTIFY_SOCKET", socket.path().c_str());
  SystemdNotifier notifier;
  EXPECT_TRUE(SystemdNotifier::Enabled());
  ASSERT_TRUE(notifier.Notify("READY=1").ok());
  ASSERT_TRUE(notifier.Notify("STATUS=serving: shop, partner P-1").ok());
  EXPECT_EQ(socket.Receive(5000), "READY=1");
  EXPECT_EQ(socket.Receive(5000), "STATUS=serving: shop, partner P-1");
}

TEST(SystemdNotifierTest, WithoutNotifySocketNothingIsSentAndNothingFails) {
  ScopedEnv env("NOTIFY_SOCKET", nullptr);
  SystemdNotifier notifier;
  EXPECT_FALSE(SystemdNotifier::Enabled());
  EXPECT_TRUE(notifier.Notify("READY=1").ok());
  EXPECT_TRUE(notifier.Notify("WATCHDOG=1").ok());
}

TEST(SystemdNotifierTest, AGoneManagerIsAnErrorNamingTheNotification) {
  cktest::TempDir dir;
  ScopedEnv env("NOTIFY_SOCKET", dir.File("nobody-listens").c_str());
  SystemdNotifier notifier;
  base::Status st = notifier.Notify("READY=1");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("sd_notify READY"), std::string::npos) << st.message();
}

TEST(SystemdNotifierTest, TheWatchdogPeriodIsTheOneAskedOfThisProcess) {
  const std::string pid = std::to_string(::getpid());
  {
    ScopedEnv usec("WATCHDOG_USEC", "4000000");
    ScopedEnv for_us("WATCHDOG_PID", pid.c_str());
    EXPECT_EQ(SystemdNotifier().WatchdogUsec(), 4'000'000);
  }
  {
    ScopedEnv usec("WATCHDOG_USEC", "4000000");
    ScopedEnv for_other("WATCHDOG_PID", "1");  // asked of another process
    EXPECT_EQ(SystemdNotifier().WatchdogUsec(), 0);
  }
  {
    ScopedEnv usec("WATCHDOG_USEC", nullptr);
    EXPECT_EQ(SystemdNotifier().WatchdogUsec(), 0);
  }
}

TEST(ServiceHealthTest, ReadyOnceAfterTheFirstFrame) {
  Recorder r(0);
  ServiceHealth health(r);
  EXPECT_FALSE(health.ready());
  health.FirstFrameShown();
  health.FirstFrameShown();
  EXPECT_TRUE(health.ready());
  EXPECT_EQ(r.sent, std::vector<std::string>{"READY=1"});
}

TEST(ServiceHealthTest, WatchdogFedAtHalfThePeriodFromTheLoop) {
  Recorder r(4'000'000);  // 4 s: fed every 2 s
  ServiceHealth health(r);
  EXPECT_EQ(health.TimeoutMs(10 * kSecond), 0);  // never fed: at once
  health.Alive(10 * kSecond);
  EXPECT_EQ(health.TimeoutMs(10 * kSecond), 2000);
  health.Alive(11 * kSecond);  // too soon
  EXPECT_EQ(health.TimeoutMs(11 * kSecond), 1000);
  health.Alive(12 * kSecond);
  health.Alive(12 * kSecond + 1);
  EXPECT_EQ(health.TimeoutMs(15 * kSecond), 0);  // late: at once
  EXPECT_EQ(r.sent, (std::vector<std::string>{"WATCHDOG=1", "WATCHDOG=1"}));
}

TEST(ServiceHealthTest, NoWatchdogNoFeeding) {
  Recorder r(0);
  ServiceHealth health(r);
  health.Alive(1);
  health.Alive(100 * kSecond);
  EXPECT_EQ(health.TimeoutMs(100 * kSecond), -1);
  EXPECT_TRUE(r.sent.empty());
}

TEST(ServiceHealthTest, StatusSentWhenItChanges) {
  Recorder r(0);
  ServiceHealth health(r);
  health.SetStatus("starting");
  health.SetStatus("starting");
  health.SetStatus("serving: shop, partner P-1, registry #7");
  EXPECT_EQ(r.sent, (std::vector<std::string>{"STATUS=starting",
                                              "STATUS=serving: shop, partner P-1, registry #7"}));
}

TEST(ServiceHealthTest, OverTheRealSocket) {
  cktest::TempDir dir;
  cktest::NotifySocket socket(dir.File("notify"));
  ASSERT_TRUE(socket.ok());
  ScopedEnv env("NOTIFY_SOCKET", socket.path().c_str());
  ScopedEnv usec("WATCHDOG_USEC", "2000000");
  ScopedEnv pid("WATCHDOG_PID", nullptr);  // unset: meant for whoever reads it
  SystemdNotifier notifier;
  ServiceHealth health(notifier);
  EXPECT_EQ(health.watchdog_usec(), 2'000'000);
  health.SetStatus("starting");
  health.FirstFrameShown();
  health.Alive(kSecond);
  EXPECT_EQ(socket.Receive(5000), "STATUS=starting");
  EXPECT_EQ(socket.Receive(5000), "READY=1");
  EXPECT_EQ(socket.Receive(5000), "WATCHDOG=1");
  EXPECT_EQ(socket.Receive(0), std::nullopt);
}

}  // namespace
}  // namespace kiosk_service
