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
// Regions whose modules are at least this many pixels are first read at their own scale.
constexpr double kNativeMinModule = 3.0;
constexpr double kTargetModule = 4.5;
// Finder candidates: a row hit confirmed down its column is enough (small, blurred or tilted
// finders give one or two rows); past kMaxFinders (noise) the best supported are kept.
constexpr int kMinHits = 1;
constexpr size_t kMaxFinders = 24;
constexpr int kMaxRegionReads = 3;
constexpr double kRegionBudget = 2.5;
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
  std::array<size_t, 3> ids{};                  // ... and indices in the scan's list
};

// A symbol read: its corners in the frame, in order around it.
using Quad = std::array<std::array<int, 2>, 4>;

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
          std::vector<Quad>* centres = nullptr, Placement at = {}) {
  try {
    ZXing::ImageView view(f.data, f.width, f.height, ZXing::ImageFormat::Lum, f.stride);
    for (const ZXing::Result& r : ZXing::ReadBarcodes(view, hints)) {
      if (!r.isValid()) continue;
      if (std::find(texts->begin(), texts->end(), r.text()) == texts->end()) {
        texts->push_back(r.text());
      }
      if (centres != nullptr) {
        Quad q{};
        for (size_t i = 0; i < 4; ++i) {
          const ZXing::PointI& p = r.position()[i];
          q[i] = {at.x0 + p.x * 100 / at.percent, at.y0 + p.y * 100 / at.percent};
        }
        centres->push_back(q);
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

// Scratch for ScanRow: prefix sums and the thresholded row.
struct RowScratch {
  std::vector<int> prefix;
  std::vector<uint8_t> dark;
};

// Calls hit(centre, module, light) for every finder-like run pattern of either polarity (`light`:
// light centre) in the row, pixel i being dark if more than 2 levels below the mean of the
// 2 * radius + 1 pixels around it (fewer at the ends). Thresholds first (prefix sums, no branches:
// the compiler vectorises it), then counts the runs.
template <typename Hit>
void ScanRow(const uint8_t* row, int n, int radius, RowScratch* scratch, Hit hit) {
  if (n <= 0) return;
  const auto un = static_cast<size_t>(n);
  scratch->prefix.resize(un + 1);
  scratch->dark.resize(un);
  int* prefix = scratch->prefix.data();
  uint8_t* dark = scratch->dark.data();
  prefix[0] = 0;
  for (size_t i = 0; i < un; ++i) prefix[i + 1] = prefix[i] + row[i];
  const auto threshold = [&](int i) {
    const int a = std::max(0, i - radius), b = std::min(n, i + radius + 1);
    dark[i] = (row[i] + 2) * (b - a) < prefix[b] - prefix[a] ? 1 : 0;
  };
  const int lo = std::min(n, radius), hi = std::max(lo, n - radius - 1);
  for (int i = 0; i < lo; ++i) threshold(i);
  const int window = 2 * radius + 1;
  for (int i = lo; i < hi; ++i) {
    dark[i] = (row[i] + 2) * window < prefix[i + radius + 1] - prefix[i - radius] ? 1 : 0;
  }
  for (int i = hi; i < n; ++i) threshold(i);
  int runs[5] = {0, 0, 0, 0, 0};
  int count = 0;
  const auto end_run = [&](int end, int len, bool is_dark) {
    if (count == 5) {
      runs[0] = runs[1], runs[1] = runs[2], runs[2] = runs[3], runs[3] = runs[4];
      count = 4;
    }
    runs[count++] = len;
    double m = 0;
    if (count == 5 && FinderRatio(runs, &m)) {
      hit(end - runs[4] - runs[3] - runs[2] / 2.0, m, !is_dark);
    }
  };
  uint8_t colour = dark[0];
  int start = 0;
  for (int i = 1; i < n; ++i) {
    if (dark[i] != colour) {
      end_run(i, i - start, colour != 0);
      colour = dark[i];
      start = i;
    }
  }
  end_run(n, n - start, colour != 0);
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
  RowScratch scratch;
  for (int y = 0; y < f.height; y += step) {
    const uint8_t* row = f.data + static_cast<size_t>(y) * static_cast<size_t>(f.stride);
    ScanRow(row, f.width, kRadius, &scratch, [&](double x, double m, bool light) {
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
std::vector<Region> QrRegions(const Frame& f, int step, Seen* seen,
                              std::vector<Finder>* finders_out) {
  std::vector<Finder>& finders = *finders_out;
  finders = FindFinders(f, step);
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
  std::vector<Region> triples;
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
        Region r{b, m, finders[i].light, finders[i].hits + finders[j].hits + finders[k].hits, {}};
        for (size_t q = 0; q < 3; ++q) {
          r.finders[q] = {static_cast<int>(t[q]->x), static_cast<int>(t[q]->y)};
        }
        r.ids = {i, j, k};
        triples.push_back(r);
      }
    }
  }
  // The best supported first; a triple sharing two finder patterns with one kept is the same code
  // with a spurious pattern beside it.
  std::stable_sort(triples.begin(), triples.end(),
                   [](const Region& a, const Region& b) { return a.support > b.support; });
  std::vector<Region> regions;
  for (const Region& r : triples) {
    const auto same = [&r](const Region& o) {
      int shared = 0;
      for (size_t a : r.ids) shared += std::count(o.ids.begin(), o.ids.end(), a) > 0 ? 1 : 0;
      return shared >= 2;
    };
    if (std::none_of(regions.begin(), regions.end(), same)) regions.push_back(r);
  }
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

// The box of the frame, a view of the same pixels.
Frame Cut(const Frame& f, const Box& b) {
  const auto offset =
      static_cast<size_t>(b.y0) * static_cast<size_t>(f.stride) + static_cast<size_t>(b.x0);
  return {f.data + offset, b.x1 - b.x0, b.y1 - b.y0, f.stride, PixelFormat::kGray8};
}

// A region is read when two of its finder patterns lie in a symbol read.
bool IsRead(const Region& r, const std::vector<Quad>& read_at) {
  return std::any_of(read_at.begin(), read_at.end(), [&r](const Quad& q) {
    int inside = 0;
    for (const auto& p : r.finders) inside += Inside(q, p[0], p[1]) ? 1 : 0;
    return inside >= 2;
  });
}

// Reads one region cut out, enlarged by percent/100, its levels mapped by `tone` from its own ink
// and paper levels. The symbols read go to *read_at. Returns whether it read something.
bool ReadRegion(const Frame& f, const Region& r, int percent, Tone tone,
                const ZXing::DecodeHints& hints, std::vector<uint8_t>* cut_pixels,
                std::vector<uint8_t>* pixels, std::vector<std::string>* texts,
                std::vector<Quad>* read_at) {
  const Frame cut = percent == 100 ? Cut(f, r.box) : Enlarge(f, r.box, percent, cut_pixels);
  if (cut.data == nullptr || cut.width < 2 || cut.height < 2) return false;
  const size_t before = texts->size();
  Read(Stretch(cut, PercentileRange(cut), tone, pixels), hints, texts, read_at,
       {r.box.x0, r.box.y0, percent});
  return texts->size() > before;
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
  std::vector<Quad> read_at;  // where the symbols read are
  const LevelRange range = PercentileRange(f);
  const auto whole = [&] {
    Read(f, hints, &texts, &read_at);
    if (texts.empty() && options_.second_binarizer) Read(f, other, &texts, &read_at);
  };
  // Without the scan, no code can be ruled out.
  Seen seen{!options_.region_pass, !options_.region_pass};
  if (!options_.region_pass) {
    whole();
  } else {
    std::vector<Finder> finders;
    const std::vector<Region> regions =
        QrRegions(f, std::max(1, options_.scan_step), &seen, &finders);
    // 1. Each region cut out, at its own scale where its modules are large enough (a fraction of
    // a frame's cost), else enlarged.
    const auto zoom = [&](const Region& r, double below) {
      return r.module < below ? std::max(100, options_.zoom_percent) : 100;
    };
    const auto tone = [](const Region& r) { return r.light ? Tone::kInvert : Tone::kLinear; };
    std::vector<int> done(regions.size(), 0);  // the enlargement it was read at
    // Region reads cost about their pixels: at most kRegionBudget frames' worth per frame (triples
    // across the cards of a multi-card frame make large boxes).
    double budget = kRegionBudget * f.width * f.height;
    const auto afford = [&budget](const Region& r, int percent) {
      const double px = static_cast<double>(r.box.x1 - r.box.x0) * (r.box.y1 - r.box.y0) * percent *
                        percent / 10000.0;
      if (px > budget) return false;
      budget -= px;
      return true;
    };
    bool all_read = true;
    int tried = 0;
    // Once a code is read, only codes of its polarity are looked for (a frame shows printed
    // cards or a phone screen): light-on-dark triples in a card's print are spurious.
    int polarity = 0;  // 1: a dark-on-light code was read, 2: light-on-dark
    const auto wanted = [&polarity](bool light) {
      return polarity == 0 || polarity == (light ? 2 : 1);
    };
    const auto note = [&polarity, &texts](size_t before, bool light) {
      if (polarity == 0 && texts.size() > before) polarity = light ? 2 : 1;
    };
    for (size_t i = 0; i < regions.size(); ++i) {
      const Region& r = regions[i];
      if (static_cast<int>(texts.size()) >= options_.max_symbols) break;
      if (IsRead(r, read_at) || !wanted(r.light)) continue;
      if (tried++ >= kMaxRegionReads) {
        all_read = false;
        break;
      }
      // Enough to bring the modules to kTargetModule pixels, at most zoom_percent.
      done[i] = r.module >= kNativeMinModule
                    ? 100
                    : std::clamp(static_cast<int>(std::ceil(kTargetModule * 10 / r.module)) * 10,
                                 100, std::max(100, options_.zoom_percent));
      if (!afford(r, done[i])) {
        done[i] = 0;
        all_read = false;
        continue;
      }
      const size_t before = texts.size();
      if (!ReadRegion(f, r, done[i], tone(r), hints, &zoomed_, &region_, &texts, &read_at)) {
        all_read = false;
      }
      note(before, r.light);
    }
    // 2. The whole frame, unless every region found was read and no two finder patterns outside
    // the symbols read may belong together (a code whose triple the scan missed).
    const auto unexplained = [&] {
      const auto outside = [&read_at](const Finder& c) {
        return std::none_of(read_at.begin(), read_at.end(), [&c](const Quad& q) {
          return Inside(q, static_cast<int>(c.x), static_cast<int>(c.y));
        });
      };
      for (size_t i = 0; i < finders.size(); ++i) {
        if (!wanted(finders[i].light) || finders[i].hits < 2 || !outside(finders[i])) continue;
        for (size_t j = i + 1; j < finders.size(); ++j) {
          if (finders[j].hits >= 2 && IsPair(finders[i], finders[j]) && outside(finders[j])) {
            return true;
          }
        }
      }
      return false;
    };
    if (texts.empty() || !all_read || unexplained()) {
      const size_t before = texts.size();
      whole();
      if (polarity == 0 && texts.size() > before) polarity = 1;  // ZXing reads dark on light
    }
    // 3. Regions still not read: enlarged where their modules are small, then squared (glare).
    tried = 0;
    for (size_t i = 0; i < regions.size(); ++i) {
      const Region& r = regions[i];
      if (static_cast<int>(texts.size()) >= options_.max_symbols || tried >= kMaxRegionReads) break;
      if (IsRead(r, read_at) || !wanted(r.light)) continue;
      ++tried;
      const int percent = zoom(r, kZoomBelowModule);
      if (done[i] == 0 && !afford(r, percent)) continue;
      if (done[i] != percent && afford(r, percent) &&
          ReadRegion(f, r, percent, tone(r), hints, &zoomed_, &region_, &texts, &read_at)) {
        continue;
      }
      if (options_.glare_pass && !r.light && PercentileRange(Cut(f, r.box)).clipped &&
          afford(r, percent)) {
        ReadRegion(f, r, percent, Tone::kSquare, hints, &zoomed_, &region_, &texts, &read_at);
      }
    }
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
