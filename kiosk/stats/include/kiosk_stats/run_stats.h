// What the app measures while it runs (draw times, camera-to-screen latencies, screenshots) and
// the process's memory, printed as one JSON line when it ends. Bounded: the last kMaxSamples
// values of each series are kept (a kiosk runs for months). Not thread-safe (the UI thread's).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <vector>

namespace kiosk_stats {

inline constexpr size_t kMaxSamples = 1 << 16;

// The last kMaxSamples values added (a ring); `count` is every value ever added.
struct Samples {
  std::vector<double> values;
  size_t count = 0;
  void Add(double v);
};

// The value at fraction `p` (0..1) of the sorted values; 0 when there are none.
double Percentile(std::vector<double> v, double p);

// Peak resident memory of the process so far, in KiB.
long MaxRssKb();
// Memory the process itself owns now (heap, stacks, caches), without the shared libraries that
// RSS also counts (software GL alone maps ~60 MB of LLVM under Xvfb), in KiB; 0 if unknown.
long AnonymousKb();

class RunStats {
 public:
  void AddDraw(double ms) { draw_ms_.Add(ms); }
  void AddFrameToScreen(double ms) { latency_ms_.Add(ms); }
  // Counts a screenshot and returns its number (1, 2, ...).
  int NextScreenshot() { return ++screenshots_; }

  const Samples& draw_ms() const { return draw_ms_; }
  const Samples& frame_to_screen_ms() const { return latency_ms_; }
  int screenshots() const { return screenshots_; }

  // {"stats":{"frames_drawn":..,"draw_ms_p50":..,...,"max_rss_kb":..,"anon_kb":..}}
  nlohmann::json Json() const;

 private:
  Samples draw_ms_;
  Samples latency_ms_;
  int screenshots_ = 0;
};

}  // namespace kiosk_stats
