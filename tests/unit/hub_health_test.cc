// The hub's record of device health (hub/device_status.h) on both stores (SQLite, PostgreSQL):
// status reports and contacts come back field for field, the newest per device in one list, the
// history newest first, bounded per device, and only for enrolled devices.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "hub/store.h"
#include "hub_fixture.h"
#include "subprocess.h"

namespace {

class HealthStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    base::Result<std::unique_ptr<hub::HubStore>> s = Open();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override { store_.reset(); }  // disconnects before the schema is dropped

  base::Result<std::unique_ptr<hub::HubStore>> Open() {
    if (GetParam() == "postgres") {
      if (pg_.conninfo().empty() && !pg_.Create()) return base::Unavailable("no test database");
      return hub::OpenPostgresStore(pg_.conninfo());
    }
    return hub::OpenSqliteStore(dir_.File("hub.db"));
  }
  int64_t AddDevice(const std::string& name) {
    base::Result<hub::Device> d = store_->AddDevice(name, "kid-" + name, "PEM", 100);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->id : 0;
  }

  cktest::TempDir dir_;
  hubtest::PgTestSchema pg_;
  std::unique_ptr<hub::HubStore> store_;
};

hub::DeviceStatus Report(int64_t device_id, int64_t received) {
  hub::DeviceStatus s;
  s.device_id = device_id;
  s.received = received;
  s.app_version = "1.4.0";
  s.mode = "event";
  s.scope_id = "E-1";
  s.registry_seq = 12;
  s.journal_last_seq = 340 + received;
  s.kiosk_time_utc = received - 3;
  s.uptime_seconds = 86400;
  s.disk_free_bytes = int64_t{3} << 33;  // past 32 bits
  s.clock_corrections = 2;
  s.failed_scans = {{"REVOKED", 3}, {"EXPIRED", 1}, {"ОТКАЗ", 2}};
  s.temperature_celsius = 51.625;
  s.undervoltage = true;
  return s;
}

void ExpectSame(const hub::DeviceStatus& got, const hub::DeviceStatus& want) {
  EXPECT_EQ(got.device_id, want.device_id);
  EXPECT_EQ(got.received, want.received);
  EXPECT_EQ(got.format, want.format);
  EXPECT_EQ(got.app_version, want.app_version);
  EXPECT_EQ(got.mode, want.mode);
  EXPECT_EQ(got.scope_id, want.scope_id);
  EXPECT_EQ(got.registry_seq, want.registry_seq);
  EXPECT_EQ(got.journal_last_seq, want.journal_last_seq);
  EXPECT_EQ(got.kiosk_time_utc, want.kiosk_time_utc);
  EXPECT_EQ(got.uptime_seconds, want.uptime_seconds);
  EXPECT_EQ(got.disk_free_bytes, want.disk_free_bytes);
  EXPECT_EQ(got.clock_corrections, want.clock_corrections);
  EXPECT_EQ(got.failed_scans, want.failed_scans);
  EXPECT_EQ(got.temperature_celsius, want.temperature_celsius);
  EXPECT_EQ(got.undervoltage, want.undervoltage);
}

TEST_P(HealthStoreTest, ReportComesBackFieldForField) {
  const int64_t id = AddDevice("k1");
  hub::DeviceStatus full = Report(id, 1000);
  ASSERT_TRUE(store_->RecordStatus(full).ok());
  // What an old or plain kiosk leaves out stays "not reported".
  hub::DeviceStatus bare;
  bare.device_id = id;
  bare.received = 1001;
  bare.app_version = "1.3.9";
  bare.mode = "shop";
  bare.scope_id = "P-1";
  ASSERT_TRUE(store_->RecordStatus(bare).ok());

  base::Result<std::vector<hub::DeviceStatus>> history = store_->StatusHistory(id, 10);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 2u);
  ExpectSame((*history)[0], bare);
  ExpectSame((*history)[1], full);
  EXPECT_EQ((*history)[0].uptime_seconds, -1);
  EXPECT_FALSE((*history)[0].temperature_celsius.has_value());
  EXPECT_FALSE((*history)[0].undervoltage.has_value());
  EXPECT_TRUE((*history)[0].failed_scans.empty());
}

TEST_P(HealthStoreTest, LatestIsTheNewestReportOfEachDeviceThatSentOne) {
  const int64_t a = AddDevice("a");
  const int64_t b = AddDevice("b");
  AddDevice("silent");
  for (int64_t t = 1; t <= 3; ++t) {
    ASSERT_TRUE(store_->RecordStatus(Report(b, 2000 + t)).ok());
    ASSERT_TRUE(store_->RecordStatus(Report(a, 1000 + t)).ok());
  }
  base::Result<std::vector<hub::DeviceStatus>> latest = store_->LatestStatuses();
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 2u);
  ExpectSame((*latest)[0], Report(a, 1003));
  ExpectSame((*latest)[1], Report(b, 2003));
}

TEST_P(HealthStoreTest, HistoryIsBoundedPerDevice) {
  const int64_t a = AddDevice("a");
  const int64_t b = AddDevice("b");
  ASSERT_TRUE(store_->RecordStatus(Report(b, 1)).ok());
  ASSERT_TRUE(store_->RecordContact({.device_id = b, .time = 1, .what = "bundle"}).ok());
  const int64_t n = hub::kStatusesKept + 5;
  ASSERT_EQ(hub::kContactsKept, hub::kStatusesKept);
  for (int64_t t = 1; t <= n; ++t) {
    ASSERT_TRUE(store_->RecordStatus(Report(a, t)).ok());
    ASSERT_TRUE(store_
                    ->RecordContact({.device_id = a,
                                     .time = t,
                                     .what = "journal",
                                     .http_status = 200,
                                     .detail = "seq " + std::to_string(t)})
                    .ok());
  }
  base::Result<std::vector<hub::DeviceStatus>> statuses = store_->StatusHistory(a, n);
  ASSERT_TRUE(statuses.ok());
  ASSERT_EQ(static_cast<int64_t>(statuses->size()), hub::kStatusesKept);
  EXPECT_EQ(statuses->front().received, n);
  EXPECT_EQ(statuses->back().received, n - hub::kStatusesKept + 1);
  base::Result<std::vector<hub::Contact>> contacts = store_->ListContacts(a, n);
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(static_cast<int64_t>(contacts->size()), hub::kContactsKept);
  EXPECT_EQ(contacts->front().detail, "seq " + std::to_string(n));
  EXPECT_EQ(contacts->back().time, n - hub::kContactsKept + 1);
  // The other device keeps its own.
  EXPECT_EQ(store_->StatusHistory(b, 10)->size(), 1u);
  EXPECT_EQ(store_->ListContacts(b, 10)->size(), 1u);
  // A limit takes the newest.
  base::Result<std::vector<hub::Contact>> two = store_->ListContacts(a, 2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].time, n - 1);
}

TEST_P(HealthStoreTest, ContactsComeBackNewestFirst) {
  const int64_t id = AddDevice("k1");
  ASSERT_TRUE(store_->RecordContact({id, 10, "bundle", 304, "304"}).ok());
  ASSERT_TRUE(store_->RecordContact({id, 11, "journal", 200, "seq 12-40 stored 29"}).ok());
  ASSERT_TRUE(
      store_->RecordContact({id, 12, "status", 400, "field 'mode': must be shop | event"}).ok());
  base::Result<std::vector<hub::Contact>> got = store_->ListContacts(id, 100);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0].what, "status");
  EXPECT_EQ((*got)[0].http_status, 400);
  EXPECT_EQ((*got)[0].detail, "field 'mode': must be shop | event");
  EXPECT_EQ((*got)[1].detail, "seq 12-40 stored 29");
  EXPECT_EQ((*got)[2].time, 10);
  EXPECT_EQ((*got)[2].device_id, id);
}

TEST_P(HealthStoreTest, UnknownDeviceAndNegativeLimitAreRefused) {
  base::Status st = store_->RecordStatus(Report(999, 1));
  EXPECT_EQ(st.code(), base::StatusCode::kNotFound) << st.ToString();
  EXPECT_NE(st.message().find("999"), std::string::npos) << st.message();
  EXPECT_EQ(store_->RecordContact({.device_id = 999, .time = 1}).code(),
            base::StatusCode::kNotFound);
  const int64_t id = AddDevice("k1");
  base::Result<std::vector<hub::Contact>> neg = store_->ListContacts(id, -1);
  EXPECT_EQ(neg.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->StatusHistory(id, -1).status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->StatusHistory(id, 0)->empty());
  EXPECT_TRUE(store_->LatestStatuses()->empty());
}

// A second store on the same database (another hub instance, or a restart) reads what the first
// wrote.
TEST_P(HealthStoreTest, AnotherInstanceReadsTheReports) {
  const int64_t id = AddDevice("k1");
  ASSERT_TRUE(store_->RecordStatus(Report(id, 5)).ok());
  base::Result<std::unique_ptr<hub::HubStore>> other = Open();
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  base::Result<std::vector<hub::DeviceStatus>> latest = (*other)->LatestStatuses();
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 1u);
  ExpectSame(latest->front(), Report(id, 5));
}

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Backends, HealthStoreTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
