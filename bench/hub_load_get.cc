// hub_load get: the smallest signed request, many times (hub_load.cc's header has the usage).
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/fs.h"
#include "card/crypto.h"
#include "hub_load.h"
#include "journal/device_key.h"
#include "protocol/signing.h"

namespace hub_load {

int Get(const Options& o) {
  if (o.kiosks_dir.empty() || o.port == 0) {
    std::fprintf(stderr, "hub_load get: needs --port and --kiosks-dir\n");
    return 2;
  }
  std::vector<card::PrivateKey> keys;
  for (int i = 0; i < o.kiosks; ++i) {
    base::PosixFileSystem fs;
    base::Result<card::PrivateKey> key = journal::LoadOrCreateDeviceKey(fs, KioskDir(o, i));
    if (!key.ok()) {
      std::fprintf(stderr, "hub_load: %s: %s\n", KioskDir(o, i).c_str(),
                   key.status().ToString().c_str());
      return 1;
    }
    keys.push_back(std::move(key).value());
  }
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(o.timeout_s);
  std::atomic<int> next{0};
  std::atomic<int64_t> errors{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::map<int, int64_t> statuses;  // HTTP status -> answers
  auto worker = [&] {
    std::vector<double> mine;
    std::map<int, int64_t> seen;
    base::SystemClock wall;
    for (int i = next++; i < o.kiosks && Clock::now() < deadline; i = next++) {
      httplib::Client cli("127.0.0.1", o.port);
      cli.set_keep_alive(true);
      cli.set_tcp_nodelay(true);
      cli.set_connection_timeout(10, 0);
      cli.set_read_timeout(60, 0);
      for (int r = 0; r < o.requests && Clock::now() < deadline; ++r) {
        base::Result<std::string> auth = ck_protocol::SignRequest(
            keys[static_cast<size_t>(i)], "GET", "/v1/bundle", wall.NowUnixSeconds(), {});
        if (!auth.ok()) {
          ++errors;
          break;
        }
        const auto t0 = Clock::now();
        httplib::Result res = cli.Get("/v1/bundle", {{"Authorization", *auth}});
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (!res || (res->status != 304 && res->status != 404)) {
          std::lock_guard<std::mutex> lock(mu);
          if (errors++ < 3) {
            std::fprintf(stderr, "hub_load get: %s\n",
                         res ? ("HTTP " + std::to_string(res->status) + " " + res->body).c_str()
                             : httplib::to_string(res.error()).c_str());
          }
          break;
        }
        ++seen[res->status];
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    for (const auto& [status, n] : seen) statuses[status] += n;
  };
  std::vector<std::thread> pool;
  const int threads = std::min(o.threads, o.kiosks);
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::printf("get: %d kiosks x %d signed GET /v1/bundle, %d client threads\n", o.kiosks,
              o.requests, threads);
  std::printf("wall %.2f s: %.1f requests/s;", wall_s,
              static_cast<double>(latencies_ms.size()) / wall_s);
  for (const auto& [status, n] : statuses)
    std::printf(" %d: %lld", status, static_cast<long long>(n));
  std::printf("; errors: %lld\n", static_cast<long long>(errors.load()));
  PrintLatency(latencies_ms);
  const bool ok =
      errors == 0 && static_cast<int64_t>(latencies_ms.size()) == int64_t{o.kiosks} * o.requests;
  if (!ok) std::printf("get: FAILED\n");
  return ok ? 0 : 1;
}

}  // namespace hub_load
