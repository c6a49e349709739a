#include "finder_scan.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>

namespace scanner::qr {
namespace {

// Finder candidates: a row hit confirmed down its column is enough (small, blurred or tilted
// finders give one or two rows); past kMaxFinders (noise) the best supported are kept.
constexpr int kMinHits = 1;
constexpr size_t kMaxFinders = 24;

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

// Thresholds the row (n > 0) into scratch->dark: pixel i is dark (1) if more than 2 levels below
// the mean of the kWindow pixels around it (fewer at the ends). Window sums, no branches: the
// compiler vectorises it. Returns dark[0], with dark[-1] = dark[0] and dark[n..n+8) = dark[n - 1]:
// no colour change outside the row.
uint8_t* Threshold(const uint8_t* row, int n, RowScratch* scratch) {
  const auto un = static_cast<size_t>(n);
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
  return dark;
}

// Calls hit(centre, module, light) for every finder-like run pattern of either polarity (`light`:
// light centre) in the row, thresholded by Threshold. Visits only the pixels where the colour
// changes, found eight at a time.
template <typename Hit>
void ScanRow(const uint8_t* row, int n, RowScratch* scratch, Hit hit) {
  if (n <= 0) return;
  const uint8_t* dark = Threshold(row, n, scratch);
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

// The region of the triple (a the corner): the box around its three finder patterns and the
// fourth corner beyond b and c, padded to the quiet zone, clipped to the frame.
Region TripleRegion(const Frame& f, const std::vector<Finder>& finders, size_t i, size_t j,
                    size_t k) {
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
  const Box b{std::max(0, static_cast<int>(x0 - pad)), std::max(0, static_cast<int>(y0 - pad)),
              std::min(f.width, static_cast<int>(x1 + pad) + 1),
              std::min(f.height, static_cast<int>(y1 + pad) + 1)};
  Region r{b, m, finders[i].light, finders[i].hits + finders[j].hits + finders[k].hits, {}};
  for (size_t q = 0; q < 3; ++q) {
    r.finders[q] = {static_cast<int>(t[q]->x), static_cast<int>(t[q]->y)};
  }
  r.ids = {i, j, k};
  return r;
}

}  // namespace

bool FinderRatio(const int* r, double* module) {
  // Each run within half a module (ZXing's tolerance), in integers: with m = total / 7,
  // |r - m| < m / 2 is total < 14 r < 3 total.
  const int total = r[0] + r[1] + r[2] + r[3] + r[4];
  if (total < 7) return false;
  for (int i : {0, 1, 3, 4}) {
    if (14 * r[i] <= total || 14 * r[i] >= 3 * total) return false;
  }
  if (14 * r[2] <= 3 * total || 14 * r[2] >= 9 * total) return false;
  *module = total / 7.0;
  return true;
}

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

bool IsTriple(const Finder& a, const Finder& b, const Finder& c) {
  return IsTripleWithin(a, b, c, {1.6, 2, 0.6});
}

bool IsTripleWithin(const Finder& a, const Finder& b, const Finder& c, const TripleLimits& l) {
  if (a.light != b.light || a.light != c.light) return false;
  const double lo = std::min({a.module, b.module, c.module});
  const double hi = std::max({a.module, b.module, c.module});
  if (hi > l.modules * lo) return false;
  const double abx = b.x - a.x, aby = b.y - a.y, acx = c.x - a.x, acy = c.y - a.y;
  const double ab = std::hypot(abx, aby), ac = std::hypot(acx, acy);
  const double m = (a.module + b.module + c.module) / 3;
  if (std::min(ab, ac) < 14 * m || std::max(ab, ac) > 120 * m) return false;
  if (std::max(ab, ac) > l.sides * std::min(ab, ac)) return false;
  return std::fabs(abx * acx + aby * acy) < l.cosine * ab * ac;
}

std::vector<Region> SteepRegions(const Frame& f, const std::vector<Finder>& finders) {
  const size_t n = finders.size();
  std::vector<Region> triples;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      for (size_t k = j + 1; k < n; ++k) {
        if (i == j || i == k || IsTriple(finders[i], finders[j], finders[k]) ||
            !IsTripleWithin(finders[i], finders[j], finders[k], kSteep)) {
          continue;
        }
        triples.push_back(TripleRegion(f, finders, i, j, k));
      }
    }
  }
  std::stable_sort(triples.begin(), triples.end(),
                   [](const Region& a, const Region& b) { return a.support > b.support; });
  return triples;
}

bool IsPair(const Finder& a, const Finder& b) {
  const double lo = std::min(a.module, b.module), hi = std::max(a.module, b.module);
  const double d = std::hypot(a.x - b.x, a.y - b.y);
  return a.light == b.light && hi <= 1.6 * lo && d >= 14 * lo && d <= 120 * hi;
}

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
        triples.push_back(TripleRegion(f, finders, i, j, k));
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

}  // namespace scanner::qr
