#include "grid_sampler.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <utility>

namespace scanner::qr {

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

namespace {

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

// Centres the three finder patterns and orders them (c[0] the corner, c[1] along the first row,
// c[2] down the first column); the module size into *m and the dimension it gives into
// *estimate.
bool CentreFinders(const Frame& f, double mid, bool light, double module, std::array<Pt, 3>* c,
                   double* m, double* estimate) {
  double width = 0;
  const double reach = 6 * module + 3;
  for (Pt& p : *c) {
    double across = 0, down = 0;
    if (!Centre(f, &p, mid, light, reach, &across, &down)) return false;
    width += std::min(across, down);  // the narrower chord is the nearer to 7 modules
  }
  std::array<Pt, 3>& p = *c;
  Pt e1{p[1].x - p[0].x, p[1].y - p[0].y}, e2{p[2].x - p[0].x, p[2].y - p[0].y};
  if (e1.x * e2.y - e1.y * e2.x < 0) std::swap(p[1], p[2]), std::swap(e1, e2);
  const double side = (std::hypot(e1.x, e1.y) + std::hypot(e2.x, e2.y)) / 2;
  // Along a side, a finder is 7 modules; across the row or column at an angle, more: the width
  // measured is an upper bound, so the dimension estimated is a lower one, roughly.
  const double angle = std::atan2(e1.y, e1.x);
  const double slant = std::max(std::fabs(std::cos(angle)), std::fabs(std::sin(angle)));
  *m = width / 3 * slant / 7;
  if (*m <= 0) return false;
  *estimate = side / *m + 7;
  return true;
}

// The runs of a timing pattern between two finder patterns' centres, the line shifted by `shift`:
// samples a quarter module apart, each against the mean of the two modules either side of it,
// pulled towards the middle of ink and paper (in a finder pattern's ink the local mean is ink).
// 0 if the line is too short or long or leaves the frame.
int CountRuns(const Frame& f, Pt from, Pt to, Pt shift, double m, double mid, bool light) {
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
  int runs = 1, pending = 0;
  bool colour = true;  // it starts in a finder pattern's ink
  double window = 0;   // level[lo..hi)
  for (size_t k = 0; k < std::min(un, size_t{8}); ++k) window += level[k];
  for (size_t i = 0; i < un; ++i) {
    if (i + 8 < un) window += level[i + 8];
    if (i >= 9) window -= level[i - 9];
    const size_t lo = i >= 8 ? i - 8 : 0, hi = std::min(un, i + 9);
    const double mean = window / static_cast<double>(hi - lo);
    const bool ink = (level[i] < (mean + mid) / 2) != light;
    if (ink == colour) {
      pending = 0;
    } else if (++pending >= 2) {  // a change that lasts half a module
      colour = ink, ++runs, pending = 0;
    }
  }
  return runs;
}

// Where the run counts disagree (blur, small modules): the version near the estimate whose
// timing patterns, sampled where the finder patterns put them, alternate best (80% at least);
// 0 if none does.
int TimingDimension(const Frame& f, const std::array<Pt, 3>& c, double estimate, double mid,
                    bool light) {
  const Pt e1{c[1].x - c[0].x, c[1].y - c[0].y}, e2{c[2].x - c[0].x, c[2].y - c[0].y};
  int dim = 0, best_good = 0, best_total = 1;
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
      good += ((h < mid) != light) == want ? 1 : 0;
      good += ((v < mid) != light) == want ? 1 : 0;
    }
    const int total = 2 * (d - 16);
    if (good * best_total > best_good * total) best_good = good, best_total = total, dim = d;
  }
  return dim == 0 || best_good * 10 < best_total * 8 ? 0 : dim;
}

// The dimension: the timing patterns (row and column 6 between the finder patterns) alternate
// dark and light, module by module; counting their runs along the line from one finder pattern's
// centre row to the other's is immune to perspective (which bends the spacing, not the count).
// From centre to centre there are dim - 12 runs.
int Dimension(const Frame& f, const std::array<Pt, 3>& c, double m, double estimate, double mid,
              bool light) {
  const Pt e1{c[1].x - c[0].x, c[1].y - c[0].y}, e2{c[2].x - c[0].x, c[2].y - c[0].y};
  const double l1 = std::hypot(e1.x, e1.y), l2 = std::hypot(e2.x, e2.y);
  const Pt down{3 * m * e2.x / l2, 3 * m * e2.y / l2}, across{3 * m * e1.x / l1, 3 * m * e1.y / l1};
  const int dim_row = CountRuns(f, c[0], c[1], down, m, mid, light) + 12;
  const int dim_col = CountRuns(f, c[0], c[2], across, m, mid, light) + 12;
  if (dim_row != dim_col || (dim_row - 17) % 4 != 0 || std::fabs(dim_row - estimate) > 8) {
    return TimingDimension(f, c, estimate, mid, light);
  }
  return dim_row;
}

// A finder pattern's module along the unit vector d: its width that way over 7; 0 if not found.
double ModuleAlong(const Frame& f, Pt c, Pt d, double mid, bool light, double reach) {
  const double a = OuterEdge(f, c, d, mid, light, reach),
               b = OuterEdge(f, c, {-d.x, -d.y}, mid, light, reach);
  return a < 0 || b < 0 ? 0 : (a + b) / 7;
}

// The dimension of a strongly foreshortened code (Dimension found none): the modules measured
// along the code's own axes at each finder pattern, so that the timing patterns are looked for 3
// modules in from each end's own finder pattern, and counted at their own module size.
int AxisDimension(const Frame& f, const std::array<Pt, 3>& c, double mid, bool light,
                  double reach) {
  const Pt e1{c[1].x - c[0].x, c[1].y - c[0].y}, e2{c[2].x - c[0].x, c[2].y - c[0].y};
  const double l1 = std::hypot(e1.x, e1.y), l2 = std::hypot(e2.x, e2.y);
  const Pt u1{e1.x / l1, e1.y / l1}, u2{e2.x / l2, e2.y / l2};
  std::array<double, 3> along{}, down{};
  for (size_t i = 0; i < 3; ++i) {
    along[i] = ModuleAlong(f, c[i], u1, mid, light, reach);
    down[i] = ModuleAlong(f, c[i], u2, mid, light, reach);
    if (along[i] <= 0 || down[i] <= 0) return 0;
  }
  const auto in = [](Pt p, Pt u, double k) { return Pt{p.x + k * u.x, p.y + k * u.y}; };
  const double m_row = (along[0] + along[1]) / 2, m_col = (down[0] + down[2]) / 2;
  const int row =
      CountRuns(f, in(c[0], u2, 3 * down[0]), in(c[1], u2, 3 * down[1]), {}, m_row, mid, light) +
      12;
  const int col =
      CountRuns(f, in(c[0], u1, 3 * along[0]), in(c[2], u1, 3 * along[2]), {}, m_col, mid, light) +
      12;
  const auto valid = [](int d, double estimate) {
    return (d - 17) % 4 == 0 && d >= 25 && std::fabs(d - estimate) <= 8;
  };
  const bool row_ok = valid(row, l1 / m_row + 7), col_ok = valid(col, l2 / m_col + 7);
  if (row_ok && (row == col || !col_ok)) return row;
  return col_ok && !row_ok ? col : 0;
}

// The alignment pattern nearest the fourth corner, at module (dim - 7, dim - 7): where the three
// finder patterns put it, then the best ring-shaped spot near it (half-module steps, then
// eighths).
void FindAlignment(const Frame& f, const LevelRange& range, GridPlan* plan) {
  const std::array<Pt, 3>& c = plan->finders;
  const double span = plan->dim - 7;
  const Pt u1{(c[1].x - c[0].x) / span, (c[1].y - c[0].y) / span};
  const Pt v1{(c[2].x - c[0].x) / span, (c[2].y - c[0].y) / span};
  const double ax = plan->dim - 6.5, ay = plan->dim - 6.5;
  plan->guess = {c[0].x + (ax - 3.5) * u1.x + (ay - 3.5) * v1.x,
                 c[0].y + (ax - 3.5) * u1.y + (ay - 3.5) * v1.y};
  Pt at = plan->guess;
  double best = -1e9;
  for (const double step : {0.5, 0.125}) {
    const Pt from = at;
    const int steps = step > 0.25 ? 5 : 3;
    for (int j = -steps; j <= steps; ++j) {
      for (int i = -steps; i <= steps; ++i) {
        const Pt p{from.x + step * (i * u1.x + j * v1.x), from.y + step * (i * u1.y + j * v1.y)};
        const double sc = AlignmentScore(f, p, u1, v1, plan->light);
        if (sc > best) best = sc, at = p;
      }
    }
  }
  plan->found = at;
  plan->found_good = best > (range.hi - range.lo) / 4.0;
}

// The pure image of the grid's bits: one pixel per module, a quiet zone of 4, the finder
// patterns drawn; returns its side.
int DrawPure(const std::vector<uint8_t>& bits, int dim, std::vector<uint8_t>* image) {
  const int q = 4, w = dim + 2 * q;
  const auto uw = static_cast<size_t>(w);
  image->assign(uw * uw, 255);
  for (size_t v = 0; v < static_cast<size_t>(dim); ++v) {
    for (size_t u = 0; u < static_cast<size_t>(dim); ++u) {
      if (bits[v * static_cast<size_t>(dim) + u] != 0) (*image)[(v + q) * uw + u + q] = 0;
    }
  }
  for (const auto& [fu, fv] : {std::pair{0, 0}, {dim - 7, 0}, {0, dim - 7}}) {
    for (int v = -1; v <= 7; ++v) {
      for (int u = -1; u <= 7; ++u) {
        const int ring = std::max(std::abs(2 * u - 6), std::abs(2 * v - 6)) / 2;  // 0..4
        const int x = fu + u, y = fv + v;
        if (x < 0 || y < 0 || x >= dim || y >= dim) continue;
        (*image)[static_cast<size_t>(y + q) * uw + static_cast<size_t>(x + q)] =
            ring == 2 || ring == 4 ? 255 : 0;
      }
    }
  }
  return w;
}

}  // namespace

// How much the spot p looks like an alignment pattern (ink centre, paper ring, ink ring) with
// modules u1 across and v1 down; higher is more; -1e9 if it reaches outside the frame.
double AlignmentScore(const Frame& f, Pt p, Pt u1, Pt v1, bool light) {
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
  return light ? -sc : sc;
}

// Does the grid through `h` find the alignment patterns (those not on a finder pattern) where
// they belong, 80% of their modules right? Each pattern's 5 x 5 modules are thresholded at their
// own mean pulled towards `mid`. A check of the grid everywhere, at a few hundred samples, before
// the grid is sampled and ZXing is asked to read it.
bool AlignmentsFit(const Frame& f, const GridMap& h, int dim, double mid, bool light) {
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

bool PlanGrid(const Frame& f, const Box& box, bool light, const std::array<Pt, 3>& centres,
              double module, GridPlan* plan) {
  const LevelRange range = PercentileRange(Cut(f, box));
  const double mid = (range.lo + range.hi) / 2.0;
  if (range.hi - range.lo < 24) return false;
  std::array<Pt, 3> c = centres;
  double m = 0, estimate = 0;
  if (!CentreFinders(f, mid, light, module, &c, &m, &estimate)) return false;
  int dim = Dimension(f, c, m, estimate, mid, light);
  if (dim == 0) dim = AxisDimension(f, c, mid, light, 6 * module + 3);
  if (dim < 25 || dim > 177) return false;
  plan->finders = c;
  plan->dim = dim;
  plan->mid = mid;
  plan->light = light;
  plan->contrast = range.hi - range.lo;
  FindAlignment(f, range, plan);
  return true;
}

bool SamplePure(const Frame& f, const GridPlan& plan, Pt corner, GridScratch s, Homography* h,
                Frame* pure) {
  if (!CornerHomography(plan, corner, h)) return false;
  return SampleMap(f, plan, *h, s, pure);
}

bool CornerHomography(const GridPlan& plan, Pt corner, Homography* h) {
  const int dim = plan.dim;
  const double a = dim - 6.5;  // the fourth corner's alignment pattern's centre, both axes
  const std::array<Pt, 3>& c = plan.finders;
  return Solve({Pt{3.5, 3.5}, Pt{dim - 3.5, 3.5}, Pt{3.5, dim - 3.5}, Pt{a, a}},
               {c[0], c[1], c[2], corner}, h);
}

bool SampleMap(const Frame& f, const GridPlan& plan, const GridMap& map, GridScratch s,
               Frame* pure) {
  const int dim = plan.dim;
  if (!AlignmentsFit(f, map, dim, plan.mid, plan.light) ||
      !SampleGrid(f, map, dim, plan.mid, plan.light, s.grey, s.bits)) {
    return false;
  }
  *pure = PureImage(*s.bits, dim, s.image);
  return true;
}

Frame PureImage(const std::vector<uint8_t>& bits, int dim, std::vector<uint8_t>* image) {
  const int w = DrawPure(bits, dim, image);
  return {image->data(), w, w, w, PixelFormat::kGray8};
}

bool SampleGrid(const Frame& f, const GridMap& h, int dim, double mid, bool light,
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

}  // namespace scanner::qr
