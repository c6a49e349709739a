#include "scanner/scan_pipeline.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

namespace scanner {

ScanPipeline::ScanPipeline(FrameSource& source, const base::Clock& clock, PipelineOptions options,
                           std::function<void(const ScanResult&)> on_result,
                           std::function<void(SourceState)> on_state)
    : source_(source),
      clock_(clock),
      options_(options),
      on_result_(std::move(on_result)),
      on_state_(std::move(on_state)) {
  capture_thread_ = std::thread([this] { CaptureLoop(); });
  decode_thread_ = std::thread([this] { DecodeLoop(); });
}

ScanPipeline::~ScanPipeline() { Stop(); }

void ScanPipeline::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (capture_thread_.joinable()) capture_thread_.join();
  if (decode_thread_.joinable()) decode_thread_.join();
}

base::Status ScanPipeline::source_status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return source_status_;
}

PipelineStats ScanPipeline::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

bool ScanPipeline::WaitUntilDrained(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [this] { return source_done_ && !slot_full_ && !decoding_; });
}

void ScanPipeline::CaptureLoop() {
  SourceState last_state = SourceState::kRunning;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
    }
    base::Result<std::optional<CapturedFrame>> next = source_.Next(100);
    const SourceState state = next.ok() ? source_.state() : SourceState::kEnded;
    if (state != last_state) {
      last_state = state;
      if (on_state_) on_state_(state);
    }
    if (!next.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      source_status_ = next.status();  // kept for the caller: a recording that is corrupt, ...
      source_done_ = true;
      cv_.notify_all();
      return;
    }
    if (!next->has_value()) {
      if (state != SourceState::kEnded) continue;  // timeout, or the camera is away
      std::lock_guard<std::mutex> lock(mu_);
      source_done_ = true;
      cv_.notify_all();
      return;
    }
    // A frame delivered together with "ended" is still decoded below; the loop ends next time.
    const CapturedFrame& cf = **next;
    std::unique_lock<std::mutex> lock(mu_);
    ++stats_.frames_captured;
    if (!options_.drop_stale_frames) {
      cv_.wait(lock, [this] { return !slot_full_ || stop_; });
      if (stop_) return;
    } else if (slot_full_) {
      ++stats_.frames_dropped;  // the decoder is behind: the newer frame replaces the older one
    }
    const size_t w = static_cast<size_t>(cf.frame.width), h = static_cast<size_t>(cf.frame.height);
    slot_pixels_.resize(w * h);
    for (size_t y = 0; y < h; ++y) {
      std::memcpy(slot_pixels_.data() + y * w,
                  cf.frame.data + y * static_cast<size_t>(cf.frame.stride), w);
    }
    slot_frame_ = Frame{slot_pixels_.data(), cf.frame.width, cf.frame.height, cf.frame.width,
                        PixelFormat::kGray8};
    slot_index_ = cf.index;
    slot_capture_ns_ = cf.capture_ns;
    slot_full_ = true;
    cv_.notify_all();
  }
}

bool ScanPipeline::ShouldReport(const std::string& text, int64_t now_ns) {
  auto it = last_reported_ns_.find(text);
  const bool report =
      it == last_reported_ns_.end() || now_ns - it->second >= options_.dedupe_window_ms * 1'000'000;
  last_reported_ns_[text] = now_ns;  // a code held in view keeps its window open
  for (auto i = last_reported_ns_.begin(); i != last_reported_ns_.end();) {
    i = now_ns - i->second > 4 * options_.dedupe_window_ms * 1'000'000 ? last_reported_ns_.erase(i)
                                                                       : std::next(i);
  }
  return report;
}

constexpr int kSignatureCols = 16, kSignatureRows = 12;

// About 20 000 reads for a 640x480 frame: every 4th pixel of every 4th row.
void SceneSignature(const Frame& f, std::vector<uint8_t>* out) {
  out->assign(kSignatureCols * kSignatureRows, 0);
  if (f.width < kSignatureCols || f.height < kSignatureRows) return;
  for (int by = 0; by < kSignatureRows; ++by) {
    const int y0 = by * f.height / kSignatureRows, y1 = (by + 1) * f.height / kSignatureRows;
    for (int bx = 0; bx < kSignatureCols; ++bx) {
      const int x0 = bx * f.width / kSignatureCols, x1 = (bx + 1) * f.width / kSignatureCols;
      uint32_t sum = 0, n = 0;
      for (int y = y0; y < y1; y += 4) {
        const uint8_t* row = f.data + static_cast<ptrdiff_t>(y) * f.stride;
        for (int x = x0; x < x1; x += 4, ++n) sum += row[x];
      }
      (*out)[static_cast<size_t>(by * kSignatureCols + bx)] =
          static_cast<uint8_t>(n == 0 ? 0 : sum / n);
    }
  }
}

bool SameScene(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  if (a.size() != b.size() || a.empty()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::abs(static_cast<int>(a[i]) - static_cast<int>(b[i])) > 2) return false;
  return true;
}

void ScanPipeline::DecodeLoop() {
  QrDecoder decoder(options_.decoder);
  std::vector<uint8_t> pixels;
  std::vector<uint8_t> signature, last_signature;
  int64_t last_decode_ns = 0;
  bool last_had_nothing = false;
  for (;;) {
    Frame frame;
    int64_t index = 0, capture_ns = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return slot_full_ || stop_ || source_done_; });
      if (stop_ || (!slot_full_ && source_done_)) {
        cv_.notify_all();
        return;
      }
      pixels.swap(slot_pixels_);
      frame = slot_frame_;
      frame.data = pixels.data();
      index = slot_index_;
      capture_ns = slot_capture_ns_;
      slot_full_ = false;
      decoding_ = true;
      cv_.notify_all();
    }
    if (options_.still_retry_ms > 0) {
      SceneSignature(frame, &signature);
      const bool still = !last_signature.empty() && last_had_nothing &&
                         SameScene(signature, last_signature) &&
                         capture_ns - last_decode_ns < options_.still_retry_ms * 1'000'000;
      if (still) {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.frames_still;
        decoding_ = false;
        cv_.notify_all();
        continue;
      }
      last_signature.swap(signature);
      last_decode_ns = capture_ns;
    }
    // Each code is reported as soon as it is read, while the frame is still searched for more.
    const std::vector<std::string> texts = decoder.Decode(frame, [&](const std::string& t) {
      const int64_t read_ns = clock_.MonotonicNanos();
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!ShouldReport(t, capture_ns)) return;
        ++stats_.codes_reported;
      }
      on_result_({t, index, capture_ns, read_ns});
    });
    last_had_nothing = texts.empty();
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.frames_decoded;
      decoding_ = false;
    }
    cv_.notify_all();
  }
}

}  // namespace scanner
