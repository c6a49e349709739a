// Frame-to-verdict latency: the corpus' frames of one size delivered like a camera (one every 1/fps
// s) through the real ScanPipeline, every decoded text verified as the kiosk does.
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>

#include "base/clock.h"
#include "base/file.h"
#include "bench_corpus.h"
#include "card/verifier.h"
#include "scanner/scan_pipeline.h"

namespace bench {
namespace {

constexpr int64_t kIat = 1'767'225'600;  // gen_frames issues at this time

// Frames from memory at a camera's pace; a frame is captured when it is delivered. Every frame is
// delivered (the pipeline decides what to drop).
class PacedMemorySource final : public scanner::FrameSource {
 public:
  PacedMemorySource(std::vector<const scanner::GrayImage*> frames, double fps,
                    const base::Clock& clock)
      : frames_(std::move(frames)), period_ns_(static_cast<int64_t>(1e9 / fps)), clock_(clock) {}

  base::Result<std::optional<scanner::CapturedFrame>> Next(int timeout_ms) override {
    if (next_ >= frames_.size()) {
      state_ = scanner::SourceState::kEnded;
      return std::optional<scanner::CapturedFrame>();
    }
    const int64_t now = clock_.MonotonicNanos();
    if (start_ns_ < 0) start_ns_ = now;
    const int64_t due = start_ns_ + static_cast<int64_t>(next_) * period_ns_;
    if (due - now > int64_t{timeout_ms} * 1'000'000) return std::optional<scanner::CapturedFrame>();
    if (due > now) {
      timespec ts{static_cast<time_t>((due - now) / 1'000'000'000),
                  static_cast<long>((due - now) % 1'000'000'000)};
      nanosleep(&ts, nullptr);  // the camera's frame clock
    }
    const scanner::GrayImage* img = frames_[next_];
    scanner::CapturedFrame f{img->view(), static_cast<int64_t>(next_), clock_.MonotonicNanos()};
    ++next_;
    return std::optional<scanner::CapturedFrame>(f);
  }
  scanner::SourceState state() const override { return state_; }
  std::string Describe() const override { return "memory"; }

 private:
  std::vector<const scanner::GrayImage*> frames_;
  int64_t period_ns_;
  const base::Clock& clock_;
  size_t next_ = 0;
  int64_t start_ns_ = -1;
  scanner::SourceState state_ = scanner::SourceState::kRunning;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

void PrintDistribution(const char* what, const std::vector<double>& ms) {
  std::printf("  %-18s p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", what,
              Percentile(ms, 50), Percentile(ms, 95), Percentile(ms, 99), Percentile(ms, 100));
}

}  // namespace

bool RunLatency(const Corpus& corpus, const std::string& dir, double fps, int width, int height,
                double target_p95_ms) {
  base::Result<std::string> pem = base::ReadFile(dir + "/issuer.pub.pem", 64 * 1024);
  if (!pem.ok()) {
    std::fprintf(stderr, "scan_bench: %s\n", pem.status().ToString().c_str());
    return false;
  }
  base::Result<card::PublicKey> key = card::PublicKey::FromPem(*pem);
  if (!key.ok()) {
    std::fprintf(stderr, "scan_bench: issuer.pub.pem: %s\n", key.status().ToString().c_str());
    return false;
  }
  card::MemoryKeyStore keys;
  keys.Add({.kid = key->kid(), .iss = "", .key = *key});
  base::FakeClock wall(kIat + 86400);  // the verifier's wall clock: the cards are valid
  card::Verifier verifier(keys, nullptr, wall);

  std::vector<const scanner::GrayImage*> frames;
  int with_code = 0;
  for (const CorpusFrame& f : corpus.frames) {
    if (f.image.width != width || f.image.height != height) continue;
    frames.push_back(&f.image);
    with_code += f.expected.empty() ? 0 : 1;
  }
  if (frames.empty()) {
    std::printf("\nframe-to-verdict at %dx%d: no frames of that size in the corpus\n", width,
                height);
    return true;
  }
  base::SystemClock clock;
  PacedMemorySource source(frames, fps, clock);
  std::mutex mu;
  std::vector<double> to_verdict, to_decode;
  int valid = 0;
  scanner::PipelineOptions opts;
  opts.drop_stale_frames = false;
  opts.dedupe_window_ms = 0;  // every read is a verdict here
  {
    scanner::ScanPipeline pipeline(source, clock, opts, [&](const scanner::ScanResult& r) {
      const card::Verification v = verifier.Verify(r.text);
      const int64_t done = clock.MonotonicNanos();
      std::lock_guard<std::mutex> lock(mu);
      valid += v.verdict == card::Verdict::kValid ? 1 : 0;
      to_verdict.push_back(static_cast<double>(done - r.capture_ns) / 1e6);
      to_decode.push_back(static_cast<double>(r.decoded_ns - r.capture_ns) / 1e6);
    });
    pipeline.WaitUntilDrained(600'000);
    pipeline.Stop();
    const scanner::PipelineStats st = pipeline.stats();
    std::printf(
        "\nframe-to-verdict at %dx%d: %zu frames (%d with a code) at %.0f fps through "
        "ScanPipeline (drop_stale_frames=false), %lld decoded, %lld dropped\n",
        width, height, frames.size(), with_code, fps, static_cast<long long>(st.frames_decoded),
        static_cast<long long>(st.frames_dropped));
  }
  std::lock_guard<std::mutex> lock(mu);
  std::printf("  %zu verdicts, %d VALID\n", to_verdict.size(), valid);
  PrintDistribution("capture->decoded", to_decode);
  PrintDistribution("capture->verdict", to_verdict);
  std::printf("  target p95 capture->verdict <= %.0f ms: %s\n", target_p95_ms,
              Percentile(to_verdict, 95) <= target_p95_ms ? "ok" : "MISS");
  return true;
}

}  // namespace bench
