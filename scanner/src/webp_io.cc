// WebP (lossy or lossless, as phones save screenshots) to 8-bit gray with libwebp.
#include <webp/decode.h>

#include <cstdint>
#include <memory>
#include <string>

#include "scanner/image.h"

namespace scanner {
namespace {

struct WebPFreer {
  void operator()(uint8_t* p) const { WebPFree(p); }
};

}  // namespace

base::Result<GrayImage> DecodeWebp(base::ByteSpan encoded) {
  int width = 0, height = 0;
  if (WebPGetInfo(encoded.data(), encoded.size(), &width, &height) == 0) {
    return base::InvalidArgument("WebP: not a valid WebP image (bad header or truncated)");
  }
  if (width <= 0 || height <= 0 || width > kMaxImageSide || height > kMaxImageSide) {
    return base::OutOfRange("WebP: image is " + std::to_string(width) + "x" +
                            std::to_string(height) + ", limit " + std::to_string(kMaxImageSide));
  }
  const std::unique_ptr<uint8_t, WebPFreer> rgba(
      WebPDecodeRGBA(encoded.data(), encoded.size(), &width, &height));
  if (rgba == nullptr) return base::InvalidArgument("WebP: the image data cannot be decoded");
  GrayImage out;
  out.width = width;
  out.height = height;
  out.pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(height));
  const uint8_t* p = rgba.get();
  for (uint8_t& g : out.pixels) {
    // Luma (BT.709, as libpng's gray conversion of sRGB), alpha composited onto white paper.
    const uint32_t y = (p[0] * 6969u + p[1] * 23434u + p[2] * 2365u + 16384u) >> 15;
    g = static_cast<uint8_t>((y * p[3] + 255u * (255u - p[3]) + 127u) / 255u);
    p += 4;
  }
  return out;
}

}  // namespace scanner
