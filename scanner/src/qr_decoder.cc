#include "scanner/qr_decoder.h"

#include <ZXing/ReadBarcode.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
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

// The finder scan thresholds each pixel at the mean of the kWindow pixels around it (fewer at
// the ends of the row).
constexpr int kRadius = 16;
constexpr int kWindow = 2 * kRadius + 1;

// Scratch for ScanRow: window sums and the thresholded row.
struct RowScratch {
  std::vector<uint16_t> a, b;
  std::vector<uint8_t> dark;
};

// Sums of 16 consecutive pixels: out[j] = row[j] + ... + row[j + 15], j < n - 15, by doubling
// (pairs, fours, ...): every step is one pass the compiler vectorises, where a running sum is a
// serial chain. 16-bit sums suffice (kWindow * 255 < 65536). Needs n >= 16; returns a or b,
// whichever holds the sums.
const uint16_t* Sums16(const uint8_t* __restrict row, size_t n, uint16_t* __restrict a,
                       uint16_t* __restrict b) {
  for (size_t j = 0; j + 1 < n; ++j) a[j] = static_cast<uint16_t>(row[j] + row[j + 1]);
  size_t len = n - 1;  // a[0..len) hold sums of `width` pixels
  for (size_t width = 2; width < 16; width *= 2) {
    len -= width;
    for (size_t j = 0; j < len; ++j) b[j] = static_cast<uint16_t>(a[j] + a[j + width]);
    std::swap(a, b);
  }
  return a;
}

// Calls hit(centre, module, light) for every finder-like run pattern of either polarity (`light`:
// light centre) in the row, pixel i being dark if more than 2 levels below the mean of the
// kWindow pixels around it (fewer at the ends). Thresholds first (window sums, no branches: the
// compiler vectorises it), then visits only the pixels where the colour changes, found eight at a
// time.
template <typename Hit>
void ScanRow(const uint8_t* row, int n, RowScratch* scratch, Hit hit) {
  if (n <= 0) return;
  const auto un = static_cast<size_t>(n);
  // dark[-1] = dark[0] and dark[n..n+8) = dark[n - 1]: no colour change outside the row.
  scratch->dark.resize(un + 16);
  uint8_t* dark = scratch->dark.data() + 1;
  const int lo = std::min(n, kRadius), hi = std::max(lo, n - kRadius - 1);
  // The ends: windows [0, i + kRadius + 1) on the left, [i - kRadius, n) on the right.
  int sum = 0;
  for (int i = 0; i < std::min(n, kRadius); ++i) sum += row[i];
  for (int i = 0; i < lo; ++i) {
    if (i + kRadius < n) sum += row[i + kRadius];
    const int b = std::min(n, i + kRadius + 1);
    dark[i] = (row[i] + 2) * b < sum ? 1 : 0;
  }
  sum = 0;
  for (int i = std::max(0, hi - kRadius); i < n; ++i) sum += row[i];
  for (int i = hi; i < n; ++i) {
    const int a = std::max(0, i - kRadius);
    dark[i] = (row[i] + 2) * (n - a) < sum ? 1 : 0;
    if (i - kRadius >= 0) sum -= row[i - kRadius];
  }
  if (hi > lo) {
    scratch->a.resize(un);
    scratch->b.resize(un);
    // The window of i: the 16 pixels from i - 16, the 16 from i, and i + 16.
    static_assert(kWindow == 33, "three parts of 16, 16 and 1 pixels");
    const uint16_t* s16 = Sums16(row, un, scratch->a.data(), scratch->b.data());
    constexpr auto r = static_cast<size_t>(kRadius);
    for (auto i = static_cast<size_t>(lo); i < static_cast<size_t>(hi); ++i) {
      const auto window = static_cast<uint16_t>(s16[i - r] + s16[i] + row[i + r]);
      const auto scaled = static_cast<uint16_t>((row[i] + 2) * kWindow);
      dark[i] = scaled < window ? 1 : 0;
    }
  }
  dark[-1] = dark[0];
  std::fill(dark + n, dark + n + 8, dark[n - 1]);
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
  for (int base = 0; base < n; base += 8) {
    uint64_t now = 0, before = 0;
    std::memcpy(&now, dark + base, 8);
    std::memcpy(&before, dark + base - 1, 8);
    uint64_t changed = now ^ before;  // bytes 0 or 1
    if (changed == 0) continue;
    if constexpr (std::endian::native == std::endian::big) {
      uint64_t swapped = 0;
      for (int k = 0; k < 8; ++k) swapped |= ((changed >> (8 * k)) & 0xff) << (56 - 8 * k);
      changed = swapped;
    }
    // Byte k (0 or 1) to bit k.
    uint64_t mask = (changed * 0x0102040810204080ULL) >> 56;
    while (mask != 0) {
      const int i = base + std::countr_zero(mask);
      end_run(i, i - start, colour != 0);
      colour ^= 1;
      start = i;
      mask &= mask - 1;
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
  std::vector<Finder> open, done;
  RowScratch scratch;
  for (int y = 0; y < f.height; y += step) {
    const uint8_t* row = f.data + static_cast<size_t>(y) * static_cast<size_t>(f.stride);
    ScanRow(row, f.width, &scratch, [&](double x, double m, bool light) {
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

// --- Reading a region by sampling its module grid: from the three finder patterns (and the
// alignment pattern near the fourth corner) a perspective transform gives every module's centre;
// the modules sampled and thresholded make a pure image (one pixel per module, quiet zone white)
// that ZXing reads in its isPure mode: no binarisation of the crop, no search. Where the grid
// cannot be placed (the timing patterns do not alternate) the region is read as a crop instead.

struct Pt {
  double x = 0, y = 0;
};

// Grey level at (x, y), bilinear; -1 outside the frame.
double Sample(const Frame& f, double x, double y) {
  if (!(x >= 0 && y >= 0 && x <= f.width - 1.001 && y <= f.height - 1.001)) return -1;
  const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
  const double fx = x - x0, fy = y - y0;
  const uint8_t* p =
      f.data + static_cast<size_t>(y0) * static_cast<size_t>(f.stride) + static_cast<size_t>(x0);
  const uint8_t* q = p + f.stride;
  return (p[0] * (1 - fx) + p[1] * fx) * (1 - fy) + (q[0] * (1 - fx) + q[1] * fx) * fy;
}

// Along the line from c in direction d (unit steps of one pixel), the distance to where the
// pattern's outer edge is crossed: past ink, space, ink (a finder's centre, gap and ring; an
// alignment pattern's too). Sub-pixel, where the level crosses `mid`. Negative if not found
// within `reach` pixels.
double OuterEdge(const Frame& f, Pt c, Pt d, double mid, bool light, double reach) {
  const auto ink = [&](double v) { return (v < mid) != light; };
  int phase = 0;  // 0: in the centre's ink, 1: in the gap, 2: in the ring
  double prev = Sample(f, c.x, c.y);
  if (prev < 0 || !ink(prev)) return -1;
  for (int t = 1; t <= static_cast<int>(reach); ++t) {
    const double v = Sample(f, c.x + d.x * t, c.y + d.y * t);
    if (v < 0) return -1;
    if (ink(v) != (phase != 1)) {
      if (phase == 2) return t - 1 + (prev - mid) / (prev - v);  // where it crossed mid
      ++phase;
    }
    prev = v;
  }
  return -1;
}

// Centres the point on its pattern: the midpoints of the outer edges along the row, then the
// column, through it, three times. Also returns the pattern's width across and down.
bool Centre(const Frame& f, Pt* c, double mid, bool light, double reach, double* across,
            double* down) {
  for (int it = 0; it < 3; ++it) {
    const double l = OuterEdge(f, *c, {-1, 0}, mid, light, reach);
    const double r = OuterEdge(f, *c, {1, 0}, mid, light, reach);
    if (l < 0 || r < 0) return false;
    c->x += (r - l) / 2;
    *across = l + r;
    const double u = OuterEdge(f, *c, {0, -1}, mid, light, reach);
    const double b = OuterEdge(f, *c, {0, 1}, mid, light, reach);
    if (u < 0 || b < 0) return false;
    c->y += (b - u) / 2;
    *down = u + b;
  }
  return true;
}

// x = (a u + b v + c) / (g u + h v + 1), y = (d u + e v + f) / (g u + h v + 1).
struct Homography {
  std::array<double, 8> k{};
  Pt operator()(double u, double v) const {
    const double w = k[6] * u + k[7] * v + 1;
    return {(k[0] * u + k[1] * v + k[2]) / w, (k[3] * u + k[4] * v + k[5]) / w};
  }
};

// The homography taking the four points `from` to `to`; false if degenerate.
bool Solve(const std::array<Pt, 4>& from, const std::array<Pt, 4>& to, Homography* h) {
  double m[8][9] = {};
  for (size_t i = 0; i < 4; ++i) {
    const double u = from[i].x, v = from[i].y, x = to[i].x, y = to[i].y;
    const double rx[9] = {u, v, 1, 0, 0, 0, -u * x, -v * x, x};
    const double ry[9] = {0, 0, 0, u, v, 1, -u * y, -v * y, y};
    std::copy(rx, rx + 9, m[2 * i]);
    std::copy(ry, ry + 9, m[2 * i + 1]);
  }
  for (size_t col = 0; col < 8; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < 8; ++r) {
      if (std::fabs(m[r][col]) > std::fabs(m[pivot][col])) pivot = r;
    }
    if (std::fabs(m[pivot][col]) < 1e-9) return false;
    std::swap(m[col], m[pivot]);
    for (size_t r = 0; r < 8; ++r) {
      if (r == col) continue;
      const double k = m[r][col] / m[col][col];
      for (size_t c = col; c < 9; ++c) m[r][c] -= k * m[col][c];
    }
  }
  for (size_t i = 0; i < 8; ++i) h->k[i] = m[i][8] / m[i][i];
  return true;
}

// The modules of a dim x dim grid sampled through `h`, ink 1; false if a module falls outside
// the frame. Each module is thresholded at the mean of the 9 x 9 modules around it (light
// gradients, glare), pulled towards the middle of ink and paper.
bool SampleGrid(const Frame& f, const Homography& h, int dim, double mid, bool light,
                std::vector<uint8_t>* grey, std::vector<uint8_t>* bits) {
  const auto n = static_cast<size_t>(dim);
  grey->resize(n * n);
  for (size_t v = 0; v < n; ++v) {
    for (size_t u = 0; u < n; ++u) {
      const Pt p = h(static_cast<double>(u) + 0.5, static_cast<double>(v) + 0.5);
      const double s = Sample(f, p.x, p.y);
      if (s < 0) return false;
      (*grey)[v * n + u] = static_cast<uint8_t>(light ? 255 - s : s);
    }
  }
  // Integral image for the local means.
  std::vector<int> sum((n + 1) * (n + 1), 0);
  for (size_t v = 0; v < n; ++v) {
    int row = 0;
    for (size_t u = 0; u < n; ++u) {
      row += (*grey)[v * n + u];
      sum[(v + 1) * (n + 1) + u + 1] = sum[v * (n + 1) + u + 1] + row;
    }
  }
  const int centre = light ? 255 - static_cast<int>(mid) : static_cast<int>(mid);
  bits->resize(n * n);
  for (size_t v = 0; v < n; ++v) {
    for (size_t u = 0; u < n; ++u) {
      const size_t u0 = u >= 4 ? u - 4 : 0, v0 = v >= 4 ? v - 4 : 0;
      const size_t u1 = std::min(n, u + 5), v1 = std::min(n, v + 5);
      const int area = static_cast<int>((u1 - u0) * (v1 - v0));
      const int local = sum[v1 * (n + 1) + u1] - sum[v0 * (n + 1) + u1] - sum[v1 * (n + 1) + u0] +
                        sum[v0 * (n + 1) + u0];
      const int threshold = (local / area + centre) / 2;
      (*bits)[v * n + u] = (*grey)[v * n + u] < threshold ? 1 : 0;
    }
  }
  return true;
}

// The centres of the alignment patterns of a dim x dim symbol along either axis, as ISO/IEC 18004
// table E.1 has them (the rule that generates it); returns how many.
int AlignmentCentres(int dim, std::array<int, 7>* at) {
  const int version = (dim - 17) / 4;
  if (version < 2) return 0;
  const int count = version / 7 + 2;
  const int step = version == 32 ? 26 : (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2;
  (*at)[0] = 6;
  for (int i = count - 1, pos = dim - 7; i >= 1; --i, pos -= step)
    (*at)[static_cast<size_t>(i)] = pos;
  return count;
}

// Does the grid through `h` find the alignment patterns (those not on a finder pattern) where
// they belong, 80% of their modules right? Each pattern's 5 x 5 modules are thresholded at their
// own mean pulled towards `mid`. A check of the grid everywhere, at a few hundred samples, before
// the grid is sampled and ZXing is asked to read it.
bool AlignmentsFit(const Frame& f, const Homography& h, int dim, double mid, bool light) {
  std::array<int, 7> at{};
  const int count = AlignmentCentres(dim, &at);
  int good = 0, total = 0;
  for (int i = 0; i < count; ++i) {
    for (int j = 0; j < count; ++j) {
      if ((i == 0 && j == 0) || (i == 0 && j == count - 1) || (i == count - 1 && j == 0)) continue;
      const int cx = at[static_cast<size_t>(i)], cy = at[static_cast<size_t>(j)];
      std::array<double, 25> level{};
      double mean = 0;
      for (size_t k = 0; k < 25; ++k) {
        const int dx = static_cast<int>(k % 5) - 2, dy = static_cast<int>(k / 5) - 2;
        const Pt p = h(cx + dx + 0.5, cy + dy + 0.5);
        level[k] = Sample(f, p.x, p.y);
        if (level[k] < 0) return false;
        mean += level[k] / 25;
      }
      const double threshold = (mean + mid) / 2;
      for (size_t k = 0; k < 25; ++k) {
        const int dx = static_cast<int>(k % 5) - 2, dy = static_cast<int>(k / 5) - 2;
        const bool ink = std::max(std::abs(dx), std::abs(dy)) != 1;
        good += ((level[k] < threshold) != light) == ink ? 1 : 0;
        ++total;
      }
    }
  }
  return good * 10 >= total * 8;
}

// Scratch for ReadSampled: the modules' levels, their bits, the pure image.
struct GridScratch {
  std::vector<uint8_t>*grey, *best, *image;
};

// Reads the region by sampling its grid (above). `tl`, `tr`, `bl`: its finder patterns (any
// order: sorted here). The symbol read goes to *read_at. Returns whether it read something.
bool ReadSampled(const Frame& f, const Region& r, const std::array<Pt, 3>& centres, double module,
                 const ZXing::DecodeHints& pure, GridScratch s, std::vector<std::string>* texts,
                 std::vector<Quad>* read_at) {
  const LevelRange range = PercentileRange(Cut(f, r.box));
  const double mid = (range.lo + range.hi) / 2.0;
  if (range.hi - range.lo < 24) return false;
  std::array<Pt, 3> c = centres;
  double width = 0;
  const double reach = 6 * module + 3;
  for (Pt& p : c) {
    double across = 0, down = 0;
    if (!Centre(f, &p, mid, r.light, reach, &across, &down)) return false;
    width += std::min(across, down);  // the narrower chord is the nearer to 7 modules
  }
  // c[0] is the corner; c[1] along the first row (top right), c[2] down the first column.
  Pt e1{c[1].x - c[0].x, c[1].y - c[0].y}, e2{c[2].x - c[0].x, c[2].y - c[0].y};
  if (e1.x * e2.y - e1.y * e2.x < 0) std::swap(c[1], c[2]), std::swap(e1, e2);
  const double side = (std::hypot(e1.x, e1.y) + std::hypot(e2.x, e2.y)) / 2;
  // Along a side, a finder is 7 modules; across the row or column at an angle, more: the width
  // measured is an upper bound, so the dimension estimated is a lower one, roughly.
  const double angle = std::atan2(e1.y, e1.x);
  const double slant = std::max(std::fabs(std::cos(angle)), std::fabs(std::sin(angle)));
  const double m = width / 3 * slant / 7;
  if (m <= 0) return false;
  const double estimate = side / m + 7;
  // The dimension: the timing patterns (row and column 6 between the finder patterns) alternate
  // dark and light, module by module; counting their runs, sampled a quarter module apart along
  // the line from one finder pattern's centre row to the other's, is immune to perspective
  // (which bends the spacing, not the count). From centre to centre there are dim - 12 runs.
  const auto count_runs = [&](Pt from, Pt to, Pt shift) {
    const double len = std::hypot(to.x - from.x, to.y - from.y);
    const int n = static_cast<int>(len / (m / 4)) + 1;
    if (n < 8 || n > 4096) return 0;
    std::array<double, 4096> level;
    const auto un = static_cast<size_t>(n);
    for (size_t i = 0; i < un; ++i) {
      const double t = static_cast<double>(i) / (n - 1);
      level[i] =
          Sample(f, from.x + t * (to.x - from.x) + shift.x, from.y + t * (to.y - from.y) + shift.y);
      if (level[i] < 0) return 0;
    }
    // Each sample against the mean of the two modules either side of it, pulled towards the
    // middle of ink and paper (in a finder pattern's ink the local mean is ink).
    int runs = 1, pending = 0;
    bool colour = true;  // it starts in a finder pattern's ink
    double window = 0;   // level[lo..hi)
    for (size_t k = 0; k < std::min(un, size_t{8}); ++k) window += level[k];
    for (size_t i = 0; i < un; ++i) {
      if (i + 8 < un) window += level[i + 8];
      if (i >= 9) window -= level[i - 9];
      const size_t lo = i >= 8 ? i - 8 : 0, hi = std::min(un, i + 9);
      const double mean = window / static_cast<double>(hi - lo);
      const bool ink = (level[i] < (mean + mid) / 2) != r.light;
      if (ink == colour) {
        pending = 0;
      } else if (++pending >= 2) {  // a change that lasts half a module
        colour = ink, ++runs, pending = 0;
      }
    }
    return runs;
  };
  const double l1 = std::hypot(e1.x, e1.y), l2 = std::hypot(e2.x, e2.y);
  const Pt down{3 * m * e2.x / l2, 3 * m * e2.y / l2}, across{3 * m * e1.x / l1, 3 * m * e1.y / l1};
  const int dim_row = count_runs(c[0], c[1], down) + 12;
  const int dim_col = count_runs(c[0], c[2], across) + 12;
  // Where the counts disagree (blur, small modules), the version near the estimate whose timing
  // patterns, sampled where the finder patterns put them, alternate best (80% at least).
  int dim = dim_row;
  if (dim != dim_col || (dim - 17) % 4 != 0 || std::fabs(dim - estimate) > 8) {
    dim = 0;
    int best_good = 0, best_total = 1;
    const int base = static_cast<int>(std::lround((estimate - 17) / 4));
    for (int version : {base - 1, base, base + 1, base + 2}) {
      if (version < 2 || version > 40) continue;
      const int d = 17 + 4 * version;
      const double span = d - 7;
      int good = 0;
      for (int i = 8; i + 8 < d; ++i) {
        const bool want = i % 2 == 0;
        const double a = (i + 0.5 - 3.5) / span, b = 3 / span;  // module (i, 6), then (6, i)
        const double h = Sample(f, c[0].x + a * e1.x + b * e2.x, c[0].y + a * e1.y + b * e2.y);
        const double v = Sample(f, c[0].x + b * e1.x + a * e2.x, c[0].y + b * e1.y + a * e2.y);
        if (h < 0 || v < 0) break;
        good += ((h < mid) != r.light) == want ? 1 : 0;
        good += ((v < mid) != r.light) == want ? 1 : 0;
      }
      const int total = 2 * (d - 16);
      if (good * best_total > best_good * total) best_good = good, best_total = total, dim = d;
    }
    if (dim == 0 || best_good * 10 < best_total * 8) return false;
  }
  if (dim < 25 || dim > 177) return false;
  // The alignment pattern nearest the fourth corner, at module (dim - 7, dim - 7): where the three
  // finder patterns put it, then the best ring-shaped spot near it.
  const double span = dim - 7;
  const Pt u1{e1.x / span, e1.y / span}, v1{e2.x / span, e2.y / span};
  const double ax = dim - 6.5, ay = dim - 6.5;
  const Pt guess{c[0].x + (ax - 3.5) * u1.x + (ay - 3.5) * v1.x,
                 c[0].y + (ax - 3.5) * u1.y + (ay - 3.5) * v1.y};
  const auto score_at = [&](Pt p) {
    const double centre = Sample(f, p.x, p.y);
    if (centre < 0) return -1e9;
    double ring1 = 0, ring2 = 0;
    for (int dy = -2; dy <= 2; ++dy) {
      for (int dx = -2; dx <= 2; ++dx) {
        if (dx == 0 && dy == 0) continue;
        const double v = Sample(f, p.x + dx * u1.x + dy * v1.x, p.y + dx * u1.y + dy * v1.y);
        if (v < 0) return -1e9;
        (std::max(std::abs(dx), std::abs(dy)) == 1 ? ring1 : ring2) += v;
      }
    }
    const double sc = ring1 / 8 - (centre + ring2 / 16) / 2;
    return r.light ? -sc : sc;
  };
  Pt at = guess;
  double best = -1e9;
  for (const double step : {0.5, 0.125}) {
    const Pt from = at;
    const int steps = step > 0.25 ? 5 : 3;
    for (int j = -steps; j <= steps; ++j) {
      for (int i = -steps; i <= steps; ++i) {
        const Pt p{from.x + step * (i * u1.x + j * v1.x), from.y + step * (i * u1.y + j * v1.y)};
        const double sc = score_at(p);
        if (sc > best) best = sc, at = p;
      }
    }
  }
  // Read through the alignment pattern found if it looks like one, else (or if that fails)
  // through where the finder patterns put it.
  Homography h;
  const auto attempt = [&](Pt corner) {
    if (!Solve({Pt{3.5, 3.5}, Pt{dim - 3.5, 3.5}, Pt{3.5, dim - 3.5}, Pt{ax, ay}},
               {c[0], c[1], c[2], corner}, &h) ||
        !AlignmentsFit(f, h, dim, mid, r.light) ||
        !SampleGrid(f, h, dim, mid, r.light, s.grey, s.best)) {
      return false;
    }
    // The pure image: one pixel per module, a quiet zone of 4, the finder patterns drawn.
    const int q = 4, w = dim + 2 * q;
    const auto uw = static_cast<size_t>(w);
    s.image->assign(uw * uw, 255);
    for (size_t v = 0; v < static_cast<size_t>(dim); ++v) {
      for (size_t u = 0; u < static_cast<size_t>(dim); ++u) {
        if ((*s.best)[v * static_cast<size_t>(dim) + u] != 0) (*s.image)[(v + q) * uw + u + q] = 0;
      }
    }
    for (const auto& [fu, fv] : {std::pair{0, 0}, {dim - 7, 0}, {0, dim - 7}}) {
      for (int v = -1; v <= 7; ++v) {
        for (int u = -1; u <= 7; ++u) {
          const int ring = std::max(std::abs(2 * u - 6), std::abs(2 * v - 6)) / 2;  // 0..4
          const int x = fu + u, y = fv + v;
          if (x < 0 || y < 0 || x >= dim || y >= dim) continue;
          (*s.image)[static_cast<size_t>(y + q) * uw + static_cast<size_t>(x + q)] =
              ring == 2 || ring == 4 ? 255 : 0;
        }
      }
    }
    std::vector<std::string> got;
    Read({s.image->data(), w, w, w, PixelFormat::kGray8}, pure, &got);
    for (std::string& t : got) {
      if (std::find(texts->begin(), texts->end(), t) == texts->end()) texts->push_back(t);
    }
    return !got.empty();
  };
  const bool found = best > (range.hi - range.lo) / 4.0;
  if (!(found && attempt(at)) && !attempt(guess)) return false;
  Quad quad{};
  const Pt corners[4] = {h(0, 0), h(dim, 0), h(dim, dim), h(0, dim)};
  for (size_t i = 0; i < 4; ++i) {
    quad[i] = {static_cast<int>(std::lround(corners[i].x)),
               static_cast<int>(std::lround(corners[i].y))};
  }
  read_at->push_back(quad);
  return true;
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
  ZXing::DecodeHints pure = hints;  // a sampled grid: one pixel per module, black or white
  pure.setIsPure(true).setBinarizer(ZXing::Binarizer::FixedThreshold);
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
      std::array<Pt, 3> centres{};
      for (size_t q = 0; q < 3; ++q) centres[q] = {finders[r.ids[q]].x, finders[r.ids[q]].y};
      if (ReadSampled(f, r, centres, r.module, pure, {&grey_, &grid_, &pure_}, &texts, &read_at)) {
        note(before, r.light);
        continue;
      }
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
