// Images and frames. A Frame is a non-owning view (like ZXing's ImageView): the pixels belong to
// whoever produced the frame and must stay alive while the view is used.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/file.h"
#include "base/status.h"

namespace scanner {

enum class PixelFormat : uint8_t { kGray8 };

struct Frame {
  const uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  int stride = 0;  // bytes from one row to the next
  PixelFormat format = PixelFormat::kGray8;
};

// An owning 8-bit grayscale image.
struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // row-major, stride == width

  Frame view() const { return {pixels.data(), width, height, width, PixelFormat::kGray8}; }
};

// Images larger than this in either dimension are refused before any pixel is allocated.
inline constexpr int kMaxImageSide = 8192;

// PNG, JPEG or WebP, told apart by their signatures; converted to 8-bit gray (alpha composited
// onto white).
base::Result<GrayImage> DecodeImage(base::ByteSpan encoded);
base::Result<GrayImage> LoadImage(const std::string& path);

base::Result<GrayImage> DecodePng(base::ByteSpan encoded);
base::Result<GrayImage> DecodeJpeg(base::ByteSpan encoded);
base::Result<GrayImage> DecodeWebp(base::ByteSpan encoded);

// Writes a 1-bit grayscale PNG (pixels < 128 are black) with its print resolution set to `dpi`.
// Crash-safe: the file is replaced atomically.
base::Status WriteBilevelPng(const std::string& path, const GrayImage& image, int dpi,
                             base::Durability durability = base::Durability::kSync);

// The same from rows already packed: row_of(y) gives row y's (width + 7) / 8 bytes, pixel 0 in the
// first byte's top bit, 1 = white.
base::Status WriteBilevelPngRows(const std::string& path, int width, int height,
                                 const std::function<const uint8_t*(int y)>& row_of, int dpi,
                                 base::Durability durability = base::Durability::kSync);
// The PNG file's bytes of the same, not written anywhere.
base::Result<std::string> EncodeBilevelPngRows(int width, int height,
                                               const std::function<const uint8_t*(int y)>& row_of,
                                               int dpi);

}  // namespace scanner
