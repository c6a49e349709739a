// Private to ck_scanner: camera pixel formats to the 8-bit luminance plane the decoder reads.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace scanner {

// Copies the Y bytes of packed YUYV rows (Y0 U Y1 V ...) into `out` (resized to width*height,
// stride == width). `src` holds `height` rows of `src_stride` bytes (the last may be unpadded).
void YuyvToLuma(const uint8_t* src, int width, int height, int src_stride,
                std::vector<uint8_t>* out);

// Decodes JPEG frames (a camera's MJPEG) straight to luminance, reusing one TurboJPEG handle.
// Not thread-safe; move-only.
class JpegLumaDecoder {
 public:
  static base::Result<JpegLumaDecoder> Create();

  // Decodes `jpeg` into `out` (stride == width) and reports its size. kInvalidArgument for a
  // corrupt frame, kOutOfRange for one larger than kMaxImageSide.
  base::Status Decode(base::ByteSpan jpeg, std::vector<uint8_t>* out, int* width, int* height);

 private:
  struct Deleter {
    void operator()(void* handle) const;
  };
  explicit JpegLumaDecoder(void* handle) : handle_(handle) {}

  std::unique_ptr<void, Deleter> handle_;
};

}  // namespace scanner
