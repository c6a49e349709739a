#include "sync/background_sync.h"

#include "bundle/importer.h"
#include "journal/chain.h"
#include "journal/device_key.h"
#include "journal/journal.h"

namespace ck_sync {

BackgroundSync::BackgroundSync(base::FileSystem& fs, const base::Clock& clock,
                               BackgroundSyncOptions options,
                               std::function<void(const SyncReport&)> on_cycle)
    : fs_(fs), clock_(clock), options_(std::move(options)), on_cycle_(std::move(on_cycle)) {
  if (!options_.make_transport) options_.make_transport = &MakeCurlTransport;
}

BackgroundSync::~BackgroundSync() { Stop(); }

void BackgroundSync::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void BackgroundSync::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackgroundSync::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

SyncReport BackgroundSync::Cycle() {
  SyncReport report;
  const std::string& dir = options_.net.data_dir;
  // Its own connection and key: nothing is shared with the session's thread.
  base::Result<std::unique_ptr<journal::Journal>> j =
      journal::OpenExistingJournal(fs_, dir, clock_);
  base::Result<card::PrivateKey> key = journal::LoadOrCreateDeviceKey(fs_, dir);
  if (!j.ok() || !key.ok()) {
    report.pull.state = PullReport::State::kError;
    report.pull.status = !j.ok() ? j.status() : key.status();
    return report;
  }
  base::Result<std::unique_ptr<HttpTransport>> transport =
      options_.make_transport(options_.net.transport);
  if (!transport.ok()) return FailedCycle(options_.net, transport.status());
  bundle::Importer importer(fs_, clock_, dir, options_.trusted);
  NetSync sync(fs_, clock_, importer, **j, *key, **transport, options_.net);
  return sync.RunOnce();
}

void BackgroundSync::Loop() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      wake_ = false;
    }
    SyncReport report = Cycle();
    if (!report.error() && !report.refused()) last_success_ = clock_.NowUnixSeconds();
    if (on_cycle_) on_cycle_(report);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, options_.interval, [this] { return stop_ || wake_; });
  }
}

}  // namespace ck_sync
