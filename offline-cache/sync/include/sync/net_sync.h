// Network sync with the hub (DESIGN.md section 8, docs/hub-protocol.md, docs/network-sync.md): one
// cycle pulls the latest registry bundle (GET /v1/bundle, resumable) and hands it to the same
// bundle::Importer as a USB stick, then pushes the journal entries after the acknowledged seq as a
// signed batch (POST /v1/journal) and records the hub's acknowledgement.
//
// NetSync is the cycle over an injected HttpTransport (sync/http_transport.h); every request is
// signed with the device key (ck_protocol::SignRequest, the code the hub verifies with).
// RunNetSyncWithCurl builds the libcurl transport for one cycle; `cardctl sync` runs it once, the
// kiosk in the background (sync/background_sync.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/fs.h"
#include "base/status.h"
#include "bundle/importer.h"
#include "card/crypto.h"
#include "journal/journal.h"
#include "sync/curl_transport.h"
#include "sync/failed_scans.h"
#include "sync/http_transport.h"
#include "sync/retry.h"

namespace ck_sync {

inline constexpr char kBundleDownloadFile[] = "bundle.download";
inline constexpr char kBundleDownloadEtagFile[] = "bundle.download.etag";
// The hub refuses batches above 8 MiB (413).
inline constexpr size_t kMaxBatchBytes = size_t{8} << 20;
// Entries per POST, and POSTs per cycle (500,000 entries: months of a busy kiosk).
inline constexpr int64_t kBatchEntries = 5000;
inline constexpr int kMaxBatchesPerCycle = 100;

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

// POST /v1/status after the push (docs/hub-protocol.md). Never makes the cycle fail.
struct StatusPushReport {
  enum class State { kNotRun, kSent, kNotSupported, kRefused, kError };
  State state = State::kNotRun;
  base::Status status;  // why, for kRefused and kError
};

struct SyncReport {
  PullReport pull;
  PushReport push;
  StatusPushReport status_push;
  // After a cycle with neither an error nor a refusal: the latest `Date` of the hub's answers,
  // saved in DATA_DIR/hub-time (sync/hub_time.h) as the kiosk's clock anchor; else 0.
  int64_t hub_time = 0;
  base::Status hub_time_status;  // why it could not be saved, if so
  bool refused() const;
  bool error() const;
  // "bundle: applied seq 2 (was 1)", "journal: pushed entries 5..42, hub acknowledged 42", ...
  std::vector<std::string> Lines() const;
};

// What the session serves, asked when a status report is sent (mode "shop"/"event"/"").
struct StatusScope {
  std::string mode;
  std::string scope_id;
};

struct StatusOptions {
  bool send = true;  // after a push that reached the hub
  std::string app_version = "unknown";
  std::function<StatusScope()> scope;  // empty: mode "" (not known)
  // Refused scans to report and, once the hub accepted them, forget; null: none counted. Not
  // owned; must outlive the cycles.
  FailedScans* failed_scans = nullptr;
  // Where /proc and /sys are read from (uptime, a Raspberry Pi's temperature and under-voltage);
  // tests point it at a directory of their own.
  std::string system_root = "/";
};

struct NetSyncOptions {
  std::string data_dir;
  std::string device_id;  // names the batches (see device_id.h)
  // hub_url and max_bundle_bytes are the cycle's; the rest configures the libcurl transport.
  TransportOptions transport;
  RetryPolicy retry;
  bool pull = true;
  bool push = true;
  StatusOptions status;
};

// One pull + push cycle. Dependencies are injected and must outlive the object; `journal` is the
// kiosk's own (one writer). Not thread-safe: the caller runs one cycle at a time per data dir.
class NetSync {
 public:
  NetSync(base::FileSystem& fs, const base::Clock& clock, bundle::Importer& importer,
          journal::Journal& journal, const card::PrivateKey& device_key, HttpTransport& transport,
          NetSyncOptions options);

  // Never fails as a whole: every problem is in the report. An interrupted download stays in
  // DATA_DIR/bundle.download for the next cycle; unacknowledged entries are sent again next time.
  SyncReport RunOnce();

 private:
  // Saves the hub's time after a successful cycle (SyncReport::hub_time).
  void KeepHubTime(int64_t hub_date, SyncReport* report);

  base::FileSystem& fs_;
  const base::Clock& clock_;
  bundle::Importer& importer_;
  journal::Journal& journal_;
  const card::PrivateKey& device_key_;
  HttpTransport& transport_;
  NetSyncOptions options_;
};

// The report of a cycle that could not start: `status` for each half that was to run.
SyncReport FailedCycle(const NetSyncOptions& options, const base::Status& status);

// Convenience for the wiring: builds the libcurl transport from options.transport
// (MakeCurlTransport; a failure is the report of both halves) and runs one NetSync cycle.
SyncReport RunNetSyncWithCurl(base::FileSystem& fs, const base::Clock& clock,
                              bundle::Importer& importer, journal::Journal& journal,
                              const card::PrivateKey& device_key, NetSyncOptions options);

}  // namespace ck_sync
