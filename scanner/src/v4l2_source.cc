#include "scanner/v4l2_source.h"

namespace scanner {

base::Result<std::unique_ptr<FrameSource>> OpenV4l2Camera(const V4l2Options& options,
                                                          const base::Clock&) {
  return base::Unavailable(options.device + ": camera support is not built yet");
}

}  // namespace scanner
