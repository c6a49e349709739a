// What the modes of bench/hub_load.cc share (hub_load_get.cc is the `get` mode).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace hub_load {

struct Options {
  std::string hub_dir, kiosks_dir;
  int port = 0;
  int kiosks = 200;
  int entries = 100;
  int batches = 4;
  int threads = 48;
  int timeout_s = 120;
  int retries = 0;
  int requests = 20;  // get: per kiosk
};

inline std::string KioskName(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "load-%04d", i);
  return buf;
}

inline std::string KioskDir(const Options& o, int i) { return o.kiosks_dir + "/" + KioskName(i); }

// Nearest-rank percentile of sorted values.
inline double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  double rank = p / 100.0 * static_cast<double>(sorted.size());
  size_t idx = static_cast<size_t>(rank);
  if (static_cast<double>(idx) < rank) ++idx;  // ceil
  if (idx == 0) idx = 1;
  return sorted[std::min(idx, sorted.size()) - 1];
}

// "latency ms: p50 ... p95 ... p99 ... max ... mean ..." of sorted values.
inline void PrintLatency(const std::vector<double>& sorted) {
  double sum = 0;
  for (double v : sorted) sum += v;
  std::printf("latency ms: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f  mean %.1f\n",
              Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99),
              sorted.empty() ? 0.0 : sorted.back(),
              sorted.empty() ? 0.0 : sum / static_cast<double>(sorted.size()));
}

// Every kiosk sends o.requests signed GET /v1/bundle over one keep-alive connection: the smallest
// signed request (docs/hub.md, "Load").
int Get(const Options& o);

}  // namespace hub_load
