#include "zxing_reader.h"

#include <ZXing/ReadBarcode.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>

namespace scanner::qr {

ZXing::DecodeHints Hints(const DecoderOptions& o, Binarizer binarizer) {
  ZXing::DecodeHints hints;
  hints.setFormats(ZXing::BarcodeFormat::QRCode)
      .setTryHarder(o.try_harder)
      .setTryRotate(o.try_rotate)
      .setTryDownscale(o.try_downscale)
      .setBinarizer(binarizer == Binarizer::kGlobalHistogram ? ZXing::Binarizer::GlobalHistogram
                                                             : ZXing::Binarizer::LocalAverage)
      .setMaxNumberOfSymbols(static_cast<uint8_t>(std::clamp(o.max_symbols, 1, 255)));
  return hints;
}

ZXing::DecodeHints PureHints(const ZXing::DecodeHints& hints) {
  ZXing::DecodeHints pure = hints;
  pure.setIsPure(true).setBinarizer(ZXing::Binarizer::FixedThreshold);
  return pure;
}

bool Inside(const Quad& q, int x, int y) {
  int sign = 0;
  for (size_t i = 0; i < 4; ++i) {
    const auto& a = q[i];
    const auto& b = q[(i + 1) % 4];
    const long cross =
        static_cast<long>(b[0] - a[0]) * (y - a[1]) - static_cast<long>(b[1] - a[1]) * (x - a[0]);
    const int s = cross > 0 ? 1 : cross < 0 ? -1 : 0;
    if (s != 0 && sign != 0 && s != sign) return false;
    if (s != 0) sign = s;
  }
  return true;
}

void Read(const Frame& f, const ZXing::DecodeHints& hints, std::vector<std::string>* texts,
          std::vector<Quad>* read_at, Placement at) {
  try {
    ZXing::ImageView view(f.data, f.width, f.height, ZXing::ImageFormat::Lum, f.stride);
    for (const ZXing::Result& r : ZXing::ReadBarcodes(view, hints)) {
      if (!r.isValid()) continue;
      if (std::find(texts->begin(), texts->end(), r.text()) == texts->end()) {
        texts->push_back(r.text());
      }
      if (read_at != nullptr) {
        Quad q{};
        for (size_t i = 0; i < 4; ++i) {
          const ZXing::PointI& p = r.position()[i];
          q[i] = {at.x0 + p.x * 100 / at.percent, at.y0 + p.y * 100 / at.percent};
        }
        read_at->push_back(q);
      }
    }
  } catch (const std::exception&) {
    // a decoder failure is "nothing found", never a crash
  }
}

}  // namespace scanner::qr
