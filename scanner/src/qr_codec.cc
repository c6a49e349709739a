#include "scanner/qr_codec.h"

#include <ZXing/ReadBarcode.h>

#include <exception>
#include <utility>

#include "qr_encoder.h"

namespace scanner {
namespace {

bool OptionsInRange(const QrRenderOptions& opt) {
  return opt.module_px >= 1 && opt.module_px <= 64 && opt.quiet_modules >= 0 &&
         opt.quiet_modules <= 16;
}

}  // namespace

base::Result<QrModules> EncodeQrModules(std::string_view text, EccLevel ecc) {
  CK_ASSIGN_OR_RETURN(qr::Symbol symbol, qr::Encode(text, ecc));
  return std::move(symbol.modules);
}

base::Result<GrayImage> RenderQr(std::string_view text, const QrRenderOptions& opt) {
  if (!OptionsInRange(opt)) return base::InvalidArgument("QR render options out of range");
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

base::Result<std::string> EncodeQrPng(const QrModules& m, const QrRenderOptions& opt, int dpi) {
  if (!OptionsInRange(opt)) return base::InvalidArgument("QR render options out of range");
  if (m.size <= 0 || m.dark.size() != static_cast<size_t>(m.size) * static_cast<size_t>(m.size))
    return base::InvalidArgument("QR modules: not a square of size x size");
  const int side = (m.size + 2 * opt.quiet_modules) * opt.module_px;
  const size_t row_bytes = (static_cast<size_t>(side) + 7) / 8;
  // One packed row per module row (white: 1), and the white one of the quiet zone.
  std::vector<uint8_t> rows(static_cast<size_t>(m.size + 1) * row_bytes, 0xFF);
  for (size_t my = 0; my < static_cast<size_t>(m.size); ++my) {
    uint8_t* row = rows.data() + my * row_bytes;
    for (size_t mx = 0; mx < static_cast<size_t>(m.size); ++mx) {
      if (!m.dark[my * static_cast<size_t>(m.size) + mx]) continue;
      const size_t x0 =
          (mx + static_cast<size_t>(opt.quiet_modules)) * static_cast<size_t>(opt.module_px);
      for (size_t x = x0; x < x0 + static_cast<size_t>(opt.module_px); ++x)
        row[x / 8] = static_cast<uint8_t>(row[x / 8] & ~(0x80u >> (x % 8)));
    }
  }
  const uint8_t* white = rows.data() + static_cast<size_t>(m.size) * row_bytes;
  return EncodeBilevelPngRows(
      side, side,
      [&](int y) {
        const int my = y / opt.module_px - opt.quiet_modules;
        return my < 0 || my >= m.size ? white : rows.data() + static_cast<size_t>(my) * row_bytes;
      },
      dpi);
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
