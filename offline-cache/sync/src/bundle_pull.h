// The pull half of a sync cycle (docs/network-sync.md "Pull"): GET /v1/bundle with If-None-Match,
// resumed with Range/If-Range from DATA_DIR/bundle.download and its ETag, then the complete file
// handed to the bundle::Importer. Internal to ck_sync.
#pragma once

#include <cstdint>
#include <string>

#include "base/fs.h"
#include "bundle/importer.h"
#include "hub_client.h"
#include "sync/net_sync.h"
#include "sync/retry.h"

namespace ck_sync {

// All references must outlive the object. One Run at a time.
class BundlePull {
 public:
  BundlePull(base::FileSystem& fs, bundle::Importer& importer, HubClient& hub,
             const RetryPolicy& retry, const std::string& data_dir, uint64_t max_bytes);

  // Pulls and applies until up to date: a delta answer is followed by another GET from the new
  // seq (at most 32 in a cycle). The report spans the chain (previous_seq before the first).
  PullReport Run();

 private:
  PullReport RunOne();
  // One GET; true when done (applied-ready, up to date, or a final failure).
  bool Attempt(PullReport* rep, bool* complete);
  // Sorts the answer to a GET that reached the hub.
  bool OnAnswer(const HttpResponse& r, uint64_t have, PullReport* rep, bool* complete);
  // A 200 or 206: the file is complete, or the attempt failed (partial file kept or discarded).
  bool CheckComplete(const HttpResponse& r, uint64_t have, PullReport* rep);
  void Apply(PullReport* rep);
  void Discard();

  base::FileSystem& fs_;
  bundle::Importer& importer_;
  HubClient& hub_;
  const RetryPolicy& retry_;
  const std::string download_, etag_file_;
  const uint64_t max_bytes_;
  bool applied_delta_ = false;  // the last RunOne applied a delta bundle
};

}  // namespace ck_sync
