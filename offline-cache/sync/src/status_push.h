// The status report of one sync cycle (POST /v1/status, docs/hub-protocol.md): what this kiosk
// reads of itself, sent signed after the journal push. Internal to ck_sync.
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"
#include "base/fs.h"
#include "bundle/importer.h"
#include "hub_client.h"
#include "journal/journal.h"
#include "protocol/status_report.h"
#include "sync/machine_health.h"
#include "sync/net_sync.h"

namespace ck_sync {

// `hub`, `journal`, `importer` and the options' failed_scans must outlive it.
class StatusPush {
 public:
  StatusPush(base::FileSystem& fs, const base::Clock& clock, HubClient& hub,
             journal::Journal& journal, const bundle::Importer& importer,
             const NetSyncOptions& options)
      : fs_(fs),
        clock_(clock),
        hub_(hub),
        journal_(journal),
        importer_(importer),
        options_(options) {}

  // Sends one report; refused scans the hub accepted are forgotten. A 404 is a hub that predates
  // the endpoint (kNotSupported).
  StatusPushReport Run();

 private:
  ck_protocol::StatusReport Build(ReasonCounts failed);

  base::FileSystem& fs_;
  const base::Clock& clock_;
  HubClient& hub_;
  journal::Journal& journal_;
  const bundle::Importer& importer_;
  const NetSyncOptions& options_;
};

}  // namespace ck_sync
