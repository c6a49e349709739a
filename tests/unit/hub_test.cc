// cardhub: the store directly, then the HTTP endpoints and the admin commands through a real
// `cardhub serve` process on loopback (hub_fixture.h).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "base/file.h"
#include "base/time_format.h"
#include "base/version.h"
#include "hub/store.h"
#include "hub_fixture.h"
#include "journal/journal.h"
#include "protocol/signing.h"
#include "sync/hub_time.h"

namespace {

using json = nlohmann::json;

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// ---- the store ----------------------------------------------------------------------------------

journal::Entry MakeEntry(int64_t seq, const std::string& uuid) {
  journal::Entry e;
  e.seq = seq;
  e.uuid = uuid;
  e.kind = journal::Kind::kDiscount;
  e.time_utc = hubtest::kEntryTime + seq;
  e.partner_id = "P-1";
  e.offer_id = "O-1";
  e.purchase_minor = 1000;
  e.discount_minor = 100;
  e.verdict = "VALID";
  e.decision = journal::kAccepted;
  e.rid = card::Rid{1, 2, 3, 4, 5, 6, 7, 8};
  return e;
}

// Entries from..to of one chain (uuid-1, uuid-2, ... each linked to the one before).
std::vector<journal::Entry> Range(int64_t from, int64_t to) {
  std::vector<journal::Entry> v;
  journal::Hash prev{};
  for (int64_t s = 1; s <= to; ++s) {
    journal::Entry e = MakeEntry(s, "uuid-" + std::to_string(s));
    e.prev_hash = prev;
    e.hash = journal::ComputeHash(e);
    prev = e.hash;
    if (s >= from) v.push_back(e);
  }
  return v;
}

// Test names end in the backend: .../sqlite, .../postgres.
std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

// Every store backend runs the same tests: "sqlite" and "postgres" (in a fresh schema of the
// database CK_TEST_PG_CONNINFO names; see hubtest::PgTestSchema).
class HubStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    hub::Config config;
    config.store = GetParam();
    if (GetParam() == "postgres") {
      ASSERT_TRUE(pg_.Create());
      config.postgres_conninfo = pg_.conninfo();
    }
    base::Result<std::unique_ptr<hub::HubStore>> s = hub::OpenStore(dir_.path(), config);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override { store_.reset(); }  // disconnects before the schema is dropped
  int64_t AddDevice(const std::string& name, const std::string& kid) {
    base::Result<hub::Device> d = store_->AddDevice(name, kid, "PEM", 100);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->id : 0;
  }
  cktest::TempDir dir_;
  hubtest::PgTestSchema pg_;
  std::unique_ptr<hub::HubStore> store_;
};

TEST_P(HubStoreTest, DevicesRefuseDuplicateNameOrKey) {
  AddDevice("k1", "0000000000000001");
  EXPECT_EQ(store_->AddDevice("k1", "0000000000000002", "PEM", 1).status().code(),
            base::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->AddDevice("k2", "0000000000000001", "PEM", 1).status().code(),
            base::StatusCode::kAlreadyExists);
  AddDevice("k2", "0000000000000002");
  ASSERT_TRUE(store_->WithdrawDevice("k2").ok());
  EXPECT_EQ(store_->WithdrawDevice("nope").code(), base::StatusCode::kNotFound);
  base::Result<std::vector<hub::Device>> all = store_->ListDevices();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_FALSE((*all)[0].withdrawn);
  EXPECT_TRUE((*all)[1].withdrawn);
  base::Result<std::optional<hub::Device>> byk = store_->FindDeviceByKid("0000000000000002");
  ASSERT_TRUE(byk.ok() && byk->has_value());
  EXPECT_EQ((*byk)->name, "k2");
  EXPECT_FALSE(store_->FindDeviceByKid("ffffffffffffffff")->has_value());
}

TEST_P(HubStoreTest, EntriesAreIdempotentByDeviceAndUuid) {
  int64_t a = AddDevice("a", "00000000000000aa");
  int64_t b = AddDevice("b", "00000000000000bb");
  base::Result<hub::PutResult> r = store_->PutEntries(a, Range(1, 5), 200);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stored, 5);
  EXPECT_EQ(r->duplicates, 0);
  EXPECT_EQ(r->acked_seq, 5);
  r = store_->PutEntries(a, Range(1, 5), 201);
  EXPECT_EQ(r->stored, 0);
  EXPECT_EQ(r->duplicates, 5);
  EXPECT_EQ(r->acked_seq, 5);
  r = store_->PutEntries(a, Range(4, 8), 202);
  EXPECT_EQ(r->stored, 3);
  EXPECT_EQ(r->duplicates, 2);
  EXPECT_EQ(r->acked_seq, 8);
  // The same uuids from another device are that device's entries.
  r = store_->PutEntries(b, Range(1, 2), 203);
  EXPECT_EQ(r->stored, 2);
  EXPECT_EQ(r->acked_seq, 2);
  int64_t n = 0;
  ASSERT_TRUE(store_
                  ->ForEachEntry(a,
                                 [&](const hub::StoredEntry& se) {
                                   EXPECT_EQ(se.device, "a");
                                   ++n;
                                   return base::Status::Ok();
                                 })
                  .ok());
  EXPECT_EQ(n, 8);
  n = 0;
  ASSERT_TRUE(store_
                  ->ForEachEntry(std::nullopt,
                                 [&](const hub::StoredEntry& se) {
                                   EXPECT_EQ(se.entry.discount_minor, 100);
                                   EXPECT_TRUE(se.entry.rid.has_value());
                                   ++n;
                                   return base::Status::Ok();
                                 })
                  .ok());
  EXPECT_EQ(n, 10);
}

// A batch that would leave a gap after the held entries is refused (it used to be stored without
// moving acked_seq: entries the hub could never link to a chain); filling the gap first is fine.
TEST_P(HubStoreTest, BatchAfterAGapIsRefused) {
  int64_t a = AddDevice("a", "00000000000000aa");
  base::Result<hub::PutResult> r = store_->PutEntries(a, Range(1, 3), 1);
  EXPECT_EQ(r->acked_seq, 3);
  r = store_->PutEntries(a, Range(6, 9), 2);  // 4 and 5 missing
  EXPECT_EQ(r.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "gap: the hub holds this device's entries through seq 3 and the batch starts at seq "
            "6; send from seq 4");
  EXPECT_EQ(store_->AckedSeq(a).value(), 3);
  r = store_->PutEntries(a, Range(4, 5), 3);  // the gap filled
  EXPECT_EQ(r->acked_seq, 5);
  r = store_->PutEntries(a, Range(6, 9), 4);
  EXPECT_EQ(r->stored, 4);
  EXPECT_EQ(r->acked_seq, 9);
  EXPECT_EQ(store_->AckedSeq(a).value(), 9);
  // A device whose first batch starts after 1 stores nothing.
  int64_t b = AddDevice("b", "00000000000000bb");
  r = store_->PutEntries(b, Range(2, 4), 4);
  EXPECT_EQ(r.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->AckedSeq(b).value(), 0);
  base::Result<std::vector<hub::Conflict>> conflicts = store_->ListConflicts();
  ASSERT_TRUE(conflicts.ok());
  EXPECT_TRUE(conflicts->empty());  // a gap is not a conflict
}

TEST_P(HubStoreTest, BundlesOnlyMoveForward) {
  EXPECT_FALSE(store_->LatestBundle()->has_value());
  ASSERT_TRUE(store_->AddBundle({2, "bundles/seq2.ckbundle", 10, 1}).ok());
  EXPECT_EQ(store_->AddBundle({2, "x", 1, 1}).code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->AddBundle({1, "x", 1, 1}).code(), base::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->AddBundle({3, "bundles/seq3.ckbundle", 11, 2}).ok());
  EXPECT_EQ((*store_->LatestBundle())->seq, 3);
}

// Two stores on one database (two hub instances): concurrent overlapping batches of one device
// store each entry once, and acked_seq ends at the top.
TEST_P(HubStoreTest, TwoInstancesOnOneDatabase) {
  hub::Config config;
  config.store = GetParam();
  config.postgres_conninfo = pg_.conninfo();
  base::Result<std::unique_ptr<hub::HubStore>> other = hub::OpenStore(dir_.path(), config);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  int64_t a = AddDevice("k1", "0000000000000001");
  std::atomic<int64_t> stored{0};
  std::atomic<int> failures{0};
  auto push = [&](hub::HubStore* s, int64_t from) {
    for (int64_t i = from; i <= 40; i += 2) {
      base::Result<hub::PutResult> r = s->PutEntries(a, Range(std::max<int64_t>(1, i - 3), i), i);
      if (r.ok()) {
        stored += r->stored;
      } else {
        ++failures;
        ADD_FAILURE() << r.status().ToString();
      }
    }
  };
  std::thread t1(push, store_.get(), 1);
  std::thread t2(push, other->get(), 2);
  t1.join();
  t2.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(stored.load(), 40);
  EXPECT_EQ(store_->AckedSeq(a).value(), 40);
  EXPECT_EQ((*other)->AckedSeq(a).value(), 40);
  ASSERT_TRUE((*other)->AddBundle({5, "bundles/seq5.ckbundle", 1, 1}).ok());
  EXPECT_EQ((*store_->LatestBundle())->seq, 5);  // no stale cache in the first instance
  EXPECT_EQ(store_->AddBundle({5, "x", 1, 1}).code(), base::StatusCode::kFailedPrecondition);
}

INSTANTIATE_TEST_SUITE_P(Backends, HubStoreTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

// ---- HTTP through a real cardhub process ------------------------------------------------------

// Every test runs against both store backends (the hub and its commands get --config).
class HubServeTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx_.UseBackend(GetParam()));
    kiosk_ = fx_.NewKiosk("k1");
    ASSERT_FALSE(kiosk_.empty());
    ASSERT_TRUE(fx_.Enroll(kiosk_, "k1"));
  }

  std::unique_ptr<httplib::Client> Client() {
    auto cli = std::make_unique<httplib::Client>(fx_.hub().base_url());
    cli->set_connection_timeout(10, 0);
    cli->set_read_timeout(20, 0);
    if (fx_.hub().tls()) {
      cli->set_ca_cert_path(fx_.tls_files()->cert_path.c_str());
      cli->enable_server_certificate_verification(true);
    }
    return cli;
  }

  httplib::Result Get(const std::string& path, httplib::Headers extra = {},
                      const std::string& kiosk = "") {
    extra.emplace("Authorization",
                  fx_.Sign(kiosk.empty() ? kiosk_ : kiosk, "GET", path, base::ByteSpan()));
    return Client()->Get(path.c_str(), extra);
  }

  httplib::Result Push(const base::Bytes& body, const std::string& kiosk = "") {
    httplib::Headers h = {
        {"Authorization", fx_.Sign(kiosk.empty() ? kiosk_ : kiosk, "POST", "/v1/journal", body)}};
    return Client()->Post("/v1/journal", h, std::string(base::AsChars(body)),
                          "application/octet-stream");
  }

  // {"acked_seq","stored","duplicates"} of a 200 answer.
  json PushOk(const base::Bytes& body, const std::string& kiosk = "") {
    httplib::Result r = Push(body, kiosk);
    EXPECT_TRUE(r) << httplib::to_string(r.error());
    if (!r) return json();
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body, nullptr, false);
  }

  void ExpectError(const httplib::Result& r, int status, const std::string& code) {
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, status) << r->body;
    json j = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r->body;
    EXPECT_EQ(j.value("error", ""), code) << r->body;
    EXPECT_FALSE(j.value("message", "").empty());
  }

  void ExpectHealthy() {
    httplib::Result r = Client()->Get("/v1/health");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
    json j = json::parse(r->body, nullptr, false);
    EXPECT_EQ(j.value("ok", false), true) << r->body;
  }

  size_t EntryLines(const std::string& device = "") {
    std::vector<std::string> args = {"entries", "--data-dir", fx_.hub_dir()};
    if (!device.empty()) args.insert(args.end(), {"--device", device});
    cktest::ProcessResult r = fx_.Cardhub(args);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return Lines(r.out).size();
  }

  hubtest::HubFixture fx_;
  std::string kiosk_;
};

TEST_P(HubServeTest, HealthAnswersWithoutAuthentication) {
  ASSERT_TRUE(fx_.StartHub());
  httplib::Result r = Client()->Get("/v1/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  json j = json::parse(r->body);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["bundle_seq"], 0);
  EXPECT_TRUE(j["version"].is_string());
  EXPECT_EQ(j["version"], base::kProjectVersion);
  ExpectError(Client()->Get("/v1/nothing"), 404, "NOT_FOUND");
}

// The kiosk takes the hub's time from its answers as a clock floor (sync/hub_time.h): every
// answer carries a Date.
TEST_P(HubServeTest, AnswersCarryTheHubsDate) {
  ASSERT_TRUE(fx_.StartHub());
  httplib::Result r = Client()->Get("/v1/health");
  ASSERT_TRUE(r);
  std::optional<int64_t> date = ck_sync::ParseHttpDate(r->get_header_value("Date"));
  ASSERT_TRUE(date.has_value()) << r->get_header_value("Date");
  EXPECT_LE(std::llabs(*date - base::SystemClock().NowUnixSeconds()), 5);
}

// docs/hub-protocol.md: a kiosk that names its seq gets the first step of the shortest path (a
// delta when one leads from its seq and is smaller), with ETag and Range as for a full bundle.
TEST_P(HubServeTest, KioskNamingItsSeqGetsTheDeltaFromIt) {
  ASSERT_TRUE(fx_.StartHub());
  ASSERT_TRUE(fx_.PublishBundle(1));
  ASSERT_TRUE(fx_.PublishBundle(2));
  const std::string delta_path = fx_.BuildDelta(1, 2);
  ASSERT_FALSE(delta_path.empty());
  cktest::ProcessResult p = fx_.Cardhub(
      {"publish", "--data-dir", fx_.hub_dir(), "--trust", fx_.bundle_pub_path(), delta_path});
  ASSERT_EQ(p.exit_code, 0) << p.Describe();
  EXPECT_NE(p.out.find("published delta seq 1 -> 2"), std::string::npos) << p.out;
  const std::string delta = FileText(delta_path);
  const std::string full = FileText(fx_.root() + "/bundles/seq2.ckbundle");
  ASSERT_LT(delta.size(), full.size());

  httplib::Result r = Get("/v1/bundle", {{"If-None-Match", "\"1\""}, {"CK-Registry-Seq", "1"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("ETag"), "\"1-2\"");
  EXPECT_EQ(r->body, delta);
  // Resumed: the same delta from byte 10 on.
  r = Get("/v1/bundle",
          {{"CK-Registry-Seq", "1"}, {"Range", "bytes=10-"}, {"If-Range", "\"1-2\""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, delta.substr(10));
  // A kiosk that does not name its seq (an older one), or names one without a delta: the full.
  r = Get("/v1/bundle", {{"If-None-Match", "\"1\""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("ETag"), "\"2\"");
  EXPECT_EQ(r->body, full);
  r = Get("/v1/bundle", {{"CK-Registry-Seq", "7"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("ETag"), "\"2\"");
  r = Get("/v1/bundle", {{"If-None-Match", "\"2\""}, {"CK-Registry-Seq", "2"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);

  // A delta beyond the published full bundle is refused.
  ASSERT_FALSE(fx_.BuildBundle(3).empty());
  const std::string ahead = fx_.BuildDelta(2, 3);
  p = fx_.Cardhub({"publish", "--data-dir", fx_.hub_dir(), ahead});
  EXPECT_NE(p.exit_code, 0);
  EXPECT_NE(p.err.find("publish the full bundle of seq 3 first"), std::string::npos) << p.err;
}

TEST_P(HubServeTest, BundleEtagRangeAndIfRange) {
  ASSERT_TRUE(fx_.StartHub());
  ExpectError(Get("/v1/bundle"), 404, "NOT_FOUND");
  ASSERT_TRUE(fx_.PublishBundle(1));
  const std::string bytes = FileText(fx_.root() + "/bundles/seq1.ckbundle");
  ASSERT_GT(bytes.size(), 100u);

  httplib::Result r = Get("/v1/bundle");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("ETag"), "\"1\"");
  EXPECT_EQ(r->body, bytes);

  r = Get("/v1/bundle", {{"If-None-Match", "\"1\""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_TRUE(r->body.empty());

  r = Get("/v1/bundle", {{"Range", "bytes=100-"}, {"If-Range", "\"1\""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, bytes.substr(100));
  EXPECT_EQ(r->get_header_value("Content-Range"),
            "bytes 100-" + std::to_string(bytes.size() - 1) + "/" + std::to_string(bytes.size()));

  ExpectError(Get("/v1/bundle", {{"Range", "bytes=" + std::to_string(bytes.size()) + "-"}}), 416,
              "BAD_RANGE");

  // A newer bundle: the old ETag no longer matches, and If-Range with the old seq gets it whole.
  ASSERT_TRUE(fx_.PublishBundle(2));
  const std::string bytes2 = FileText(fx_.root() + "/bundles/seq2.ckbundle");
  r = Get("/v1/bundle", {{"If-None-Match", "\"1\""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("ETag"), "\"2\"");
  r = Get("/v1/bundle", {{"Range", "bytes=100-"}, {"If-Range", "\"1\""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, bytes2);

  // Publishing an older or equal seq is refused.
  cktest::ProcessResult p =
      fx_.Cardhub({"publish", "--data-dir", fx_.hub_dir(), fx_.BuildBundle(2)});
  EXPECT_NE(p.exit_code, 0);
  EXPECT_NE(p.err.find("not above"), std::string::npos) << p.err;
  httplib::Result h = Client()->Get("/v1/health");
  EXPECT_EQ(json::parse(h->body)["bundle_seq"], 2);
}

TEST_P(HubServeTest, JournalPushIsIdempotent) {
  ASSERT_TRUE(fx_.StartHub());
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 5));
  base::Bytes batch = fx_.ExportBatch(kiosk_, 1);
  json j = PushOk(batch);
  EXPECT_EQ(j["stored"], 5);
  EXPECT_EQ(j["duplicates"], 0);
  EXPECT_EQ(j["acked_seq"], 5);
  j = PushOk(batch);  // replay
  EXPECT_EQ(j["stored"], 0);
  EXPECT_EQ(j["duplicates"], 5);
  EXPECT_EQ(j["acked_seq"], 5);
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 3));
  j = PushOk(fx_.ExportBatch(kiosk_, 4));  // overlapping: 4..8
  EXPECT_EQ(j["stored"], 3);
  EXPECT_EQ(j["duplicates"], 2);
  EXPECT_EQ(j["acked_seq"], 8);
  EXPECT_EQ(EntryLines(), 8u);
  EXPECT_EQ(EntryLines("k1"), 8u);
  // An empty batch is fine and acks what is held.
  j = PushOk(fx_.ExportBatch(kiosk_, 9));
  EXPECT_EQ(j["stored"], 0);
  EXPECT_EQ(j["acked_seq"], 8);

  cktest::ProcessResult d = fx_.Cardhub({"devices", "--data-dir", fx_.hub_dir()});
  ASSERT_EQ(d.exit_code, 0) << d.Describe();
  std::vector<std::string> lines = Lines(d.out);
  ASSERT_EQ(lines.size(), 2u);  // the header, then k1
  EXPECT_EQ(lines[0].rfind("name\tkid\tenrolled\tlast_seen\tacked_seq\tstate\t", 0), 0u);
  EXPECT_NE(lines[1].find("k1\t"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("\t8\tactive"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[1].find("never"), std::string::npos) << lines[1];
  // The registry seq of its last entry and the last seq received.
  EXPECT_NE(lines[1].find("\tactive\t1\t8\t"), std::string::npos) << lines[1];

  cktest::ProcessResult e = fx_.Cardhub({"entries", "--data-dir", fx_.hub_dir()});
  json first = json::parse(Lines(e.out).at(0));
  EXPECT_EQ(first["device"], "k1");
  EXPECT_EQ(first["seq"], 1);
  EXPECT_EQ(first["kind"], "discount");
  EXPECT_EQ(first["partner"], hubtest::kPartner);
  EXPECT_EQ(first["decision"], "accepted");
  EXPECT_EQ(first["discount_minor"], 10000);
  EXPECT_EQ(first["uuid"].get<std::string>().size(), 36u);
}

TEST_P(HubServeTest, RefusalsAndTheServerKeepsServing) {
  ASSERT_TRUE(fx_.StartHub());
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 3));
  base::Bytes batch = fx_.ExportBatch(kiosk_, 1);

  // The batch's header signature broken: 422.
  {
    base::Bytes bad = batch;
    uint32_t hlen =
        (uint32_t{bad[8]} << 24) | (uint32_t{bad[9]} << 16) | (uint32_t{bad[10]} << 8) | bad[11];
    bad[12 + hlen - 1] ^= 1;
    ExpectError(Push(bad), 422, "BAD_BATCH");
  }
  // An entry changed in the body: 422.
  {
    base::Bytes bad = batch;
    bad[bad.size() - 40] ^= 1;
    ExpectError(Push(bad), 422, "BAD_BATCH");
  }
  // Garbage: 422 with the JSON body.
  ExpectError(Push(base::Bytes{'h', 'e', 'l', 'l', 'o'}), 422, "BAD_BATCH");

  // Another enrolled device's batch sent under this device's authentication: 403.
  std::string other = fx_.NewKiosk("k2");
  ASSERT_TRUE(fx_.Enroll(other, "k2"));
  ASSERT_TRUE(fx_.AppendDiscounts(other, 1));
  ExpectError(Push(fx_.ExportBatch(other, 1)), 403, "FORBIDDEN");

  // Unknown device: 401. Withdrawn: 403.
  std::string stranger = fx_.NewKiosk("k3");
  ASSERT_TRUE(fx_.AppendDiscounts(stranger, 1));
  ExpectError(Push(fx_.ExportBatch(stranger, 1), stranger), 401, "UNAUTHENTICATED");
  cktest::ProcessResult w = fx_.Cardhub({"withdraw", "--data-dir", fx_.hub_dir(), "--name", "k2"});
  ASSERT_EQ(w.exit_code, 0) << w.Describe();
  ExpectError(Push(fx_.ExportBatch(other, 1), other), 403, "FORBIDDEN");
  ExpectError(Get("/v1/bundle", {}, other), 403, "FORBIDDEN");

  // Request authentication: missing, malformed, stale, signed over another body.
  ExpectError(
      Client()->Post("/v1/journal", std::string(base::AsChars(batch)), "application/octet-stream"),
      401, "UNAUTHENTICATED");
  ExpectError(Client()->Get("/v1/bundle", {{"Authorization", "CK-Device kid=zz"}}), 401,
              "UNAUTHENTICATED");
  {
    card::PrivateKey key = fx_.DeviceKey(kiosk_);
    base::SystemClock real;
    std::string stale =
        ck_protocol::SignRequest(key, "GET", "/v1/bundle", real.NowUnixSeconds() - 1000, {})
            .value();
    ExpectError(Client()->Get("/v1/bundle", {{"Authorization", stale}}), 401, "UNAUTHENTICATED");
    httplib::Headers h = {{"Authorization", fx_.Sign(kiosk_, "POST", "/v1/journal", {})}};
    ExpectError(Client()->Post("/v1/journal", h, std::string(base::AsChars(batch)),
                               "application/octet-stream"),
                401, "UNAUTHENTICATED");
  }

  // Over 8 MiB: 413.
  {
    std::string big((size_t{8} << 20) + 1024, 'x');
    httplib::Headers h = {
        {"Authorization", fx_.Sign(kiosk_, "POST", "/v1/journal", base::AsBytes(big))}};
    ExpectError(Client()->Post("/v1/journal", h, big, "application/octet-stream"), 413,
                "TOO_LARGE");
  }

  // Nothing got stored by any of that, the refusals were logged, and the hub still answers.
  EXPECT_EQ(EntryLines(), 0u);
  ExpectHealthy();
  json j = PushOk(batch);
  EXPECT_EQ(j["stored"], 3);
  std::string log = fx_.HubStderr();
  EXPECT_NE(log.find("unknown device"), std::string::npos) << log;
  EXPECT_NE(log.find("withdrawn"), std::string::npos) << log;
  EXPECT_NE(log.find("127.0.0.1"), std::string::npos) << log;
}

TEST_P(HubServeTest, ServesHttpsWithTheGeneratedCertificate) {
  ASSERT_TRUE(fx_.StartHub(/*tls=*/true));
  EXPECT_EQ(fx_.hub().base_url().rfind("https://", 0), 0u);
  ExpectHealthy();
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 2));
  json j = PushOk(fx_.ExportBatch(kiosk_, 1));
  EXPECT_EQ(j["stored"], 2);
  // Plain HTTP to the TLS port gets nowhere.
  httplib::Client plain("http://127.0.0.1:" + std::to_string(fx_.hub().port()));
  plain.set_read_timeout(5, 0);
  httplib::Result r = plain.Get("/v1/health");
  EXPECT_TRUE(!r || r->status != 200);
}

TEST_P(HubServeTest, RefusesPlainHttpOffLoopback) {
  cktest::ProcessResult r =
      fx_.Cardhub({"serve", "--listen", "0.0.0.0:0", "--data-dir", fx_.hub_dir()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.err.find("loopback"), std::string::npos) << r.err;
  r = fx_.Cardhub(
      {"serve", "--listen", "127.0.0.1:0", "--data-dir", fx_.hub_dir(), "--tls-cert", "x.pem"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
}

TEST_P(HubServeTest, KilledMidUploadThenEveryEntryStoredOnce) {
  ASSERT_TRUE(fx_.StartHub());
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 20));
  json j = PushOk(fx_.ExportBatch(kiosk_, 1));
  EXPECT_EQ(j["acked_seq"], 20);
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 20));
  base::Bytes all = fx_.ExportBatch(kiosk_, 1);
  // Half of an upload of 1..40, then SIGKILL.
  {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(fx_.hub().port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    std::string head = "POST /v1/journal HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " +
                       fx_.Sign(kiosk_, "POST", "/v1/journal", all) +
                       "\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                       std::to_string(all.size()) + "\r\n\r\n";
    head.append(base::AsChars(all).substr(0, all.size() / 2));
    ASSERT_EQ(write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
    fx_.hub().Kill();
    close(fd);
  }
  ASSERT_TRUE(fx_.StartHub());
  j = PushOk(all);
  EXPECT_EQ(j["stored"], 20);
  EXPECT_EQ(j["duplicates"], 20);
  EXPECT_EQ(j["acked_seq"], 40);
  j = PushOk(all);
  EXPECT_EQ(j["stored"], 0);
  cktest::ProcessResult e = fx_.Cardhub({"entries", "--data-dir", fx_.hub_dir()});
  std::vector<std::string> lines = Lines(e.out);
  std::set<std::string> uuids;
  for (const std::string& l : lines) uuids.insert(json::parse(l)["uuid"].get<std::string>());
  EXPECT_EQ(lines.size(), 40u);
  EXPECT_EQ(uuids.size(), lines.size());
}

// The settlement report (hub/report.h): the old "scope,id,redemptions,..." CSV gave way to the
// accountant's table (hub_report_test.cc covers its forms); the sums per partner and per event
// over a period are the same.
TEST_P(HubServeTest, ReportTotalsPerPartnerAndEvent) {
  ASSERT_TRUE(fx_.StartHub());
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 3));
  ASSERT_TRUE(fx_.AppendCheckins(kiosk_, 2));
  std::string k2 = fx_.NewKiosk("k2");
  ASSERT_TRUE(fx_.Enroll(k2, "k2"));
  ASSERT_TRUE(fx_.AppendDiscounts(k2, 1));
  PushOk(fx_.ExportBatch(kiosk_, 1));
  PushOk(fx_.ExportBatch(k2, 1), k2);
  cktest::ProcessResult r = fx_.Cardhub(
      {"report", "--data-dir", fx_.hub_dir(), "--from", "2027-01-13", "--to", "2027-01-13"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("\r\nP-1;;4;4000,00;400,00;0,00\r\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\r\nE-1;;2;1;0\r\n"), std::string::npos) << r.out;
  r = fx_.Cardhub(
      {"report", "--data-dir", fx_.hub_dir(), "--from", "2027-01-14", "--to", "2027-01-20"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out.find("P-1"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("E-1"), std::string::npos) << r.out;
}

TEST_P(HubServeTest, FlagsMembersOverTheCapAcrossKiosks) {
  ASSERT_TRUE(fx_.PublishBundle(1));
  ASSERT_TRUE(fx_.StartHub());
  std::string k2 = fx_.NewKiosk("k2");
  ASSERT_TRUE(fx_.Enroll(k2, "k2"));
  // M-1: 2 at each kiosk on the same day (cap 2 a day). M-2: 2 at one kiosk (within the cap).
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 2, "M-1"));
  ASSERT_TRUE(fx_.AppendDiscounts(k2, 2, "M-1"));
  ASSERT_TRUE(fx_.AppendDiscounts(k2, 2, "M-2"));
  PushOk(fx_.ExportBatch(kiosk_, 1));
  PushOk(fx_.ExportBatch(k2, 1), k2);
  cktest::ProcessResult r = fx_.Cardhub({"flags", "--data-dir", fx_.hub_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  EXPECT_NE(lines[0].find("offer=O-CAP"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("count=4 cap=2"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("devices=k1,k2"), std::string::npos) << lines[0];

  // As CSV, the office names the member: `cardctl members-of` over the hub's file.
  r = fx_.Cardhub({"flags", "--data-dir", fx_.hub_dir(), "--format", "csv", "--out",
                   fx_.hub_dir() + "/flags.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const std::string rid = lines[0].substr(4, 16);
  const std::string dir = fx_.hub_dir();
  {
    std::ofstream(dir + "/status.secret") << std::string(32, '\x42');
    std::ofstream(dir + "/members.csv")
        << "Номер члена профсоюза;ФИО;Организация;Категория;Выпуск;Номер билета\n"
           "M-1;Петров Пётр Петрович;RU-EDU-69;работник;1;7700000001\n";
  }
  r = cktest::RunProcess(CK_CARDCTL_PATH, {"members-of", "--members", dir + "/members.csv",
                                           "--status-secret", dir + "/status.secret", "--in",
                                           dir + "/flags.csv", "--out", dir + "/named.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  std::ifstream named_file(dir + "/named.csv", std::ios::binary);
  std::stringstream named;
  named << named_file.rdbuf();
  EXPECT_NE(
      named.str().find("kind;rid;member_id;name;device;seq;uuid;offer;period;from;count;"
                       "cap;devices;chain;journal;time;before;actor;previous_journal;at;reason;"
                       "voids;discounts;rate;fleet_rate;since;refused;reasons;valid_until;"
                       "registry_seq;reported\r\n"
                       "over_cap;" +
                       rid + ";M-1;Петров Пётр Петрович;;;;O-CAP;"),
      std::string::npos)
      << named.str();
  EXPECT_NE(named.str().find(";4;2;k1,k2" + std::string(18, ';') + "\r\n"), std::string::npos)
      << named.str();
  EXPECT_NE(r.err.find("1 with a rid, 1 matched, 0 matching no member"), std::string::npos)
      << r.err;
}

// A batch after a gap is 409 (not flagged). A kiosk whose journal was replaced (same key, a new
// chain from seq 1) uploads: 409, nothing of it is stored, the hub keeps the device's real chain,
// and `cardhub flags` lists it.
TEST_P(HubServeTest, ConflictingBatchIs409AndFlagged) {
  ASSERT_TRUE(fx_.PublishBundle(1));
  ASSERT_TRUE(fx_.StartHub());
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 3));
  httplib::Result gap = Push(fx_.ExportBatch(kiosk_, 2));  // the hub holds nothing yet
  ExpectError(gap, 409, "CONFLICT");
  EXPECT_NE(gap->body.find("gap: the hub holds this device's entries through seq 0 and the batch "
                           "starts at seq 2; send from seq 1"),
            std::string::npos)
      << gap->body;
  PushOk(fx_.ExportBatch(kiosk_, 1));
  const std::string old_id = fx_.JournalId(kiosk_);
  ASSERT_EQ(::unlink((kiosk_ + "/" + journal::kJournalFile).c_str()), 0);
  (void)::unlink((kiosk_ + "/" + journal::kJournalFile + "-wal").c_str());
  (void)::unlink((kiosk_ + "/" + journal::kJournalFile + "-shm").c_str());
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 2));
  // The replacement claims the old journal id: a rewritten chain, not a new one.
  ASSERT_TRUE(fx_.SetJournalId(kiosk_, old_id));
  httplib::Result r = Push(fx_.ExportBatch(kiosk_, 1));
  ExpectError(r, 409, "CONFLICT");
  EXPECT_NE(r->body.find("conflict at seq 1: the hub holds another entry"), std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find("nothing of the batch was stored"), std::string::npos) << r->body;
  EXPECT_EQ(EntryLines("k1"), 3u);
  cktest::ProcessResult f = fx_.Cardhub({"flags", "--data-dir", fx_.hub_dir()});
  ASSERT_EQ(f.exit_code, 0) << f.Describe();
  std::vector<std::string> lines = Lines(f.out);
  ASSERT_EQ(lines.size(), 1u) << f.out;
  EXPECT_EQ(lines[0].rfind("conflict device=k1 seq=1 uuid=", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("reason=the hub holds another entry"), std::string::npos) << lines[0];
  cktest::ProcessResult d = fx_.Cardhub({"devices", "--data-dir", fx_.hub_dir()});
  EXPECT_NE(d.out.find("\t3\tactive"), std::string::npos) << d.out;
}

// A kiosk whose journal was replaced (a new journal id from seq 1) uploads a new chain: the hub
// stores it beside the old one (never mixing their seqs), acknowledges each chain on its own,
// counts both in the report and flags the new chain. A format-1 batch (no journal id) is the
// device's first chain.
TEST_P(HubServeTest, NewJournalChainIsStoredBesideTheOldAndFlagged) {
  ASSERT_TRUE(fx_.PublishBundle(1));
  ASSERT_TRUE(fx_.StartHub());
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 3));
  const base::Bytes old_v1 = fx_.ExportBatchV1(kiosk_, 1);
  EXPECT_EQ(PushOk(fx_.ExportBatch(kiosk_, 1)).value("acked_seq", -1), 3);
  const std::string old_id = fx_.JournalId(kiosk_);
  ASSERT_EQ(::unlink((kiosk_ + "/" + journal::kJournalFile).c_str()), 0);
  (void)::unlink((kiosk_ + "/" + journal::kJournalFile + "-wal").c_str());
  (void)::unlink((kiosk_ + "/" + journal::kJournalFile + "-shm").c_str());
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 2));
  json j = PushOk(fx_.ExportBatch(kiosk_, 1));
  EXPECT_EQ(j.value("acked_seq", -1), 2) << j.dump();
  EXPECT_EQ(j.value("stored", -1), 2) << j.dump();
  // The old chain sent again by an older kiosk (format 1: no journal id): the first chain's.
  j = PushOk(old_v1);
  EXPECT_EQ(j.value("acked_seq", -1), 3) << j.dump();
  EXPECT_EQ(j.value("duplicates", -1), 3) << j.dump();
  EXPECT_EQ(EntryLines("k1"), 5u);
  cktest::ProcessResult f = fx_.Cardhub({"flags", "--data-dir", fx_.hub_dir()});
  ASSERT_EQ(f.exit_code, 0) << f.Describe();
  std::vector<std::string> lines = Lines(f.out);
  ASSERT_EQ(lines.size(), 1u) << f.out;
  EXPECT_EQ(
      lines[0].rfind("new_chain device=k1 chain=2 journal=" + fx_.JournalId(kiosk_) + " at=", 0),
      0u)
      << lines[0];
  EXPECT_NE(lines[0].find(" previous_journal=" + old_id +
                          " reason=new journal chain: previous chain ended at seq 3"),
            std::string::npos)
      << lines[0];
  // The device's acknowledgement is its newest chain's.
  cktest::ProcessResult d = fx_.Cardhub({"devices", "--data-dir", fx_.hub_dir()});
  EXPECT_NE(d.out.find("\t2\tactive"), std::string::npos) << d.out;
  cktest::ProcessResult r = fx_.Cardhub(
      {"report", "--data-dir", fx_.hub_dir(), "--from", "2027-01-13", "--to", "2027-01-13"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("\r\nP-1;Shop;5;5000,00;500,00;0,00\r\n"), std::string::npos) << r.out;
}

// A kiosk's clock corrections (an admin confirmed its clock: docs/kiosk-app.md, "The clock") are
// listed by `cardhub flags`, each with its old and new time (the settlement report holds sums
// only).
TEST_P(HubServeTest, ClockCorrectionsAreListedWithTheirOldAndNewTime) {
  ASSERT_TRUE(fx_.PublishBundle(1));
  ASSERT_TRUE(fx_.StartHub());
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 2));
  const int64_t before = hubtest::kEntryTime + 10 * 365 * 86400;  // the far-ahead time it had
  {
    base::Result<std::unique_ptr<journal::Journal>> j =
        journal::Journal::Open(kiosk_ + "/" + journal::kJournalFile, fx_.clock());
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    fx_.clock().Advance(60);
    journal::NewEntry c;
    c.kind = journal::Kind::kClockCorrection;
    c.actor = "admin";
    c.clock_before_utc = before;
    ASSERT_TRUE((*j)->Append(c).ok());
  }
  const int64_t corrected = fx_.clock().NowUnixSeconds();
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 1));
  PushOk(fx_.ExportBatch(kiosk_, 1));

  cktest::ProcessResult f = fx_.Cardhub({"flags", "--data-dir", fx_.hub_dir()});
  ASSERT_EQ(f.exit_code, 0) << f.Describe();
  const std::string line =
      "clock_correction device=k1 seq=3 time=" + base::FormatIso8601Utc(corrected) +
      " before=" + base::FormatIso8601Utc(before) + " actor=admin";
  EXPECT_EQ(Lines(f.out), std::vector<std::string>{line}) << f.out;

  cktest::ProcessResult e = fx_.Cardhub({"entries", "--data-dir", fx_.hub_dir()});
  EXPECT_NE(e.out.find("\"kind\":\"clock_correction\""), std::string::npos) << e.out;
}

TEST_P(HubServeTest, EnrollRefusesDuplicates) {
  std::string k2 = fx_.NewKiosk("k2");
  cktest::ProcessResult r = fx_.Cardhub({"enroll", "--data-dir", fx_.hub_dir(), "--device-pubkey",
                                         k2 + "/device.pub.pem", "--name", "k1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("already enrolled"), std::string::npos) << r.err;
  r = fx_.Cardhub({"enroll", "--data-dir", fx_.hub_dir(), "--device-pubkey",
                   kiosk_ + "/device.pub.pem", "--name", "k9"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("already enrolled"), std::string::npos) << r.err;
  r = fx_.Cardhub({"withdraw", "--data-dir", fx_.hub_dir(), "--name", "nobody"});
  EXPECT_NE(r.exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, HubServeTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

TEST(HubConfigTest, SelectsPostgresWithAConninfo) {
  cktest::TempDir dir;
  std::string path = dir.File("hub.conf");
  ASSERT_TRUE(base::WriteFileAtomic(path,
                                    "# the shared store\n"
                                    "store = \"postgres\"\n"
                                    "postgres_conninfo = \"host=/tmp/pg dbname=cardhub\"\n"
                                    "utc_offset_minutes = 60\n")
                  .ok());
  base::Result<hub::Config> c = hub::LoadConfig(path);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store, "postgres");
  EXPECT_EQ(c->postgres_conninfo, "host=/tmp/pg dbname=cardhub");
  EXPECT_EQ(c->utc_offset_seconds, 3600);

  // Without a conninfo the store is refused with a clear error.
  ASSERT_TRUE(base::WriteFileAtomic(path, "store = \"postgres\"\n").ok());
  c = hub::LoadConfig(path);
  ASSERT_TRUE(c.ok());
  base::Result<std::unique_ptr<hub::HubStore>> s = hub::OpenStore(dir.File("hub"), *c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("postgres_conninfo"), std::string::npos)
      << s.status().ToString();
  // An unreachable server is an error, not a hang or a crash.
  c->postgres_conninfo = "host=" + dir.File("nosocket") + " dbname=x connect_timeout=2";
  s = hub::OpenStore(dir.File("hub"), *c);
  EXPECT_FALSE(s.ok());
}

}  // namespace
