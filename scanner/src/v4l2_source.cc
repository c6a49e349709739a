#include "scanner/v4l2_source.h"

#include <linux/videodev2.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#include "luma.h"
#include "scanner/image.h"
#include "v4l2_device.h"

namespace scanner {
namespace {

int64_t RealMonotonicNanos() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Next()'s timeout. Real time on purpose: it bounds poll() and sleeps, which only know real time;
// with a fake clock that tests do not advance, an injected-clock deadline would never come.
class Deadline {
 public:
  explicit Deadline(int timeout_ms)
      : end_ns_(RealMonotonicNanos() + int64_t{std::max(timeout_ms, 0)} * 1'000'000) {}
  int RemainingMs() const {
    const int64_t left = end_ns_ - RealMonotonicNanos();
    return left <= 0 ? 0 : static_cast<int>((left + 999'999) / 1'000'000);
  }

 private:
  int64_t end_ns_;
};

void SleepMs(int64_t ms) {
  timespec ts{static_cast<time_t>(ms / 1000), static_cast<long>((ms % 1000) * 1'000'000)};
  nanosleep(&ts, nullptr);  // an early wake-up (a signal) is fine: the caller rechecks its deadline
}

std::string FormatName(uint32_t fourcc) {
  return fourcc == V4L2_PIX_FMT_MJPEG ? "MJPEG" : FourccName(fourcc);
}

class V4l2Source final : public FrameSource {
 public:
  V4l2Source(V4l2Options options, const base::Clock& clock, JpegLumaDecoder jpeg)
      : options_(std::move(options)), clock_(clock), jpeg_(std::move(jpeg)) {}

  // The first open. On failure the source is kUnavailable and will retry; the caller decides
  // whether that is acceptable (V4l2Options::wait_for_device).
  base::Status Start() {
    base::Status s = Reopen();
    if (!s.ok()) MarkUnavailable(s);
    return s;
  }

  base::Result<std::optional<CapturedFrame>> Next(int timeout_ms) override {
    const Deadline deadline(timeout_ms);
    if (device_ == nullptr && !WaitForDevice(deadline)) return std::optional<CapturedFrame>();
    for (;;) {
      base::Result<std::optional<CapturedFrame>> frame = CaptureOnce(deadline);
      if (!frame.ok()) {
        // Whatever broke the stream (unplug, EIO, a driver gone astray), reopening is the cure, so
        // it is a state, not an error: callers stop on errors and a kiosk must not.
        MarkUnavailable(frame.status());
        return std::optional<CapturedFrame>();
      }
      if (frame->has_value() || deadline.RemainingMs() == 0) return frame;
    }
  }

  SourceState state() const override {
    return device_ != nullptr ? SourceState::kRunning : SourceState::kUnavailable;
  }

  std::string Describe() const override {
    std::string s = "camera " + options_.device;
    if (format_.fourcc != 0) {
      // Appended piecewise: `" " + std::string(...)` trips GCC 12's -Wrestrict false positive.
      s.append(" ").append(std::to_string(format_.width)).append("x");
      s.append(std::to_string(format_.height)).append(" ").append(FormatName(format_.fourcc));
      if (format_.fps_den != 0) {
        char fps[32];
        std::snprintf(fps, sizeof fps, " %.4g fps",
                      static_cast<double>(format_.fps_num) / format_.fps_den);
        s += fps;
      }
    }
    if (device_ == nullptr) s.append(" (unavailable: ").append(unavailable_reason_).append(")");
    return s;
  }

 private:
  base::Status Reopen() {
    CK_ASSIGN_OR_RETURN(device_, V4l2Device::Open(options_));
    format_ = device_->format();
    stream_base_ = next_index_;  // the driver's frame counter restarts at 0 with the stream
    unavailable_reason_.clear();
    return base::Status::Ok();
  }

  void MarkUnavailable(const base::Status& why) {
    held_.reset();
    device_.reset();  // STREAMOFF, munmap, close
    unavailable_reason_ = why.message();
    next_reopen_ns_ = clock_.MonotonicNanos() + ReopenIntervalNs();
  }

  int64_t ReopenIntervalNs() const {
    return int64_t{std::max(options_.reopen_interval_ms, 1)} * 1'000'000;
  }

  // While the camera is away: one reopen attempt per interval of the injected clock, sleeping in
  // between, until it is back (true) or the caller's timeout has passed (false).
  bool WaitForDevice(const Deadline& deadline) {
    for (;;) {
      const int64_t now = clock_.MonotonicNanos();
      if (now >= next_reopen_ns_) {
        next_reopen_ns_ = now + ReopenIntervalNs();
        const base::Status s = Reopen();
        if (s.ok()) return true;
        unavailable_reason_ = s.message();
      }
      const int remaining = deadline.RemainingMs();
      if (remaining == 0) return false;
      // Until the next attempt is due or the timeout, whichever is first. A fake clock that is
      // not advanced makes that the whole timeout: never a spin.
      const int64_t until_due_ms =
          (next_reopen_ns_ - clock_.MonotonicNanos() + 999'999) / 1'000'000;
      SleepMs(std::clamp<int64_t>(until_due_ms, 1, remaining));
    }
  }

  // One wait for the newest frame. nullopt on timeout, a spurious wake-up or a dropped frame.
  base::Result<std::optional<CapturedFrame>> CaptureOnce(const Deadline& deadline) {
    if (held_) {  // the caller is done with the previous GREY frame: the driver may refill it
      const uint32_t index = *held_;
      held_.reset();
      CK_TRY(device_->Requeue(index));
    }
    CK_ASSIGN_OR_RETURN(const bool ready, device_->WaitReadable(deadline.RemainingMs()));
    if (!ready) return std::optional<CapturedFrame>();
    CK_ASSIGN_OR_RETURN(const std::optional<DequeuedBuffer> buf, device_->DequeueLatest());
    if (!buf) return std::optional<CapturedFrame>();
    return ToFrame(*buf);
  }

  // The luminance plane of a dequeued buffer; the buffer goes back to the driver as soon as its
  // pixels are no longer needed (after conversion, or at the next Next() for a GREY view).
  base::Result<std::optional<CapturedFrame>> ToFrame(const DequeuedBuffer& buf) {
    const V4l2Format& f = device_->format();
    CapturedFrame out;
    out.index = IndexOf(buf.sequence);
    out.capture_ns = buf.timestamp_ns >= 0 ? buf.timestamp_ns : clock_.MonotonicNanos();
    if (f.fourcc != V4L2_PIX_FMT_MJPEG && buf.bytes_used < f.min_frame_bytes) {
      CK_TRY(device_->Requeue(buf.index));  // a short frame: dropped
      return std::optional<CapturedFrame>();
    }
    if (f.fourcc == V4L2_PIX_FMT_GREY) {
      held_ = buf.index;
      out.frame = Frame{buf.data, f.width, f.height, f.bytes_per_line, PixelFormat::kGray8};
    } else if (f.fourcc == V4L2_PIX_FMT_YUYV) {
      YuyvToLuma(buf.data, f.width, f.height, f.bytes_per_line, &luma_);
      CK_TRY(device_->Requeue(buf.index));
      out.frame = Frame{luma_.data(), f.width, f.height, f.width, PixelFormat::kGray8};
    } else {
      int width = 0, height = 0;
      const base::Status decoded =
          jpeg_.Decode(base::ByteSpan(buf.data, buf.bytes_used), &luma_, &width, &height);
      CK_TRY(device_->Requeue(buf.index));
      // A corrupt frame (USB cameras send some) is dropped, like a late one.
      if (!decoded.ok()) return std::optional<CapturedFrame>();
      out.frame = Frame{luma_.data(), width, height, width, PixelFormat::kGray8};
    }
    next_index_ = out.index + 1;
    return std::optional<CapturedFrame>(out);
  }

  // Frame numbers keep growing across reconnections; within a stream the driver's sequence
  // numbers (counted from STREAMON) show the frames it dropped, and those latest-frame-wins
  // skipped, as gaps.
  int64_t IndexOf(uint32_t sequence) const { return stream_base_ + int64_t{sequence}; }

  const V4l2Options options_;
  const base::Clock& clock_;
  JpegLumaDecoder jpeg_;
  std::unique_ptr<V4l2Device> device_;  // null while the camera is unavailable
  std::optional<uint32_t> held_;        // the GREY buffer the last frame views, requeued by Next()
  std::vector<uint8_t> luma_;           // YUYV and MJPEG frames are converted into this, reused
  V4l2Format format_;  // the last negotiated; Describe() keeps it while unavailable
  std::string unavailable_reason_;
  int64_t next_reopen_ns_ = 0;  // injected clock
  int64_t next_index_ = 0;
  int64_t stream_base_ = 0;  // index of the current stream's sequence number 0
};

}  // namespace

base::Result<std::unique_ptr<FrameSource>> OpenV4l2Camera(const V4l2Options& options,
                                                          const base::Clock& clock) {
  if (options.width <= 0 || options.height <= 0 || options.width > kMaxImageSide ||
      options.height > kMaxImageSide) {
    return base::InvalidArgument("camera size " + std::to_string(options.width) + "x" +
                                 std::to_string(options.height) + " is out of range");
  }
  CK_ASSIGN_OR_RETURN(JpegLumaDecoder jpeg, JpegLumaDecoder::Create());
  auto source = std::make_unique<V4l2Source>(options, clock, std::move(jpeg));
  const base::Status s = source->Start();
  // Only a missing or vanished camera is worth waiting for; a wrong one stays wrong.
  const bool absent =
      s.code() == base::StatusCode::kNotFound || s.code() == base::StatusCode::kUnavailable;
  if (!s.ok() && !(options.wait_for_device && absent)) return s;
  return std::unique_ptr<FrameSource>(std::move(source));
}

}  // namespace scanner
