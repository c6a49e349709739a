#include "scanner/qr_codec.h"

#include <ZXing/ReadBarcode.h>

#include <exception>
#include <utility>

#include "qr_encoder.h"

namespace scanner {
base::Result<QrModules> EncodeQrModules(std::string_view text, EccLevel ecc) {
  CK_ASSIGN_OR_RETURN(qr::Symbol symbol, qr::Encode(text, ecc));
  return std::move(symbol.modules);
}

base::Result<GrayImage> RenderQr(std::string_view text, const QrRenderOptions& opt) {
  if (opt.module_px < 1 || opt.module_px > 64 || opt.quiet_modules < 0 || opt.quiet_modules > 16) {
    return base::InvalidArgument("QR render options out of range");
  }
  CK_ASSIGN_OR_RETURN(QrModules matrix, EncodeQrModules(text, opt.ecc));
  const int modules = matrix.size;
  const int side = (modules + 2 * opt.quiet_modules) * opt.module_px;
  GrayImage img;
  img.width = side;
  img.height = side;
  img.pixels.assign(static_cast<size_t>(side) * static_cast<size_t>(side), 255);
  for (int my = 0; my < modules; ++my) {
    for (int mx = 0; mx < modules; ++mx) {
      if (!matrix.dark[static_cast<size_t>(my) * static_cast<size_t>(modules) +
                       static_cast<size_t>(mx)]) {
        continue;
      }
      const int x0 = (mx + opt.quiet_modules) * opt.module_px;
      const int y0 = (my + opt.quiet_modules) * opt.module_px;
      for (int y = y0; y < y0 + opt.module_px; ++y) {
        auto* row = img.pixels.data() + static_cast<size_t>(y) * static_cast<size_t>(side);
        for (int x = x0; x < x0 + opt.module_px; ++x) row[x] = 0;
      }
    }
  }
  return img;
}

std::vector<QrSymbol> ReadQrCodes(const Frame& frame) {
  std::vector<QrSymbol> out;
  if (frame.data == nullptr || frame.width <= 0 || frame.height <= 0 ||
      frame.stride < frame.width) {
    return out;  // not a frame we can read safely
  }
  try {
    ZXing::ImageView view(frame.data, frame.width, frame.height, ZXing::ImageFormat::Lum,
                          frame.stride);
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode).setTryHarder(true).setTryRotate(true);
    for (const ZXing::Result& r : ZXing::ReadBarcodes(view, hints)) {
      if (!r.isValid()) continue;
      QrSymbol s;
      s.text = r.text();
      s.ec_level = r.ecLevel();
      out.push_back(std::move(s));
    }
  } catch (const std::exception&) {
    out.clear();  // a decoder failure is "no code found", never a crash
  }
  return out;
}

}  // namespace scanner
