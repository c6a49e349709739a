#include "png_rgb.h"

#include <png.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace kiosk_sdl {

base::Status WriteRgbPng(const std::string& path, int width, int height, const uint8_t* rgb,
                         int pitch) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = PNG_FORMAT_RGB;
  const std::string tmp = path + ".tmp";
  if (png_image_write_to_file(&image, tmp.c_str(), 0, rgb, pitch, nullptr) == 0) {
    std::string why = image.message;
    png_image_free(&image);
    std::remove(tmp.c_str());
    return base::Status(base::StatusCode::kIo, "cannot write " + path + ": " + why);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return base::IoError("cannot rename " + tmp + " to " + path, errno);
  }
  return base::Status();
}

base::Result<RgbaImage> ReadRgbaPng(const std::string& path) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str()) == 0)
    return base::InvalidArgument(path + ": not a readable PNG: " + image.message);
  if (image.width == 0 || image.height == 0 || image.width > 4096 || image.height > 4096) {
    png_image_free(&image);
    return base::InvalidArgument(path + ": image size out of range");
  }
  image.format = PNG_FORMAT_RGBA;
  RgbaImage out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.pixels.resize(PNG_IMAGE_SIZE(image));
  if (png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr) == 0) {
    std::string why = image.message;
    png_image_free(&image);
    return base::InvalidArgument(path + ": " + why);
  }
  return out;
}

}  // namespace kiosk_sdl
