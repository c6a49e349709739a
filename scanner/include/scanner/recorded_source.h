// Recorded frames through the same interface as a camera: a directory of PNG/JPEG/WebP images (in
// name order) or a Y4M video (8-bit 4:2:0 or mono), played at their frame rate or as fast as
// possible.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "scanner/frame_source.h"

namespace scanner {

// `clock` must outlive the source. `fps` paces an image directory (Y4M files carry their own).
base::Result<std::unique_ptr<FrameSource>> OpenImageDirectory(const std::string& dir, double fps,
                                                              Pacing pacing,
                                                              const base::Clock& clock);
base::Result<std::unique_ptr<FrameSource>> OpenY4m(const std::string& path, Pacing pacing,
                                                   const base::Clock& clock);

// Picks by what `spec` names: a directory, a *.y4m file, or /dev/video* (a camera, see
// v4l2_source.h; not handled here).
base::Result<std::unique_ptr<FrameSource>> OpenRecording(const std::string& spec, double fps,
                                                         Pacing pacing, const base::Clock& clock);

// The image files of a directory, sorted by name (PNG, JPEG and WebP by extension,
// case-insensitive).
base::Result<std::vector<std::string>> ListImages(const std::string& dir);

}  // namespace scanner
