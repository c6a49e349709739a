// POST /v1/status through a real `cardhub serve` on loopback (hub_fixture.h), on both store
// backends: a signed report is stored and read back through the store the fleet page reads
// (LatestStatuses); malformed, oversize, unknown-format and unsigned reports are refused with a
// message naming what was wrong; every authenticated request leaves a contact.
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/hex.h"
#include "hub/store.h"
#include "hub_fixture.h"
#include "protocol/status_report.h"
#include "status_intake.h"
#include "subprocess.h"

namespace {

using json = nlohmann::json;

class HubStatusTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx_.UseBackend(GetParam()));
    kiosk_ = fx_.NewKiosk("k1");
    ASSERT_FALSE(kiosk_.empty());
    ASSERT_TRUE(fx_.Enroll(kiosk_, "k1"));
    ASSERT_TRUE(fx_.StartHub());
  }

  httplib::Result PostStatus(const std::string& body, bool sign = true) {
    httplib::Client cli(fx_.hub().base_url());
    cli.set_connection_timeout(10, 0);
    cli.set_read_timeout(20, 0);
    httplib::Headers h;
    if (sign)
      h.emplace("Authorization", fx_.Sign(kiosk_, "POST", "/v1/status", base::AsBytes(body)));
    return cli.Post("/v1/status", h, body, "application/json");
  }

  // The status code and the message of a refusal, checking its JSON shape.
  std::string Refusal(const httplib::Result& r, int status, const std::string& code) {
    EXPECT_TRUE(r) << httplib::to_string(r.error());
    if (!r) return "";
    EXPECT_EQ(r->status, status) << r->body;
    const json j = json::parse(r->body, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r->body;
    if (!j.is_object()) return "";
    EXPECT_EQ(j.value("error", ""), code) << r->body;
    return j.value("message", "");
  }

  std::unique_ptr<hub::HubStore> Store() { return fx_.OpenStore(); }

  static json Report() {
    return {{"format", 1},
            {"app_version", "1.4.0"},
            {"mode", "event"},
            {"scope_id", "E-1"},
            {"registry_seq", 12},
            {"journal_last_seq", 340},
            {"kiosk_time_utc", 1799830800},
            {"uptime_seconds", 86400},
            {"disk_free_bytes", int64_t{25769803776}},
            {"clock_corrections", 1},
            {"failed_scans", {{"REVOKED", 3}, {"EXPIRED", 1}}},
            {"temperature_celsius", 51.5},
            {"undervoltage", false}};
  }

  hubtest::HubFixture fx_;
  std::string kiosk_;
};

TEST_P(HubStatusTest, SignedReportIsStoredAndReadBack) {
  httplib::Result r = PostStatus(Report().dump());
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body, nullptr, false), json({{"ok", true}}));

  std::unique_ptr<hub::HubStore> store = Store();
  ASSERT_TRUE(store);
  base::Result<std::vector<hub::DeviceStatus>> latest = store->LatestStatuses();
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 1u);
  const hub::DeviceStatus& s = latest->front();
  base::Result<std::optional<hub::Device>> dev = store->FindDeviceByName("k1");
  ASSERT_TRUE(dev.ok() && dev->has_value());
  EXPECT_EQ(s.device_id, (*dev)->id);
  EXPECT_GT(s.received, 0);
  EXPECT_EQ(s.format, 1);
  EXPECT_EQ(s.app_version, "1.4.0");
  EXPECT_EQ(s.mode, "event");
  EXPECT_EQ(s.scope_id, "E-1");
  EXPECT_EQ(s.registry_seq, 12);
  EXPECT_EQ(s.journal_last_seq, 340);
  EXPECT_EQ(s.kiosk_time_utc, 1799830800);
  EXPECT_EQ(s.uptime_seconds, 86400);
  EXPECT_EQ(s.disk_free_bytes, int64_t{25769803776});
  EXPECT_EQ(s.clock_corrections, 1);
  const std::vector<std::pair<std::string, int64_t>> scans = {{"EXPIRED", 1}, {"REVOKED", 3}};
  EXPECT_EQ(s.failed_scans, scans);
  EXPECT_EQ(s.temperature_celsius, 51.5);
  EXPECT_EQ(s.undervoltage, false);

  // The contact: what was asked, what the hub answered.
  base::Result<std::vector<hub::Contact>> contacts = store->ListContacts((*dev)->id, 10);
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ(contacts->front().what, "status");
  EXPECT_EQ(contacts->front().http_status, 200);
  EXPECT_EQ(contacts->front().detail, "registry 12, journal 340");
}

// `cardhub devices` takes the app version, the registry in use and the entries the hub does not
// hold yet from the kiosk's latest status report; "-" before the kiosk sends one.
TEST_P(HubStatusTest, DevicesListsTheReportedVersionRegistryAndPending) {
  cktest::ProcessResult before = fx_.Cardhub({"devices", "--data-dir", fx_.hub_dir()});
  ASSERT_EQ(before.exit_code, 0) << before.Describe();
  EXPECT_NE(before.out.find("\tactive\t-\t0\t-\t-\t-\n"), std::string::npos) << before.out;
  httplib::Result r = PostStatus(Report().dump());
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
  cktest::ProcessResult after = fx_.Cardhub({"devices", "--data-dir", fx_.hub_dir()});
  ASSERT_EQ(after.exit_code, 0) << after.Describe();
  // registry 12 in use, nothing received, no entry, app 1.4.0, 340 entries pending.
  EXPECT_NE(after.out.find("\tactive\t12\t0\t-\t1.4.0\t340\n"), std::string::npos) << after.out;
}

TEST_P(HubStatusTest, OptionalFieldsLeftOutAreNotReported) {
  json j = Report();
  for (const char* k : {"uptime_seconds", "disk_free_bytes", "temperature_celsius", "undervoltage",
                        "failed_scans", "clock_corrections"}) {
    j.erase(k);
  }
  httplib::Result r = PostStatus(j.dump());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  base::Result<std::vector<hub::DeviceStatus>> latest = Store()->LatestStatuses();
  ASSERT_TRUE(latest.ok() && latest->size() == 1u);
  EXPECT_EQ(latest->front().uptime_seconds, -1);
  EXPECT_EQ(latest->front().disk_free_bytes, -1);
  EXPECT_FALSE(latest->front().temperature_celsius.has_value());
  EXPECT_FALSE(latest->front().undervoltage.has_value());
  EXPECT_TRUE(latest->front().failed_scans.empty());
}

TEST_P(HubStatusTest, BadReportsAreRefusedNamingWhatIsWrong) {
  struct Case {
    std::string body;
    std::string says;
  };
  json wrong_mode = Report();
  wrong_mode["mode"] = "bar";
  json negative = Report();
  negative["disk_free_bytes"] = -5;
  json text_seq = Report();
  text_seq["registry_seq"] = "12";
  json unknown = Report();
  unknown["battery"] = 80;
  json missing = Report();
  missing.erase("app_version");
  json bad_reason = Report();
  bad_reason["failed_scans"] = {{"no such", 1}};
  json hot = Report();
  hot["temperature_celsius"] = 900;
  const Case cases[] = {
      {"{not json", "not JSON"},
      {"[1, 2]", "not a JSON object"},
      {wrong_mode.dump(),
       "field 'mode' must be \"shop\", \"event\" or \"\" (not known), got \"bar\""},
      {negative.dump(), "field 'disk_free_bytes' must be an integer from 0 to"},
      {text_seq.dump(), "field 'registry_seq' must be an integer"},
      {unknown.dump(), "unknown field 'battery'"},
      {missing.dump(), "field 'app_version' is missing"},
      {bad_reason.dump(), "field 'failed_scans' must be an object of at most 64 reason codes"},
      {hot.dump(), "field 'temperature_celsius' must be a number from -100 to 200, got 900"},
  };
  for (const Case& c : cases) {
    const std::string message = Refusal(PostStatus(c.body), 400, "BAD_STATUS");
    EXPECT_NE(message.find(c.says), std::string::npos) << c.body << " -> " << message;
  }
  base::Result<std::vector<hub::DeviceStatus>> latest = Store()->LatestStatuses();
  ASSERT_TRUE(latest.ok());
  EXPECT_TRUE(latest->empty());
}

TEST_P(HubStatusTest, UnknownFormatIsNamed) {
  json j = Report();
  j["format"] = 2;
  EXPECT_EQ(Refusal(PostStatus(j.dump()), 400, "BAD_STATUS"),
            "status report: format 2 is unknown; this hub reads format 1");
  j.erase("format");
  EXPECT_EQ(Refusal(PostStatus(j.dump()), 400, "BAD_STATUS"),
            "status report: no 'format' field; this hub reads format 1");
}

TEST_P(HubStatusTest, OversizeReportIsRefused) {
  json j = Report();
  j["app_version"] = std::string(ck_protocol::kMaxStatusBody, 'x');
  const std::string message = Refusal(PostStatus(j.dump()), 413, "TOO_LARGE");
  EXPECT_NE(message.find("at most 16384"), std::string::npos) << message;
}

TEST_P(HubStatusTest, UnsignedReportIsRefusedAndLeavesNoContact) {
  const std::string message =
      Refusal(PostStatus(Report().dump(), /*sign=*/false), 401, "UNAUTHENTICATED");
  EXPECT_EQ(message, "missing Authorization header");
  // Signed over another body: the signature does not verify.
  httplib::Client cli(fx_.hub().base_url());
  httplib::Headers h = {
      {"Authorization", fx_.Sign(kiosk_, "POST", "/v1/status", base::AsBytes(std::string("{}")))}};
  httplib::Result r = cli.Post("/v1/status", h, Report().dump(), "application/json");
  Refusal(r, 401, "UNAUTHENTICATED");
  std::unique_ptr<hub::HubStore> store = Store();
  EXPECT_TRUE(store->LatestStatuses()->empty());
  base::Result<std::optional<hub::Device>> dev = store->FindDeviceByName("k1");
  ASSERT_TRUE(dev.ok() && dev->has_value());
  EXPECT_TRUE(store->ListContacts((*dev)->id, 10)->empty());
}

// Bundle and journal requests leave contacts too, with the answer's code and what happened.
TEST_P(HubStatusTest, EveryAuthenticatedRequestIsAContact) {
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 3));
  httplib::Client cli(fx_.hub().base_url());
  httplib::Headers get = {{"Authorization", fx_.Sign(kiosk_, "GET", "/v1/bundle", {})}};
  httplib::Result bundle = cli.Get("/v1/bundle", get);
  ASSERT_TRUE(bundle);
  EXPECT_EQ(bundle->status, 404);  // nothing published
  const base::Bytes batch = fx_.ExportBatch(kiosk_, 1);
  httplib::Headers post = {{"Authorization", fx_.Sign(kiosk_, "POST", "/v1/journal", batch)}};
  httplib::Result pushed =
      cli.Post("/v1/journal", post, std::string(base::AsChars(batch)), "application/octet-stream");
  ASSERT_TRUE(pushed);
  ASSERT_EQ(pushed->status, 200) << pushed->body;
  json bad = Report();
  bad["mode"] = 7;
  Refusal(PostStatus(bad.dump()), 400, "BAD_STATUS");

  std::unique_ptr<hub::HubStore> store = Store();
  base::Result<std::optional<hub::Device>> dev = store->FindDeviceByName("k1");
  ASSERT_TRUE(dev.ok() && dev->has_value());
  base::Result<std::vector<hub::Contact>> contacts = store->ListContacts((*dev)->id, 10);
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 3u);
  EXPECT_EQ((*contacts)[0].what, "status");
  EXPECT_EQ((*contacts)[0].http_status, 400);
  EXPECT_NE((*contacts)[0].detail.find("field 'mode'"), std::string::npos) << (*contacts)[0].detail;
  EXPECT_EQ((*contacts)[1].what, "journal");
  EXPECT_EQ((*contacts)[1].http_status, 200);
  EXPECT_EQ((*contacts)[1].detail, "seq 1-3 stored 3, acked 3");
  EXPECT_EQ((*contacts)[2].what, "bundle");
  EXPECT_EQ((*contacts)[2].http_status, 404);
  EXPECT_EQ((*contacts)[2].detail, "no bundle published yet");
}

// contact_interval_seconds: a kiosk's burst of answered requests of one kind is one contact per
// interval; every refusal is kept; record_contacts = false keeps none.
TEST(ContactLogTest, AnsweredRequestsAtMostOncePerIntervalAndKindRefusalsAlways) {
  cktest::TempDir dir;
  base::Result<std::unique_ptr<hub::HubStore>> store = hub::OpenSqliteStore(dir.File("hub.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  base::Result<card::PrivateKey> key = card::PrivateKey::Generate(card::Alg::kEdDSA);
  ASSERT_TRUE(key.ok());
  const card::PublicKey pub = *key->Public();
  base::Result<hub::Device> dev =
      (*store)->AddDevice("k1", base::ToHex(pub.kid()), pub.ToPem(), 1000);
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  hub::ContactLog off(**store, false, 0);
  off.Record({.device_id = dev->id, .time = 1000, .what = "journal", .http_status = 409});
  hub::ContactLog log(**store, true, 60);
  for (const auto& [time, what, http] :
       std::vector<std::tuple<int64_t, std::string, int>>{{1000, "journal", 200},
                                                          {1010, "journal", 200},
                                                          {1020, "journal", 409},
                                                          {1021, "status", 200},
                                                          {1030, "bundle", 304},
                                                          {1059, "journal", 200},
                                                          {1060, "journal", 200}}) {
    log.Record({.device_id = dev->id, .time = time, .what = what, .http_status = http});
  }
  base::Result<std::vector<hub::Contact>> contacts = (*store)->ListContacts(dev->id, 20);
  ASSERT_TRUE(contacts.ok());
  std::vector<std::pair<int64_t, int>> got;
  for (const hub::Contact& c : *contacts) got.emplace_back(c.time, c.http_status);
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, int>>{
                     {1060, 200}, {1030, 304}, {1021, 200}, {1020, 409}, {1000, 200}}));
}

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Backends, HubStatusTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
