#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <functional>

#include "base/file.h"
#include "scanner/image.h"

namespace scanner {

base::Result<GrayImage> DecodePng(base::ByteSpan encoded) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&image, encoded.data(), encoded.size()) == 0) {
    return base::InvalidArgument(std::string("PNG: ") + image.message);
  }
  if (image.width == 0 || image.height == 0 || image.width > kMaxImageSide ||
      image.height > kMaxImageSide) {
    png_image_free(&image);
    return base::OutOfRange("PNG: image is " + std::to_string(image.width) + "x" +
                            std::to_string(image.height) + ", limit " +
                            std::to_string(kMaxImageSide));
  }
  image.format = PNG_FORMAT_GRAY;
  GrayImage out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.pixels.resize(static_cast<size_t>(out.width) * static_cast<size_t>(out.height));
  // Composite any alpha onto white: a transparent background is paper.
  png_color white{255, 255, 255};
  if (png_image_finish_read(&image, &white, out.pixels.data(), out.width, nullptr) == 0) {
    std::string msg = image.message;
    png_image_free(&image);
    return base::InvalidArgument("PNG: " + msg);
  }
  return out;
}

namespace {

struct PngWriter {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngWriter() { png_destroy_write_struct(&png, &info); }
};

void AppendToString(png_structp png, png_bytep data, png_size_t len) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), len);
}

void NoFlush(png_structp) {}

// Encodes into *out; returns false on a libpng error. Kept free of objects with destructors in
// the setjmp scope.
bool EncodeBilevel(int width, int height, int dpi,
                   const std::function<const uint8_t*(int y)>& row_of, std::string* out) {
  PngWriter w;
  w.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (w.png == nullptr) return false;
  w.info = png_create_info_struct(w.png);
  if (w.info == nullptr) return false;
  if (setjmp(png_jmpbuf(w.png))) return false;
  png_set_write_fn(w.png, out, AppendToString, NoFlush);
  // Bilevel images of large flat areas (QR codes, test frames): the fastest level is within a few
  // per cent of the default's size at a fraction of its time (a card run writes 100,000 of them).
  png_set_compression_level(w.png, Z_BEST_SPEED);
  png_set_IHDR(w.png, w.info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 1,
               PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  const auto ppm = static_cast<png_uint_32>(dpi * 10000 / 254);  // dots per metre
  png_set_pHYs(w.png, w.info, ppm, ppm, PNG_RESOLUTION_METER);
  png_write_info(w.png, w.info);
  for (int y = 0; y < height; ++y) png_write_row(w.png, row_of(y));
  png_write_end(w.png, nullptr);
  return true;
}

}  // namespace

base::Status WriteBilevelPng(const std::string& path, const GrayImage& img, int dpi,
                             base::Durability durability) {
  if (img.width <= 0 || img.height <= 0) return base::InvalidArgument("empty image");
  std::vector<std::vector<png_byte>> rows(static_cast<size_t>(img.height));
  const size_t row_bytes = (static_cast<size_t>(img.width) + 7) / 8;
  for (int y = 0; y < img.height; ++y) {
    auto& row = rows[static_cast<size_t>(y)];
    row.assign(row_bytes, 0);
    const uint8_t* src =
        img.pixels.data() + static_cast<size_t>(y) * static_cast<size_t>(img.width);
    for (size_t b = 0; b < row_bytes; ++b) {
      const size_t x0 = b * 8, n = std::min<size_t>(8, static_cast<size_t>(img.width) - x0);
      unsigned bits = 0;
      for (size_t k = 0; k < n; ++k) bits |= static_cast<unsigned>(src[x0 + k] >> 7) << (7 - k);
      row[b] = static_cast<png_byte>(bits);
    }
  }
  return WriteBilevelPngRows(
      path, img.width, img.height, [&rows](int y) { return rows[static_cast<size_t>(y)].data(); },
      dpi, durability);
}

base::Result<std::string> EncodeBilevelPngRows(int width, int height,
                                               const std::function<const uint8_t*(int y)>& row_of,
                                               int dpi) {
  if (width <= 0 || height <= 0) return base::InvalidArgument("empty image");
  std::string encoded;
  if (!EncodeBilevel(width, height, dpi, row_of, &encoded)) {
    return base::Internal("PNG encoding failed");
  }
  return encoded;
}

base::Status WriteBilevelPngRows(const std::string& path, int width, int height,
                                 const std::function<const uint8_t*(int y)>& row_of, int dpi,
                                 base::Durability durability) {
  CK_ASSIGN_OR_RETURN(std::string encoded, EncodeBilevelPngRows(width, height, row_of, dpi));
  return base::WriteFileAtomic(path, encoded, 0644, durability);
}

}  // namespace scanner
