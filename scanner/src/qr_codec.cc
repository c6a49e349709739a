#include "scanner/qr_codec.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <ZXing/ReadBarcode.h>

#include <exception>

namespace scanner {
namespace {

// MultiFormatWriter maps its 0-8 scale onto L/M/Q/H as (level - 1) / 2.
int ZxingEccLevel(EccLevel ecc) {
  switch (ecc) {
    case EccLevel::kL:
      return 2;
    case EccLevel::kM:
      return 4;
    case EccLevel::kQ:
      return 6;
    case EccLevel::kH:
      return 8;
  }
  return 6;
}

}  // namespace

base::Result<GrayImage> RenderQr(std::string_view text, const QrRenderOptions& opt) {
  if (opt.module_px < 1 || opt.module_px > 64 || opt.quiet_modules < 0 || opt.quiet_modules > 16) {
    return base::InvalidArgument("QR render options out of range");
  }
  ZXing::BitMatrix matrix;
  try {
    matrix = ZXing::MultiFormatWriter(ZXing::BarcodeFormat::QRCode)
                 .setEccLevel(ZxingEccLevel(opt.ecc))
                 .setMargin(0)
                 .encode(std::string(text), 0, 0);
  } catch (const std::exception& e) {
    return base::InvalidArgument(std::string("QR encoding failed: ") + e.what());
  }
  const int modules = matrix.width();
  const int side = (modules + 2 * opt.quiet_modules) * opt.module_px;
  GrayImage img;
  img.width = side;
  img.height = side;
  img.pixels.assign(static_cast<size_t>(side) * static_cast<size_t>(side), 255);
  for (int my = 0; my < modules; ++my) {
    for (int mx = 0; mx < modules; ++mx) {
      if (!matrix.get(mx, my)) continue;
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
