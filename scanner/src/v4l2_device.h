// Private to ck_scanner: one open V4L2 capture device streaming through mmap'd buffers. The
// FrameSource (v4l2_source.cc) adds conversion, latest-frame-wins and unplug recovery on top.
//
// Not thread-safe. A V4l2Device owns its fd and its mappings: destroying it stops the stream,
// unmaps every buffer and closes the fd, in that order, whatever state the camera is in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/file.h"
#include "base/status.h"
#include "scanner/v4l2_source.h"

namespace scanner {

// The one place errno becomes a Status for camera code. A camera that went away (ENODEV, ENXIO,
// EIO, ESHUTDOWN) is kUnavailable; a missing node (ENOENT) kNotFound; EACCES kPermissionDenied.
base::Status V4l2Error(std::string_view what, int err);

// "YUYV", "MJPG", or the four characters as printable text.
std::string FourccName(uint32_t fourcc);

// What the driver agreed to; it may differ from what was asked.
struct V4l2Format {
  uint32_t fourcc = 0;
  int width = 0;
  int height = 0;
  int bytes_per_line = 0;      // 0 for compressed formats
  size_t min_frame_bytes = 0;  // an uncompressed frame needs this many bytes; 0 for compressed
  uint32_t fps_num = 0;        // frames per second as num/den; 0/0 when the driver does not say
  uint32_t fps_den = 0;
};

// A filled buffer taken from the driver. `data` points into the buffer's mapping and stays valid
// until the buffer is requeued or the device is destroyed.
struct DequeuedBuffer {
  uint32_t index = 0;
  const uint8_t* data = nullptr;
  size_t bytes_used = 0;
  uint32_t sequence = 0;      // the driver's frame counter (gaps are frames it dropped)
  int64_t timestamp_ns = -1;  // CLOCK_MONOTONIC capture time; -1 when the driver's is not monotonic
};

// A mmap'd region, unmapped on destruction. Move-only.
class Mapping {
 public:
  Mapping() = default;
  Mapping(void* addr, size_t length) : addr_(addr), length_(length) {}
  Mapping(Mapping&& other) noexcept;
  Mapping& operator=(Mapping&& other) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping();

  const uint8_t* data() const { return static_cast<const uint8_t*>(addr_); }
  size_t length() const { return length_; }

 private:
  void* addr_ = nullptr;
  size_t length_ = 0;
};

class V4l2Device {
 public:
  // Opens options.device, checks it can stream video capture, negotiates the format (see the
  // preference order in v4l2_device.cc), size and rate, maps the buffers, queues them and starts
  // streaming.
  static base::Result<std::unique_ptr<V4l2Device>> Open(const V4l2Options& options);
  ~V4l2Device();
  V4l2Device(const V4l2Device&) = delete;
  V4l2Device& operator=(const V4l2Device&) = delete;

  const V4l2Format& format() const { return format_; }

  // Waits up to timeout_ms for a filled buffer. false on timeout or a signal; kUnavailable if
  // poll() reports an error or hang-up (the camera is gone or its stream broke).
  base::Result<bool> WaitReadable(int timeout_ms);
  // Takes every filled buffer, gives all but the newest straight back to the driver and returns
  // the newest (nullopt if none was ready), so a consumer never works on a stale frame. Buffers
  // the driver flagged as corrupt are requeued and skipped. The caller must Requeue() the result.
  base::Result<std::optional<DequeuedBuffer>> DequeueLatest();
  base::Status Requeue(uint32_t index);

 private:
  V4l2Device(base::UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

  base::Status CheckCapabilities();
  base::Result<uint32_t> ChooseFormat();
  base::Status SetFormat(uint32_t fourcc, int width, int height);
  base::Status SetFrameRate(int fps);
  base::Status MapBuffers(int count);
  base::Status StartStreaming();
  base::Status Fail(std::string_view what, int err) const;

  base::UniqueFd fd_;
  std::string path_;
  std::vector<Mapping> buffers_;  // declared after fd_: unmapped before the fd is closed
  V4l2Format format_;
  bool streaming_ = false;
};

}  // namespace scanner
