// Frames -> QR texts on their own threads: a capture thread pulls from the FrameSource into a
// one-frame mailbox (the latest frame wins, never a growing queue), a decoding thread decodes
// what is in the mailbox, and the same text seen again within a window is reported once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "scanner/frame_source.h"
#include "scanner/qr_decoder.h"

namespace scanner {

struct ScanResult {
  std::string text;
  int64_t frame_index = 0;
  int64_t capture_ns = 0;  // when the frame was captured (monotonic)
  int64_t decoded_ns = 0;  // when the code was read (monotonic), maybe before the frame was done
};

struct PipelineOptions {
  int64_t dedupe_window_ms = 3000;  // the same text again within this is not reported
  bool drop_stale_frames = true;    // false: hand every frame to the decoder (recordings, tests)
  // 0: decode every frame. Otherwise a frame that looks like the last one decoded (the same
  // scene: a counter, nobody in front of the camera) when that one held no code is decoded only
  // this often; any change in the picture is decoded at once. Saves most of the decoding of an
  // idle kiosk without delaying a card that comes into view.
  int64_t still_retry_ms = 0;
  DecoderOptions decoder;
};

struct PipelineStats {
  int64_t frames_captured = 0, frames_decoded = 0, frames_dropped = 0, codes_reported = 0;
  int64_t frames_still = 0;  // not decoded: the same scene as the last frame, which had no code
};

// The picture in brief, to tell a still scene from a changing one: the mean brightness of a
// 16 x 12 grid of blocks.
void SceneSignature(const Frame& frame, std::vector<uint8_t>* out);
// No block's mean moved by more than sensor noise does (a card coming into view, a hand, a change
// of exposure move several blocks by far more). False for empty signatures.
bool SameScene(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b);

// Starts its threads in the constructor and stops them in the destructor (or Stop()). `source`
// and `clock` must outlive it. `on_result` and `on_state` are called on the decoding and capture
// threads respectively and must be thread-safe and quick.
class ScanPipeline {
 public:
  ScanPipeline(FrameSource& source, const base::Clock& clock, PipelineOptions options,
               std::function<void(const ScanResult&)> on_result,
               std::function<void(SourceState)> on_state = nullptr);
  ~ScanPipeline();
  ScanPipeline(const ScanPipeline&) = delete;
  ScanPipeline& operator=(const ScanPipeline&) = delete;

  void Stop();
  // Waits until the source ended and every captured frame was decoded (recordings), or
  // `timeout_ms`.
  bool WaitUntilDrained(int timeout_ms);
  PipelineStats stats() const;
  // The error that ended the source (a corrupt recording, ...), or OK.
  base::Status source_status() const;

 private:
  void CaptureLoop();
  void DecodeLoop();
  bool ShouldReport(const std::string& text, int64_t now_ns);

  FrameSource& source_;
  const base::Clock& clock_;
  PipelineOptions options_;
  std::function<void(const ScanResult&)> on_result_;
  std::function<void(SourceState)> on_state_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // The mailbox: at most one frame waiting for the decoder.
  std::vector<uint8_t> slot_pixels_;
  Frame slot_frame_;
  int64_t slot_index_ = 0, slot_capture_ns_ = 0;
  bool slot_full_ = false;
  bool source_done_ = false;
  bool decoding_ = false;
  bool stop_ = false;
  PipelineStats stats_;
  base::Status source_status_;
  std::map<std::string, int64_t> last_reported_ns_;

  std::thread capture_thread_, decode_thread_;
};

}  // namespace scanner
