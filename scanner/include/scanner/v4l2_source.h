// A V4L2 camera as a FrameSource: GREY, YUYV or MJPEG (decoded with libjpeg-turbo), mmap
// streaming, configurable size and rate, and recovery when the camera is unplugged and plugged back
// (state() says kUnavailable meanwhile; Next() waits, it never spins).
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "scanner/frame_source.h"

namespace scanner {

struct V4l2Options {
  std::string device = "/dev/video0";
  int width = 640;
  int height = 480;
  int fps = 30;
};

// `clock` must outlive the source.
base::Result<std::unique_ptr<FrameSource>> OpenV4l2Camera(const V4l2Options& options,
                                                          const base::Clock& clock);

}  // namespace scanner
