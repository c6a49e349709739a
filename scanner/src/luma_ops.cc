#include "luma_ops.h"

#include <algorithm>
#include <array>

#include "scanner/qr_decoder.h"

namespace scanner {
namespace qr {
namespace {

// A frame is clipped when one pixel in kClippedOneIn is at 250 or above.
constexpr uint32_t kClippedOneIn = 200;

// Where output column (or row) d of an enlargement by percent/100 samples the source: the pixel
// to its left and the weight (0..256) of the one to its right; sample centres stay aligned.
void SourceTaps(int out_size, int in_size, int percent, std::vector<int>* index,
                std::vector<int>* weight) {
  index->resize(static_cast<size_t>(out_size));
  weight->resize(static_cast<size_t>(out_size));
  for (int d = 0; d < out_size; ++d) {
    const int s = std::clamp((2 * d + 1) * 128 * 100 / percent - 128, 0, (in_size - 1) * 256);
    (*index)[static_cast<size_t>(d)] = std::min(s / 256, in_size - 2);
    (*weight)[static_cast<size_t>(d)] = s - (*index)[static_cast<size_t>(d)] * 256;
  }
}

}  // namespace

Frame Cut(const Frame& f, const Box& b) {
  const auto offset =
      static_cast<size_t>(b.y0) * static_cast<size_t>(f.stride) + static_cast<size_t>(b.x0);
  return {f.data + offset, b.x1 - b.x0, b.y1 - b.y0, f.stride, PixelFormat::kGray8};
}

Frame Enlarge(const Frame& f, const Box& box, int percent, std::vector<uint8_t>* out) {
  const int bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  if (bw < 2 || bh < 2) return {};
  const int w = bw * percent / 100, h = bh * percent / 100;
  std::vector<int> xi, xw, yi, yw;
  SourceTaps(w, bw, percent, &xi, &xw);
  SourceTaps(h, bh, percent, &yi, &yw);
  out->resize(static_cast<size_t>(w) * static_cast<size_t>(h));
  const auto stride = static_cast<size_t>(f.stride);
  const uint8_t* origin =
      f.data + static_cast<size_t>(box.y0) * stride + static_cast<size_t>(box.x0);
  for (size_t y = 0; y < static_cast<size_t>(h); ++y) {
    const uint8_t* r0 = origin + static_cast<size_t>(yi[y]) * stride;
    const uint8_t* r1 = r0 + stride;
    const int fy = yw[y];
    uint8_t* row = out->data() + y * static_cast<size_t>(w);
    for (size_t x = 0; x < static_cast<size_t>(w); ++x) {
      const auto x0 = static_cast<size_t>(xi[x]);
      const int fx = xw[x];
      const int top = r0[x0] * (256 - fx) + r0[x0 + 1] * fx;
      const int bottom = r1[x0] * (256 - fx) + r1[x0 + 1] * fx;
      row[x] = static_cast<uint8_t>((top * (256 - fy) + bottom * fy + (1 << 15)) >> 16);
    }
  }
  return {out->data(), w, h, w, PixelFormat::kGray8};
}

Frame Shrink(const Frame& f, int factor, std::vector<uint8_t>* out) {
  if (factor < 1 || factor > 16) return {};
  const int w = f.width / factor, h = f.height / factor;
  if (w < 1 || h < 1) return {};
  out->resize(static_cast<size_t>(w) * static_cast<size_t>(h));
  // Column sums of `factor` rows first (one vectorisable pass per row), then `factor` of them.
  std::vector<uint16_t> sums(static_cast<size_t>(w) * static_cast<size_t>(factor));
  const auto n = sums.size();
  const uint32_t area = static_cast<uint32_t>(factor * factor);
  for (int y = 0; y < h; ++y) {
    std::fill(sums.begin(), sums.end(), uint16_t{0});
    for (int r = 0; r < factor; ++r) {
      const uint8_t* row =
          f.data + static_cast<size_t>(y * factor + r) * static_cast<size_t>(f.stride);
      for (size_t x = 0; x < n; ++x) sums[x] = static_cast<uint16_t>(sums[x] + row[x]);
    }
    uint8_t* dst = out->data() + static_cast<size_t>(y) * static_cast<size_t>(w);
    for (size_t x = 0; x < static_cast<size_t>(w); ++x) {
      uint32_t s = 0;
      for (size_t k = 0; k < static_cast<size_t>(factor); ++k)
        s += sums[x * static_cast<size_t>(factor) + k];
      dst[x] = static_cast<uint8_t>((s + area / 2) / area);
    }
  }
  return {out->data(), w, h, w, PixelFormat::kGray8};
}

LevelRange PercentileRange(const Frame& in) {
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
  LevelRange r;
  for (int v = 0; v < 256; ++v) {
    acc += hist[static_cast<size_t>(v)];
    if (acc <= total / 50) r.lo = v;
    if (acc < total - total / 50) r.hi = v + 1;
  }
  if (r.hi <= r.lo) r.hi = r.lo + 1;
  uint32_t bright = 0;
  for (size_t v = 250; v < 256; ++v) bright += hist[v];
  r.clipped = bright * kClippedOneIn >= total;
  return r;
}

Frame Stretch(const Frame& in, LevelRange range, Tone tone, std::vector<uint8_t>* out) {
  std::array<uint8_t, 256> lut{};
  for (int v = 0; v < 256; ++v) {
    int s = std::clamp((v - range.lo) * 255 / (range.hi - range.lo), 0, 255);
    if (tone == Tone::kSquare) s = s * s / 255;
    if (tone == Tone::kInvert) s = 255 - s;
    lut[static_cast<size_t>(v)] = static_cast<uint8_t>(s);
  }
  const auto w = static_cast<size_t>(in.width), h = static_cast<size_t>(in.height);
  out->resize(w * h);
  for (size_t y = 0; y < h; ++y) {
    const uint8_t* row = in.data + y * static_cast<size_t>(in.stride);
    uint8_t* dst = out->data() + y * w;
    for (size_t x = 0; x < w; ++x) dst[x] = lut[row[x]];
  }
  return {out->data(), in.width, in.height, in.width, PixelFormat::kGray8};
}

}  // namespace qr

int NormaliseContrast(const Frame& in, std::vector<uint8_t>* out) {
  const qr::LevelRange r = qr::PercentileRange(in);
  qr::Stretch(in, r, qr::Tone::kLinear, out);
  return r.hi - r.lo;
}

}  // namespace scanner
