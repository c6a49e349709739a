// The protocol cases of the network sync (docs/network-sync.md) against a scripted transport
// (scripted_transport.h): 304, a download resumed with 206 after a cut, 416, backoff on 5xx and
// connection errors, a lost answer after the hub stored a push, an acknowledgement beyond the
// journal's end. The real path (libcurl against a hub on loopback) is net_sync_test.cc. Real
// bundles, journals and keys; the data directory's small files go through an injected
// FileSystem; nothing sleeps (the backoff is recorded).
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/fs.h"
#include "bundle/importer.h"
#include "bundle_fixture.h"
#include "card/crypto.h"
#include "fault_fs.h"
#include "journal/device_key.h"
#include "journal/export.h"
#include "journal/journal.h"
#include "protocol/signing.h"
#include "protocol/status_report.h"
#include "real_fs.h"
#include "scripted_transport.h"
#include "sync/background_sync.h"
#include "sync/device_id.h"
#include "sync/hub_time.h"
#include "sync/net_sync.h"

namespace {

using ck_sync::PullReport;
using ck_sync::PushReport;
using cktest::ScriptedAnswer;
using std::chrono::milliseconds;

constexpr char kHubUrl[] = "http://127.0.0.1:1/hub";

std::string Text(const base::Bytes& b) { return std::string(base::AsChars(b)); }

std::string AckBody(int64_t acked, int64_t stored, int64_t duplicates) {
  return R"({"acked_seq":)" + std::to_string(acked) + R"(,"stored":)" + std::to_string(stored) +
         R"(,"duplicates":)" + std::to_string(duplicates) + "}";
}

class ScriptedSyncTest : public ::testing::Test {
 protected:
  ScriptedSyncTest()
      : factory_(dir_.File("build")),
        fs_(cktest::RealFs()),
        key_(cktest::GenerateKey(card::Alg::kEdDSA)) {
    EXPECT_TRUE(cktest::MakeDir(data_));
    importer_ = std::make_unique<bundle::Importer>(fs_, clock_, data_, factory_.trusted());
    journal_ = std::move(journal::Journal::Open(data_ + "/journal.db", clock_)).value();
  }

  // The bytes of a signed bundle with this seq.
  std::string Bundle(int64_t seq) {
    auto b = factory_.Build({.seq = seq});
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? Text(cktest::ReadBytes(b->path)) : "";
  }
  void ApplyDirectly(int64_t seq) {
    auto b = factory_.Build({.seq = seq});
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE(importer_->Apply(b->path).ok());
  }
  void AddEntries(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(journal_
                      ->Append({.kind = journal::Kind::kCheckin,
                                .event_id = "E-1",
                                .verdict = "VALID",
                                .decision = "accepted"})
                      .ok());
    }
  }
  int64_t Acked() { return *journal_->AckedSeq(); }
  std::string Download() { return data_ + "/" + ck_sync::kBundleDownloadFile; }
  std::string EtagFile() { return data_ + "/" + ck_sync::kBundleDownloadEtagFile; }

  ck_sync::SyncReport Sync(int attempts, bool pull = true, bool push = true) {
    ck_sync::NetSyncOptions o;
    o.data_dir = data_;
    o.device_id = "0123456789abcdef";
    o.transport.hub_url = kHubUrl;
    o.retry.max_attempts = attempts;
    o.retry.sleep = [this](milliseconds d) { sleeps_.push_back(d.count()); };
    o.retry.uniform01 = [] { return 0.5; };
    o.pull = pull;
    o.push = push;
    o.status.send = send_status_;  // most tests script the pull and push only
    o.status.app_version = "1.2.3";
    o.status.scope = [] { return ck_sync::StatusScope{.mode = "shop", .scope_id = "P-1"}; };
    ck_sync::NetSync sync(fs_, clock_, *importer_, *journal_, key_, hub_, std::move(o));
    return sync.RunOnce();
  }

  // The request's signature checks with the hub's code, over the prefixed path.
  void ExpectSigned(const cktest::RecordedRequest& r, const std::string& path) {
    EXPECT_EQ(r.url, std::string("http://127.0.0.1:1/hub") + path);
    auto auth = ck_protocol::ParseAuthHeader(r.Header("Authorization"));
    ASSERT_TRUE(auth.ok()) << auth.status().ToString();
    EXPECT_TRUE(ck_protocol::VerifyRequest(cktest::PublicOf(key_), *auth, r.method, "/hub" + path,
                                           base::AsBytes(r.body), clock_.NowUnixSeconds())
                    .ok());
  }

  cktest::ScratchDir dir_;
  const std::string data_ = dir_.File("data");
  base::FakeClock clock_{cktest::kFixtureNow};
  cktest::BundleFactory factory_;
  cktest::FaultInjectionFs fs_;
  card::PrivateKey key_;
  std::unique_ptr<bundle::Importer> importer_;
  std::unique_ptr<journal::Journal> journal_;
  cktest::ScriptedTransport hub_;
  std::vector<int64_t> sleeps_;
  bool send_status_ = false;
};

// ---- Pull ----

TEST_F(ScriptedSyncTest, NotModifiedIsUpToDate) {
  ApplyDirectly(1);
  hub_.Queue({.status = 304, .headers = {{"ETag", "\"1\""}}});
  auto r = Sync(3, true, false);
  EXPECT_EQ(r.pull.state, PullReport::State::kUpToDate);
  EXPECT_EQ(r.pull.seq, 1);
  EXPECT_EQ(r.pull.attempts, 1);
  ASSERT_EQ(hub_.requests().size(), 1u);
  const cktest::RecordedRequest& q = hub_.requests()[0];
  EXPECT_EQ(q.method, "GET");
  EXPECT_TRUE(q.download);
  EXPECT_EQ(q.Header("If-None-Match"), "\"1\"");
  EXPECT_FALSE(q.range_from.has_value());
  ExpectSigned(q, "/v1/bundle");
  EXPECT_FALSE(fs_.Exists(Download()));
  EXPECT_TRUE(sleeps_.empty());
}

// ---- The hub's time, a clock anchor of the kiosk ----

TEST(HubTimeTest, HttpDatesInEveryFormParse) {
  EXPECT_EQ(ck_sync::ParseHttpDate("Wed, 02 Dec 2026 00:46:40 GMT"), 1796172400);
  EXPECT_EQ(ck_sync::ParseHttpDate("Wednesday, 02-Dec-26 00:46:40 GMT"), 1796172400);
  EXPECT_EQ(ck_sync::ParseHttpDate("Wed Dec  2 00:46:40 2026"), 1796172400);
  EXPECT_EQ(ck_sync::ParseHttpDate(""), std::nullopt);
  EXPECT_EQ(ck_sync::ParseHttpDate("yesterday-ish"), std::nullopt);
  EXPECT_EQ(ck_sync::ParseHttpDate(std::string("Wed, 02 Dec 2026\0 00:46:40 GMT", 31)),
            std::nullopt);
}

TEST_F(ScriptedSyncTest, ASuccessfulCycleKeepsTheHubsDate) {
  ApplyDirectly(1);
  AddEntries(1);
  hub_.Queue(
      {.status = 304, .headers = {{"ETag", "\"1\""}, {"Date", "Wed, 02 Dec 2026 00:46:40 GMT"}}});
  hub_.Queue({.status = 200,
              .headers = {{"Date", "Wed, 02 Dec 2026 00:46:41 GMT"}},
              .body = R"({"acked_seq": 1, "stored": 1, "duplicates": 0})"});
  auto r = Sync(1);
  ASSERT_FALSE(r.error()) << r.Lines().back();
  EXPECT_EQ(r.hub_time, 1796172401);  // the latest answer's
  EXPECT_TRUE(r.hub_time_status.ok());
  base::Result<int64_t> kept = ck_sync::ReadHubTime(fs_, data_);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(*kept, 1796172401);
}

// After the push: one signed POST /v1/status with what the kiosk knows of itself; an older hub's
// 404 is no failure and no line; a refusal is a line but the cycle stays good.
TEST_F(ScriptedSyncTest, TheStatusReportFollowsThePushSignedAndAnOldHubsNotFoundIsSilent) {
  send_status_ = true;
  ApplyDirectly(1);
  AddEntries(2);
  for (int status : {200, 404, 400}) {
    hub_.Queue({.status = 304, .headers = {{"ETag", "\"1\""}}});
    if (status == 200) {
      hub_.Queue({.status = 200, .body = R"({"acked_seq": 2, "stored": 2, "duplicates": 0})"});
    }
    hub_.Queue({.status = status,
                .body = status == 400 ? R"({"error": "BAD_STATUS", "message": "no"})"
                                      : R"({"ok": true})"});
    const ck_sync::SyncReport r = Sync(1);
    EXPECT_FALSE(r.error() || r.refused()) << r.Lines().back();
    const cktest::RecordedRequest& sent = hub_.requests().back();
    EXPECT_EQ(sent.method, "POST");
    ExpectSigned(sent, "/v1/status");
    base::Result<ck_protocol::StatusReport> body = ck_protocol::ParseStatusReport(sent.body);
    ASSERT_TRUE(body.ok()) << body.status().ToString() << sent.body;
    EXPECT_EQ(body->app_version, "1.2.3");
    EXPECT_EQ(body->mode, "shop");
    EXPECT_EQ(body->scope_id, "P-1");
    EXPECT_EQ(body->registry_seq, 1);
    EXPECT_EQ(body->journal_last_seq, 2);
    EXPECT_EQ(body->kiosk_time_utc, clock_.NowUnixSeconds());
    const std::string last = r.Lines().back();
    const std::string want = status == 200   ? "status: reported"
                             : status == 404 ? "journal: "
                                             : "status: refused by the hub: ";
    EXPECT_EQ(last.rfind(want, 0), 0u) << last;
  }
  EXPECT_EQ(hub_.unused(), 0u);
}

TEST_F(ScriptedSyncTest, AFailedCycleOrAnErrorAnswerKeepsNoHubTime) {
  AddEntries(1);
  hub_.Queue({.status = 304, .headers = {{"Date", "Wed, 02 Dec 2026 00:46:40 GMT"}}});
  hub_.Queue({.status = 403,
              .headers = {{"Date", "Wed, 02 Dec 2036 00:46:40 GMT"}},
              .body = R"({"error": "FORBIDDEN", "message": "withdrawn"})"});
  auto r = Sync(1);
  EXPECT_TRUE(r.refused() || r.error());
  EXPECT_EQ(r.hub_time, 0);
  base::Result<int64_t> kept = ck_sync::ReadHubTime(fs_, data_);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(*kept, 0);  // no file
}

TEST_F(ScriptedSyncTest, ACorruptHubTimeFileIsNamed) {
  ASSERT_TRUE(base::WriteFileAtomic(fs_, data_ + "/" + ck_sync::kHubTimeFile, "12x\n").ok());
  base::Result<int64_t> kept = ck_sync::ReadHubTime(fs_, data_);
  ASSERT_FALSE(kept.ok());
  EXPECT_EQ(kept.status().code(), base::StatusCode::kDataLoss);
  EXPECT_NE(kept.status().message().find(ck_sync::kHubTimeFile), std::string::npos);
}

// A kiosk names its seq (it takes deltas); a delta answer is applied and followed by another GET
// from the new seq, until the hub answers 304.
TEST_F(ScriptedSyncTest, DeltaAnswersAreFollowedUntilUpToDate) {
  ApplyDirectly(1);
  auto delta = [&](int64_t from, int64_t to) {
    auto d = factory_.BuildDelta({.seq = from}, {.seq = to});
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? Text(cktest::ReadBytes(d->path)) : "";
  };
  hub_.Queue({.headers = {{"ETag", "\"1-2\""}}, .body = delta(1, 2)});
  hub_.Queue({.headers = {{"ETag", "\"2-3\""}}, .body = delta(2, 3)});
  hub_.Queue({.status = 304, .headers = {{"ETag", "\"3\""}}});
  auto r = Sync(3, true, false);
  EXPECT_EQ(r.pull.state, PullReport::State::kApplied) << r.pull.status.ToString();
  EXPECT_EQ(r.pull.previous_seq, 1);
  EXPECT_EQ(r.pull.seq, 3);
  ASSERT_EQ(hub_.requests().size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(hub_.requests()[i].Header("CK-Registry-Seq"), std::to_string(i + 1));
    EXPECT_EQ(hub_.requests()[i].Header("If-None-Match"), "\"" + std::to_string(i + 1) + "\"");
  }
  EXPECT_EQ(cktest::InspectDataDir(data_).seq, 3);
  EXPECT_FALSE(fs_.Exists(Download()));
}

TEST_F(ScriptedSyncTest, ACutDownloadKeepsItsEtagAndResumesWith206) {
  const std::string b = Bundle(2);
  ASSERT_GT(b.size(), 1000u);
  hub_.Queue({.headers = {{"ETag", "\"2\""}, {"Content-Length", std::to_string(b.size())}},
              .body = b,
              .cut_after = 700});
  auto r = Sync(1, true, false);
  ASSERT_EQ(r.pull.state, PullReport::State::kError);
  EXPECT_FALSE(r.pull.unreachable) << "the hub answered before the cut";
  EXPECT_EQ(cktest::ReadBytes(Download()).size(), 700u);
  EXPECT_EQ(Text(cktest::ReadBytes(EtagFile())), "\"2\"\n");
  // The ETag went through the injected FileSystem, synced and renamed into place.
  bool renamed = false;
  for (const cktest::FsOpInfo& op : fs_.log())
    renamed |= op.op == cktest::FsOp::kRename && op.to == EtagFile();
  EXPECT_TRUE(renamed);

  hub_.Queue({.status = 206,
              .headers = {{"ETag", "\"2\""},
                          {"Content-Range", "bytes 700-" + std::to_string(b.size() - 1) + "/" +
                                                std::to_string(b.size())}},
              .body = b.substr(700)});
  r = Sync(1, true, false);
  ASSERT_EQ(r.pull.state, PullReport::State::kApplied) << r.pull.status.ToString();
  EXPECT_TRUE(r.pull.resumed);
  EXPECT_EQ(r.pull.seq, 2);
  ASSERT_EQ(hub_.requests().size(), 2u);
  EXPECT_EQ(hub_.requests()[1].range_from, 700u);
  EXPECT_EQ(hub_.requests()[1].Header("If-Range"), "\"2\"");
  EXPECT_FALSE(fs_.Exists(Download()));
  EXPECT_FALSE(fs_.Exists(EtagFile()));
}

TEST_F(ScriptedSyncTest, ResumeWithinOneCycleAfterOneBackoff) {
  const std::string b = Bundle(1);
  hub_.Queue({.headers = {{"ETag", "\"1\""}}, .body = b, .cut_after = 500});
  hub_.Queue({.status = 206,
              .headers = {{"ETag", "\"1\""},
                          {"Content-Range", "bytes 500-" + std::to_string(b.size() - 1) + "/" +
                                                std::to_string(b.size())}},
              .body = b.substr(500)});
  auto r = Sync(3, true, false);
  ASSERT_EQ(r.pull.state, PullReport::State::kApplied) << r.pull.status.ToString();
  EXPECT_TRUE(r.pull.resumed);
  EXPECT_EQ(r.pull.attempts, 2);
  EXPECT_EQ(sleeps_, (std::vector<int64_t>{500}));
}

TEST_F(ScriptedSyncTest, A206ThatDoesNotContinueTheFileIsDiscarded) {
  const std::string b = Bundle(1);
  ASSERT_TRUE(cktest::WriteText(Download(), b.substr(0, 300)));
  ASSERT_TRUE(cktest::WriteText(EtagFile(), "\"1\"\n"));
  hub_.Queue({.status = 206,
              .headers = {{"ETag", "\"1\""},
                          {"Content-Range", "bytes 200-" + std::to_string(b.size() - 1) + "/" +
                                                std::to_string(b.size())}},
              .body = b.substr(200)});
  auto r = Sync(1, true, false);
  EXPECT_EQ(r.pull.state, PullReport::State::kError);
  EXPECT_EQ(r.pull.status.code(), base::StatusCode::kDataLoss);
  EXPECT_FALSE(fs_.Exists(Download()));
  EXPECT_FALSE(fs_.Exists(EtagFile()));
}

TEST_F(ScriptedSyncTest, RangeNotSatisfiableRestartsFromZero) {
  const std::string b = Bundle(1);
  // A partial file longer than the bundle the hub now has.
  ASSERT_TRUE(cktest::WriteText(Download(), b + "more than the bundle"));
  ASSERT_TRUE(cktest::WriteText(EtagFile(), "\"1\"\n"));
  hub_.Queue({.status = 416, .body = R"({"error":"BAD_RANGE","message":"unsatisfiable"})"});
  hub_.Queue({.headers = {{"ETag", "\"1\""}}, .body = b});
  auto r = Sync(3, true, false);
  ASSERT_EQ(r.pull.state, PullReport::State::kApplied) << r.pull.status.ToString();
  EXPECT_FALSE(r.pull.resumed);
  EXPECT_EQ(r.pull.attempts, 2);
  ASSERT_EQ(hub_.requests().size(), 2u);
  EXPECT_EQ(hub_.requests()[0].range_from, b.size() + 20);
  EXPECT_FALSE(hub_.requests()[1].range_from.has_value());
  EXPECT_EQ(hub_.requests()[1].Header("If-Range"), "");
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(ScriptedSyncTest, BackoffOnConnectionErrorsAnd5xxThenSuccess) {
  hub_.Queue({.error = base::Unavailable("scripted: connection refused")});
  hub_.Queue({.status = 503, .body = R"({"error":"INTERNAL","message":"busy"})"});
  hub_.Queue({.error = base::Unavailable("scripted: timed out")});
  hub_.Queue({.status = 404, .body = R"({"error":"NOT_FOUND","message":"none"})"});
  auto r = Sync(6, true, false);
  EXPECT_EQ(r.pull.state, PullReport::State::kNoBundle) << r.pull.status.ToString();
  EXPECT_EQ(r.pull.attempts, 4);
  EXPECT_FALSE(r.pull.unreachable);
  // Half of the ceiling 1 s, 2 s, 4 s (the random fraction is 0.5).
  EXPECT_EQ(sleeps_, (std::vector<int64_t>{500, 1000, 2000}));
}

TEST_F(ScriptedSyncTest, AnUnreachableHubIsRetriedThenThePushIsNotTried) {
  AddEntries(2);
  for (int i = 0; i < 3; ++i) hub_.Queue({.error = base::Unavailable("scripted: refused")});
  auto r = Sync(3);
  EXPECT_EQ(r.pull.state, PullReport::State::kError);
  EXPECT_TRUE(r.pull.unreachable);
  EXPECT_EQ(r.pull.attempts, 3);
  EXPECT_EQ(r.push.state, PushReport::State::kError);
  EXPECT_EQ(r.push.attempts, 0);
  EXPECT_EQ(hub_.requests().size(), 3u);
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(ScriptedSyncTest, AFinalTransportErrorOrRefusalIsNotRetried) {
  hub_.Queue({.error = base::FailedPrecondition("scripted: the pinned key does not match")});
  auto r = Sync(5, true, false);
  EXPECT_EQ(r.pull.state, PullReport::State::kError);
  EXPECT_TRUE(r.pull.unreachable);
  EXPECT_EQ(r.pull.attempts, 1);
  hub_.Queue({.status = 401, .body = R"({"error":"UNAUTHENTICATED","message":"unknown kid"})"});
  r = Sync(5, true, false);
  EXPECT_EQ(r.pull.state, PullReport::State::kRefused);
  EXPECT_EQ(r.pull.status.code(), base::StatusCode::kUnauthenticated);
  EXPECT_EQ(r.pull.status.message(),
            "GET /v1/bundle: the hub answered 401 UNAUTHENTICATED: unknown kid");
  EXPECT_TRUE(sleeps_.empty());
}

// ---- Push ----

TEST_F(ScriptedSyncTest, ALostAnswerAfterTheHubStoredThePushIsRetriedIdempotently) {
  AddEntries(4);
  // The hub stored the batch, but its answer never arrived; the retry sends the same batch.
  hub_.Queue({.error = base::Unavailable("scripted: connection cut before the answer")});
  hub_.Queue({.body = AckBody(4, 0, 4)});
  auto r = Sync(2, false, true);
  ASSERT_EQ(r.push.state, PushReport::State::kPushed) << r.push.status.ToString();
  EXPECT_EQ(r.push.attempts, 2);
  EXPECT_EQ(r.push.stored, 0);
  EXPECT_EQ(r.push.duplicates, 4);
  EXPECT_EQ(Acked(), 4);
  ASSERT_EQ(hub_.requests().size(), 2u);
  const cktest::RecordedRequest& first = hub_.requests()[0];
  EXPECT_EQ(first.method, "POST");
  EXPECT_EQ(first.Header("Content-Type"), "application/octet-stream");
  ExpectSigned(first, "/v1/journal");
  EXPECT_EQ(hub_.requests()[1].body, first.body)
      << "the same entries, so the hub stores none twice";
  auto check = journal::CheckExport(base::AsBytes(first.body), cktest::PublicOf(key_));
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok()) << check->problem;
  ASSERT_EQ(check->entries.size(), 4u);
  EXPECT_EQ(check->entries.front().seq, 1);
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(ScriptedSyncTest, AnAckBeyondTheJournalsEndIsReportedNotRecorded) {
  AddEntries(3);
  hub_.Queue({.body = AckBody(10, 3, 0)});
  auto r = Sync(3, false, true);
  EXPECT_EQ(r.push.state, PushReport::State::kError);
  EXPECT_EQ(r.push.status.code(), base::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(cktest::Contains(r.push.status.message(), "this journal ends at 3"));
  EXPECT_EQ(r.push.acked_seq, 10);
  EXPECT_EQ(Acked(), 0);
  EXPECT_EQ(hub_.requests().size(), 1u);
}

// The kiosk acknowledges only entries the hub says it holds of those it sent: an ack within the
// journal but beyond the batch (the hub holds entries of this device it was not sent) is refused.
TEST_F(ScriptedSyncTest, AnAckBeyondTheBatchSentIsReportedNotRecorded) {
  const int64_t n = ck_sync::kBatchEntries + 2;
  AddEntries(static_cast<int>(n));
  hub_.Queue({.body = AckBody(n, ck_sync::kBatchEntries, 0)});
  auto r = Sync(3, false, true);
  EXPECT_EQ(r.push.state, PushReport::State::kError);
  EXPECT_EQ(r.push.status.code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.push.status.message(), "the hub acknowledged seq " + std::to_string(n) +
                                         " but was sent seq 1.." +
                                         std::to_string(ck_sync::kBatchEntries) + "; not recorded");
  EXPECT_EQ(Acked(), 0);
  EXPECT_EQ(hub_.requests().size(), 1u);
}

TEST_F(ScriptedSyncTest, AnAnswerWithoutAckedSeqIsDataLoss) {
  AddEntries(1);
  hub_.Queue({.body = R"({"stored":1})"});
  auto r = Sync(3, false, true);
  EXPECT_EQ(r.push.state, PushReport::State::kError);
  EXPECT_EQ(r.push.status.code(), base::StatusCode::kDataLoss);
  EXPECT_EQ(Acked(), 0);
}

TEST_F(ScriptedSyncTest, PushBackoffOn5xxThenTheAckIsRecorded) {
  AddEntries(2);
  hub_.Queue({.status = 503});
  hub_.Queue({.status = 429});
  hub_.Queue({.body = AckBody(2, 2, 0)});
  auto r = Sync(3, false, true);
  ASSERT_EQ(r.push.state, PushReport::State::kPushed) << r.push.status.ToString();
  EXPECT_EQ(r.push.attempts, 3);
  EXPECT_EQ(Acked(), 2);
  EXPECT_EQ(sleeps_, (std::vector<int64_t>{500, 1000}));
}

// ---- The background cycle builds its transport with the injected factory ----

// Forwards to a transport the test owns (the factory hands out a new owner per cycle).
class Forwarding final : public ck_sync::HttpTransport {
 public:
  explicit Forwarding(ck_sync::HttpTransport& to) : to_(to) {}
  base::Result<ck_sync::HttpResponse> Send(const ck_sync::HttpRequest& r) override {
    return to_.Send(r);
  }

 private:
  ck_sync::HttpTransport& to_;
};

TEST_F(ScriptedSyncTest, BackgroundSyncUsesTheInjectedTransportFactory) {
  int made = 0;
  bool fail_factory = true;
  ck_sync::BackgroundSyncOptions options{.trusted = factory_.trusted(),
                                         .interval = std::chrono::seconds(3600)};
  options.net.data_dir = data_;
  options.net.device_id = "0123456789abcdef";
  options.net.transport.hub_url = kHubUrl;
  options.net.retry.max_attempts = 1;
  options.net.status.send = false;  // the script is the pull and the push
  options.make_transport = [&](const ck_sync::TransportOptions& t)
      -> base::Result<std::unique_ptr<ck_sync::HttpTransport>> {
    EXPECT_EQ(t.hub_url, kHubUrl);
    ++made;
    if (fail_factory) return base::InvalidArgument("scripted: no transport");
    return std::unique_ptr<ck_sync::HttpTransport>(new Forwarding(hub_));
  };
  std::mutex mu;
  std::condition_variable cv;
  std::vector<ck_sync::SyncReport> cycles;
  ck_sync::BackgroundSync sync(fs_, clock_, std::move(options), [&](const ck_sync::SyncReport& r) {
    std::lock_guard<std::mutex> lock(mu);
    cycles.push_back(r);
    cv.notify_all();
  });
  auto wait_for = [&](size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(30), [&] { return cycles.size() >= n; });
  };
  sync.Start();
  ASSERT_TRUE(wait_for(1));
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(cycles[0].pull.state, PullReport::State::kError);
    EXPECT_EQ(cycles[0].pull.status.message(), "scripted: no transport");
    EXPECT_EQ(cycles[0].push.state, PushReport::State::kError);
    fail_factory = false;
    hub_.Queue({.status = 404, .body = R"({"error":"NOT_FOUND","message":"none"})"});
  }
  sync.Wake();
  ASSERT_TRUE(wait_for(2));
  sync.Stop();
  EXPECT_EQ(cycles[1].pull.state, PullReport::State::kNoBundle);
  EXPECT_EQ(cycles[1].push.state, PushReport::State::kNothingToSend);
  EXPECT_EQ(made, 2);
  EXPECT_EQ(hub_.requests().size(), 1u);
}

// Forwards to the scripted hub; before each bundle GET runs `on_get` (the session appending to
// journal.db through its own connection while the cycle pulls).
class AppendingDuringPull final : public ck_sync::HttpTransport {
 public:
  AppendingDuringPull(ck_sync::HttpTransport& to, std::function<void()> on_get)
      : to_(to), on_get_(std::move(on_get)) {}
  base::Result<ck_sync::HttpResponse> Send(const ck_sync::HttpRequest& r) override {
    if (r.method == "GET") on_get_();
    return to_.Send(r);
  }

 private:
  ck_sync::HttpTransport& to_;
  std::function<void()> on_get_;
};

// The background cycle's own connection to journal.db is opened before the session appends more
// (during the pull, and between cycles): the push reads the journal fresh, sends exactly what it
// read, records the hub's ack, and last_success moves with every cycle.
TEST_F(ScriptedSyncTest, BackgroundSyncReadsTheJournalFreshForEachCycle) {
  AddEntries(2);
  ck_sync::BackgroundSyncOptions options{.trusted = factory_.trusted(),
                                         .interval = std::chrono::seconds(3600)};
  options.net.data_dir = data_;
  options.net.device_id = "0123456789abcdef";
  options.net.transport.hub_url = kHubUrl;
  options.net.retry.max_attempts = 1;
  options.net.status.send = false;  // the script is the pull and the push
  options.make_transport = [&](const ck_sync::TransportOptions&)
      -> base::Result<std::unique_ptr<ck_sync::HttpTransport>> {
    return std::unique_ptr<ck_sync::HttpTransport>(
        new AppendingDuringPull(hub_, [this] { AddEntries(3); }));
  };
  const std::string none = R"({"error":"NOT_FOUND","message":"none"})";
  hub_.Queue({.status = 404, .body = none});
  hub_.Queue({.body = AckBody(5, 5, 0)});
  std::mutex mu;
  std::condition_variable cv;
  std::vector<ck_sync::SyncReport> cycles;
  std::vector<int64_t> last_success;
  ck_sync::BackgroundSync sync(fs_, clock_, std::move(options), [&](const ck_sync::SyncReport& r) {
    std::lock_guard<std::mutex> lock(mu);
    cycles.push_back(r);
    cv.notify_all();
  });
  auto wait_for = [&](size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(30), [&] { return cycles.size() >= n; });
  };
  sync.Start();
  ASSERT_TRUE(wait_for(1));
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(cycles[0].push.state, PushReport::State::kPushed) << cycles[0].push.status.ToString();
    EXPECT_FALSE(cycles[0].error());
    EXPECT_EQ(cycles[0].push.first_seq, 1);
    EXPECT_EQ(cycles[0].push.last_seq, 5);
    last_success.push_back(sync.last_success());
    clock_.Advance(60);
    AddEntries(1);  // between the cycles
    hub_.Queue({.status = 404, .body = none});
    hub_.Queue({.body = AckBody(9, 4, 0)});
  }
  sync.Wake();
  ASSERT_TRUE(wait_for(2));
  sync.Stop();
  EXPECT_EQ(cycles[1].push.state, PushReport::State::kPushed) << cycles[1].push.status.ToString();
  EXPECT_EQ(cycles[1].push.first_seq, 6);
  EXPECT_EQ(cycles[1].push.last_seq, 9);
  last_success.push_back(sync.last_success());
  EXPECT_EQ(last_success, (std::vector<int64_t>{cktest::kFixtureNow, cktest::kFixtureNow + 60}));
  EXPECT_EQ(Acked(), 9);
  // Each batch held exactly the entries the cycle read.
  ASSERT_EQ(hub_.requests().size(), 4u);
  for (size_t i : {1u, 3u}) {
    auto check =
        journal::CheckExport(base::AsBytes(hub_.requests()[i].body),
                             *journal::LoadOrCreateDeviceKey(cktest::RealFs(), data_)->Public());
    ASSERT_TRUE(check.ok()) << check.status().ToString();
    EXPECT_TRUE(check->ok()) << check->problem;
    ASSERT_FALSE(check->entries.empty());
    EXPECT_EQ(check->entries.front().seq, i == 1 ? 1 : 6);
    EXPECT_EQ(check->entries.back().seq, i == 1 ? 5 : 9);
  }
}

// ---- The device id through the injected FileSystem ----

TEST(DeviceIdFsTest, WrittenThroughTheInjectedFileSystem) {
  cktest::ScratchDir dir;
  cktest::FaultInjectionFs fs(cktest::RealFs());
  auto id = ck_sync::LoadOrCreateDeviceId(fs, dir.path());
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(Text(cktest::ReadBytes(dir.File("device-id"))), *id + "\n");
  std::vector<std::string> ops;
  for (const cktest::FsOpInfo& op : fs.log()) ops.push_back(std::string(cktest::FsOpName(op.op)));
  EXPECT_EQ(ops,
            (std::vector<std::string>{"create", "append", "sync", "close", "rename", "syncdir"}));
  auto again = ck_sync::LoadOrCreateDeviceId(fs, dir.path());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *id);
  EXPECT_EQ(fs.op_count(), 6) << "reading it back writes nothing";
}

// Each write step failing in turn (SQLite's fault-sim loop): an error, never a half-written id.
TEST(DeviceIdTest, AFailedWriteLeavesNoIdBehind) {
  for (int64_t n = 1;; ++n) {
    cktest::ScratchDir dir;
    cktest::FaultInjectionFs fs(cktest::RealFs());
    fs.FailAt(n);
    auto id = ck_sync::LoadOrCreateDeviceId(fs, dir.path());
    if (!fs.fault_fired()) {
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      EXPECT_EQ(n, 7) << "create, append, sync, close, rename, syncdir";
      break;
    }
    EXPECT_FALSE(id.ok()) << "fault at " << n;
    // Before the rename nothing is in place; after it, the whole id is.
    EXPECT_EQ(fs.Exists(dir.File("device-id")), n > 5) << n;
    auto retry = ck_sync::LoadOrCreateDeviceId(cktest::RealFs(), dir.path());
    ASSERT_TRUE(retry.ok()) << n << ": " << retry.status().ToString();
    EXPECT_TRUE(ck_sync::IsValidDeviceId(*retry));
  }
}

}  // namespace
