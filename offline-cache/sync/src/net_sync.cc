#include "sync/net_sync.h"

#include <memory>
#include <utility>

#include "bundle_pull.h"
#include "hub_client.h"
#include "journal_push.h"
#include "protocol/hub_url.h"
#include "status_push.h"
#include "sync/hub_time.h"

namespace ck_sync {

NetSync::NetSync(base::FileSystem& fs, const base::Clock& clock, bundle::Importer& importer,
                 journal::Journal& journal, const card::PrivateKey& device_key,
                 HttpTransport& transport, NetSyncOptions options)
    : fs_(fs),
      clock_(clock),
      importer_(importer),
      journal_(journal),
      device_key_(device_key),
      transport_(transport),
      options_(std::move(options)) {
  options_.retry = WithDefaults(std::move(options_.retry));
}

SyncReport FailedCycle(const NetSyncOptions& options, const base::Status& status) {
  SyncReport report;
  if (options.pull) report.pull = {.state = PullReport::State::kError, .status = status};
  if (options.push) report.push = {.state = PushReport::State::kError, .status = status};
  return report;
}

SyncReport NetSync::RunOnce() {
  base::Result<ck_protocol::HubUrl> url = ck_protocol::ParseHubUrl(options_.transport.hub_url);
  if (!url.ok()) return FailedCycle(options_, url.status());
  HubClient hub(transport_, std::move(url).value(), device_key_, clock_);
  SyncReport report;
  if (options_.pull) {
    BundlePull pull(fs_, importer_, hub, options_.retry, options_.data_dir,
                    options_.transport.max_bundle_bytes);
    report.pull = pull.Run();
  }
  if (!options_.push) {
    KeepHubTime(hub.latest_date(), &report);
    return report;
  }
  if (report.pull.unreachable) {
    // Every pull attempt failed to reach the hub: do not spend another round of retries.
    report.push = {.state = PushReport::State::kError,
                   .status = base::Unavailable("not tried: the hub is unreachable")};
    return report;
  }
  JournalPush push(journal_, device_key_, clock_, hub, options_.retry, options_.device_id);
  report.push = push.Run();
  // The report goes to a hub that took the push (one that is unreachable or refuses this device
  // is not asked again).
  const bool pushed = report.push.state == PushReport::State::kPushed ||
                      report.push.state == PushReport::State::kNothingToSend;
  if (options_.status.send && pushed) {
    StatusPush status(fs_, clock_, hub, journal_, importer_, options_);
    report.status_push = status.Run();
  }
  KeepHubTime(hub.latest_date(), &report);
  return report;
}

void NetSync::KeepHubTime(int64_t hub_date, SyncReport* report) {
  if (report->error() || report->refused() || hub_date <= 0) return;
  report->hub_time = hub_date;
  report->hub_time_status = WriteHubTime(fs_, options_.data_dir, hub_date);
}

SyncReport RunNetSyncWithCurl(base::FileSystem& fs, const base::Clock& clock,
                              bundle::Importer& importer, journal::Journal& journal,
                              const card::PrivateKey& device_key, NetSyncOptions options) {
  base::Result<std::unique_ptr<HttpTransport>> transport = MakeCurlTransport(options.transport);
  if (!transport.ok()) return FailedCycle(options, transport.status());
  NetSync sync(fs, clock, importer, journal, device_key, **transport, std::move(options));
  return sync.RunOnce();
}

}  // namespace ck_sync
