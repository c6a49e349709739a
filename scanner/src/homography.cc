#include "homography.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

namespace scanner::qr {

namespace {

// Solves the n x n system m (augmented, row-major with n + 1 columns) by Gauss-Jordan with partial
// pivoting into x; false if it is singular.
bool Eliminate(double (*m)[9], size_t n, double* x) {
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < n; ++r) {
      if (std::fabs(m[r][col]) > std::fabs(m[pivot][col])) pivot = r;
    }
    if (std::fabs(m[pivot][col]) < 1e-9) return false;
    std::swap(m[col], m[pivot]);
    for (size_t r = 0; r < n; ++r) {
      if (r == col) continue;
      const double k = m[r][col] / m[col][col];
      for (size_t c = col; c <= n; ++c) m[r][c] -= k * m[col][c];
    }
  }
  for (size_t i = 0; i < n; ++i) x[i] = m[i][n] / m[i][i];
  return true;
}

}  // namespace

bool Fit(const std::vector<Pt>& from, const std::vector<Pt>& to, Homography* h) {
  if (from.size() < 4 || from.size() != to.size()) return false;
  // Normal equations of the two linearised equations per pair; module coordinates scaled to ~1
  // and pixels to ~1 for their conditioning.
  double su = 0, sx = 0, mx = 0, my = 0;
  for (const Pt& p : from) su = std::max({su, std::fabs(p.x), std::fabs(p.y)});
  for (const Pt& p : to)
    mx += p.x / static_cast<double>(to.size()), my += p.y / static_cast<double>(to.size());
  for (const Pt& p : to) sx = std::max({sx, std::fabs(p.x - mx), std::fabs(p.y - my)});
  if (su <= 0 || sx <= 0) return false;
  double m[8][9] = {};
  for (size_t i = 0; i < from.size(); ++i) {
    const double u = from[i].x / su, v = from[i].y / su;
    const double x = (to[i].x - mx) / sx, y = (to[i].y - my) / sx;
    const double rx[9] = {u, v, 1, 0, 0, 0, -u * x, -v * x, x};
    const double ry[9] = {0, 0, 0, u, v, 1, -u * y, -v * y, y};
    for (const double* r : {rx, ry}) {
      for (size_t a = 0; a < 8; ++a) {
        for (size_t b = 0; b < 9; ++b) m[a][b] += r[a] * r[b];
      }
    }
  }
  double k[8];
  if (!Eliminate(m, 8, k)) return false;
  // Undo the scaling: x = mx + sx * X(u / su, v / su).
  const double a = k[0] / su, b = k[1] / su, g = k[6] / su, hh = k[7] / su;
  const double d = k[3] / su, e = k[4] / su;
  h->k = {sx * a + mx * g,
          sx * b + mx * hh,
          sx * k[2] + mx,
          sx * d + my * g,
          sx * e + my * hh,
          sx * k[5] + my,
          g,
          hh};
  return true;
}

Pt GridMap::OffsetAt(double u, double v) const {
  const double fu = std::clamp(u / step, 0.0, nodes - 1.0),
               fv = std::clamp(v / step, 0.0, nodes - 1.0);
  const int i = std::min(static_cast<int>(fu), nodes - 2),
            j = std::min(static_cast<int>(fv), nodes - 2);
  const double tu = fu - i, tv = fv - j;
  const auto at = [this](int a, int b) {
    return offset[static_cast<size_t>(b) * static_cast<size_t>(nodes) + static_cast<size_t>(a)];
  };
  const Pt p00 = at(i, j), p10 = at(i + 1, j), p01 = at(i, j + 1), p11 = at(i + 1, j + 1);
  return {(p00.x * (1 - tu) + p10.x * tu) * (1 - tv) + (p01.x * (1 - tu) + p11.x * tu) * tv,
          (p00.y * (1 - tu) + p10.y * tu) * (1 - tv) + (p01.y * (1 - tu) + p11.y * tu) * tv};
}

bool Solve(const std::array<Pt, 4>& from, const std::array<Pt, 4>& to, Homography* h) {
  // Two equations per pair in the eight unknowns, solved by Gauss-Jordan with partial pivoting.
  double m[8][9] = {};
  for (size_t i = 0; i < 4; ++i) {
    const double u = from[i].x, v = from[i].y, x = to[i].x, y = to[i].y;
    const double rx[9] = {u, v, 1, 0, 0, 0, -u * x, -v * x, x};
    const double ry[9] = {0, 0, 0, u, v, 1, -u * y, -v * y, y};
    std::copy(rx, rx + 9, m[2 * i]);
    std::copy(ry, ry + 9, m[2 * i + 1]);
  }
  return Eliminate(m, 8, h->k.data());
}

}  // namespace scanner::qr
