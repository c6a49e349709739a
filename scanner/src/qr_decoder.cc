#include "scanner/qr_decoder.h"

#include <ZXing/ReadBarcode.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>

namespace scanner {
namespace {

// Below this spread of the 2nd..98th percentiles the contrast pass is worth a try: HybridBinarizer
// treats 8x8 blocks whose range is under 24 levels as flat, so a 20-40 level code is lost.
constexpr int kNarrowRange = 160;
// Regions whose modules are smaller than this many pixels are enlarged before reading.
constexpr double kZoomBelowModule = 4.0;
// Finder candidates: a row hit confirmed down its column is enough (small, blurred or tilted
// finders give one or two rows); past kMaxFinders (noise) the best supported are kept.
constexpr int kMinHits = 1;
constexpr size_t kMaxFinders = 24;
constexpr int kMaxRegionReads = 3;
// The whole-frame glare pass needs one pixel in kClippedOneIn at 250 or above.
constexpr uint32_t kClippedOneIn = 200;

struct Box {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // half-open
  bool Contains(int x, int y) const { return x >= x0 && x < x1 && y >= y0 && y < y1; }
};

// Where a code may be: a box around three finder patterns, quiet zone included.
struct Region {
  Box box;
  double module = 0;   // pixels per module
  bool light = false;  // light on dark
  int support = 0;     // rows that matched its finder patterns: how sure we are
  std::array<std::array<int, 2>, 3> finders{};  // their centres
};

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

// Where a symbol read in an image cut out at (x0, y0) and enlarged by percent/100 lies in the
// frame.
struct Placement {
  int x0 = 0, y0 = 0, percent = 100;
};

// Valid texts into *texts, each once; the centres of the symbols read (in frame coordinates, by
// `at`) into *centres.
void Read(const Frame& f, const ZXing::DecodeHints& hints, std::vector<std::string>* texts,
          std::vector<Box>* centres = nullptr, Placement at = {}) {
  try {
    ZXing::ImageView view(f.data, f.width, f.height, ZXing::ImageFormat::Lum, f.stride);
    for (const ZXing::Result& r : ZXing::ReadBarcodes(view, hints)) {
      if (!r.isValid()) continue;
      if (std::find(texts->begin(), texts->end(), r.text()) == texts->end()) {
        texts->push_back(r.text());
      }
      if (centres != nullptr) {
        Box b{1 << 30, 1 << 30, -(1 << 30), -(1 << 30)};
        for (const ZXing::PointI& p : r.position()) {
          const int x = at.x0 + p.x * 100 / at.percent, y = at.y0 + p.y * 100 / at.percent;
          b = {std::min(b.x0, x), std::min(b.y0, y), std::max(b.x1, x + 1), std::max(b.y1, y + 1)};
        }
        centres->push_back(b);
      }
    }
  } catch (const std::exception&) {
    // a decoder failure is "nothing found", never a crash
  }
}

// --- Where QR codes may be: finder patterns (dark-light-dark-light-dark in the ratio 1:1:3:1:1,
// or its inverse, across and down) grouped by three. A scan of every second row of a 640x480 frame
// costs about a ZXing pass' binarisation; it decides what to cut out and enlarge.

struct Finder {
  double x = 0, y = 0, module = 0;
  int hits = 0, last_row = 0;
  bool light = false;  // light-on-dark (an inverted code: phone dark mode)
};

// Five run lengths in the ratio 1:1:3:1:1 of a finder pattern, each within half a module (ZXing's
// tolerance), in integers: with m = total / 7, |r - m| < m / 2 is total < 14 r < 3 total.
bool FinderRatio(const int* r, double* module) {
  const int total = r[0] + r[1] + r[2] + r[3] + r[4];
  if (total < 7) return false;
  for (int i : {0, 1, 3, 4}) {
    if (14 * r[i] <= total || 14 * r[i] >= 3 * total) return false;
  }
  if (14 * r[2] <= 3 * total || 14 * r[2] >= 9 * total) return false;
  *module = total / 7.0;
  return true;
}

// Calls hit(centre, module, light) for every finder-like run pattern of either polarity (`light`:
// light centre) in the row, pixel i being dark if more than 2 levels below the mean of the
// 2 * radius + 1 pixels around it (fewer at the ends). One pass, integers only: a sliding window
// sum for the threshold, runs counted as they end.
template <typename Hit>
void ScanRow(const uint8_t* row, int n, int radius, Hit hit) {
  int runs[5] = {0, 0, 0, 0, 0};
  int count = 0;
  int sum = 0, a = 0, b = std::min(n, radius + 1);  // the window [a, b) around pixel i
  for (int i = 0; i < b; ++i) sum += row[i];
  const auto end_run = [&](int end, int len, bool dark) {
    if (count == 5) {
      runs[0] = runs[1], runs[1] = runs[2], runs[2] = runs[3], runs[3] = runs[4];
      count = 4;
    }
    runs[count++] = len;
    double m = 0;
    if (count == 5 && FinderRatio(runs, &m)) hit(end - runs[4] - runs[3] - runs[2] / 2.0, m, !dark);
  };
  bool colour = (row[0] + 2) * (b - a) < sum;
  int start = 0;
  for (int i = 0; i < n; ++i) {
    const bool dark = (row[i] + 2) * (b - a) < sum;
    if (dark != colour) {
      end_run(i, i - start, colour);
      colour = dark;
      start = i;
    }
    if (b < n) sum += row[b++];
    if (i - radius >= 0) sum -= row[a++];
  }
  end_run(n, n - start, colour);
}

// Confirms a finder candidate with the same pattern down the column through its centre.
bool ConfirmColumn(const Frame& f, const Finder& c) {
  const int x = static_cast<int>(std::lround(c.x));
  const int reach = static_cast<int>(std::ceil(5 * c.module)) + 2;
  const int y0 = std::max(0, static_cast<int>(c.y) - reach);
  const int y1 = std::min(f.height, static_cast<int>(c.y) + reach + 1);
  if (x < 0 || x >= f.width || y1 - y0 < 7) return false;
  const auto stride = static_cast<size_t>(f.stride);
  const uint8_t* col = f.data + static_cast<size_t>(x);
  int lo = 255, hi = 0;
  for (int y = y0; y < y1; ++y) {
    lo = std::min<int>(lo, col[static_cast<size_t>(y) * stride]);
    hi = std::max<int>(hi, col[static_cast<size_t>(y) * stride]);
  }
  if (hi - lo < 16) return false;
  const int mid = (lo + hi) / 2;
  // "Ink" is dark for a normal code, light for an inverted one.
  auto ink = [&](int y) { return (col[static_cast<size_t>(y) * stride] < mid) != c.light; };
  const int cy = static_cast<int>(c.y);
  if (!ink(cy)) return false;
  int r[5] = {0, 0, 0, 0, 0};  // the centre, then space and ink above and below
  int top = cy, bottom = cy;
  while (top - 1 >= y0 && ink(top - 1)) --top;
  while (bottom + 1 < y1 && ink(bottom + 1)) ++bottom;
  r[2] = bottom - top + 1;
  for (int side = 0; side < 2; ++side) {
    int y = side == 0 ? top - 1 : bottom + 1;
    const int dir = side == 0 ? -1 : 1;
    for (int k = 0; k < 2; ++k) {
      const bool want_ink = k == 1;
      int len = 0;
      while (y >= y0 && y < y1 && ink(y) == want_ink) y += dir, ++len;
      r[side == 0 ? 1 - k : 3 + k] = len;
    }
  }
  double m = 0;
  return FinderRatio(r, &m);
}

// Finder patterns in every `step`th row, confirmed down their columns.
std::vector<Finder> FindFinders(const Frame& f, int step) {
  constexpr int kRadius = 16;
  std::vector<Finder> open, done;
  for (int y = 0; y < f.height; y += step) {
    const uint8_t* row = f.data + static_cast<size_t>(y) * static_cast<size_t>(f.stride);
    ScanRow(row, f.width, kRadius, [&](double x, double m, bool light) {
      for (Finder& c : open) {
        if (c.light == light && std::fabs(c.x - x) < std::max(1.5, c.module) &&
            std::fabs(c.module - m) < c.module / 2 && y - c.last_row <= 2 * step) {
          c.x = (c.x * c.hits + x) / (c.hits + 1);
          c.y = (c.y * c.hits + y) / (c.hits + 1);
          c.module = (c.module * c.hits + m) / (c.hits + 1);
          ++c.hits;
          c.last_row = y;
          return;
        }
      }
      open.push_back({x, static_cast<double>(y), m, 1, y, light});
    });
    // Candidates no longer continued are finished.
    for (auto it = open.begin(); it != open.end();) {
      if (y - it->last_row > 2 * step) {
        if (it->hits >= kMinHits && ConfirmColumn(f, *it)) done.push_back(*it);
        it = open.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const Finder& c : open) {
    if (c.hits >= kMinHits && ConfirmColumn(f, c)) done.push_back(c);
  }
  return done;
}

// Could a, b, c be the finder patterns of one symbol, `a` the corner? Similar module sizes, two
// equally long sides (within perspective) at about a right angle, 14..120 modules long.
bool IsTriple(const Finder& a, const Finder& b, const Finder& c) {
  if (a.light != b.light || a.light != c.light) return false;
  const double lo = std::min({a.module, b.module, c.module});
  const double hi = std::max({a.module, b.module, c.module});
  if (hi > 1.6 * lo) return false;
  const double abx = b.x - a.x, aby = b.y - a.y, acx = c.x - a.x, acy = c.y - a.y;
  const double ab = std::hypot(abx, aby), ac = std::hypot(acx, acy);
  const double m = (a.module + b.module + c.module) / 3;
  if (std::min(ab, ac) < 14 * m || std::max(ab, ac) > 120 * m) return false;
  if (std::max(ab, ac) > 2 * std::min(ab, ac)) return false;
  return std::fabs(abx * acx + aby * acy) < 0.6 * ab * ac;  // |cos| < 0.6: 53..127 degrees
}

// Could a and b be two finder patterns of one symbol?
bool IsPair(const Finder& a, const Finder& b) {
  const double lo = std::min(a.module, b.module), hi = std::max(a.module, b.module);
  const double d = std::hypot(a.x - b.x, a.y - b.y);
  return a.light == b.light && hi <= 1.6 * lo && d >= 14 * lo && d <= 120 * hi;
}

// What the scan saw: two finder patterns that may belong to one symbol, of either polarity. A
// code whose third finder pattern is washed out or too faint for the scan still shows a pair.
struct Seen {
  bool dark_pair = false, light_pair = false;
};

// Every triple of finder patterns that may be one symbol.
std::vector<Region> QrRegions(const Frame& f, int step, Seen* seen) {
  std::vector<Finder> finders = FindFinders(f, step);
  if (finders.size() > kMaxFinders) {  // noise or clutter: keep the best supported, cap the search
    std::stable_sort(finders.begin(), finders.end(),
                     [](const Finder& a, const Finder& b) { return a.hits > b.hits; });
    finders.resize(kMaxFinders);
  }
  const size_t n = finders.size();
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (!IsPair(finders[i], finders[j])) continue;
      (finders[i].light ? seen->light_pair : seen->dark_pair) = true;
    }
  }
  std::vector<Region> regions;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      for (size_t k = j + 1; k < n; ++k) {
        if (i == j || i == k || !IsTriple(finders[i], finders[j], finders[k])) continue;
        const Finder* t[3] = {&finders[i], &finders[j], &finders[k]};
        double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9, m = 0;
        for (const Finder* p : t) {
          x0 = std::min(x0, p->x), y0 = std::min(y0, p->y);
          x1 = std::max(x1, p->x), y1 = std::max(y1, p->y);
          m = std::max(m, p->module);
        }
        // The fourth corner lies beyond b and c from a: extend the box to it.
        const double x4 = finders[j].x + finders[k].x - finders[i].x;
        const double y4 = finders[j].y + finders[k].y - finders[i].y;
        x0 = std::min(x0, x4), y0 = std::min(y0, y4), x1 = std::max(x1, x4), y1 = std::max(y1, y4);
        const double pad = 9 * m;  // finder centre to symbol edge 3.5 modules, quiet zone 4, slack
        const Box b{std::max(0, static_cast<int>(x0 - pad)),
                    std::max(0, static_cast<int>(y0 - pad)),
                    std::min(f.width, static_cast<int>(x1 + pad) + 1),
                    std::min(f.height, static_cast<int>(y1 + pad) + 1)};
        const auto covers = [&t](const Region& o) {  // already a region for these three
          return std::all_of(t, t + 3, [&o](const Finder* p) {
            return o.box.Contains(static_cast<int>(p->x), static_cast<int>(p->y));
          });
        };
        if (std::none_of(regions.begin(), regions.end(), covers)) {
          Region r{b, m, finders[i].light, finders[i].hits + finders[j].hits + finders[k].hits, {}};
          for (size_t q = 0; q < 3; ++q) {
            r.finders[q] = {static_cast<int>(t[q]->x), static_cast<int>(t[q]->y)};
          }
          regions.push_back(r);
        }
      }
    }
  }
  std::stable_sort(regions.begin(), regions.end(),
                   [](const Region& a, const Region& b) { return a.support > b.support; });
  return regions;
}

// --- Enlargement

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

// Bilinear enlargement of `box` of the frame by `percent`/100, into *out.
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

// --- Levels

struct LevelRange {
  int lo = 0, hi = 255;  // the 2nd and 98th percentiles of the luminance
  bool clipped = false;  // some of the frame is clipped white (glare, a lamp, a lit screen)
};

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

enum class Tone : uint8_t { kLinear, kSquare, kInvert };

// Maps `range` onto 0..255 into *out, packed: linearly, squared (spreads the highlights, where
// glare has left what it did not wash out) or reversed (light on dark).
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

// --- Passes

// Reads one region: cut out, enlarged when its modules are small, stretched to its own ink and
// paper levels, inverted if light on dark. The centres of the symbols read go to *read_at.
void ReadRegion(const Frame& f, const Region& r, const DecoderOptions& o,
                const ZXing::DecodeHints& hints, const ZXing::DecodeHints& other,
                std::vector<uint8_t>* cut_pixels, std::vector<uint8_t>* pixels,
                std::vector<std::string>* texts, std::vector<Box>* read_at) {
  const int percent = r.module < kZoomBelowModule ? std::max(100, o.zoom_percent) : 100;
  const Frame cut = Enlarge(f, r.box, percent, cut_pixels);
  if (cut.data == nullptr) return;
  const Placement at{r.box.x0, r.box.y0, percent};
  const LevelRange range = PercentileRange(cut);
  const size_t before = texts->size();
  const Frame g = Stretch(cut, range, r.light ? Tone::kInvert : Tone::kLinear, pixels);
  Read(g, hints, texts, read_at, at);
  if (texts->size() == before && o.second_binarizer) Read(g, other, texts, read_at, at);
  if (texts->size() == before && o.glare_pass && !r.light) {
    Read(Stretch(cut, range, Tone::kSquare, pixels), hints, texts, read_at, at);
  }
}

// The regions not read yet, the best supported first and at most kMaxRegionReads of them (noise
// makes finder-like patterns). Returns how many were read and gave nothing.
int ReadRegions(const Frame& f, const std::vector<Region>& regions, const DecoderOptions& o,
                const ZXing::DecodeHints& hints, const ZXing::DecodeHints& other, int* tried,
                std::vector<Box>* read_at, std::vector<uint8_t>* cut_pixels,
                std::vector<uint8_t>* pixels, std::vector<std::string>* texts) {
  int failed = 0;
  for (const Region& r : regions) {
    if (*tried >= kMaxRegionReads || static_cast<int>(texts->size()) >= o.max_symbols) break;
    if (std::any_of(read_at->begin(), read_at->end(), [&r](const Box& c) {
          return r.box.Contains((c.x0 + c.x1) / 2, (c.y0 + c.y1) / 2);
        })) {
      continue;  // read already
    }
    const size_t before = texts->size();
    ReadRegion(f, r, o, hints, other, cut_pixels, pixels, texts, read_at);
    ++*tried;
    failed += texts->size() == before ? 1 : 0;
  }
  return failed;
}

}  // namespace

int NormaliseContrast(const Frame& in, std::vector<uint8_t>* out) {
  const LevelRange r = PercentileRange(in);
  Stretch(in, r, Tone::kLinear, out);
  return r.hi - r.lo;
}

std::vector<std::string> QrDecoder::Decode(const Frame& f) {
  if (f.data == nullptr || f.width <= 0 || f.height <= 0 || f.stride < f.width) return {};
  const ZXing::DecodeHints hints = Hints(options_, options_.binarizer);
  const ZXing::DecodeHints other =
      Hints(options_, options_.binarizer == Binarizer::kLocalAverage ? Binarizer::kGlobalHistogram
                                                                     : Binarizer::kLocalAverage);
  std::vector<std::string> texts;
  std::vector<Box> read_at;  // where the symbols read are
  // Without the scan, no code can be ruled out.
  Seen seen{!options_.region_pass, !options_.region_pass};
  const LevelRange range = PercentileRange(f);
  if (!options_.region_pass) {
    Read(f, hints, &texts, &read_at);
    if (texts.empty() && options_.second_binarizer) Read(f, other, &texts, &read_at);
  } else if (options_.regions_first || range.hi - range.lo < kNarrowRange) {
    // Where the whole-frame pass is bound to fail (low contrast: HybridBinarizer takes 8x8 blocks
    // under 24 levels for flat) the scan comes first and the regions it found are read cut out,
    // which costs less than a frame; the whole frame is read only if they gave nothing or one
    // failed.
    int tried = 0;
    const std::vector<Region> regions = QrRegions(f, std::max(1, options_.scan_step), &seen);
    const int failed = ReadRegions(f, regions, options_, hints, other, &tried, &read_at, &zoomed_,
                                   &region_, &texts);
    if (texts.empty() || (options_.whole_after_failed_region && failed > 0)) {
      Read(f, hints, &texts, &read_at);
      if (texts.empty() && options_.second_binarizer) Read(f, other, &texts, &read_at);
    }
  } else {
    Read(f, hints, &texts, &read_at);
    if (texts.empty() && options_.second_binarizer) Read(f, other, &texts, &read_at);
    // After a read, a coarser scan: it is only for more codes beside the one read (recall for
    // small or tilted ones drops, the cost halves).
    const int step = texts.empty() ? options_.scan_step : options_.scan_step_after_read;
    int tried = 0;
    ReadRegions(f, QrRegions(f, std::max(1, step), &seen), options_, hints, other, &tried, &read_at,
                &zoomed_, &region_, &texts);
  }
  if (!texts.empty()) return texts;
  // Whole-frame fallbacks, each only where it can help and finder patterns were seen.
  if (options_.contrast_pass && seen.dark_pair && range.hi - range.lo < kNarrowRange) {
    Read(Stretch(f, range, Tone::kLinear, &scratch_), hints, &texts);
    if (!texts.empty()) return texts;
  }
  if (options_.glare_pass && seen.dark_pair && range.clipped) {
    Read(Stretch(f, range, Tone::kSquare, &scratch_), hints, &texts);
    if (!texts.empty()) return texts;
  }
  if (options_.invert_pass && seen.light_pair) {
    Read(Stretch(f, range, Tone::kInvert, &scratch_), hints, &texts);
  }
  return texts;
}

}  // namespace scanner
