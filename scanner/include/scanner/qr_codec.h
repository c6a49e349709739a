// QR codes <-> text with ZXing-cpp. ZXing's exceptions are caught here; none leaves this module.
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

// Renders a QR code. Text made only of the alphanumeric set (0-9 A-Z space $%*+-./:), like card
// text, is encoded in alphanumeric mode.
base::Result<GrayImage> RenderQr(std::string_view text, const QrRenderOptions& options = {});

struct QrSymbol {
  std::string text;
  std::string ec_level;  // "L", "M", "Q" or "H"
};

// All QR codes found in a frame, best effort (tries harder, rotations, inverted); for still images
// and tools, not for the live camera path.
std::vector<QrSymbol> ReadQrCodes(const Frame& frame);

}  // namespace scanner
