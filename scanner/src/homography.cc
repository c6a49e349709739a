#include "homography.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

namespace scanner::qr {

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

}  // namespace scanner::qr
