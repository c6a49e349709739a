// Network sync (sync/net_sync.h) over the libcurl transport against a minimal in-test hub: an
// httplib server on loopback that implements docs/hub-protocol.md (device signatures,
// ETag/If-None-Match, Range/If-Range, idempotent journal batches) with fault injection (cut a
// download after K bytes, 503s, a lost response). Bundles are built with `cardctl bundle build`;
// nothing here sleeps (the retry sleep is faked).
#include "sync/net_sync.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/file.h"
#include "base/fs.h"
#include "base/hex.h"
#include "bundle/importer.h"
#include "card/crypto.h"
#include "hub_fixture.h"
#include "journal/chain.h"
#include "journal/device_key.h"
#include "journal/export.h"
#include "journal/journal.h"
#include "protocol/signing.h"
#include "real_fs.h"
#include "subprocess.h"
#include "sync/background_sync.h"
#include "sync/curl_transport.h"

namespace {

using ck_sync::NetSyncOptions;
using ck_sync::PullReport;
using ck_sync::PushReport;
using std::chrono::milliseconds;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool FileExists(const std::string& path) { return cktest::RealFs().Exists(path); }

// Base64url without padding, decoded (test side of the signature check).
std::string DecodeB64Url(std::string s) {
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4 != 0) s.push_back('=');
  std::string out(s.size(), '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return "";
  size_t len = static_cast<size_t>(n);
  for (size_t i = s.size(); i > 0 && s[i - 1] == '='; --i) --len;
  out.resize(len);
  return out;
}

// Keys and bundles built once per test binary with the real cardctl.
class Bundles {
 public:
  static Bundles& Get() {
    static Bundles* b = new Bundles();
    return *b;
  }
  const std::string& trust_pem_path() const { return trust_; }
  card::PublicKey trusted() const {
    return *card::PublicKey::FromPem(*base::ReadFile(trust_, 64 * 1024));
  }
  // The bytes of a bundle with this seq (built on first use).
  const std::string& Bytes(int64_t seq) {
    auto it = built_.find(seq);
    if (it != built_.end()) return it->second;
    const std::string out = dir_.File("seq" + std::to_string(seq) + ".ckbundle");
    cktest::ProcessResult r =
        Run({"bundle", "build", "--members", dir_.File("members.csv"), "--issuer-pubkey",
             dir_.File("issuer.pub.pem"), "--status-secret", dir_.File("secret"), "--seq",
             std::to_string(seq), "--valid-days", "30", "--mode", "deny", "--sign",
             dir_.File("bundle.key.pem"), "--out", out});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return built_[seq] = ReadAll(out);
  }

 private:
  Bundles() {
    Run({"keygen", "--alg", "es256", "--out", dir_.File("bundle")});
    Run({"keygen", "--alg", "es256", "--out", dir_.File("issuer")});
    Run({"secret", "--out", dir_.File("secret")});
    std::ofstream(dir_.File("members.csv")) << "member_id,status,min_serial\nM-1,active,0\n"
                                            << "M-2,revoked,0\n";
    trust_ = dir_.File("bundle.pub.pem");
  }
  cktest::ProcessResult Run(const std::vector<std::string>& args) {
    cktest::ProcessResult r = cktest::RunProcess(CK_CARDCTL_PATH, args);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r;
  }
  cktest::TempDir dir_;
  std::string trust_;
  std::map<int64_t, std::string> built_;
};

// The minimal hub.
class StubHub {
 public:
  StubHub() {
    server_.Get("/v1/bundle",
                [this](const httplib::Request& q, httplib::Response& s) { GetBundle(q, s); });
    server_.Post("/v1/journal",
                 [this](const httplib::Request& q, httplib::Response& s) { PostJournal(q, s); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~StubHub() {
    // stop() before the listening thread got going would be lost; wait for it (no timing).
    while (!server_.is_running()) std::this_thread::yield();
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Configuration (thread-safe).
  void Enroll(const card::PublicKey& key) {
    std::lock_guard lock(mu_);
    device_ = key;
  }
  void Withdraw() {
    std::lock_guard lock(mu_);
    withdrawn_ = true;
  }
  void Publish(int64_t seq, std::string bytes) {
    std::lock_guard lock(mu_);
    seq_ = seq;
    bundle_ = std::move(bytes);
  }
  void CutNextDownloadAfter(size_t bytes) {
    std::lock_guard lock(mu_);
    cut_after_ = bytes;
  }
  void FailNext(int n, int status) {
    std::lock_guard lock(mu_);
    fail_next_ = n;
    fail_status_ = status;
  }
  void LoseNextJournalResponse() {
    std::lock_guard lock(mu_);
    lose_next_response_ = true;
  }

  // Observations.
  struct Seen {
    int bundle_requests = 0, journal_posts = 0, full_downloads = 0;
    std::vector<std::string> ranges, if_none_match;
    size_t stored_entries = 0;
    std::vector<std::string> auth_failures;
  };
  Seen seen() {
    std::lock_guard lock(mu_);
    Seen s = seen_;
    s.stored_entries = entries_.size();
    return s;
  }

 private:
  static void Error(httplib::Response& s, int status, const std::string& code,
                    const std::string& message) {
    s.status = status;
    s.set_content(nlohmann::json{{"error", code}, {"message", message}}.dump(), "application/json");
  }

  // Checks the Authorization header; answers the refusal itself. Called with mu_ held.
  bool Authenticate(const std::string& method, const httplib::Request& q, httplib::Response& s) {
    const std::string h = q.get_header_value("Authorization");
    std::map<std::string, std::string> f;
    if (h.rfind("CK-Device ", 0) == 0) {
      std::stringstream ss(h.substr(10));
      std::string part;
      while (std::getline(ss, part, ',')) {
        while (!part.empty() && part.front() == ' ') part.erase(0, 1);
        const size_t eq = part.find('=');
        if (eq != std::string::npos) f[part.substr(0, eq)] = part.substr(eq + 1);
      }
    }
    auto refuse = [&](int status, const std::string& why) {
      seen_.auth_failures.push_back(why);
      Error(s, status, status == 401 ? "UNAUTHENTICATED" : "FORBIDDEN", why);
      return false;
    };
    if (f.count("kid") == 0 || f.count("ts") == 0 || f.count("sig") == 0)
      return refuse(401, "malformed header");
    if (!device_ || f["kid"] != base::ToHex(device_->kid())) return refuse(401, "unknown kid");
    if (withdrawn_) return refuse(403, "withdrawn");
    const int64_t ts = std::stoll(f["ts"]);
    if (std::llabs(ts - base::SystemClock().NowUnixSeconds()) > 300) return refuse(401, "stale");
    const std::string tbs = ck_protocol::SigningString(method, q.path, ts, base::AsBytes(q.body));
    const std::string sig = DecodeB64Url(f["sig"]);
    card::SignatureVerifier v;
    if (!v.Verify(card::Alg::kEdDSA, *device_, base::AsBytes(tbs), base::AsBytes(sig)).ok())
      return refuse(401, "bad signature");
    return true;
  }

  bool Injected503(httplib::Response& s) {
    if (fail_next_ <= 0) return false;
    --fail_next_;
    Error(s, fail_status_, "INTERNAL", "injected");
    return true;
  }

  void GetBundle(const httplib::Request& q, httplib::Response& s) {
    std::lock_guard lock(mu_);
    ++seen_.bundle_requests;
    if (!Authenticate("GET", q, s) || Injected503(s)) return;
    if (bundle_.empty()) return Error(s, 404, "NOT_FOUND", "no bundle");
    const std::string etag = "\"" + std::to_string(seq_) + "\"";
    s.set_header("ETag", etag);
    if (q.has_header("If-None-Match"))
      seen_.if_none_match.push_back(q.get_header_value("If-None-Match"));
    if (q.get_header_value("If-None-Match") == etag) {
      s.status = 304;
      return;
    }
    // httplib would slice the body for a Range request itself; this hub does it by hand.
    auto& ranges = const_cast<httplib::Request&>(q).ranges;
    const bool range = !ranges.empty() && q.get_header_value("If-Range") == etag;
    if (!ranges.empty()) seen_.ranges.push_back(q.get_header_value("Range"));
    if (range) {
      const auto start = static_cast<size_t>(ranges[0].first);
      ranges.clear();
      if (start >= bundle_.size()) return Error(s, 416, "BAD_RANGE", "unsatisfiable");
      s.status = 206;
      s.set_header("Content-Range", "bytes " + std::to_string(start) + "-" +
                                        std::to_string(bundle_.size() - 1) + "/" +
                                        std::to_string(bundle_.size()));
      s.set_content(bundle_.substr(start), "application/octet-stream");
      return;
    }
    ranges.clear();
    ++seen_.full_downloads;
    if (cut_after_ > 0) {
      const std::string partial = bundle_.substr(0, cut_after_);
      cut_after_ = 0;
      s.set_content_provider(bundle_.size(), "application/octet-stream",
                             [partial](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset >= partial.size()) return false;  // cut the connection
                               sink.write(partial.data() + offset, partial.size() - offset);
                               return true;
                             });
      return;
    }
    s.set_content(bundle_, "application/octet-stream");
  }

  void PostJournal(const httplib::Request& q, httplib::Response& s) {
    std::lock_guard lock(mu_);
    ++seen_.journal_posts;
    if (!Authenticate("POST", q, s) || Injected503(s)) return;
    auto check = journal::CheckExport(base::AsBytes(q.body), *device_);
    if (!check.ok() || !check->ok()) return Error(s, 422, "BAD_BATCH", "bad batch");
    int64_t stored = 0, dups = 0;
    for (const journal::Entry& e : check->entries) {
      if (entries_.emplace(e.uuid, e.seq).second) {
        ++stored;
        seqs_.insert(e.seq);
      } else {
        ++dups;
      }
    }
    while (seqs_.count(acked_ + 1) != 0) ++acked_;
    const std::string body =
        nlohmann::json{{"acked_seq", acked_}, {"stored", stored}, {"duplicates", dups}}.dump();
    if (lose_next_response_) {
      lose_next_response_ = false;
      s.set_content_provider(body.size(), "application/json",
                             [](size_t, size_t, httplib::DataSink&) { return false; });
      return;
    }
    s.set_content(body, "application/json");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::optional<card::PublicKey> device_;
  bool withdrawn_ = false;
  int64_t seq_ = 0;
  std::string bundle_;
  size_t cut_after_ = 0;
  int fail_next_ = 0;
  int fail_status_ = 503;
  bool lose_next_response_ = false;
  std::map<std::string, int64_t> entries_;  // uuid -> seq
  std::set<int64_t> seqs_;
  int64_t acked_ = 0;
  Seen seen_;
};

// One kiosk data directory with its journal, device key and importer.
class Kiosk {
 public:
  Kiosk()
      : key_(std::move(journal::LoadOrCreateDeviceKey(cktest::RealFs(), dir_.path())).value()),
        importer_(cktest::RealFs(), clock_, dir_.path(), Bundles::Get().trusted()),
        journal_(std::move(journal::Journal::Open(dir_.File("journal.db"), clock_)).value()) {}
  card::PublicKey pub() const { return *key_.Public(); }
  const std::string& dir() const { return dir_.path(); }
  journal::Journal& journal() { return *journal_; }
  bundle::Importer& importer() { return importer_; }

  void AddEntries(int n) {
    for (int i = 0; i < n; ++i) {
      journal::NewEntry e;
      e.kind = journal::Kind::kDiscount;
      e.partner_id = "P-BOOKS";
      e.offer_id = "O-1";
      e.purchase_minor = 10000;
      e.discount_minor = 700;
      e.verdict = "VALID";
      e.decision = "accepted";
      ASSERT_TRUE(journal_->Append(e).ok());
    }
  }
  int64_t AppliedSeq() {
    auto m = importer_.AppliedMeta();
    return m.ok() && m->has_value() ? (*m)->seq : 0;
  }
  int64_t Acked() { return *journal_->AckedSeq(); }

  // A cycle against `url` whose sleeps are recorded, not slept.
  ck_sync::SyncReport Sync(const std::string& url, int attempts = 4, bool pull = true,
                           bool push = true) {
    NetSyncOptions o;
    o.data_dir = dir_.path();
    o.device_id = "0123456789abcdef";
    o.transport.hub_url = url;
    o.transport.connect_timeout = std::chrono::seconds(5);
    o.transport.request_timeout = std::chrono::seconds(20);
    o.retry.max_attempts = attempts;
    o.retry.sleep = [this](milliseconds d) { sleeps.push_back(d); };
    o.retry.uniform01 = [this] {
      return jitter.empty() ? 0.5 : jitter[sleeps.size() % jitter.size()];
    };
    o.pull = pull;
    o.push = push;
    return ck_sync::RunNetSyncWithCurl(cktest::RealFs(), clock_, importer_, *journal_, key_,
                                       std::move(o));
  }

  std::vector<milliseconds> sleeps;
  std::vector<double> jitter;

 private:
  cktest::TempDir dir_;
  base::SystemClock clock_;
  card::PrivateKey key_;
  bundle::Importer importer_;
  std::unique_ptr<journal::Journal> journal_;
};

std::string Describe(const ck_sync::SyncReport& r) {
  std::string s;
  for (const std::string& l : r.Lines()) s += l + "\n";
  return s;
}

class NetSyncTest : public ::testing::Test {
 protected:
  void SetUp() override { hub_.Enroll(kiosk_.pub()); }
  StubHub hub_;
  Kiosk kiosk_;
};

TEST_F(NetSyncTest, PullAppliesNewerBundleThenIsUpToDate) {
  hub_.Publish(1, Bundles::Get().Bytes(1));
  auto r = kiosk_.Sync(hub_.url());
  ASSERT_EQ(r.pull.state, PullReport::State::kApplied) << Describe(r);
  EXPECT_EQ(r.pull.seq, 1);
  EXPECT_EQ(r.pull.previous_seq, 0);
  hub_.Publish(2, Bundles::Get().Bytes(2));
  r = kiosk_.Sync(hub_.url());
  ASSERT_EQ(r.pull.state, PullReport::State::kApplied) << Describe(r);
  EXPECT_EQ(kiosk_.AppliedSeq(), 2);
  EXPECT_EQ(r.Lines()[0], "bundle: applied seq 2 (was 1)");

  r = kiosk_.Sync(hub_.url());
  EXPECT_EQ(r.pull.state, PullReport::State::kUpToDate) << Describe(r);
  EXPECT_EQ(r.Lines()[0], "bundle: up to date (seq 2)");
  EXPECT_EQ(hub_.seen().if_none_match.back(), "\"2\"");
  EXPECT_EQ(hub_.seen().full_downloads, 2);
  EXPECT_FALSE(FileExists(kiosk_.dir() + "/bundle.download"));
}

TEST_F(NetSyncTest, NoBundlePublished) {
  auto r = kiosk_.Sync(hub_.url());
  EXPECT_EQ(r.pull.state, PullReport::State::kNoBundle) << Describe(r);
  EXPECT_FALSE(r.refused());
  EXPECT_FALSE(r.error());
}

TEST_F(NetSyncTest, ResumesAnInterruptedDownloadAndAppliesOnce) {
  const std::string& b = Bundles::Get().Bytes(2);
  ASSERT_GT(b.size(), 1000u);
  hub_.Publish(2, b);
  hub_.CutNextDownloadAfter(700);
  auto r = kiosk_.Sync(hub_.url(), /*attempts=*/1, true, false);
  ASSERT_EQ(r.pull.state, PullReport::State::kError) << Describe(r);
  EXPECT_EQ(ReadAll(kiosk_.dir() + "/bundle.download").size(), 700u);
  EXPECT_EQ(ReadAll(kiosk_.dir() + "/bundle.download.etag"), "\"2\"\n");
  EXPECT_EQ(kiosk_.AppliedSeq(), 0);

  r = kiosk_.Sync(hub_.url(), 1, true, false);
  ASSERT_EQ(r.pull.state, PullReport::State::kApplied) << Describe(r);
  EXPECT_TRUE(r.pull.resumed);
  EXPECT_EQ(kiosk_.AppliedSeq(), 2);
  const auto seen = hub_.seen();
  ASSERT_EQ(seen.ranges.size(), 1u);
  EXPECT_EQ(seen.ranges[0], "bytes=700-");
  EXPECT_EQ(seen.full_downloads, 1);
  EXPECT_FALSE(FileExists(kiosk_.dir() + "/bundle.download"));
  EXPECT_FALSE(FileExists(kiosk_.dir() + "/bundle.download.etag"));
}

TEST_F(NetSyncTest, ResumeWithinOneCycleAfterBackoff) {
  hub_.Publish(1, Bundles::Get().Bytes(1));
  hub_.CutNextDownloadAfter(500);
  auto r = kiosk_.Sync(hub_.url(), 3, true, false);
  ASSERT_EQ(r.pull.state, PullReport::State::kApplied) << Describe(r);
  EXPECT_TRUE(r.pull.resumed);
  EXPECT_EQ(r.pull.attempts, 2);
  EXPECT_EQ(kiosk_.sleeps.size(), 1u);
  EXPECT_TRUE(r.pull.status.ok()) << r.pull.status.ToString();
}

TEST_F(NetSyncTest, ANewerBundleDuringResumeRestartsTheDownload) {
  hub_.Publish(1, Bundles::Get().Bytes(1));
  hub_.CutNextDownloadAfter(600);
  auto r = kiosk_.Sync(hub_.url(), 1, true, false);
  ASSERT_EQ(r.pull.state, PullReport::State::kError) << Describe(r);
  hub_.Publish(3, Bundles::Get().Bytes(3));  // If-Range no longer matches: a whole 200
  r = kiosk_.Sync(hub_.url(), 1, true, false);
  ASSERT_EQ(r.pull.state, PullReport::State::kApplied) << Describe(r);
  EXPECT_FALSE(r.pull.resumed);
  EXPECT_EQ(kiosk_.AppliedSeq(), 3);
  EXPECT_EQ(hub_.seen().full_downloads, 2);
}

TEST_F(NetSyncTest, CorruptedDownloadIsRefusedAndTheOldRegistryStays) {
  hub_.Publish(1, Bundles::Get().Bytes(1));
  ASSERT_EQ(kiosk_.Sync(hub_.url()).pull.state, PullReport::State::kApplied);
  std::string bad = Bundles::Get().Bytes(2);
  bad[bad.size() - 10] = static_cast<char>(bad[bad.size() - 10] ^ 0x55);
  hub_.Publish(2, bad);
  auto r = kiosk_.Sync(hub_.url());
  EXPECT_EQ(r.pull.state, PullReport::State::kRefused) << Describe(r);
  EXPECT_TRUE(r.refused());
  EXPECT_EQ(kiosk_.AppliedSeq(), 1);
  EXPECT_FALSE(FileExists(kiosk_.dir() + "/bundle.download"));
}

TEST_F(NetSyncTest, PushSendsUnackedEntriesAndRecordsTheAck) {
  auto r = kiosk_.Sync(hub_.url(), 4, false, true);
  EXPECT_EQ(r.push.state, PushReport::State::kNothingToSend) << Describe(r);
  kiosk_.AddEntries(5);
  r = kiosk_.Sync(hub_.url(), 4, false, true);
  ASSERT_EQ(r.push.state, PushReport::State::kPushed) << Describe(r);
  EXPECT_EQ(r.Lines()[0],
            "journal: pushed entries 1..5, hub acknowledged 5 (stored 5, duplicates 0)");
  EXPECT_EQ(kiosk_.Acked(), 5);
  kiosk_.AddEntries(3);
  r = kiosk_.Sync(hub_.url(), 4, false, true);
  ASSERT_EQ(r.push.state, PushReport::State::kPushed) << Describe(r);
  EXPECT_EQ(r.push.first_seq, 6);
  EXPECT_EQ(r.push.stored, 3);
  EXPECT_EQ(kiosk_.Acked(), 8);
  EXPECT_EQ(hub_.seen().stored_entries, 8u);
}

// The sync's connection to journal.db is not the session's: what the session appends through its
// own connection between cycles is read fresh each cycle, pushed and acknowledged (it used to be
// "the hub acknowledged seq N but this journal ends at M").
TEST_F(NetSyncTest, EntriesAnotherWriterAppendsAreReadFreshEachCycle) {
  kiosk_.AddEntries(2);
  base::SystemClock clock;
  auto session = journal::Journal::Open(kiosk_.dir() + "/journal.db", clock);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  int64_t total = 2;
  for (int cycle = 1; cycle <= 4; ++cycle) {
    for (int i = 0; i < cycle; ++i) {
      ASSERT_TRUE((*session)
                      ->Append({.kind = journal::Kind::kCheckin,
                                .event_id = "E-1",
                                .verdict = "VALID",
                                .decision = "accepted"})
                      .ok());
    }
    total += cycle;
    auto r = kiosk_.Sync(hub_.url(), 4, false, true);
    ASSERT_EQ(r.push.state, PushReport::State::kPushed) << Describe(r);
    EXPECT_FALSE(r.error()) << Describe(r);
    EXPECT_EQ(r.push.last_seq, total);
    EXPECT_EQ(r.push.acked_seq, total);
    EXPECT_EQ(kiosk_.Acked(), total);
  }
  EXPECT_EQ(kiosk_.journal().last_seq(), total);
  EXPECT_EQ(hub_.seen().stored_entries, static_cast<size_t>(total));
}

// A kiosk back from a long offline period: the backlog goes up in batches, all in one cycle.
TEST_F(NetSyncTest, ALongBacklogGoesUpInBatchesInOneCycle) {
  kiosk_.AddEntries(static_cast<int>(ck_sync::kBatchEntries) * 2 + 7);
  auto r = kiosk_.Sync(hub_.url(), 4, false, true);
  ASSERT_EQ(r.push.state, PushReport::State::kPushed) << Describe(r);
  EXPECT_EQ(r.push.first_seq, 1);
  EXPECT_EQ(r.push.last_seq, ck_sync::kBatchEntries * 2 + 7);
  EXPECT_EQ(kiosk_.Acked(), ck_sync::kBatchEntries * 2 + 7);
  EXPECT_EQ(hub_.seen().journal_posts, 3);
  EXPECT_EQ(hub_.seen().stored_entries, static_cast<size_t>(ck_sync::kBatchEntries * 2 + 7));
}

TEST_F(NetSyncTest, EntriesCollectedByUsbDoNotBlockTheAck) {
  kiosk_.AddEntries(6);
  ASSERT_TRUE(kiosk_.journal().Ack(4).ok());  // 1..4 went out on a USB stick
  auto r = kiosk_.Sync(hub_.url(), 1, false, true);
  ASSERT_EQ(r.push.state, PushReport::State::kPushed) << Describe(r);
  EXPECT_EQ(r.push.first_seq, 5);
  EXPECT_EQ(r.push.acked_seq, 0);  // the hub has a gap at 1..4
  EXPECT_EQ(kiosk_.Acked(), 6);    // but it holds all of 5..6
  r = kiosk_.Sync(hub_.url(), 1, false, true);
  EXPECT_EQ(r.push.state, PushReport::State::kNothingToSend) << Describe(r);
}

TEST_F(NetSyncTest, ReplayAfterALostResponseStoresNothingTwice) {
  kiosk_.AddEntries(4);
  hub_.LoseNextJournalResponse();
  auto r = kiosk_.Sync(hub_.url(), 1, false, true);
  EXPECT_EQ(r.push.state, PushReport::State::kError) << Describe(r);
  EXPECT_EQ(kiosk_.Acked(), 0);
  EXPECT_EQ(hub_.seen().stored_entries, 4u);
  r = kiosk_.Sync(hub_.url(), 1, false, true);
  ASSERT_EQ(r.push.state, PushReport::State::kPushed) << Describe(r);
  EXPECT_EQ(r.push.stored, 0);
  EXPECT_EQ(r.push.duplicates, 4);
  EXPECT_EQ(kiosk_.Acked(), 4);
  EXPECT_EQ(hub_.seen().stored_entries, 4u);
}

TEST_F(NetSyncTest, RetriesA503WithGrowingJitteredCappedBackoff) {
  kiosk_.AddEntries(2);
  hub_.FailNext(100, 503);
  kiosk_.jitter = {0.875, 0.5, 0.875, 0.25, 0.875, 0.875, 0.875, 0.875, 0.875, 0.875, 0.875};
  auto r = kiosk_.Sync(hub_.url(), 12, false, true);
  EXPECT_EQ(r.push.state, PushReport::State::kError) << Describe(r);
  EXPECT_EQ(r.push.attempts, 12);
  EXPECT_EQ(hub_.seen().journal_posts, 12);
  ASSERT_EQ(kiosk_.sleeps.size(), 11u);
  // ceiling min(300 s, 1 s * 2^(n-1)) times the random fraction: growing, jittered, capped.
  const std::vector<int64_t> want = {875,   1000,   3500,   2000,   14000, 28000,
                                     56000, 112000, 224000, 262500, 262500};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(kiosk_.sleeps[i].count(), want[i]) << i;
  EXPECT_EQ(kiosk_.Acked(), 0);

  // The next cycle catches up once the hub is back.
  hub_.FailNext(1, 429);
  kiosk_.sleeps.clear();
  r = kiosk_.Sync(hub_.url(), 3, false, true);
  EXPECT_EQ(r.push.state, PushReport::State::kPushed) << Describe(r);
  EXPECT_EQ(kiosk_.sleeps.size(), 1u);
  EXPECT_EQ(kiosk_.Acked(), 2);
}

TEST(BackoffTest, FullJitterWithinTheCeiling) {
  ck_sync::RetryPolicy p;
  for (int n = 1; n <= 20; ++n) {
    const int64_t ceiling = std::min<int64_t>(300000, int64_t{1000} << std::min(n - 1, 30));
    EXPECT_EQ(ck_sync::BackoffDelay(p, n, 0.0).count(), 0);
    EXPECT_LE(ck_sync::BackoffDelay(p, n, 0.9999999).count(), ceiling);
    EXPECT_GE(ck_sync::BackoffDelay(p, n, 0.9999999).count(), ceiling - 1);
  }
  EXPECT_TRUE(ck_sync::IsTransientHttpStatus(500));
  EXPECT_TRUE(ck_sync::IsTransientHttpStatus(408));
  EXPECT_TRUE(ck_sync::IsTransientHttpStatus(429));
  EXPECT_FALSE(ck_sync::IsTransientHttpStatus(401));
  EXPECT_FALSE(ck_sync::IsTransientHttpStatus(422));
}

card::PublicKey OtherDeviceKey() {
  return *card::PrivateKey::Generate(card::Alg::kEdDSA)->Public();
}

TEST_F(NetSyncTest, UnknownDeviceIsRefusedWithoutRetry) {
  hub_.Enroll(OtherDeviceKey());
  hub_.Publish(1, Bundles::Get().Bytes(1));
  kiosk_.AddEntries(1);
  auto r = kiosk_.Sync(hub_.url(), 5);
  EXPECT_EQ(r.pull.state, PullReport::State::kRefused) << Describe(r);
  EXPECT_EQ(r.pull.attempts, 1);
  EXPECT_EQ(r.pull.status.code(), base::StatusCode::kUnauthenticated);
  EXPECT_EQ(r.push.state, PushReport::State::kRefused) << Describe(r);
  EXPECT_EQ(r.push.attempts, 1);
  EXPECT_TRUE(kiosk_.sleeps.empty());
  EXPECT_EQ(hub_.seen().auth_failures, (std::vector<std::string>{"unknown kid", "unknown kid"}));
}

TEST_F(NetSyncTest, WithdrawnDeviceIsRefusedWithoutRetry) {
  hub_.Withdraw();
  kiosk_.AddEntries(1);
  auto r = kiosk_.Sync(hub_.url(), 5, false, true);
  EXPECT_EQ(r.push.state, PushReport::State::kRefused) << Describe(r);
  EXPECT_EQ(r.push.status.code(), base::StatusCode::kPermissionDenied);
  EXPECT_EQ(r.push.attempts, 1);
  EXPECT_TRUE(kiosk_.sleeps.empty());
  EXPECT_EQ(kiosk_.Acked(), 0);
}

TEST_F(NetSyncTest, ConnectionRefusedIsRetriedAndReported) {
  std::string url;
  {
    StubHub gone;  // a port that was just in use and is now closed
    url = gone.url();
  }
  kiosk_.AddEntries(1);
  auto r = kiosk_.Sync(url, 3);
  EXPECT_EQ(r.pull.state, PullReport::State::kError) << Describe(r);
  EXPECT_EQ(r.push.state, PushReport::State::kError) << Describe(r);
  EXPECT_EQ(r.pull.attempts, 3);
  EXPECT_TRUE(r.pull.unreachable);
  EXPECT_EQ(r.push.attempts, 0);  // not tried after an unreachable pull
  EXPECT_EQ(kiosk_.sleeps.size(), 2u);
  r = kiosk_.Sync(url, 2, false, true);
  EXPECT_EQ(r.push.state, PushReport::State::kError) << Describe(r);
  EXPECT_EQ(r.push.attempts, 2);
  EXPECT_TRUE(r.error());
  EXPECT_FALSE(r.refused());
}

// ---- The libcurl transport's contract (sync/http_transport.h) ----

// A plain loopback server with a few fixed routes (no signatures: the transport does not sign).
class PlainServer {
 public:
  PlainServer() {
    server_.Get("/echo", [](const httplib::Request& q, httplib::Response& s) {
      s.status = 203;
      s.set_header("X-Mixed-Case", "  spaced value \t");
      s.set_header("X-Seen-Range", q.get_header_value("Range"));
      s.set_header("X-Seen-Custom", q.get_header_value("X-Custom"));
      const_cast<httplib::Request&>(q).ranges.clear();  // answer the whole body
      s.set_content("hello", "text/plain");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& s) {
      s.set_content(std::string(100 * 1024, 'b'), "application/octet-stream");
    });
    server_.Post("/post", [](const httplib::Request& q, httplib::Response& s) {
      s.set_content(std::to_string(q.body.size()) + ":" + q.body.substr(0, 4), "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~PlainServer() {
    while (!server_.is_running()) std::this_thread::yield();
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// Records what the transport hands over; refuses or fails on request.
class RecordingSink final : public ck_sync::BodySink {
 public:
  bool accept = true;
  base::Status fail_with;
  int accepted_calls = 0, writes_before_accept = 0, accepted_status = 0;
  std::string body;
  bool Accept(const ck_sync::HttpResponse& head) override {
    ++accepted_calls;
    accepted_status = head.status;
    return accept;
  }
  base::Status Write(std::string_view data) override {
    if (accepted_calls == 0) ++writes_before_accept;
    body.append(data);
    return fail_with;
  }
};

std::unique_ptr<ck_sync::HttpTransport> PlainTransport(const std::string& url) {
  auto t = ck_sync::MakeCurlTransport({.hub_url = url});
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

TEST(CurlTransportTest, HeadersBothWaysLowerCaseNamesTrimmedValuesAndTheRange) {
  PlainServer server;
  auto t = PlainTransport(server.url(""));
  ASSERT_NE(t, nullptr);
  auto r = t->Send({.method = "GET",
                    .url = server.url("/echo"),
                    .headers = {{"X-Custom", "yes"}},
                    .range_from = 5});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 203);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->headers["x-mixed-case"], "spaced value");
  EXPECT_EQ(r->headers["x-seen-range"], "bytes=5-");
  EXPECT_EQ(r->headers["x-seen-custom"], "yes");
  EXPECT_EQ(r->headers.count("X-Mixed-Case"), 0u);

  const std::string body = "CKJOURNL and more";
  auto p = t->Send({.method = "POST", .url = server.url("/post"), .body = base::AsBytes(body)});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->status, 200);
  EXPECT_EQ(p->body, std::to_string(body.size()) + ":CKJO");
}

TEST(CurlTransportTest, ASinkGetsTheHeadersFirstThenEveryByteOrTheBodyIsCapped) {
  PlainServer server;
  auto t = PlainTransport(server.url(""));
  ASSERT_NE(t, nullptr);
  RecordingSink sink;
  auto r = t->Send({.method = "GET", .url = server.url("/big"), .sink = &sink});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(sink.accepted_calls, 1);
  EXPECT_EQ(sink.accepted_status, 200);
  EXPECT_EQ(sink.writes_before_accept, 0);
  EXPECT_EQ(sink.body.size(), 100u * 1024);
  EXPECT_TRUE(r->body.empty());

  RecordingSink refusing;
  refusing.accept = false;
  r = t->Send({.method = "GET", .url = server.url("/big"), .sink = &refusing});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(refusing.body.empty());
  EXPECT_EQ(r->body.size(), ck_sync::kMaxSmallBody);

  RecordingSink failing;
  failing.fail_with = base::DataLoss("sink full");
  r = t->Send({.method = "GET", .url = server.url("/big"), .sink = &failing});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kDataLoss);
  EXPECT_FALSE(ck_sync::IsTransientTransportError(r.status()));
}

TEST(CurlTransportTest, NoAnswerIsUnavailableAndWorthRetrying) {
  std::string url;
  {
    PlainServer gone;  // a port that was just in use and is now closed
    url = gone.url("");
  }
  auto t = PlainTransport(url);
  ASSERT_NE(t, nullptr);
  auto r = t->Send({.method = "GET", .url = url + "/echo"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_TRUE(ck_sync::IsTransientTransportError(r.status()));
}

TEST(HubUrlTest, PlainHttpOnlyToLoopback) {
  for (const char* ok : {"http://127.0.0.1:1", "http://localhost:8080/hub", "http://[::1]:9"}) {
    EXPECT_TRUE(ck_sync::MakeCurlTransport({.hub_url = ok}).ok()) << ok;
  }
  for (const char* bad : {"http://example.org", "http://10.0.0.1:80", "ftp://127.0.0.1",
                          "https://hub.example.org" /* no pin */, "http://127.0.0.1.evil.org"}) {
    auto c = ck_sync::MakeCurlTransport({.hub_url = bad});
    EXPECT_FALSE(c.ok()) << bad;
  }
}

// ---- cardctl device / sync, end to end ----

cktest::ProcessResult Cardctl(const std::vector<std::string>& args) {
  return cktest::RunProcess(CK_CARDCTL_PATH, args);
}

TEST(CardctlSyncTest, DevicePubkeyIsStableAndEnrollable) {
  cktest::TempDir dir;
  const std::string data = dir.File("kiosk");
  auto a = Cardctl({"device", "pubkey", "--data-dir", data});
  ASSERT_EQ(a.exit_code, 0) << a.Describe();
  auto b = Cardctl({"device", "pubkey", "--data-dir", data});
  ASSERT_EQ(b.exit_code, 0) << b.Describe();
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.out, ReadAll(data + "/device.pub.pem"));
  auto key = card::PublicKey::FromPem(a.out);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->type(), card::KeyType::kEd25519);
  EXPECT_EQ(Cardctl({"device", "pubkey"}).exit_code, 2);
  EXPECT_EQ(Cardctl({"device", "--data-dir", data}).exit_code, 2);
}

TEST(CardctlSyncTest, ALostJournalIsRefusedAndNotReplacedByAnEmptyOne) {
  cktest::TempDir dir;
  const std::string data = dir.File("kiosk");
  ASSERT_TRUE(base::MakeDirs(data, 0700).ok());
  ASSERT_TRUE(journal::WriteChainMarker(cktest::RealFs(), data, {"0123456789abcdef", 41}).ok());
  StubHub hub;
  auto r = Cardctl(
      {"sync", "--data-dir", data, "--hub", hub.url(), "--trust", Bundles::Get().trust_pem_path()});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("journal.db is missing"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("seq 41"), std::string::npos) << r.Describe();
  EXPECT_FALSE(std::filesystem::exists(data + "/journal.db"));
}

TEST(CardctlSyncTest, SyncEndToEndWithExitCodes) {
  cktest::TempDir dir;
  const std::string data = dir.File("kiosk");
  auto pub = Cardctl({"device", "pubkey", "--data-dir", data});
  ASSERT_EQ(pub.exit_code, 0) << pub.Describe();
  StubHub hub;
  hub.Enroll(*card::PublicKey::FromPem(pub.out));
  hub.Publish(1, Bundles::Get().Bytes(1));
  {
    base::SystemClock clock;
    auto j = journal::Journal::Open(data + "/journal.db", clock);
    ASSERT_TRUE(j.ok());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE((*j)->Append({.kind = journal::Kind::kCheckin,
                                .event_id = "E-1",
                                .verdict = "VALID",
                                .decision = "accepted"})
                      .ok());
    }
  }
  const std::string trust = Bundles::Get().trust_pem_path();
  const std::vector<std::string> sync = {"sync",    "--data-dir", data, "--hub",
                                         hub.url(), "--trust",    trust};
  auto r = Cardctl(sync);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out,
            "bundle: applied seq 1 (was 0)\n"
            "journal: pushed entries 1..3, hub acknowledged 3 (stored 3, duplicates 0)\n");
  r = Cardctl(sync);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out,
            "bundle: up to date (seq 1)\njournal: nothing to send (acknowledged through 3)\n");

  // A bundle the importer refuses: exit 1, the registry stays.
  std::string bad = Bundles::Get().Bytes(2);
  bad[bad.size() - 5] = static_cast<char>(bad[bad.size() - 5] ^ 1);
  hub.Publish(2, bad);
  r = Cardctl(sync);
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.out.find("bundle: refused: "), std::string::npos) << r.out;

  // A withdrawn device: refused (1), not retried.
  hub.Withdraw();
  r = Cardctl({"sync", "--data-dir", data, "--hub", hub.url()});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();  // nothing to push, no --trust: nothing to pull
  EXPECT_NE(r.out.find("bundle: not pulled"), std::string::npos) << r.out;
  r = Cardctl(sync);
  EXPECT_EQ(r.exit_code, 1) << r.Describe();

  // Usage and network errors: 2.
  EXPECT_EQ(Cardctl({"sync", "--data-dir", data}).exit_code, 2);
  r = Cardctl({"sync", "--data-dir", data, "--hub", "http://example.org", "--trust", trust});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.out.find("loopback"), std::string::npos) << r.out;
  r = Cardctl({"sync", "--data-dir", data, "--hub", "https://127.0.0.1:1", "--trust", trust});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
}

// ---- TLS with a pinned key ----

struct TlsFiles {
  std::string cert, key, pub;
};

TlsFiles MakeCert(const cktest::TempDir& dir, const std::string& name) {
  TlsFiles f{dir.File(name + ".crt"), dir.File(name + ".key"), dir.File(name + ".pub")};
  auto r =
      cktest::RunProcess("/usr/bin/openssl",
                         {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                          "-nodes", "-keyout", f.key, "-out", f.cert, "-days", "2", "-subj",
                          "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  r = cktest::RunProcess("/usr/bin/openssl", {"pkey", "-in", f.key, "-pubout", "-out", f.pub});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  return f;
}

class TlsHub {
 public:
  explicit TlsHub(const TlsFiles& f) : server_(f.cert.c_str(), f.key.c_str()) {
    server_.Get("/v1/bundle", [](const httplib::Request&, httplib::Response& s) {
      s.status = 404;
      s.set_content(R"({"error":"NOT_FOUND","message":"none"})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~TlsHub() {
    while (!server_.is_running()) std::this_thread::yield();
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

TEST(TlsPinTest, PinnedCertificateOrKeyConnectsAndAnotherKeyFailsTheHandshake) {
  if (!FileExists("/usr/bin/openssl")) GTEST_SKIP() << "no openssl command";
  cktest::TempDir dir;
  const TlsFiles hub_files = MakeCert(dir, "hub");
  const TlsFiles other = MakeCert(dir, "other");
  TlsHub hub(hub_files);
  auto sync_with = [&](Kiosk& k, const std::string& pin) {
    NetSyncOptions o;
    o.data_dir = k.dir();
    o.device_id = "0123456789abcdef";
    o.transport.hub_url = hub.url();
    o.transport.hub_cert_path = pin;
    o.retry.max_attempts = 3;
    o.retry.sleep = [&k](milliseconds d) { k.sleeps.push_back(d); };
    o.push = false;
    base::SystemClock clock;
    auto key = journal::LoadOrCreateDeviceKey(cktest::RealFs(), k.dir());
    return ck_sync::RunNetSyncWithCurl(cktest::RealFs(), clock, k.importer(), k.journal(), *key,
                                       std::move(o));
  };
  Kiosk k;
  auto r = sync_with(k, hub_files.cert);
  EXPECT_EQ(r.pull.state, PullReport::State::kNoBundle) << Describe(r);
  r = sync_with(k, hub_files.pub);  // the public key alone: pin without CA check
  EXPECT_EQ(r.pull.state, PullReport::State::kNoBundle) << Describe(r);
  r = sync_with(k, other.cert);
  EXPECT_EQ(r.pull.state, PullReport::State::kError) << Describe(r);
  EXPECT_EQ(r.pull.attempts, 1) << "a TLS failure is not retried";
  r = sync_with(k, other.pub);
  EXPECT_EQ(r.pull.state, PullReport::State::kError) << Describe(r);
  EXPECT_NE(r.pull.status.message().find("pinned"), std::string::npos) << r.pull.status.message();
  EXPECT_TRUE(k.sleeps.empty());
}

// ---- Against a real `cardhub serve` (tests/unit/hub_fixture.h) ----

struct CycleSetup {
  std::string url;
  int attempts = 2;
  std::function<void(uint64_t, uint64_t)> on_progress;
};

ck_sync::SyncReport RealCycle(hubtest::HubFixture& fx, const std::string& kiosk,
                              const CycleSetup& setup, std::vector<milliseconds>* sleeps) {
  base::SystemClock clock;
  auto key = journal::LoadOrCreateDeviceKey(cktest::RealFs(), kiosk);
  auto j = journal::Journal::Open(kiosk + "/" + journal::kJournalFile, clock);
  EXPECT_TRUE(key.ok() && j.ok());
  bundle::Importer importer(cktest::RealFs(), clock, kiosk, *fx.bundle_key().Public());
  NetSyncOptions o;
  o.data_dir = kiosk;
  o.device_id = fx.DeviceId(kiosk);
  o.transport.hub_url = setup.url;
  o.transport.on_progress = setup.on_progress;
  o.retry.max_attempts = setup.attempts;
  o.retry.sleep = [sleeps](milliseconds d) { sleeps->push_back(d); };
  return ck_sync::RunNetSyncWithCurl(cktest::RealFs(), clock, importer, **j, *key, std::move(o));
}

// uuid -> count, per device name, from `cardhub entries`.
std::map<std::string, int> StoredEntries(hubtest::HubFixture& fx, size_t* total) {
  auto r = fx.Cardhub({"entries", "--data-dir", fx.hub_dir()});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  std::map<std::string, int> count;
  *total = 0;
  std::stringstream ss(r.out);
  std::string line;
  while (std::getline(ss, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("uuid")) << line;
    if (!j.is_object() || !j.contains("uuid")) continue;
    ++count[j["uuid"].get<std::string>()];
    ++*total;
  }
  return count;
}

TEST(RealHubTest, TwoKiosksPullPushAndSurviveAHubKilledMidUpload) {
  hubtest::HubFixture fx;
  const std::string k1 = fx.NewKiosk("k1"), k2 = fx.NewKiosk("k2");
  ASSERT_TRUE(fx.Enroll(k1, "k1"));
  ASSERT_TRUE(fx.Enroll(k2, "k2"));
  ASSERT_TRUE(fx.PublishBundle(2));
  ASSERT_TRUE(fx.StartHub()) << fx.HubStderr();
  std::vector<milliseconds> sleeps;

  for (const std::string& k : {k1, k2}) {
    auto r = RealCycle(fx, k, {.url = fx.hub().base_url()}, &sleeps);
    ASSERT_EQ(r.pull.state, PullReport::State::kApplied) << Describe(r) << fx.HubStderr();
    EXPECT_EQ(r.pull.seq, 2);
    EXPECT_EQ(r.push.state, PushReport::State::kNothingToSend) << Describe(r);
  }
  ASSERT_TRUE(fx.AppendDiscounts(k1, 120));
  ASSERT_TRUE(fx.AppendCheckins(k2, 40));

  auto r = RealCycle(fx, k2, {.url = fx.hub().base_url()}, &sleeps);
  ASSERT_EQ(r.pull.state, PullReport::State::kUpToDate) << Describe(r);
  ASSERT_EQ(r.push.state, PushReport::State::kPushed) << Describe(r) << fx.HubStderr();
  EXPECT_EQ(r.push.acked_seq, 40);

  // k1's upload: the hub is SIGKILLed as soon as the first bytes of the body are out.
  bool killed = false;
  CycleSetup cut{
      .url = fx.hub().base_url(), .attempts = 1, .on_progress = [&](uint64_t sent, uint64_t) {
        if (sent > 0 && !killed) {
          killed = true;
          fx.hub().Kill();
        }
      }};
  r = RealCycle(fx, k1, cut, &sleeps);
  EXPECT_TRUE(killed);
  EXPECT_EQ(r.push.state, PushReport::State::kError) << Describe(r);
  base::SystemClock clock;
  EXPECT_EQ(*(*journal::Journal::Open(k1 + "/journal.db", clock))->AckedSeq(), 0);

  ASSERT_TRUE(fx.StartHub()) << fx.HubStderr();  // a new port: the next cycle catches up
  for (int i = 0; i < 2; ++i) {
    r = RealCycle(fx, k1, {.url = fx.hub().base_url()}, &sleeps);
    ASSERT_EQ(r.push.state, i == 0 ? PushReport::State::kPushed : PushReport::State::kNothingToSend)
        << Describe(r) << fx.HubStderr();
  }
  EXPECT_EQ(*(*journal::Journal::Open(k1 + "/journal.db", clock))->AckedSeq(), 120);
  size_t total = 0;
  const auto stored = StoredEntries(fx, &total);
  EXPECT_EQ(total, 160u);
  EXPECT_EQ(stored.size(), 160u);
  for (const auto& [uuid, n] : stored) EXPECT_EQ(n, 1) << uuid;
}

// Entries collected by USB stick (acknowledged here) leave a gap in what the hub holds: it refuses
// the batch after it (409), and the kiosk sends from the hub's end instead, so the hub gets the
// whole chain. A rewritten journal (same key, new uuids) is refused and stays refused.
TEST(RealHubTest, AGapAtTheHubIsFilledFromTheJournalAndAConflictRefused) {
  hubtest::HubFixture fx;
  const std::string k = fx.NewKiosk("k1");
  ASSERT_TRUE(fx.Enroll(k, "k1"));
  ASSERT_TRUE(fx.StartHub()) << fx.HubStderr();
  ASSERT_TRUE(fx.AppendDiscounts(k, 6));
  base::SystemClock clock;
  ASSERT_TRUE((*journal::Journal::Open(k + "/journal.db", clock))->Ack(4).ok());  // by USB
  std::vector<milliseconds> sleeps;
  auto r = RealCycle(fx, k, {.url = fx.hub().base_url(), .attempts = 1}, &sleeps);
  ASSERT_EQ(r.push.state, PushReport::State::kPushed) << Describe(r) << fx.HubStderr();
  EXPECT_EQ(r.push.first_seq, 1);
  EXPECT_EQ(r.push.last_seq, 6);
  EXPECT_EQ(r.push.acked_seq, 6);
  EXPECT_EQ(r.push.stored, 6);
  size_t total = 0;
  StoredEntries(fx, &total);
  EXPECT_EQ(total, 6u);
  EXPECT_EQ(*(*journal::Journal::Open(k + "/journal.db", clock))->AckedSeq(), 6);

  // The journal replaced under the same key: a new journal id is a new chain, stored beside the
  // first and acknowledged on its own.
  const std::string first_id = fx.JournalId(k);
  for (const char* f : {"/journal.db", "/journal.db-wal", "/journal.db-shm"}) {
    (void)::unlink((k + f).c_str());
  }
  ASSERT_TRUE(fx.AppendDiscounts(k, 2));
  r = RealCycle(fx, k, {.url = fx.hub().base_url(), .attempts = 1}, &sleeps);
  ASSERT_EQ(r.push.state, PushReport::State::kPushed) << Describe(r);
  EXPECT_EQ(r.push.acked_seq, 2);
  EXPECT_EQ(*(*journal::Journal::Open(k + "/journal.db", clock))->AckedSeq(), 2);
  StoredEntries(fx, &total);
  EXPECT_EQ(total, 8u);

  // Replaced again, claiming the first journal's id: a rewritten chain, refused.
  for (const char* f : {"/journal.db", "/journal.db-wal", "/journal.db-shm"}) {
    (void)::unlink((k + f).c_str());
  }
  ASSERT_TRUE(fx.AppendDiscounts(k, 2));
  ASSERT_TRUE(fx.SetJournalId(k, first_id));
  r = RealCycle(fx, k, {.url = fx.hub().base_url(), .attempts = 1}, &sleeps);
  EXPECT_EQ(r.push.state, PushReport::State::kRefused) << Describe(r);
  EXPECT_NE(r.push.status.message().find("409 CONFLICT: conflict at seq 1"), std::string::npos)
      << r.push.status.message();
  EXPECT_EQ(*(*journal::Journal::Open(k + "/journal.db", clock))->AckedSeq(), 0);
  StoredEntries(fx, &total);
  EXPECT_EQ(total, 8u);
}

TEST(RealHubTest, ResumesAPartialDownloadWithRangeAndIfRange) {
  hubtest::HubFixture fx;
  const std::string k = fx.NewKiosk("k");
  ASSERT_TRUE(fx.Enroll(k, "k"));
  ASSERT_TRUE(fx.PublishBundle(2));
  ASSERT_TRUE(fx.StartHub()) << fx.HubStderr();
  // What an interrupted cycle leaves behind: the first bytes and the ETag.
  const std::string whole = ReadAll(fx.root() + "/bundles/seq2.ckbundle");
  ASSERT_GT(whole.size(), 100u);
  ASSERT_TRUE(base::WriteFileAtomic(k + "/bundle.download", whole.substr(0, 100)).ok());
  ASSERT_TRUE(base::WriteFileAtomic(k + "/bundle.download.etag", "\"2\"\n").ok());
  std::vector<milliseconds> sleeps;
  auto r = RealCycle(fx, k, {.url = fx.hub().base_url()}, &sleeps);
  ASSERT_EQ(r.pull.state, PullReport::State::kApplied) << Describe(r) << fx.HubStderr();
  EXPECT_TRUE(r.pull.resumed);
  EXPECT_EQ(r.pull.seq, 2);

  // A partial download of an older bundle: If-Range fails, the hub sends the whole new one.
  ASSERT_TRUE(fx.PublishBundle(3));
  ASSERT_TRUE(base::WriteFileAtomic(k + "/bundle.download", whole.substr(0, 100)).ok());
  ASSERT_TRUE(base::WriteFileAtomic(k + "/bundle.download.etag", "\"2\"\n").ok());
  r = RealCycle(fx, k, {.url = fx.hub().base_url()}, &sleeps);
  ASSERT_EQ(r.pull.state, PullReport::State::kApplied) << Describe(r) << fx.HubStderr();
  EXPECT_FALSE(r.pull.resumed);
  EXPECT_EQ(r.pull.seq, 3);
  EXPECT_TRUE(sleeps.empty());
}

TEST(RealHubTest, HttpsWithThePinnedCertificate) {
  hubtest::HubFixture fx;
  const std::string k = fx.NewKiosk("k");
  ASSERT_TRUE(fx.Enroll(k, "k"));
  ASSERT_TRUE(fx.PublishBundle(3));
  ASSERT_TRUE(fx.AppendDiscounts(k, 3));
  ASSERT_TRUE(fx.StartHub(/*tls=*/true)) << fx.HubStderr();
  ASSERT_TRUE(fx.tls_files().has_value());
  base::SystemClock clock;
  auto key = journal::LoadOrCreateDeviceKey(cktest::RealFs(), k);
  auto j = journal::Journal::Open(k + "/" + journal::kJournalFile, clock);
  ASSERT_TRUE(key.ok() && j.ok());
  bundle::Importer importer(cktest::RealFs(), clock, k, *fx.bundle_key().Public());
  NetSyncOptions o;
  o.data_dir = k;
  o.device_id = fx.DeviceId(k);
  o.transport.hub_url = fx.hub().base_url();
  o.transport.hub_cert_path = fx.tls_files()->cert_path;
  o.retry.max_attempts = 1;
  auto r = ck_sync::RunNetSyncWithCurl(cktest::RealFs(), clock, importer, **j, *key, o);
  EXPECT_EQ(r.pull.state, PullReport::State::kApplied) << Describe(r) << fx.HubStderr();
  EXPECT_EQ(r.push.state, PushReport::State::kPushed) << Describe(r) << fx.HubStderr();
  EXPECT_EQ(r.push.acked_seq, 3);

  // Another certificate pinned: the handshake fails, nothing is retried.
  cktest::TempDir other_dir;
  hubtest::TlsFiles other;
  ASSERT_TRUE(hubtest::MakeSelfSignedCert(other_dir.path(), &other));
  o.transport.hub_cert_path = other.cert_path;
  o.retry.max_attempts = 3;
  o.retry.sleep = [](milliseconds) { ADD_FAILURE() << "retried a TLS failure"; };
  r = ck_sync::RunNetSyncWithCurl(cktest::RealFs(), clock, importer, **j, *key, o);
  EXPECT_EQ(r.pull.state, PullReport::State::kError) << Describe(r);
  EXPECT_TRUE(r.pull.unreachable);
  EXPECT_EQ(r.pull.attempts, 1);
}

}  // namespace

// The kiosk's background cycle: pulls and pushes on its own thread, remembers the last success,
// runs again at once when woken, and stops promptly.
TEST(RealHubTest, BackgroundSyncPullsPushesAndReportsTheLastSuccess) {
  hubtest::HubFixture fx;
  const std::string k = fx.NewKiosk("k1");
  ASSERT_TRUE(fx.Enroll(k, "k1"));
  ASSERT_TRUE(fx.PublishBundle(2));
  ASSERT_TRUE(fx.StartHub()) << fx.HubStderr();
  base::SystemClock clock;
  ck_sync::BackgroundSyncOptions options{.trusted = *fx.bundle_key().Public(),
                                         .interval = std::chrono::seconds(3600)};
  options.net.data_dir = k;
  options.net.device_id = fx.DeviceId(k);
  options.net.transport.hub_url = fx.hub().base_url();
  std::mutex mu;
  std::condition_variable cv;
  std::vector<ck_sync::SyncReport> cycles;
  ck_sync::BackgroundSync sync(cktest::RealFs(), clock, std::move(options),
                               [&](const ck_sync::SyncReport& r) {
                                 std::lock_guard<std::mutex> lock(mu);
                                 cycles.push_back(r);
                                 cv.notify_all();
                               });
  EXPECT_EQ(sync.last_success(), 0);
  sync.Start();
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return cycles.size() >= 1; }));
    EXPECT_EQ(cycles[0].pull.state, PullReport::State::kApplied) << Describe(cycles[0]);
    EXPECT_EQ(cycles[0].pull.seq, 2);
  }
  EXPECT_GT(sync.last_success(), 0);
  // Entries written by the session meanwhile go up on the next cycle, woken without waiting out
  // the hour.
  {
    auto j = journal::Journal::Open(k + "/" + journal::kJournalFile, clock);
    ASSERT_TRUE(j.ok());
    journal::NewEntry e{.kind = journal::Kind::kDiscount,
                        .partner_id = "P1",
                        .purchase_minor = 100,
                        .discount_minor = 5,
                        .verdict = "VALID",
                        .decision = journal::kAccepted};
    ASSERT_TRUE((*j)->Append(e).ok());
  }
  sync.Wake();
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return cycles.size() >= 2; }));
    EXPECT_EQ(cycles[1].pull.state, PullReport::State::kUpToDate) << Describe(cycles[1]);
    EXPECT_EQ(cycles[1].push.state, PushReport::State::kPushed) << Describe(cycles[1]);
  }
  const auto stop_started = std::chrono::steady_clock::now();
  sync.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, std::chrono::seconds(5));
}
