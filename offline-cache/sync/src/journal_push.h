// The push half of a sync cycle (docs/network-sync.md "Push"): the entries after the journal's
// acknowledged seq go up as signed batches (POST /v1/journal) until the hub has everything, and
// the hub's acknowledgement is recorded. Internal to ck_sync.
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"
#include "card/crypto.h"
#include "hub_client.h"
#include "journal/journal.h"
#include "sync/net_sync.h"
#include "sync/retry.h"

namespace ck_sync {

// All references must outlive the object. One Run at a time.
class JournalPush {
 public:
  JournalPush(journal::Journal& journal, const card::PrivateKey& device_key,
              const base::Clock& clock, HubClient& hub, const RetryPolicy& retry,
              const std::string& device_id)
      : journal_(journal),
        device_key_(device_key),
        clock_(clock),
        hub_(hub),
        retry_(retry),
        device_id_(device_id) {}

  // Batch after batch (at most kMaxBatchesPerCycle), the totals in one report.
  PushReport Run();

 private:
  PushReport PushBatch();
  // Where the next batch starts after: the journal's acknowledged seq, or the hub's held seq when a
  // probe found it lower.
  int64_t Position(int64_t recorded_ack) const;
  // The seq the hub holds contiguously, from its answer to an empty batch; nothing on failure.
  std::optional<int64_t> ProbeHeld();
  // Sends `batch` with retries; the hub's 200 answer, or nothing (`rep` says why).
  std::optional<HttpResponse> Send(const base::Bytes& batch, PushReport* rep);
  // Reads the hub's answer to a stored batch and records the acknowledgement.
  void RecordAnswer(const HttpResponse& answer, PushReport* rep);

  journal::Journal& journal_;
  const card::PrivateKey& device_key_;
  const base::Clock& clock_;
  HubClient& hub_;
  const RetryPolicy& retry_;
  const std::string& device_id_;
  // Within one Run: the hub's held seq once a 409 made the push ask for it.
  std::optional<int64_t> hub_held_;
  int last_http_status_ = 0;  // of the last non-200 answer
};

}  // namespace ck_sync
