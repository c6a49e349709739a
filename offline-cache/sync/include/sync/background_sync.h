// The kiosk's network sync running in the background: one NetSync cycle every `interval`, on its
// own thread, with its own journal connection (the kiosk's session keeps writing on its own; WAL
// lets both work). Reports each cycle to a callback and remembers the last success.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/fs.h"
#include "card/crypto.h"
#include "sync/http_transport.h"
#include "sync/net_sync.h"

namespace ck_sync {

// Builds the transport of one cycle (a failure is that cycle's report). Called on the sync thread.
using TransportFactory =
    std::function<base::Result<std::unique_ptr<HttpTransport>>(const TransportOptions&)>;

struct BackgroundSyncOptions {
  NetSyncOptions net;                  // data_dir, device_id, transport, retry
  card::PublicKey trusted;             // the pinned bundle key
  std::chrono::seconds interval{300};  // between the end of one cycle and the next
  TransportFactory make_transport;     // empty: the libcurl one (MakeCurlTransport)
};

// Starts its thread in Start() and stops it in Stop() or the destructor. `fs` and `clock` must
// outlive it. `on_cycle` runs on the sync thread after every cycle (keep it quick, thread-safe).
class BackgroundSync {
 public:
  BackgroundSync(base::FileSystem& fs, const base::Clock& clock, BackgroundSyncOptions options,
                 std::function<void(const SyncReport&)> on_cycle);
  ~BackgroundSync();
  BackgroundSync(const BackgroundSync&) = delete;
  BackgroundSync& operator=(const BackgroundSync&) = delete;

  void Start();
  void Stop();
  // Runs a cycle now (instead of waiting out the interval), e.g. "sync now" from the admin menu.
  void Wake();

  // Unix time of the last cycle that reached the hub without an error; 0 before the first.
  int64_t last_success() const { return last_success_.load(); }

 private:
  void Loop();
  SyncReport Cycle();

  base::FileSystem& fs_;
  const base::Clock& clock_;
  BackgroundSyncOptions options_;
  std::function<void(const SyncReport&)> on_cycle_;
  std::atomic<int64_t> last_success_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, wake_ = false;
  std::thread thread_;
};

}  // namespace ck_sync
