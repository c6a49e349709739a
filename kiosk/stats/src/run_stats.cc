#include "kiosk_stats/run_stats.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

namespace kiosk_stats {

void Samples::Add(double v) {
  if (values.size() < kMaxSamples) {
    values.push_back(v);
  } else {
    values[count % kMaxSamples] = v;  // the oldest goes
  }
  ++count;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

long MaxRssKb() {
  rusage ru{};
  return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

long AnonymousKb() {
  FILE* f = std::fopen("/proc/self/smaps_rollup", "r");
  if (f == nullptr) return 0;
  char line[256];
  long kb = 0;
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::sscanf(line, "Anonymous: %ld kB", &kb) == 1) break;
  std::fclose(f);
  return kb;
}

nlohmann::json RunStats::Json() const {
  nlohmann::json stats = {{"frames_drawn", draw_ms_.count},
                          {"draw_ms_p50", Percentile(draw_ms_.values, 0.5)},
                          {"draw_ms_p95", Percentile(draw_ms_.values, 0.95)},
                          {"draw_ms_max", Percentile(draw_ms_.values, 1.0)},
                          {"scans_from_camera", latency_ms_.count},
                          {"frame_to_screen_ms_p50", Percentile(latency_ms_.values, 0.5)},
                          {"frame_to_screen_ms_p95", Percentile(latency_ms_.values, 0.95)},
                          {"screenshots", screenshots_},
                          {"max_rss_kb", MaxRssKb()},
                          {"anon_kb", AnonymousKb()}};
  return nlohmann::json({{"stats", stats}});
}

}  // namespace kiosk_stats
