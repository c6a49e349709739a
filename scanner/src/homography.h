// Private to ck_scanner: the perspective math of the QR decoder's grid sampler. A plane
// projective transform (homography) from module coordinates (u, v) of a symbol to pixels (x, y) of
// the frame, solved from four point pairs. Plain values; thread-compatible.
#pragma once

#include <array>
#include <vector>

namespace scanner::qr {

struct Pt {
  double x = 0, y = 0;
};

// x = (a u + b v + c) / (g u + h v + 1), y = (d u + e v + f) / (g u + h v + 1), k = {a..h}.
// Value-initialised it maps everything to (0, 0); see Solve.
struct Homography {
  std::array<double, 8> k{};

  Pt operator()(double u, double v) const {
    const double w = k[6] * u + k[7] * v + 1;
    return {(k[0] * u + k[1] * v + k[2]) / w, (k[3] * u + k[4] * v + k[5]) / w};
  }
};

// The homography taking the four points `from` to `to` (from[i] to to[i]), into *h. False, *h
// unspecified, if there is none: three of either four on one line, or points repeated.
[[nodiscard]] bool Solve(const std::array<Pt, 4>& from, const std::array<Pt, 4>& to, Homography* h);

// The homography that maps `from` closest to `to` (least squares in the linearised equations,
// from[i] to to[i], at least four pairs). False, *h unspecified, where they do not determine one.
[[nodiscard]] bool Fit(const std::vector<Pt>& from, const std::vector<Pt>& to, Homography* h);

// Module to frame coordinates where the paper is not flat: a homography, and offsets from it in
// pixels on a lattice of nodes `step` modules apart (node (0, 0) at module (0, 0)), interpolated
// bilinearly between them (and held beyond the last ones).
struct GridMap {
  GridMap() = default;
  GridMap(const Homography& flat) : h(flat) {}  // NOLINT(google-explicit-constructor): a flat map
  Homography h;
  int nodes = 0;  // per side; 0: the homography alone
  double step = 1;
  std::vector<Pt> offset;  // nodes x nodes, row by row

  Pt operator()(double u, double v) const {
    const Pt p = h(u, v);
    if (nodes == 0) return p;
    const Pt o = OffsetAt(u, v);
    return {p.x + o.x, p.y + o.y};
  }
  Pt OffsetAt(double u, double v) const;
};

}  // namespace scanner::qr
