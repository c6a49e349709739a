// QR codes <-> text: written by the project's own encoder (scanner/src/qr_encoder.h), read with
// ZXing-cpp. ZXing's exceptions are caught here; none leaves this module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "scanner/image.h"

namespace scanner {

enum class EccLevel : uint8_t { kL, kM, kQ, kH };

struct QrRenderOptions {
  EccLevel ecc = EccLevel::kQ;  // survives scuffed paper cards and scratched phone screens
  int module_px = 6;            // 6 px at 300 dpi = 0.51 mm modules
  int quiet_modules = 4;        // the quiet zone ISO/IEC 18004 asks for
};

// A QR symbol's modules without the quiet zone: size x size, row by row, 1 = dark.
struct QrModules {
  int size = 0;
  std::vector<uint8_t> dark;
};

// Encodes text as one QR symbol: alphanumeric mode when every character is in that set (like card
// text), else 8-bit bytes (with the UTF-8 ECI when the text is not ASCII); the smallest version
// that holds it at `ecc`; the mask ISO/IEC 18004's penalty rules choose. The same text always
// gives the same modules. InvalidArgument for empty text or text too long for version 40.
base::Result<QrModules> EncodeQrModules(std::string_view text, EccLevel ecc = EccLevel::kQ);

// Renders a QR code (EncodeQrModules) at options.module_px pixels a module with its quiet zone.
base::Result<GrayImage> RenderQr(std::string_view text, const QrRenderOptions& options = {});

// The symbol as RenderQr draws it, as the bytes of a 1-bit PNG file of print resolution `dpi`
// (EncodeBilevelPngRows), packed straight from the modules: no image of pixels is made.
base::Result<std::string> EncodeQrPng(const QrModules& modules, const QrRenderOptions& options,
                                      int dpi);

struct QrSymbol {
  std::string text;
  std::string ec_level;  // "L", "M", "Q" or "H"
};

// All QR codes found in a frame, best effort (tries harder, rotations, inverted); for still images
// and tools, not for the live camera path.
std::vector<QrSymbol> ReadQrCodes(const Frame& frame);

}  // namespace scanner
