// Where frames come from: a V4L2 camera, a directory of images, a Y4M video. All behind one
// interface so the decoder, cardscan and the kiosk run the same code path on recorded frames.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "scanner/image.h"

namespace scanner {

enum class SourceState : uint8_t {
  kRunning,      // frames are coming
  kEnded,        // a recording reached its end
  kUnavailable,  // the camera is gone (unplugged); the source keeps trying to reopen it
};
std::string_view SourceStateName(SourceState s);

struct CapturedFrame {
  Frame frame;             // luminance plane; valid until the next call to Next() on the source
  int64_t index = 0;       // 0, 1, 2 ... in the source's own numbering (gaps mean dropped frames)
  int64_t capture_ns = 0;  // monotonic time the frame was captured (or was due, for recordings)
};

// Not thread-safe: one thread pulls frames.
class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // Waits up to `timeout_ms` for the next frame. nullopt on timeout, at the end of a recording and
  // while the camera is unavailable (see state()). Errors are for what retrying cannot fix.
  virtual base::Result<std::optional<CapturedFrame>> Next(int timeout_ms) = 0;
  virtual SourceState state() const = 0;
  // "camera /dev/video0 640x480 YUYV 30 fps", for logs and the admin screen.
  virtual std::string Describe() const = 0;
};

enum class Pacing : uint8_t {
  kRealTime,          // frames are due at their frame rate; late ones are dropped, as from a camera
  kAsFastAsPossible,  // every frame, none dropped (tests, benchmarks)
};

}  // namespace scanner
