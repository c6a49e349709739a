#include "scanner/qr_decoder.h"

#include <ZXing/ReadBarcode.h>

#include <algorithm>
#include <array>
#include <exception>

namespace scanner {
namespace {

std::vector<std::string> Read(const uint8_t* data, int w, int h, int stride,
                              const DecoderOptions& o) {
  std::vector<std::string> out;
  try {
    ZXing::ImageView view(data, w, h, ZXing::ImageFormat::Lum, stride);
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode)
        .setTryHarder(o.try_harder)
        .setTryRotate(o.try_rotate)
        .setMaxNumberOfSymbols(static_cast<uint8_t>(std::clamp(o.max_symbols, 1, 255)));
    for (const ZXing::Result& r : ZXing::ReadBarcodes(view, hints)) {
      if (r.isValid()) out.push_back(r.text());
    }
  } catch (const std::exception&) {
    out.clear();  // a decoder failure is "nothing found", never a crash
  }
  return out;
}

}  // namespace

void NormaliseContrast(const Frame& in, std::vector<uint8_t>* out) {
  std::array<uint32_t, 256> hist{};
  const auto w = static_cast<size_t>(in.width), h = static_cast<size_t>(in.height);
  // A sparse sample is enough for the percentiles and keeps this cheap.
  for (size_t y = 0; y < h; y += 4) {
    const uint8_t* row = in.data + y * static_cast<size_t>(in.stride);
    for (size_t x = 0; x < w; x += 4) ++hist[row[x]];
  }
  uint32_t total = 0;
  for (uint32_t c : hist) total += c;
  uint32_t acc = 0;
  int lo = 0, hi = 255;
  for (int v = 0; v < 256; ++v) {
    acc += hist[static_cast<size_t>(v)];
    if (acc <= total / 50) lo = v;
    if (acc < total - total / 50) hi = v + 1;
  }
  if (hi <= lo) hi = lo + 1;
  std::array<uint8_t, 256> lut{};
  for (int v = 0; v < 256; ++v) {
    lut[static_cast<size_t>(v)] =
        static_cast<uint8_t>(std::clamp((v - lo) * 255 / (hi - lo), 0, 255));
  }
  out->resize(w * h);
  for (size_t y = 0; y < h; ++y) {
    const uint8_t* row = in.data + y * static_cast<size_t>(in.stride);
    uint8_t* dst = out->data() + y * w;
    for (size_t x = 0; x < w; ++x) dst[x] = lut[row[x]];
  }
}

std::vector<std::string> QrDecoder::Decode(const Frame& f) {
  if (f.data == nullptr || f.width <= 0 || f.height <= 0 || f.stride < f.width) return {};
  std::vector<std::string> found = Read(f.data, f.width, f.height, f.stride, options_);
  if (!found.empty() || !options_.contrast_pass) return found;
  NormaliseContrast(f, &scratch_);
  return Read(scratch_.data(), f.width, f.height, f.width, options_);
}

}  // namespace scanner
