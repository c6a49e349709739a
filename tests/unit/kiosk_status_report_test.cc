// The kiosk's side of POST /v1/status (docs/hub-protocol.md, docs/network-sync.md "Status"): the
// refused scans it counts by reason (sync/failed_scans.h), what it reads of its machine
// (sync/machine_health.h), and a sync cycle against a real `cardhub serve` that stores the report
// and makes the kiosk forget only the refusals the hub accepted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "bundle/importer.h"
#include "hub/store.h"
#include "hub_fixture.h"
#include "journal/device_key.h"
#include "journal/journal.h"
#include "real_fs.h"
#include "subprocess.h"
#include "sync/failed_scans.h"
#include "sync/machine_health.h"
#include "sync/net_sync.h"

namespace {

using ck_sync::FailedScans;
using ck_sync::ReasonCounts;

std::unique_ptr<FailedScans> OpenCounters(const std::string& dir) {
  base::Result<std::unique_ptr<FailedScans>> f = FailedScans::Open(dir);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? std::move(f).value() : nullptr;
}

ReasonCounts Counts(FailedScans& f) {
  base::Result<ReasonCounts> c = f.Snapshot();
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : ReasonCounts{};
}

TEST(FailedScansTest, CountsByReasonAndKeepsThemAcrossARestart) {
  cktest::TempDir dir;
  {
    std::unique_ptr<FailedScans> f = OpenCounters(dir.path());
    ASSERT_TRUE(f);
    for (const char* r : {"REVOKED", "EXPIRED", "REVOKED", "bad code", ""})
      ASSERT_TRUE(f->Count(r).ok());
  }
  std::unique_ptr<FailedScans> f = OpenCounters(dir.path());
  ASSERT_TRUE(f);
  // Codes outside A-Z, 0-9, '_' (what the hub accepts) are counted as OTHER.
  EXPECT_EQ(Counts(*f), (ReasonCounts{{"EXPIRED", 1}, {"OTHER", 2}, {"REVOKED", 2}}));
}

TEST(FailedScansTest, ForgetTakesOffWhatWasSentAndKeepsWhatCameSince) {
  cktest::TempDir dir;
  std::unique_ptr<FailedScans> f = OpenCounters(dir.path());
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->Count("REVOKED").ok());
  ASSERT_TRUE(f->Count("EXPIRED").ok());
  const ReasonCounts sent = Counts(*f);
  ASSERT_TRUE(f->Count("REVOKED").ok());  // while the report was on its way
  ASSERT_TRUE(f->Forget(sent).ok());
  EXPECT_EQ(Counts(*f), (ReasonCounts{{"REVOKED", 1}}));
}

void WriteText(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

TEST(MachineHealthTest, APiReportsTemperatureAndUnderVoltageOtherMachinesOnlyUptime) {
  cktest::TempDir root;
  WriteText(root.File("proc/uptime"), "86400.52 170000.10\n");
  WriteText(root.File("sys/class/thermal/thermal_zone0/temp"), "51625\n");
  WriteText(root.File("sys/devices/platform/soc/soc:firmware/get_throttled"), "0x50000\n");
  ck_sync::MachineHealth h = ck_sync::ReadMachineHealth(cktest::RealFs(), root.path());
  EXPECT_EQ(h.uptime_seconds, 86400);
  EXPECT_FALSE(h.temperature_celsius.has_value());  // not a Raspberry Pi: no model file
  EXPECT_FALSE(h.undervoltage.has_value());

  WriteText(root.File("sys/firmware/devicetree/base/model"), "Raspberry Pi 4 Model B Rev 1.4");
  h = ck_sync::ReadMachineHealth(cktest::RealFs(), root.path());
  ASSERT_TRUE(h.temperature_celsius.has_value());
  EXPECT_DOUBLE_EQ(*h.temperature_celsius, 51.625);
  EXPECT_EQ(h.undervoltage, true);  // bit 16: under-voltage has occurred since boot
  WriteText(root.File("sys/devices/platform/soc/soc:firmware/get_throttled"), "0x0\n");
  EXPECT_EQ(ck_sync::ReadMachineHealth(cktest::RealFs(), root.path()).undervoltage, false);

  cktest::TempDir empty;
  h = ck_sync::ReadMachineHealth(cktest::RealFs(), empty.path());
  EXPECT_FALSE(h.uptime_seconds.has_value());
  EXPECT_TRUE(ck_sync::FreeBytes(empty.path()).has_value());
  EXPECT_FALSE(ck_sync::FreeBytes(empty.File("missing")).has_value());
}

ck_sync::SyncReport Cycle(hubtest::HubFixture& fx, const std::string& kiosk, FailedScans* failed) {
  base::SystemClock clock;
  auto key = journal::LoadOrCreateDeviceKey(cktest::RealFs(), kiosk);
  auto j = journal::Journal::Open(kiosk + "/" + journal::kJournalFile, clock);
  EXPECT_TRUE(key.ok() && j.ok());
  bundle::Importer importer(cktest::RealFs(), clock, kiosk, *fx.bundle_key().Public());
  ck_sync::NetSyncOptions o;
  o.data_dir = kiosk;
  o.device_id = fx.DeviceId(kiosk);
  o.transport.hub_url = fx.hub().base_url();
  o.retry.max_attempts = 1;
  o.status.app_version = "9.8.7";
  o.status.scope = [] { return ck_sync::StatusScope{.mode = "event", .scope_id = "E-1"}; };
  o.status.failed_scans = failed;
  return ck_sync::RunNetSyncWithCurl(cktest::RealFs(), clock, importer, **j, *key, std::move(o));
}

std::vector<hub::DeviceStatus> Latest(hubtest::HubFixture& fx) {
  std::unique_ptr<hub::HubStore> s = fx.OpenStore();
  if (!s) return {};
  base::Result<std::vector<hub::DeviceStatus>> latest = s->LatestStatuses();
  EXPECT_TRUE(latest.ok()) << latest.status().ToString();
  return latest.ok() ? *latest : std::vector<hub::DeviceStatus>{};
}

TEST(StatusReportTest, EachCycleReportsTheKioskAndTheHubKeepsItsRefusedScans) {
  hubtest::HubFixture fx;
  const std::string kiosk = fx.NewKiosk("k1");
  ASSERT_TRUE(fx.Enroll(kiosk, "k1"));
  ASSERT_TRUE(fx.PublishBundle(3));
  ASSERT_TRUE(fx.AppendCheckins(kiosk, 5));
  ASSERT_TRUE(fx.StartHub()) << fx.HubStderr();
  std::unique_ptr<FailedScans> failed = OpenCounters(kiosk);
  ASSERT_TRUE(failed);
  for (const char* r : {"REVOKED", "REVOKED", "ALREADY_CHECKED_IN"})
    ASSERT_TRUE(failed->Count(r).ok());

  ck_sync::SyncReport r = Cycle(fx, kiosk, failed.get());
  ASSERT_EQ(r.status_push.state, ck_sync::StatusPushReport::State::kSent)
      << r.status_push.status.ToString() << fx.HubStderr();
  EXPECT_EQ(r.Lines().back(), "status: reported");
  std::vector<hub::DeviceStatus> latest = Latest(fx);
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].app_version, "9.8.7");
  EXPECT_EQ(latest[0].mode, "event");
  EXPECT_EQ(latest[0].scope_id, "E-1");
  EXPECT_EQ(latest[0].registry_seq, 3);  // pulled in this very cycle
  EXPECT_EQ(latest[0].journal_last_seq, 5);
  EXPECT_GT(latest[0].disk_free_bytes, 0);
  EXPECT_EQ(latest[0].failed_scans, (ReasonCounts{{"ALREADY_CHECKED_IN", 1}, {"REVOKED", 2}}));
  EXPECT_TRUE(Counts(*failed).empty());  // the hub has them

  // The next report carries only what was refused since.
  ASSERT_TRUE(failed->Count("EXPIRED").ok());
  r = Cycle(fx, kiosk, failed.get());
  ASSERT_EQ(r.status_push.state, ck_sync::StatusPushReport::State::kSent);
  latest = Latest(fx);
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].failed_scans, (ReasonCounts{{"EXPIRED", 1}}));
}

// A hub that has not accepted the report keeps nothing, and the kiosk keeps its counts.
TEST(StatusReportTest, AWithdrawnKioskKeepsItsCountsForLater) {
  hubtest::HubFixture fx;
  const std::string kiosk = fx.NewKiosk("k1");
  ASSERT_TRUE(fx.StartHub()) << fx.HubStderr();  // never enrolled: every request is refused
  std::unique_ptr<FailedScans> failed = OpenCounters(kiosk);
  ASSERT_TRUE(failed);
  ASSERT_TRUE(failed->Count("REVOKED").ok());
  const ck_sync::SyncReport r = Cycle(fx, kiosk, failed.get());
  EXPECT_NE(r.status_push.state, ck_sync::StatusPushReport::State::kSent);
  EXPECT_EQ(Counts(*failed), (ReasonCounts{{"REVOKED", 1}}));
}

}  // namespace
