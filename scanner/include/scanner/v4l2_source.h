// A V4L2 camera as a FrameSource: GREY, YUYV or MJPEG (decoded with libjpeg-turbo), mmap
// streaming, configurable size and rate, and recovery when the camera is unplugged and plugged back
// (state() says kUnavailable meanwhile; Next() waits, it never spins).
//
// Thread-safety: none. One thread calls Next(), state() and Describe(); they must not race.
// Lifetimes: `clock` must outlive the source. A CapturedFrame's pixels belong to the source (for
// GREY they are the camera's own mmap'd buffer, handed back to the driver by the next Next()):
// they stay valid until the next call to Next() or the source's destruction, whichever is first.
// Destroying the source stops the stream, unmaps every buffer and closes the device.
//
// Clocks: Next()'s timeout is real time, as poll()'s is. The injected clock paces reopen attempts
// while the camera is away and stamps frames whose driver timestamps are not CLOCK_MONOTONIC
// (those that are keep the driver's time: base::SystemClock's monotonic time is the same clock).
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "scanner/frame_source.h"

namespace scanner {

struct V4l2Options {
  std::string device = "/dev/video0";
  // What to ask for. The driver may give something else (the nearest size it supports, another
  // rate); that is accepted and Describe() reports it.
  int width = 640;
  int height = 480;
  int fps = 30;     // <= 0: leave the driver's rate alone
  int buffers = 4;  // mmap buffers to request (2..8); the driver may grant fewer, at least 2
  // A device that cannot be opened at OpenV4l2Camera(): false fails the call; true returns a
  // source in kUnavailable that keeps trying (a kiosk booting before its camera is plugged in).
  bool wait_for_device = false;
  // While the camera is away, one reopen attempt per this interval of the injected clock.
  int reopen_interval_ms = 500;
};

base::Result<std::unique_ptr<FrameSource>> OpenV4l2Camera(const V4l2Options& options,
                                                          const base::Clock& clock);

}  // namespace scanner
