#include "grid_deblur.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <numbers>
#include <utility>

namespace scanner::qr {
namespace {

constexpr int kReach = 2;        // the longest blur: kReach modules either side
constexpr int kIterations = 24;  // of the projected gradient descent
constexpr int kSegmentSamples = 33;

struct Tap {
  int du = 0, dv = 0;
  double w = 0;
};
using Kernel = std::vector<Tap>;

// The function patterns' modules: -1 unknown (data, format, version), 0 paper, 1 ink.
std::vector<int8_t> KnownModules(int dim) {
  const auto n = static_cast<size_t>(dim);
  std::vector<int8_t> known(n * n, -1);
  const auto set = [&](int u, int v, bool ink) {
    if (u >= 0 && v >= 0 && u < dim && v < dim)
      known[static_cast<size_t>(v) * n + static_cast<size_t>(u)] = ink ? 1 : 0;
  };
  for (const auto& [fu, fv] : {std::pair{0, 0}, {dim - 7, 0}, {0, dim - 7}}) {
    for (int v = -1; v <= 7; ++v) {
      for (int u = -1; u <= 7; ++u) {
        const int ring = std::max(std::abs(2 * u - 6), std::abs(2 * v - 6)) / 2;
        set(fu + u, fv + v, ring != 2 && ring != 4);
      }
    }
  }
  for (int i = 8; i + 8 < dim; ++i) set(i, 6, i % 2 == 0), set(6, i, i % 2 == 0);
  std::array<int, 7> at{};
  const int count = AlignmentCentres(dim, &at);
  for (int i = 0; i < count; ++i) {
    for (int j = 0; j < count; ++j) {
      if ((i == 0 && j == 0) || (i == 0 && j == count - 1) || (i == count - 1 && j == 0)) continue;
      for (int dy = -2; dy <= 2; ++dy) {
        for (int dx = -2; dx <= 2; ++dx) {
          set(at[static_cast<size_t>(i)] + dx, at[static_cast<size_t>(j)] + dy,
              std::max(std::abs(dx), std::abs(dy)) != 1);
        }
      }
    }
  }
  set(8, dim - 8, true);  // the dark module
  return known;
}

// The motion (length `len` modules along (du, dv), a unit vector in module coordinates) as the
// module centres see it: the fraction of the segment through each module's centre in each module.
Kernel MotionKernel(double len, double du, double dv) {
  Kernel k;
  for (int i = 0; i < kSegmentSamples; ++i) {
    const double t = len * (static_cast<double>(i) / (kSegmentSamples - 1) - 0.5);
    const int a = static_cast<int>(std::floor(0.5 + t * du)),
              b = static_cast<int>(std::floor(0.5 + t * dv));
    auto it =
        std::find_if(k.begin(), k.end(), [&](const Tap& p) { return p.du == a && p.dv == b; });
    if (it == k.end()) it = k.insert(k.end(), Tap{a, b, 0});
    it->w += 1.0 / kSegmentSamples;
  }
  return k;
}

// The blurred level model at module (u, v): sum of the kernel's taps over x (outside: paper, 0).
double Blurred(const std::vector<double>& x, int dim, const Kernel& k, int u, int v) {
  double z = 0;
  for (const Tap& t : k) {
    const int a = u + t.du, b = v + t.dv;
    if (a >= 0 && b >= 0 && a < dim && b < dim)
      z += t.w * x[static_cast<size_t>(b) * static_cast<size_t>(dim) + static_cast<size_t>(a)];
  }
  return z;
}

struct LevelFit {
  double a = 0, b = 0, rss = 1e300;  // level = a + b * blurred ink
};

// How well the kernel explains the targets' levels from the known modules.
LevelFit Explain(const std::vector<double>& x, const std::vector<uint8_t>& grey,
                 const std::vector<size_t>& targets, int dim, const Kernel& k) {
  double sz = 0, sy = 0, szz = 0, szy = 0, syy = 0;
  for (const size_t i : targets) {
    const int u = static_cast<int>(i % static_cast<size_t>(dim)),
              v = static_cast<int>(i / static_cast<size_t>(dim));
    const double z = Blurred(x, dim, k, u, v), y = grey[i];
    sz += z, sy += y, szz += z * z, szy += z * y, syy += y * y;
  }
  const auto n = static_cast<double>(targets.size());
  const double var = szz - sz * sz / n;
  LevelFit fit;
  if (var <= 1e-9) return fit;
  fit.b = (szy - sz * sy / n) / var;
  fit.a = (sy - fit.b * sz) / n;
  fit.rss = syy - sy * sy / n - fit.b * (szy - sz * sy / n);
  return fit;
}

// The modules at least kReach from any unknown one: every tap of every candidate lands on known.
std::vector<size_t> Targets(const std::vector<int8_t>& known, int dim) {
  std::vector<size_t> targets;
  for (int v = 0; v < dim; ++v) {
    for (int u = 0; u < dim; ++u) {
      bool all = true;
      for (int b = v - kReach; b <= v + kReach && all; ++b) {
        for (int a = u - kReach; a <= u + kReach && all; ++a) {
          if (a >= 0 && b >= 0 && a < dim && b < dim)
            all =
                known[static_cast<size_t>(b) * static_cast<size_t>(dim) + static_cast<size_t>(a)] >=
                0;
        }
      }
      if (all)
        targets.push_back(static_cast<size_t>(v) * static_cast<size_t>(dim) +
                          static_cast<size_t>(u));
    }
  }
  return targets;
}

// Solves for the unknown modules of x under the kernel and the level model.
void Deconvolve(const std::vector<uint8_t>& grey, const std::vector<int8_t>& known, int dim,
                const Kernel& k, const LevelFit& fit, std::vector<double>* x) {
  const auto n = static_cast<size_t>(dim) * static_cast<size_t>(dim);
  for (size_t i = 0; i < n; ++i) {
    if (known[i] < 0) (*x)[i] = std::clamp((grey[i] - fit.a) / fit.b, 0.0, 1.0);
  }
  std::vector<double> r(n);
  const double step = 1 / (fit.b * fit.b);
  for (int it = 0; it < kIterations; ++it) {
    for (int v = 0; v < dim; ++v) {
      for (int u = 0; u < dim; ++u) {
        const size_t i = static_cast<size_t>(v) * static_cast<size_t>(dim) + static_cast<size_t>(u);
        r[i] = grey[i] - fit.a - fit.b * Blurred(*x, dim, k, u, v);
      }
    }
    for (int v = 0; v < dim; ++v) {
      for (int u = 0; u < dim; ++u) {
        const size_t j = static_cast<size_t>(v) * static_cast<size_t>(dim) + static_cast<size_t>(u);
        if (known[j] >= 0) continue;
        double g = 0;
        for (const Tap& t : k) {  // the residuals of the modules whose blur reaches j
          const int a = u - t.du, b = v - t.dv;
          if (a >= 0 && b >= 0 && a < dim && b < dim)
            g +=
                t.w * r[static_cast<size_t>(b) * static_cast<size_t>(dim) + static_cast<size_t>(a)];
        }
        (*x)[j] = std::clamp((*x)[j] + step * fit.b * g, 0.0, 1.0);
      }
    }
  }
}

}  // namespace

bool DeblurGrid(const Frame& f, const GridPlan& plan, const GridMap& map, GridScratch s,
                std::vector<uint8_t>* bits) {
  const int dim = plan.dim;
  if (!SampleGrid(f, map, dim, plan.mid, plan.light, s.grey, s.bits)) return false;
  const std::vector<int8_t> known = KnownModules(dim);
  const std::vector<size_t> targets = Targets(known, dim);
  const auto n = static_cast<size_t>(dim) * static_cast<size_t>(dim);
  std::vector<double> x(n, 0);
  for (size_t i = 0; i < n; ++i) x[i] = known[i] > 0 ? 1 : 0;
  // The module axes at the code's centre, to turn a motion in pixels into one in modules.
  const double c = dim / 2.0;
  const Pt p = map(c, c), pu = map(c + 1, c), pv = map(c, c + 1);
  const double ux = pu.x - p.x, uy = pu.y - p.y, vx = pv.x - p.x, vy = pv.y - p.y;
  const double det = ux * vy - uy * vx;
  if (std::fabs(det) < 1e-9) return false;
  const double module = std::sqrt(std::fabs(det));
  const LevelFit none = Explain(x, *s.grey, targets, dim, MotionKernel(0, 1, 0));
  LevelFit best = none;
  Kernel kernel;
  for (int deg = 0; deg < 180; deg += 15) {
    const double dx = std::cos(deg * std::numbers::pi / 180),
                 dy = std::sin(deg * std::numbers::pi / 180);
    // d = du * (ux, uy) + dv * (vx, vy): solved for (du, dv), per pixel of motion.
    const double du = (dx * vy - dy * vx) / det, dv = (ux * dy - uy * dx) / det;
    for (double len = 1.5; len <= 2 * kReach + 0.01; len += 0.5) {
      // len: modules; the segment in module coordinates is len * module pixels long.
      const double scale = len * module;
      const Kernel k = MotionKernel(scale, du, dv);
      const LevelFit fit = Explain(x, *s.grey, targets, dim, k);
      if (fit.rss < best.rss && fit.b < 0) best = fit, kernel = k;
    }
  }
  if (kernel.empty() || best.rss > 0.6 * none.rss || -best.b < plan.contrast / 3) return false;
  Deconvolve(*s.grey, known, dim, kernel, best, &x);
  bits->resize(n);
  for (size_t i = 0; i < n; ++i) (*bits)[i] = x[i] > 0.5 ? 1 : 0;
  return true;
}

}  // namespace scanner::qr
