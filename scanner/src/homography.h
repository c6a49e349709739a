// Private to ck_scanner: the perspective math of the QR decoder's grid sampler. A plane
// projective transform (homography) from module coordinates (u, v) of a symbol to pixels (x, y) of
// the frame, solved from four point pairs. Plain values; thread-compatible.
#pragma once

#include <array>

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

}  // namespace scanner::qr
