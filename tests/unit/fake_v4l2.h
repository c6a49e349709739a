// A fake V4L2 kernel, as pigweed's pw_digital_io_linux mock_vfs: the v4l2_test binary is linked
// with -Wl,--wrap=open,open64,close,ioctl,mmap,mmap64,munmap,poll, so every call to those from the
// code under test lands in fake_v4l2.cc. Paths starting with "/dev/fakevideo" and the fds handed
// out for them (>= 1000) reach a scripted camera; everything else goes to the real libc function.
//
// The fake camera implements QUERYCAP, ENUM_FMT, S_FMT/G_FMT/TRY_FMT (adjusting the size like a
// driver), S_PARM/G_PARM, REQBUFS, QUERYBUF, QBUF, DQBUF, STREAMON/STREAMOFF, mmap of its buffers
// (real anonymous memory, released when the last mapping and the owning fd are gone) and poll.
// It is strict where drivers are: a buffer queued twice, S_FMT or REQBUFS while buffers are in use,
// DQBUF while not streaming all fail, so bookkeeping bugs in the code under test show up.
//
// All functions here are global state behind one mutex: call Reset() at the start of each test.
#pragma once

#include <linux/videodev2.h>

#include <cstdint>
#include <string>
#include <vector>

#include "scanner/image.h"

namespace fake_v4l2 {

struct DeviceConfig {
  std::vector<uint32_t> formats = {V4L2_PIX_FMT_YUYV};  // ENUM_FMT order
  uint32_t capabilities = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
  uint32_t max_width = 1920;  // S_FMT clamps the asked size to these
  uint32_t max_height = 1080;
  uint32_t grey_padding = 0;  // GREY rows are width + this many bytes apart
  bool settable_rate = true;  // false: S_PARM/G_PARM fail with ENOTTY
  uint32_t max_fps = 30;      // S_PARM clamps the asked rate
  uint32_t max_buffers = 8;   // REQBUFS grants at most this many
  bool monotonic_timestamps = true;
};

// What S_FMT/S_PARM settled on.
struct Negotiated {
  uint32_t fourcc = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  uint32_t bytes_per_line = 0;
  uint32_t fps = 0;
};

// Calls that reached the fake (fake paths and fds only), and what is still open.
struct Stats {
  int open_calls = 0;  // including failed ones
  int ioctl_calls = 0;
  int mmap_calls = 0;
  int munmap_calls = 0;
  int close_calls = 0;
  int poll_calls = 0;
  int open_fds = 0;       // now
  int live_mappings = 0;  // now
};

void Reset();  // no devices, no fds, counters zero
void AddDevice(const std::string& path, const DeviceConfig& config = {});

// Fills the oldest queued buffer with `payload` (truncated to the buffer) and marks it done, as a
// frame arriving. false if the camera is not streaming or has no queued buffer (the frame is
// dropped; its sequence number is used up). timestamp_ns < 0: CLOCK_MONOTONIC now.
bool Deliver(const std::string& path, const std::vector<uint8_t>& payload,
             int64_t timestamp_ns = -1, bool error_flag = false);
// Delivers `payload` the next time the code polls the camera with nothing ready, as if the frame
// arrived during the wait (tests are single-threaded).
void DeliverOnPoll(const std::string& path, const std::vector<uint8_t>& payload);

// Unplug: every call on the open fds fails with ENODEV, poll reports POLLERR|POLLHUP and open
// fails with ENOENT. Replug: open works again; fds from before stay dead, as after a real
// re-enumeration.
void Unplug(const std::string& path);
void Replug(const std::string& path);
void FailNextDqbuf(const std::string& path, int err);
// The driver flags its queue as broken (vb2's q->error): poll says POLLERR until STREAMOFF.
void BreakStream(const std::string& path);

Negotiated NegotiatedFormat(const std::string& path);
bool Streaming(const std::string& path);
int BufferCount(const std::string& path);
int DriverOwnedBuffers(const std::string& path);  // queued or done: not held by the application
Stats GetStats();
void ResetCounters();

// Frame payloads in the camera's formats, from a gray image.
std::vector<uint8_t> ToGrey(const scanner::GrayImage& image, int stride);
std::vector<uint8_t> ToYuyv(const scanner::GrayImage& image);  // chroma neutral (128)
std::vector<uint8_t> ToMjpeg(const scanner::GrayImage& image, int quality = 85);  // 4:2:2 YCbCr
std::vector<uint8_t> Encode(const scanner::GrayImage& image, const Negotiated& format);

}  // namespace fake_v4l2
