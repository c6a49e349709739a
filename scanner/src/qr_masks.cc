#include "qr_masks.h"

#include <bit>
#include <cstddef>
#include <cstdlib>

namespace scanner::qr {
namespace {

constexpr int kPenaltyN1 = 3, kPenaltyN2 = 3, kPenaltyN3 = 40, kPenaltyN4 = 10;

// Whether mask `mask` (ISO/IEC 18004 table 10) inverts the module in column x, row y.
bool MaskBit(int mask, int x, int y) {
  switch (mask) {
    case 0:
      return (x + y) % 2 == 0;
    case 1:
      return y % 2 == 0;
    case 2:
      return x % 3 == 0;
    case 3:
      return (x + y) % 3 == 0;
    case 4:
      return (x / 3 + y / 2) % 2 == 0;
    case 5:
      return x * y % 2 + x * y % 3 == 0;
    case 6:
      return (x * y % 2 + x * y % 3) % 2 == 0;
    default:
      return ((x + y) % 2 + x * y % 3) % 2 == 0;
  }
}

}  // namespace

const MaskTiles& Tiles() {
  static const MaskTiles tiles = [] {
    MaskTiles t{};
    for (int m = 0; m < 8; ++m)
      for (int y = 0; y < kTileHeight; ++y)
        for (int x = 0; x < kTileWidth; ++x)
          t[static_cast<size_t>(m)][static_cast<size_t>(y)][static_cast<size_t>(x)] =
              MaskBit(m, x, y) ? 1 : 0;
    return t;
  }();
  return tiles;
}

namespace {

// Set bits. x86-64's baseline has no popcount instruction, and std::popcount then calls
// libgcc's table-driven one; this is the same count in a few inline operations.
int Popcount(uint64_t x) {
#if defined(__x86_64__) && !defined(__POPCNT__)
  x -= (x >> 1) & 0x5555555555555555u;
  x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Fu;
  return static_cast<int>((x * 0x0101010101010101u) >> 56);
#else
  return std::popcount(x);
#endif
}

// A row or column of modules as bits (bit x = module x; bits past the symbol's side are 0): the
// penalty rules below are counted on whole lines at once, without a branch per module, which
// costs a fraction of scoring module by module on data that looks random.
struct Line {
  static constexpr size_t kWords = 3;  // version 40 is 177 modules wide
  std::array<uint64_t, kWords> w{};

  Line operator&(const Line& o) const {
    return Each(o, [](uint64_t a, uint64_t b) { return a & b; });
  }
  Line operator|(const Line& o) const {
    return Each(o, [](uint64_t a, uint64_t b) { return a | b; });
  }
  Line operator^(const Line& o) const {
    return Each(o, [](uint64_t a, uint64_t b) { return a ^ b; });
  }
  Line operator~() const {
    Line r;
    for (size_t i = 0; i < kWords; ++i) r.w[i] = ~w[i];
    return r;
  }
  // Bit x of the result is bit x + k (k < 64).
  Line operator>>(int k) const {
    Line r;
    for (size_t i = 0; i < kWords; ++i)
      r.w[i] = w[i] >> k | (i + 1 < kWords ? w[i + 1] << (63 - k) << 1 : 0);
    return r;
  }
  // Bit x of the result is bit x - k (k < 64).
  Line operator<<(int k) const {
    Line r;
    for (size_t i = 0; i < kWords; ++i)
      r.w[i] = w[i] << k | (i > 0 ? w[i - 1] >> (63 - k) >> 1 : 0);
    return r;
  }
  int Count() const {
    int n = 0;
    for (uint64_t x : w) n += Popcount(x);
    return n;
  }

 private:
  template <typename F>
  Line Each(const Line& o, F f) const {
    Line r;
    for (size_t i = 0; i < kWords; ++i) r.w[i] = f(w[i], o.w[i]);
    return r;
  }
};

// The modules 0..n-1 set.
Line Valid(int n) {
  Line l;
  for (int i = 0; i < n; ++i) l.w[static_cast<size_t>(i / 64)] |= uint64_t{1} << (i % 64);
  return l;
}

// N1 (a run of k >= 5 modules of one colour: 3 + (k - 5)) and N3 (dark-light-dark-dark-dark-
// light-dark with four light modules, or the edge, before or after it: 40) along one line.
int LinePenalty(const Line& a, const Line& valid_but_last) {
  // same[x]: modules x and x + 1 have one colour. A run of k modules is k - 1 such bits, and
  // its penalty 3 + (k - 5) = (windows of four same-bits inside it: k - 4) + 2 at its start.
  const Line same = ~(a ^ (a >> 1)) & valid_but_last;
  const Line four = same & (same >> 1) & (same >> 2) & (same >> 3);
  const int n1 = four.Count() + (kPenaltyN1 - 1) * (four & ~(four << 1)).Count();
  const Line finder = a & ~(a >> 1) & (a >> 2) & (a >> 3) & (a >> 4) & ~(a >> 5) & (a >> 6);
  const Line light_before = ~((a << 1) | (a << 2) | (a << 3) | (a << 4));
  const Line light_after = ~((a >> 7) | (a >> 8) | (a >> 9) | (a >> 10));
  const int n3 = (finder & (light_before | light_after)).Count();
  return n1 + n3 * kPenaltyN3;
}

}  // namespace

int PenaltyOf(const uint8_t* d, int n) {
  std::array<Line, 177> rows{}, cols{};
  int dark = 0;
  for (int y = 0; y < n; ++y) {
    const uint8_t* row = d + static_cast<ptrdiff_t>(y) * n;
    Line& r = rows[static_cast<size_t>(y)];
    const size_t yw = static_cast<size_t>(y / 64);
    const int yb = y % 64;
    for (int x = 0; x < n; ++x) {
      const uint64_t m = row[x];
      r.w[static_cast<size_t>(x / 64)] |= m << (x % 64);
      cols[static_cast<size_t>(x)].w[yw] |= m << yb;
      dark += row[x];
    }
  }
  const Line valid = Valid(n), valid_but_last = Valid(n - 1);
  int penalty = 0;
  for (size_t i = 0; i < static_cast<size_t>(n); ++i)
    penalty += LinePenalty(rows[i], valid_but_last) + LinePenalty(cols[i], valid_but_last);
  // N2: each 2 x 2 block of one colour, 3.
  for (size_t y = 0; y + 1 < static_cast<size_t>(n); ++y) {
    const Line& a = rows[y];
    const Line vertical = ~(a ^ rows[y + 1]) & valid;
    const Line block = vertical & (vertical >> 1) & ~(a ^ (a >> 1)) & valid_but_last;
    penalty += block.Count() * kPenaltyN2;
  }
  // N4: 10 for every 5 % the dark share is away from 50 %.
  const int total = n * n;
  penalty += std::abs(dark * 2 - total) * 10 / total * kPenaltyN4;
  return penalty;
}

}  // namespace scanner::qr
