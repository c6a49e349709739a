// The kiosk's wiring without a front end: the clock it chooses, the device it opens, and the
// registry swap between customers (kiosk_wiring::Wiring over a real data directory).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "kiosk_fixture.h"
#include "kiosk_wiring/wiring.h"
#include "sync/hub_time.h"

namespace {

using kiosk_wiring::Wiring;

class WiringTest : public ::testing::Test {
 protected:
  std::unique_ptr<Wiring> Make(const std::string& fake_clock = "2027-01-13T12:00:00+03:00") {
    base::Result<std::unique_ptr<Wiring>> w = Wiring::Create(fs_, fake_clock);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(*w) : nullptr;
  }
  kiosktest::RegistrySpec Spec(int64_t seq) {
    kiosktest::RegistrySpec spec;
    spec.seq = seq;
    spec.members = {{"M-1"}};
    spec.partners = {kiosktest::MakePartner(kiosktest::kPartner)};
    spec.offers = {kiosktest::PercentOffer("O-1", 1000)};
    return spec;
  }

  base::PosixFileSystem fs_;
  kiosktest::KioskFixture fx_;
};

TEST_F(WiringTest, FakeClockOrSystemClock) {
  std::unique_ptr<Wiring> fake = Make();
  ASSERT_NE(fake, nullptr);
  ASSERT_NE(fake->fake_clock(), nullptr);
  EXPECT_EQ(fake->clock().NowUnixSeconds(), kiosktest::kNow);
  fake->fake_clock()->Advance(5);
  EXPECT_EQ(fake->clock().NowUnixSeconds(), kiosktest::kNow + 5);

  std::unique_ptr<Wiring> real = Make("");
  ASSERT_NE(real, nullptr);
  EXPECT_EQ(real->fake_clock(), nullptr);
  EXPECT_GT(real->clock().NowUnixSeconds(), 1'700'000'000);

  EXPECT_FALSE(Wiring::Create(fs_, "yesterday").ok());
}

TEST_F(WiringTest, OpensTheDeviceAndItsIdentity) {
  ASSERT_TRUE(fx_.WriteRegistry(Spec(1)));
  std::unique_ptr<Wiring> w = Make();
  ASSERT_TRUE(w->OpenDevice(fx_.data_dir()).ok());
  ASSERT_NE(w->device().registry, nullptr);
  ASSERT_TRUE(w->LoadIdentity().ok());
  EXPECT_FALSE(w->device_id().empty());
  EXPECT_EQ(w->key_fingerprint().size(), 2 * card::Kid().size());
  // The same identity next time.
  std::unique_ptr<Wiring> again = Make();
  ASSERT_TRUE(again->OpenDevice(fx_.data_dir()).ok());
  ASSERT_TRUE(again->LoadIdentity().ok());
  EXPECT_EQ(again->device_id(), w->device_id());
  EXPECT_EQ(again->key_fingerprint(), w->key_fingerprint());
}

// The hub's time at the last sync is a clock anchor that a restart keeps.
TEST_F(WiringTest, TheHubsTimeFromTheDataDirectoryIsAFloor) {
  ASSERT_TRUE(fx_.WriteRegistry(Spec(1)));
  ASSERT_TRUE(ck_sync::WriteHubTime(fs_, fx_.data_dir(), kiosktest::kNow + 600).ok());
  std::unique_ptr<Wiring> w = Make();
  ASSERT_TRUE(w->OpenDevice(fx_.data_dir()).ok());
  EXPECT_EQ(w->device().hub_time->load(), kiosktest::kNow + 600);
  w->RebuildSession(kiosktest::ShopConfig());
  w->session().Scan(fx_.Card({.member_id = "M-1"}));
  EXPECT_EQ(w->session().screen().decision, "CLOCK_BEHIND");
}

TEST_F(WiringTest, ProblemsSayWhat) {
  std::unique_ptr<Wiring> w = Make();
  const base::Status st = w->OpenDevice("/proc/no-such/kiosk");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind("cannot open /proc/no-such/kiosk: ", 0), 0u) << st.ToString();
  ASSERT_TRUE(w->OpenDevice(fx_.data_dir()).ok());
  EXPECT_FALSE(w->LoadTrust(fx_.temp().File("missing.pub.pem")).ok());
  EXPECT_FALSE(w->trusted().has_value());
  // Without the bundle key nothing is read from a stick: no USB job, no watcher.
  w->StartUsb(fx_.temp().File("media"), true, nullptr);
  EXPECT_EQ(w->usb_job(), nullptr);
  EXPECT_EQ(w->usb_watcher(), nullptr);
}

TEST_F(WiringTest, NewRegistryIsSwappedInOnlyBetweenCustomers) {
  ASSERT_TRUE(fx_.WriteRegistry(Spec(1)));
  std::unique_ptr<Wiring> w = Make();
  ASSERT_TRUE(w->OpenDevice(fx_.data_dir()).ok());
  w->RebuildSession(kiosktest::ShopConfig());
  EXPECT_FALSE(w->SwapRegistryWhenIdle());  // nothing applied
  w->session().Scan(fx_.Card({.member_id = "M-1"}));
  ASSERT_NE(w->session().screen().state, kiosk::State::kIdle);
  EXPECT_EQ(w->session().screen().registry_seq, 1);

  ASSERT_TRUE(fx_.WriteRegistry(Spec(2)));  // as an applied bundle would
  w->MarkRegistryChanged();
  EXPECT_FALSE(w->SwapRegistryWhenIdle());  // a customer is being served
  w->session().Cancel();
  ASSERT_EQ(w->session().screen().state, kiosk::State::kIdle);
  EXPECT_TRUE(w->SwapRegistryWhenIdle());
  EXPECT_EQ(w->device().registry->meta().seq, 2);
  EXPECT_EQ(w->session().screen().registry_seq, 2);
  EXPECT_EQ(w->session_config().partner_id, kiosktest::kPartner);
  EXPECT_FALSE(w->SwapRegistryWhenIdle());  // once per change
}

}  // namespace
