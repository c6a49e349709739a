// The scan pipeline (capture thread, one-frame mailbox, decoding thread, de-dup) against scripted
// frame sources: every frame decoded when stale frames are kept, the latest frame winning over a
// slow consumer, the de-dup window on capture times from a base::FakeClock, timestamps, states,
// errors and prompt shutdown. Threads are synchronised with condition variables, never sleeps.
#include "scanner/scan_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "scanner/qr_codec.h"

namespace scanner {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int kLongWaitMs = 20'000;  // only reached if something is broken

GrayImage Code(const std::string& text) {
  base::Result<GrayImage> img = RenderQr(text, {.ecc = EccLevel::kM, .module_px = 3});
  EXPECT_TRUE(img.ok()) << img.status().ToString();
  return img.ok() ? std::move(img).value() : GrayImage{};
}

// A flag other threads wait for.
class Signal {
 public:
  void Set() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      set_ = true;
    }
    cv_.notify_all();
  }
  bool Wait(int timeout_ms = kLongWaitMs) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return set_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool set_ = false;
};

// Frames from memory, one per Next(), stamped by `stamp` (called on the capture thread). Hooks
// let a test hold a delivery back; after the last frame the source is kEnded.
class ScriptedSource final : public FrameSource {
 public:
  ScriptedSource(std::vector<GrayImage> frames, std::function<int64_t(int64_t)> stamp)
      : frames_(std::move(frames)), stamp_(std::move(stamp)) {}

  std::function<void(int64_t)> before_frame;  // called before frame i is delivered
  std::function<void()> at_end;               // called once when the end is reached
  int64_t fail_at = -1;                       // Next() for this index returns an error

  base::Result<std::optional<CapturedFrame>> Next(int /*timeout_ms*/) override {
    if (next_ == fail_at) return base::DataLoss("scripted failure");
    if (next_ >= static_cast<int64_t>(frames_.size())) {
      if (state_.exchange(SourceState::kEnded) != SourceState::kEnded && at_end) at_end();
      return std::optional<CapturedFrame>();
    }
    if (before_frame) before_frame(next_);
    const int64_t i = next_++;
    return std::optional<CapturedFrame>(
        CapturedFrame{frames_[static_cast<size_t>(i)].view(), i, stamp_(i)});
  }
  SourceState state() const override { return state_.load(); }
  std::string Describe() const override { return "scripted"; }

 private:
  std::vector<GrayImage> frames_;
  std::function<int64_t(int64_t)> stamp_;
  int64_t next_ = 0;
  std::atomic<SourceState> state_{SourceState::kRunning};
};

// What the pipeline reported, gathered from its threads.
struct Collector {
  std::mutex mu;
  std::vector<ScanResult> results;
  std::vector<SourceState> states;
  std::function<void(const ScanResult&)> hook;  // runs on the decoding thread, unlocked

  std::function<void(const ScanResult&)> OnResult() {
    return [this](const ScanResult& r) {
      {
        std::lock_guard<std::mutex> lock(mu);
        results.push_back(r);
      }
      if (hook) hook(r);
    };
  }
  std::function<void(SourceState)> OnState() {
    return [this](SourceState s) {
      std::lock_guard<std::mutex> lock(mu);
      states.push_back(s);
    };
  }
  std::vector<std::string> Texts() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<std::string> out;
    for (const ScanResult& r : results) out.push_back(r.text);
    return out;
  }
};

std::vector<GrayImage> Codes(const std::vector<std::string>& texts) {
  std::vector<GrayImage> out;
  for (const std::string& t : texts) out.push_back(Code(t));
  return out;
}

PipelineOptions KeepEveryFrame(int64_t dedupe_ms = 0) {
  PipelineOptions o;
  o.drop_stale_frames = false;
  o.dedupe_window_ms = dedupe_ms;
  return o;
}

TEST(ScanPipelineTest, DecodesEveryFrameWhenStaleFramesAreKept) {
  const std::vector<std::string> texts = {"F0", "F1", "F2", "F3", "F4", "F5", "F6", "F7"};
  ScriptedSource source(Codes(texts), [](int64_t i) { return i * kSecond; });
  base::SystemClock clock;
  Collector got;
  ScanPipeline pipeline(source, clock, KeepEveryFrame(), got.OnResult(), got.OnState());
  ASSERT_TRUE(pipeline.WaitUntilDrained(kLongWaitMs));
  pipeline.Stop();
  EXPECT_EQ(got.Texts(), texts);
  for (size_t i = 0; i < got.results.size(); ++i) {
    EXPECT_EQ(got.results[i].frame_index, static_cast<int64_t>(i));
    EXPECT_EQ(got.results[i].capture_ns, static_cast<int64_t>(i) * kSecond);
  }
  const PipelineStats st = pipeline.stats();
  EXPECT_EQ(st.frames_captured, 8);
  EXPECT_EQ(st.frames_decoded, 8);
  EXPECT_EQ(st.frames_dropped, 0);
  EXPECT_EQ(st.codes_reported, 8);
  EXPECT_EQ(got.states, std::vector<SourceState>{SourceState::kEnded});
}

// The decoder is held in the callback of frame 0 until the source has delivered all ten frames:
// frames 1..8 are replaced in the mailbox by their successors, and the next frame decoded is the
// newest, frame 9.
TEST(ScanPipelineTest, LatestFrameWinsOverASlowConsumer) {
  std::vector<std::string> texts;
  for (int i = 0; i < 10; ++i) texts.push_back("F" + std::to_string(i));
  ScriptedSource source(Codes(texts), [](int64_t i) { return i * kSecond / 30; });
  Signal first_reported, all_delivered;
  source.before_frame = [&](int64_t i) {
    if (i >= 1) {
      EXPECT_TRUE(first_reported.Wait());
    }
  };
  source.at_end = [&] { all_delivered.Set(); };
  base::SystemClock clock;
  Collector got;
  got.hook = [&](const ScanResult& r) {
    if (r.text != "F0") return;
    first_reported.Set();
    EXPECT_TRUE(all_delivered.Wait());  // a slow consumer: the camera runs on meanwhile
  };
  PipelineOptions opts;
  opts.drop_stale_frames = true;
  ScanPipeline pipeline(source, clock, opts, got.OnResult());
  ASSERT_TRUE(pipeline.WaitUntilDrained(kLongWaitMs));
  pipeline.Stop();
  EXPECT_EQ(got.Texts(), (std::vector<std::string>{"F0", "F9"}));
  ASSERT_EQ(got.results.size(), 2u);
  EXPECT_EQ(got.results[1].frame_index, 9);
  const PipelineStats st = pipeline.stats();
  EXPECT_EQ(st.frames_captured, 10);
  EXPECT_EQ(st.frames_decoded, 2);
  EXPECT_EQ(st.frames_dropped, 8);
  EXPECT_GT(st.frames_dropped, 0);
}

// Capture times come from a FakeClock moved by the source (on the capture thread only): the same
// text is reported once within the window, again after it; a code held in view keeps its window
// open; texts have windows of their own.
TEST(ScanPipelineTest, DeDupWindowFollowsCaptureTimes) {
  struct Shot {
    const char* text;
    int64_t at_s;
  };
  const std::vector<Shot> shots = {{"A", 0}, {"B", 1}, {"A", 2},  {"A", 4},
                                   {"B", 4}, {"A", 8}, {"A", 10}, {"B", 20}};
  std::vector<std::string> texts;
  for (const Shot& s : shots) texts.push_back(s.text);
  base::FakeClock capture_clock(1'700'000'000);
  ScriptedSource source(Codes(texts), [&](int64_t i) {
    capture_clock.Advance(shots[static_cast<size_t>(i)].at_s -
                          capture_clock.MonotonicNanos() / kSecond);
    return capture_clock.MonotonicNanos();
  });
  base::SystemClock clock;
  Collector got;
  ScanPipeline pipeline(source, clock, KeepEveryFrame(3000), got.OnResult());
  ASSERT_TRUE(pipeline.WaitUntilDrained(kLongWaitMs));
  pipeline.Stop();
  std::vector<std::pair<std::string, int64_t>> reported;
  for (const ScanResult& r : got.results) reported.emplace_back(r.text, r.capture_ns / kSecond);
  EXPECT_EQ(reported, (std::vector<std::pair<std::string, int64_t>>{
                          {"A", 0}, {"B", 1}, {"B", 4}, {"A", 8}, {"B", 20}}));
  const PipelineStats st = pipeline.stats();
  EXPECT_EQ(st.frames_decoded, 8);
  EXPECT_EQ(st.codes_reported, 5);
}

TEST(ScanPipelineTest, CaptureAndDecodeTimesAreOrdered) {
  base::SystemClock clock;
  ScriptedSource source(Codes({"T0", "T1", "T2", "T3", "T4", "T5"}),
                        [&clock](int64_t) { return clock.MonotonicNanos(); });
  Collector got;
  ScanPipeline pipeline(source, clock, KeepEveryFrame(), got.OnResult());
  ASSERT_TRUE(pipeline.WaitUntilDrained(kLongWaitMs));
  pipeline.Stop();
  ASSERT_EQ(got.results.size(), 6u);
  for (size_t i = 0; i < got.results.size(); ++i) {
    const ScanResult& r = got.results[i];
    EXPECT_LE(r.capture_ns, r.decoded_ns) << i;
    if (i == 0) continue;
    const ScanResult& prev = got.results[i - 1];
    EXPECT_GT(r.frame_index, prev.frame_index);
    EXPECT_GE(r.capture_ns, prev.capture_ns);
    EXPECT_GE(r.decoded_ns, prev.decoded_ns);
  }
}

// Two codes side by side on white: one frame holding both.
GrayImage SideBySide(const GrayImage& a, const GrayImage& b) {
  GrayImage out;
  out.width = a.width + b.width;
  out.height = std::max(a.height, b.height);
  const auto aw = static_cast<size_t>(a.width), bw = static_cast<size_t>(b.width);
  const size_t ow = aw + bw;
  out.pixels.assign(ow * static_cast<size_t>(out.height), 255);
  for (int y = 0; y < out.height; ++y) {
    const auto row = static_cast<size_t>(y);
    if (y < a.height) std::copy_n(&a.pixels[row * aw], aw, &out.pixels[row * ow]);
    if (y < b.height) std::copy_n(&b.pixels[row * bw], bw, &out.pixels[row * ow + aw]);
  }
  return out;
}

TEST(ScanPipelineTest, ReportsTheFirstCodeOfAFrameBeforeTheFrameIsDone) {
  base::SystemClock clock;
  std::vector<GrayImage> frames;
  frames.push_back(SideBySide(Code("LEFT"), Code("RIGHT")));
  ScriptedSource source(std::move(frames), [&clock](int64_t) { return clock.MonotonicNanos(); });
  Collector got;
  std::vector<int64_t> decoded_when_reported;
  ScanPipeline* running = nullptr;
  Signal started;
  got.hook = [&](const ScanResult&) {
    started.Wait();
    decoded_when_reported.push_back(running->stats().frames_decoded);
  };
  ScanPipeline pipeline(source, clock, KeepEveryFrame(), got.OnResult());
  running = &pipeline;
  started.Set();
  ASSERT_TRUE(pipeline.WaitUntilDrained(kLongWaitMs));
  pipeline.Stop();
  std::vector<std::string> texts = got.Texts();
  std::sort(texts.begin(), texts.end());
  EXPECT_EQ(texts, (std::vector<std::string>{"LEFT", "RIGHT"}));
  // Both were reported while their frame was still being searched, none after it was counted.
  EXPECT_EQ(decoded_when_reported, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(pipeline.stats().frames_decoded, 1);
  for (const ScanResult& r : got.results) EXPECT_LE(r.capture_ns, r.decoded_ns);
}

TEST(ScanPipelineTest, ReportsSourceStates) {
  // A camera that is away at first (nothing, unavailable), then delivers, then ends.
  class Camera final : public FrameSource {
   public:
    base::Result<std::optional<CapturedFrame>> Next(int) override {
      ++calls_;
      if (calls_ <= 2) {
        state_ = SourceState::kUnavailable;
        return std::optional<CapturedFrame>();
      }
      if (calls_ <= 4) {
        state_ = SourceState::kRunning;
        return std::optional<CapturedFrame>(CapturedFrame{image_.view(), calls_, calls_});
      }
      state_ = SourceState::kEnded;
      return std::optional<CapturedFrame>();
    }
    SourceState state() const override { return state_; }
    std::string Describe() const override { return "camera"; }

   private:
    GrayImage image_ = Code("CAM");
    int calls_ = 0;
    SourceState state_ = SourceState::kRunning;
  } camera;
  base::SystemClock clock;
  Collector got;
  ScanPipeline pipeline(camera, clock, KeepEveryFrame(), got.OnResult(), got.OnState());
  ASSERT_TRUE(pipeline.WaitUntilDrained(kLongWaitMs));
  pipeline.Stop();
  EXPECT_EQ(got.states, (std::vector<SourceState>{SourceState::kUnavailable, SourceState::kRunning,
                                                  SourceState::kEnded}));
  EXPECT_EQ(got.Texts(), (std::vector<std::string>{"CAM", "CAM"}));
}

TEST(ScanPipelineTest, SourceErrorEndsThePipelineAfterTheFramesBeforeIt) {
  ScriptedSource source(Codes({"E0", "E1", "E2", "E3"}), [](int64_t i) { return i; });
  source.fail_at = 2;
  base::SystemClock clock;
  Collector got;
  ScanPipeline pipeline(source, clock, KeepEveryFrame(), got.OnResult(), got.OnState());
  ASSERT_TRUE(pipeline.WaitUntilDrained(kLongWaitMs));
  pipeline.Stop();
  EXPECT_EQ(got.Texts(), (std::vector<std::string>{"E0", "E1"}));
  EXPECT_EQ(got.states, std::vector<SourceState>{SourceState::kEnded});
}

// A camera with nothing to show blocks in Next() up to its timeout; Stop() returns within about
// one timeout (the pipeline asks with 100 ms).
TEST(ScanPipelineTest, StopIsPromptWhileTheCameraShowsNothing) {
  class IdleCamera final : public FrameSource {
   public:
    base::Result<std::optional<CapturedFrame>> Next(int timeout_ms) override {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [] { return false; });
      return std::optional<CapturedFrame>();
    }
    SourceState state() const override { return SourceState::kRunning; }
    std::string Describe() const override { return "idle"; }

   private:
    std::mutex mu_;
    std::condition_variable cv_;
  } camera;
  base::SystemClock clock;
  Collector got;
  ScanPipeline pipeline(camera, clock, PipelineOptions{}, got.OnResult(), got.OnState());
  EXPECT_FALSE(pipeline.WaitUntilDrained(0));  // a camera never drains
  const auto t0 = std::chrono::steady_clock::now();
  pipeline.Stop();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_LT(ms, 2000) << "Stop() took " << ms << " ms";
  pipeline.Stop();  // twice is harmless
  EXPECT_TRUE(got.results.empty());
  EXPECT_TRUE(got.states.empty());
}

// An endless stream with every frame kept: the capture thread waits for the mailbox, the decoder
// is busy; the destructor stops both without a hang.
TEST(ScanPipelineTest, DestructorStopsAPipelineMidStream) {
  class Endless final : public FrameSource {
   public:
    base::Result<std::optional<CapturedFrame>> Next(int) override {
      const int64_t i = index_++;
      return std::optional<CapturedFrame>(CapturedFrame{image_.view(), i, i});
    }
    SourceState state() const override { return SourceState::kRunning; }
    std::string Describe() const override { return "endless"; }

   private:
    GrayImage image_ = Code("LOOP");
    int64_t index_ = 0;
  } endless;
  base::SystemClock clock;
  Collector got;
  Signal some;
  got.hook = [&](const ScanResult&) { some.Set(); };
  {
    ScanPipeline pipeline(endless, clock, KeepEveryFrame(), got.OnResult());
    EXPECT_TRUE(some.Wait());
  }
  std::lock_guard<std::mutex> lock(got.mu);
  EXPECT_FALSE(got.results.empty());
  for (const ScanResult& r : got.results) EXPECT_EQ(r.text, "LOOP");
}

}  // namespace
}  // namespace scanner

namespace scanner {
namespace {

GrayImage Blank(int w, int h) {
  return GrayImage{w, h, std::vector<uint8_t>(static_cast<size_t>(w * h), 190)};
}

TEST(ScanPipelineTest, StillSceneIsDecodedOnlyEveryRetryIntervalButAChangeAtOnce) {
  GrayImage code = Code("UC1:STILL-SCENE-TEST");
  std::vector<GrayImage> frames;
  for (int i = 0; i < 5; ++i) frames.push_back(Blank(code.width, code.height));
  frames.push_back(code);
  for (int i = 0; i < 5; ++i) frames.push_back(Blank(code.width, code.height));
  // Frames 0-9 come 1 ms apart; frame 10 comes 200 ms after the start, past the retry interval.
  ScriptedSource source(std::move(frames),
                        [](int64_t i) { return i < 10 ? i * 1'000'000 : int64_t{200'000'000}; });
  base::FakeClock clock(0);
  PipelineOptions o = KeepEveryFrame();
  o.still_retry_ms = 100;
  Collector got;
  ScanPipeline pipeline(source, clock, o, got.OnResult(), got.OnState());
  ASSERT_TRUE(pipeline.WaitUntilDrained(kLongWaitMs));
  EXPECT_EQ(got.Texts(), std::vector<std::string>{"UC1:STILL-SCENE-TEST"});
  const PipelineStats st = pipeline.stats();
  // Decoded: the first blank, the code (the scene changed), the first blank after it (changed
  // back), and the blank at 200 ms (retry). The other seven blanks are the same still scene.
  EXPECT_EQ(st.frames_decoded, 4);
  EXPECT_EQ(st.frames_still, 7);
}

TEST(ScanPipelineTest, WithoutStillRetryEveryFrameIsDecoded) {
  std::vector<GrayImage> frames;
  for (int i = 0; i < 6; ++i) frames.push_back(Blank(64, 48));
  ScriptedSource source(std::move(frames), [](int64_t i) { return i * 1'000'000; });
  base::FakeClock clock(0);
  Collector got;
  ScanPipeline pipeline(source, clock, KeepEveryFrame(), got.OnResult(), got.OnState());
  ASSERT_TRUE(pipeline.WaitUntilDrained(kLongWaitMs));
  EXPECT_EQ(pipeline.stats().frames_decoded, 6);
  EXPECT_EQ(pipeline.stats().frames_still, 0);
}

}  // namespace
}  // namespace scanner
