// Network sync with the hub (DESIGN.md section 8, docs/hub-protocol.md, docs/network-sync.md): one
// cycle pulls the latest registry bundle (GET /v1/bundle, resumable) and hands it to the same
// bundle::Importer as a USB stick, then pushes the journal entries after the acknowledged seq as a
// signed batch (POST /v1/journal) and records the hub's acknowledgement.
//
// HubClient is the transport (libcurl): TLS with the hub's public key pinned, plain HTTP only to a
// loopback host, every request signed with the device key. NetSync is the cycle; `cardctl sync`
// runs it once, the kiosk in the background.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/fs.h"
#include "base/status.h"
#include "bundle/importer.h"
#include "card/crypto.h"
#include "journal/journal.h"

namespace ck_sync {

inline constexpr char kBundleDownloadFile[] = "bundle.download";
inline constexpr char kBundleDownloadEtagFile[] = "bundle.download.etag";
inline constexpr uint64_t kDefaultMaxBundleBytes = uint64_t{512} << 20;
// The hub refuses batches above 8 MiB (413).
inline constexpr size_t kMaxBatchBytes = size_t{8} << 20;
// Entries per POST, and POSTs per cycle (500,000 entries: months of a busy kiosk).
inline constexpr int64_t kBatchEntries = 5000;
inline constexpr int kMaxBatchesPerCycle = 100;

// Requests are signed with hub::SignRequest (hub/auth.h), the same code the hub verifies with.

// "sha256//<base64 of SHA-256 of the DER SubjectPublicKeyInfo>", the form libcurl's
// CURLOPT_PINNEDPUBLICKEY takes, from a PEM certificate or PEM public key.
base::Result<std::string> PinnedKeyFromPem(std::string_view pem);

// ---- Transport ----

struct TransportOptions {
  // "https://hub.example.org[:port][/prefix]", or "http://127.0.0.1:PORT" (plain HTTP is refused
  // for anything but a loopback host).
  std::string hub_url;
  // The hub's certificate (PEM; pinned and used as the only CA) or its public key (PEM; pinned,
  // no CA check). Required for https.
  std::string hub_cert_path;
  std::chrono::seconds connect_timeout{15};
  // A transfer slower than 1 byte/s for this long is aborted (a resumable download keeps what it
  // has); a small request (POST, 304) never takes longer than request_timeout.
  std::chrono::seconds stall_timeout{60};
  std::chrono::seconds request_timeout{120};
  uint64_t max_bundle_bytes = kDefaultMaxBundleBytes;
  // Called from the transfer with the bytes sent and received so far (tests: cut the hub off
  // mid-upload). May be empty.
  std::function<void(uint64_t sent, uint64_t received)> on_progress;
};

struct HttpResponse {
  long status = 0;                             // NOLINT(google-runtime-int): libcurl's type
  std::map<std::string, std::string> headers;  // names lower-case; the last of repeated ones
  std::string body;                            // small bodies only (errors, JSON); capped
};

// Where a GET streams its body.
struct DownloadTarget {
  std::string path;          // file to write
  uint64_t resume_from = 0;  // > 0: append on 206 (truncate and restart on 200)
  uint64_t max_bytes = kDefaultMaxBundleBytes;
  // Called once the status and headers are known, before any body byte is written (e.g. to
  // record the ETag of a download that may be interrupted).
  std::function<void(const HttpResponse&)> on_headers;
};

// A transfer that did not produce an HTTP answer (connect, TLS, timeout, cut connection).
struct TransportError {
  base::Status status;
  bool transient = false;  // worth retrying (connect/timeout/cut), not TLS or local problems
};

// One hub connection configuration; each call is one request. Not thread-safe.
class HubClient {
 public:
  // Checks the URL and loads the pin; `device_key` and `clock` must outlive the client.
  static base::Result<std::unique_ptr<HubClient>> Create(TransportOptions options,
                                                         const card::PrivateKey& device_key,
                                                         const base::Clock& clock);
  ~HubClient();

  // GET `path` (e.g. "/v1/bundle"), signed. With a target, 200/206 bodies go to the file and
  // other statuses' bodies to the response. `error` is set when there is no HTTP answer (a body
  // cut short after 200/206 headers also counts: the response then holds those headers).
  HttpResponse Get(const std::string& path, const std::vector<std::string>& extra_headers,
                   DownloadTarget* target, std::optional<TransportError>* error);
  HttpResponse Post(const std::string& path, base::ByteSpan body, const std::string& content_type,
                    std::optional<TransportError>* error);

 private:
  struct Impl;
  explicit HubClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- Retry ----

// Exponential backoff with full jitter: before retry n (n = 1, 2, ...) sleep a uniformly random
// time in [0, min(cap, base * 2^(n-1))].
struct RetryPolicy {
  int max_attempts = 6;  // per request per cycle; a cycle never blocks forever
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{std::chrono::minutes(5)};
  // Injected for tests: defaults sleep for real and use a random_device-seeded generator.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> uniform01;  // in [0, 1)
};
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double uniform01);
// 5xx, 408 and 429 are worth retrying; any other 4xx is final.
bool IsTransientHttpStatus(long status);  // NOLINT(google-runtime-int)

// ---- The cycle ----

struct PullReport {
  enum class State { kNotRun, kNoBundle, kUpToDate, kApplied, kRefused, kError };
  State state = State::kNotRun;
  int64_t previous_seq = 0;  // applied seq before (0: none)
  int64_t seq = 0;           // applied seq after
  bool resumed = false;      // a partial download was continued
  bool unreachable = false;  // no HTTP answer at all (connect/TLS): the push is not tried
  int attempts = 0;
  base::Status status;  // why, for kRefused and kError
};

struct PushReport {
  enum class State { kNotRun, kNothingToSend, kPushed, kRefused, kError };
  State state = State::kNotRun;
  int64_t first_seq = 0, last_seq = 0;  // the batch sent
  int64_t acked_seq = 0;                // as the hub answered
  int64_t recorded_ack = 0;             // the journal's acknowledged seq afterwards
  int64_t stored = 0, duplicates = 0;
  int attempts = 0;
  base::Status status;  // why, for kRefused and kError
};

struct SyncReport {
  PullReport pull;
  PushReport push;
  bool refused() const;
  bool error() const;
  // "bundle: applied seq 2 (was 1)", "journal: pushed entries 5..42, hub acknowledged 42", ...
  std::vector<std::string> Lines() const;
};

struct NetSyncOptions {
  std::string data_dir;
  std::string device_id;  // names the batches (see device_id.h)
  TransportOptions transport;
  RetryPolicy retry;
  bool pull = true;
  bool push = true;
};

// One pull + push cycle. Dependencies are injected and must outlive the object; `journal` is the
// kiosk's own (one writer). Not thread-safe: the caller runs one cycle at a time per data dir.
class NetSync {
 public:
  NetSync(base::FileSystem& fs, const base::Clock& clock, bundle::Importer& importer,
          journal::Journal& journal, const card::PrivateKey& device_key, NetSyncOptions options);

  // Never fails as a whole: every problem is in the report. An interrupted download stays in
  // DATA_DIR/bundle.download for the next cycle; unacknowledged entries are sent again next time.
  SyncReport RunOnce();

 private:
  PullReport Pull(HubClient& client);
  PushReport Push(HubClient& client);
  PushReport PushBatch(HubClient& client);
  // Runs `attempt` until it says it is done or the attempts are used up.
  template <typename Fn>
  void Retry(Fn&& attempt, int* attempts);

  base::FileSystem& fs_;
  const base::Clock& clock_;
  bundle::Importer& importer_;
  journal::Journal& journal_;
  const card::PrivateKey& device_key_;
  NetSyncOptions options_;
};

}  // namespace ck_sync
