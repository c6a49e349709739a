#include "status_push.h"

#include <utility>

#include "protocol/paths.h"

namespace ck_sync {

ck_protocol::StatusReport StatusPush::Build(ReasonCounts failed) {
  ck_protocol::StatusReport r;
  r.app_version = options_.status.app_version.empty() ? "unknown" : options_.status.app_version;
  if (options_.status.scope) {
    StatusScope scope = options_.status.scope();
    r.mode = std::move(scope.mode);
    r.scope_id = std::move(scope.scope_id);
  }
  base::Result<std::optional<registry::Meta>> meta = importer_.AppliedMeta();
  r.registry_seq = meta.ok() && meta->has_value() ? (*meta)->seq : 0;
  r.journal_last_seq = journal_.last_seq();
  r.kiosk_time_utc = clock_.NowUnixSeconds();
  const MachineHealth machine = ReadMachineHealth(fs_, options_.status.system_root);
  r.uptime_seconds = machine.uptime_seconds;
  r.temperature_celsius = machine.temperature_celsius;
  r.undervoltage = machine.undervoltage;
  r.disk_free_bytes = FreeBytes(options_.data_dir);
  base::Result<int64_t> corrections = journal_.CountKind("clock_correction");
  r.clock_corrections = corrections.ok() ? *corrections : 0;
  r.failed_scans = std::move(failed);
  return r;
}

StatusPushReport StatusPush::Run() {
  StatusPushReport rep;
  ReasonCounts failed;
  if (options_.status.failed_scans != nullptr) {
    base::Result<ReasonCounts> snap = options_.status.failed_scans->Snapshot();
    if (snap.ok()) failed = std::move(snap).value();
  }
  const std::string body = ck_protocol::EncodeStatusReport(Build(failed));
  base::Result<HttpResponse> r =
      hub_.Post(ck_protocol::kStatusPath, base::AsBytes(body), "application/json");
  if (!r.ok()) return {.state = StatusPushReport::State::kError, .status = r.status()};
  if (r->status == 404) return {.state = StatusPushReport::State::kNotSupported};
  if (r->status != 200) {
    const bool transient = IsTransientHttpStatus(r->status);
    return {
        .state = transient ? StatusPushReport::State::kError : StatusPushReport::State::kRefused,
        .status = HttpError("POST /v1/status", *r)};
  }
  rep.state = StatusPushReport::State::kSent;
  if (options_.status.failed_scans != nullptr && !failed.empty()) {
    rep.status = options_.status.failed_scans->Forget(failed);
    if (!rep.status.ok()) rep.state = StatusPushReport::State::kError;
  }
  return rep;
}

}  // namespace ck_sync
