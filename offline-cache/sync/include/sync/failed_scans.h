// Refused scans by reason code, counted on the kiosk until the hub has accepted a status report
// that carried them (POST /v1/status, docs/hub-protocol.md: "failed_scans ... since the last report
// the hub accepted"). Kept in DATA_DIR/failed-scans.db, so a restart does not lose them.
//
// Thread-safe: the session counts on the app's thread while the sync thread takes a snapshot and
// later forgets what the hub accepted; one connection behind a mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "sqlite/db.h"

namespace ck_sync {

inline constexpr char kFailedScansFile[] = "failed-scans.db";

using ReasonCounts = std::vector<std::pair<std::string, int64_t>>;

class FailedScans {
 public:
  // Opens (creates) DATA_DIR/failed-scans.db ("failed-scans.db: why" on failure).
  static base::Result<std::unique_ptr<FailedScans>> Open(const std::string& data_dir);

  // One refused scan. `reason` is the decision code ("REVOKED", "CLOCK_BEHIND"); anything outside
  // the protocol's set (A-Z, 0-9, '_', 1-64 bytes) is counted as "OTHER".
  base::Status Count(std::string_view reason);
  // The counts now, by reason in byte order, at most ck_protocol::kMaxFailedScanReasons (the
  // largest counts beyond it are folded into "OTHER").
  base::Result<ReasonCounts> Snapshot();
  // Takes `sent` (a Snapshot the hub accepted) off the counts; what was counted since stays.
  base::Status Forget(const ReasonCounts& sent);

 private:
  explicit FailedScans(sqlite::Db db) : db_(std::move(db)) {}

  std::mutex mu_;
  sqlite::Db db_;
};

// `reason` when it is a valid protocol reason code, else "OTHER".
std::string ReasonCode(std::string_view reason);

}  // namespace ck_sync
