#include "grid_fit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <utility>
#include <vector>

#include "luma_ops.h"

namespace scanner::qr {
namespace {

Pt Minus(Pt a, Pt b) { return {a.x - b.x, a.y - b.y}; }

// The most alignment-pattern-like spot within `reach` modules of where `h` puts module (u, v):
// half-module steps, then eighths around the best; its score into *score.
Pt SearchAlignment(const Frame& f, const Homography& h, double u, double v, int reach, bool light,
                   double* score) {
  Pt at = h(u, v);
  const Pt u1 = Minus(h(u + 1, v), at), v1 = Minus(h(u, v + 1), at);
  double best = -1e9;
  for (const double step : {0.5, 0.125}) {
    const Pt from = at;
    const int steps = step > 0.25 ? 2 * reach : 3;
    for (int j = -steps; j <= steps; ++j) {
      for (int i = -steps; i <= steps; ++i) {
        const Pt p{from.x + step * (i * u1.x + j * v1.x), from.y + step * (i * u1.y + j * v1.y)};
        const double sc = AlignmentScore(f, p, u1, v1, light);
        if (sc > best) best = sc, at = p;
      }
    }
  }
  *score = best;
  return at;
}

// How spread the levels at the points `at` are, all shifted by `shift` pixels: their variance
// (sum of squares about the mean) times their count.
double Spread(const Frame& f, const std::vector<Pt>& at, Pt shift) {
  double sum = 0, sq = 0;
  int n = 0;
  for (const Pt& p : at) {
    const double s = Sample(f, p.x + shift.x, p.y + shift.y);
    if (s < 0) continue;
    sum += s, sq += s * s, ++n;
  }
  return n == 0 ? 0 : sq - sum * sum / n;
}

}  // namespace

bool EdgeHomography(const Frame& f, const GridPlan& plan, Homography* h) {
  const int dim = plan.dim;
  const std::array<Pt, 3>& c = plan.finders;
  std::vector<Pt> from = {{3.5, 3.5}, {dim - 3.5, 3.5}, {3.5, dim - 3.5}};
  std::vector<Pt> to = {c[0], c[1], c[2]};
  const double reach = 8 * std::hypot(c[1].x - c[0].x, c[1].y - c[0].y) / (dim - 7) + 3;
  // Row 3.5 runs through the centres of the finder patterns at its ends, column 3.5 likewise:
  // along those lines, their outer edges are at modules 0 and 7, dim - 7 and dim.
  const auto edges = [&](size_t a, size_t b, bool row) {
    const Pt e{c[b].x - c[a].x, c[b].y - c[a].y};
    const double len = std::hypot(e.x, e.y);
    const Pt d{e.x / len, e.y / len}, back{-d.x, -d.y};
    const double near_out = OuterEdge(f, c[a], back, plan.mid, plan.light, reach);
    const double near_in = OuterEdge(f, c[a], d, plan.mid, plan.light, reach);
    const double far_in = OuterEdge(f, c[b], back, plan.mid, plan.light, reach);
    const double far_out = OuterEdge(f, c[b], d, plan.mid, plan.light, reach);
    if (near_out < 0 || near_in < 0 || far_in < 0 || far_out < 0) return false;
    const double at[4] = {0, 7, dim - 7.0, static_cast<double>(dim)};
    const Pt px[4] = {{c[a].x - near_out * d.x, c[a].y - near_out * d.y},
                      {c[a].x + near_in * d.x, c[a].y + near_in * d.y},
                      {c[b].x - far_in * d.x, c[b].y - far_in * d.y},
                      {c[b].x + far_out * d.x, c[b].y + far_out * d.y}};
    for (size_t i = 0; i < 4; ++i) {
      from.push_back(row ? Pt{at[i], 3.5} : Pt{3.5, at[i]});
      to.push_back(px[i]);
    }
    return true;
  };
  return edges(0, 1, true) && edges(0, 2, false) && Fit(from, to, h);
}

int FitAlignments(const Frame& f, const GridPlan& plan, Homography* h) {
  const int dim = plan.dim;
  const std::array<Pt, 3>& c = plan.finders;
  std::vector<Pt> from = {{3.5, 3.5}, {dim - 3.5, 3.5}, {3.5, dim - 3.5}};
  std::vector<Pt> to = {c[0], c[1], c[2]};
  // The affine grid of the three finder patterns, or better the perspective their edges give.
  if (!EdgeHomography(f, plan, h) &&
      !Solve({from[0], from[1], from[2], Pt{dim - 3.5, dim - 3.5}},
             {c[0], c[1], c[2], Pt{c[1].x + c[2].x - c[0].x, c[1].y + c[2].y - c[0].y}}, h)) {
    return 0;
  }
  std::array<int, 7> at{};
  const int count = AlignmentCentres(dim, &at);
  std::vector<std::pair<int, int>> order;
  for (int j = 0; j < count; ++j) {
    for (int i = 0; i < count; ++i) {
      if ((i == 0 && j == 0) || (i == 0 && j == count - 1) || (i == count - 1 && j == 0)) continue;
      order.emplace_back(i, j);
    }
  }
  // Nearest the finder patterns first: outwards along the diagonals from the corner.
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first + a.second < b.first + b.second;
  });
  const double good = plan.contrast / 4.0;
  int found = 0;
  bool inner = false;  // one found off the first row and column
  for (const auto& [i, j] : order) {
    const double u = at[static_cast<size_t>(i)] + 0.5, v = at[static_cast<size_t>(j)] + 0.5;
    double score = 0;
    const Pt p = SearchAlignment(f, *h, u, v, i + j <= 2 ? 2 : 1, plan.light, &score);
    if (score <= good) continue;
    from.push_back({u, v});
    to.push_back(p);
    ++found;
    inner = inner || (i > 0 && j > 0);
    // Alignment patterns on the first row and column alone are nearly on the lines between the
    // finder patterns: a homography through them would be ill determined.
    Homography next;
    if ((inner || from.size() >= 5) && Fit(from, to, &next)) *h = next;
  }
  return found;
}

void FitOffsets(const Frame& f, const GridPlan& plan, GridMap* map) {
  constexpr int kHalf = 3;  // the window: modules within this many of the node
  constexpr int kStep = 8;  // modules between nodes, at most
  const int dim = plan.dim;
  const int nodes = (dim + kStep - 1) / kStep + 1;
  std::vector<Pt> window;
  map->nodes = nodes;
  map->step = static_cast<double>(dim) / (nodes - 1);
  map->offset.assign(static_cast<size_t>(nodes) * static_cast<size_t>(nodes), Pt{});
  const auto at = [map, nodes](int a, int b) -> Pt& {
    return map
        ->offset[static_cast<size_t>(b) * static_cast<size_t>(nodes) + static_cast<size_t>(a)];
  };
  // Diagonal wavefronts from the top left: each node's left and upper neighbours are placed.
  for (int d = 0; d <= 2 * (nodes - 1); ++d) {
    for (int b = std::max(0, d - nodes + 1); b <= std::min(d, nodes - 1); ++b) {
      const int a = d - b;
      // The prediction: the neighbours' offsets carried on linearly where there are two in line.
      Pt prior{};
      int n = 0;
      const auto carry = [&](int a1, int b1, int a2, int b2) {
        if (a1 < 0 || b1 < 0) return;
        const Pt o1 = at(a1, b1);
        const Pt o2 = a2 >= 0 && b2 >= 0 ? at(a2, b2) : o1;
        prior.x += 2 * o1.x - o2.x, prior.y += 2 * o1.y - o2.y, ++n;
      };
      carry(a - 1, b, a - 2, b);
      carry(a, b - 1, a, b - 2);
      if (n > 0) prior = {prior.x / n, prior.y / n};
      const double u = a * map->step, v = b * map->step;
      const Pt p = map->h(u, v);
      const Pt u1 = Minus(map->h(u + 1, v), p), v1 = Minus(map->h(u, v + 1), p);
      // The window's module centres through the homography, shifted as a whole.
      window.clear();
      for (int y = std::max(0, static_cast<int>(v) - kHalf);
           y < std::min(dim, static_cast<int>(v) + kHalf); ++y) {
        for (int x = std::max(0, static_cast<int>(u) - kHalf);
             x < std::min(dim, static_cast<int>(u) + kHalf); ++x) {
          window.push_back(map->h(x + 0.5, y + 0.5));
        }
      }
      Pt best = prior;
      double best_spread = -1;
      for (const double step : {0.25, 0.125}) {  // +-3/8 module
        const Pt from = best;
        const int steps = 1;
        for (int j = -steps; j <= steps; ++j) {
          for (int i = -steps; i <= steps; ++i) {
            const Pt s{from.x + step * (i * u1.x + j * v1.x),
                       from.y + step * (i * u1.y + j * v1.y)};
            const double sp = Spread(f, window, s);
            if (sp > best_spread) best_spread = sp, best = s;
          }
        }
      }
      at(a, b) = best;
    }
  }
}

}  // namespace scanner::qr
