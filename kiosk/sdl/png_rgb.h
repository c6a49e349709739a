// RGB(A) PNG files for the app: screenshots out, the theme's logo in (libpng's simplified API).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace kiosk_sdl {

struct RgbaImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // RGBA, stride width * 4
};

// Writes 8-bit RGB rows (stride `pitch` bytes) to `path` through a temporary file and a rename,
// so a reader never sees half a screenshot.
base::Status WriteRgbPng(const std::string& path, int width, int height, const uint8_t* rgb,
                         int pitch);
// Reads any PNG as RGBA; refuses images larger than 4096 x 4096.
base::Result<RgbaImage> ReadRgbaPng(const std::string& path);

}  // namespace kiosk_sdl
