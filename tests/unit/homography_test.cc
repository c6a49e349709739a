// The perspective math of the QR decoder's grid sampler (scanner/src/homography.h): a homography
// solved from four point pairs maps them onto each other, is the identity between equal squares,
// recovers a known projective transform, inverts by solving the other way, and is refused where
// the points do not determine one.
#include "homography.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace scanner::qr {
namespace {

constexpr double kTight = 1e-9;

void ExpectNear(Pt got, Pt want, double tolerance) {
  EXPECT_NEAR(got.x, want.x, tolerance);
  EXPECT_NEAR(got.y, want.y, tolerance);
}

// A module grid's corners (the corner finder pattern's centre and the fourth corner's alignment
// pattern, as the grid sampler uses them) and where a tilted, foreshortened camera sees them.
constexpr std::array<Pt, 4> kModules = {Pt{3.5, 3.5}, Pt{53.5, 3.5}, Pt{3.5, 53.5}, Pt{50.5, 50.5}};
constexpr std::array<Pt, 4> kPixels = {Pt{112.25, 80.5}, Pt{402.0, 101.75}, Pt{98.5, 371.0},
                                       Pt{385.5, 360.25}};

TEST(HomographyTest, MapsTheFourPointsItWasSolvedFromOntoTheirPartners) {
  Homography h;
  ASSERT_TRUE(Solve(kModules, kPixels, &h));
  for (size_t i = 0; i < 4; ++i) ExpectNear(h(kModules[i].x, kModules[i].y), kPixels[i], 1e-7);
}

TEST(HomographyTest, BetweenEqualSquaresIsTheIdentity) {
  const std::array<Pt, 4> square = {Pt{0, 0}, Pt{10, 0}, Pt{0, 10}, Pt{10, 10}};
  Homography h;
  ASSERT_TRUE(Solve(square, square, &h));
  const std::array<double, 8> identity = {1, 0, 0, 0, 1, 0, 0, 0};
  for (size_t i = 0; i < 8; ++i) EXPECT_NEAR(h.k[i], identity[i], kTight) << i;
  for (const Pt p : {Pt{3, 7}, Pt{-20, 5.5}, Pt{1e3, -1e3}}) ExpectNear(h(p.x, p.y), p, 1e-6);
}

TEST(HomographyTest, AScaleAndShiftIsAffine) {
  // The upright grid of a rendered code: module (u, v) centred at pixel 6 (u + 4) + 3.
  const std::array<Pt, 4> from = {Pt{0, 0}, Pt{1, 0}, Pt{0, 1}, Pt{1, 1}};
  const std::array<Pt, 4> to = {Pt{27, 27}, Pt{33, 27}, Pt{27, 33}, Pt{33, 33}};
  Homography h;
  ASSERT_TRUE(Solve(from, to, &h));
  EXPECT_NEAR(h.k[6], 0, kTight);  // no perspective
  EXPECT_NEAR(h.k[7], 0, kTight);
  ExpectNear(h(20, 30), Pt{147, 207}, 1e-7);
}

TEST(HomographyTest, RecoversAKnownProjectiveTransform) {
  Homography known;
  known.k = {1.8, 0.25, 40, -0.15, 2.1, 25, 0.0015, -0.0008};
  std::array<Pt, 4> to{};
  for (size_t i = 0; i < 4; ++i) to[i] = known(kModules[i].x, kModules[i].y);
  Homography h;
  ASSERT_TRUE(Solve(kModules, to, &h));
  for (size_t i = 0; i < 8; ++i) EXPECT_NEAR(h.k[i], known.k[i], 1e-9) << i;
  // Lines stay lines, but not their spacing: the midpoint does not map to the midpoint.
  const Pt mid = h(28.5, 28.5), a = h(3.5, 3.5), b = h(53.5, 53.5);
  ExpectNear(mid, known(28.5, 28.5), 1e-7);
  EXPECT_GT(std::abs(mid.x - (a.x + b.x) / 2) + std::abs(mid.y - (a.y + b.y) / 2), 0.5);
}

TEST(HomographyTest, SolvedTheOtherWayIsItsInverse) {
  Homography forward, back;
  ASSERT_TRUE(Solve(kModules, kPixels, &forward));
  ASSERT_TRUE(Solve(kPixels, kModules, &back));
  for (double u = 0; u <= 57; u += 9.5) {
    for (double v = 0; v <= 57; v += 9.5) {
      const Pt p = forward(u, v);
      ExpectNear(back(p.x, p.y), Pt{u, v}, 1e-7);
    }
  }
}

TEST(HomographyTest, RefusesPointsThatDetermineNone) {
  Homography h;
  const std::array<Pt, 4> in_line = {Pt{0, 0}, Pt{1, 0}, Pt{2, 0}, Pt{0, 1}};
  EXPECT_FALSE(Solve(in_line, kPixels, &h));  // three on one line
  const std::array<Pt, 4> repeated = {Pt{0, 0}, Pt{1, 0}, Pt{1, 0}, Pt{1, 1}};
  EXPECT_FALSE(Solve(repeated, kPixels, &h));
  const std::array<Pt, 4> one_point = {Pt{5, 5}, Pt{5, 5}, Pt{5, 5}, Pt{5, 5}};
  EXPECT_FALSE(Solve(one_point, one_point, &h));
}

TEST(HomographyTest, FittedToManyExactPairsIsTheirTransform) {
  Homography known;
  known.k = {1.8, 0.25, 40, -0.15, 2.1, 25, 0.0015, -0.0008};
  // A finder pattern's centre at each of three corners and a 3 x 3 grid of alignment patterns.
  std::vector<Pt> from = {{3.5, 3.5}, {57.5, 3.5}, {3.5, 57.5}};
  for (const double u : {6.5, 30.5, 54.5}) {
    for (const double v : {6.5, 30.5, 54.5}) from.push_back({u, v});
  }
  std::vector<Pt> to;
  for (const Pt& p : from) to.push_back(known(p.x, p.y));
  Homography h;
  ASSERT_TRUE(Fit(from, to, &h));
  for (double u = 0; u <= 61; u += 6.1) {
    for (double v = 0; v <= 61; v += 6.1) ExpectNear(h(u, v), known(u, v), 1e-6);
  }
}

TEST(HomographyTest, FittedToNoisyPairsIsCloserThanAnyFourOfThem) {
  Homography known;
  known.k = {4.2, 0.8, 120, -0.6, 3.1, 80, 0.004, 0.0021};
  std::vector<Pt> from, to;
  uint32_t state = 7;
  for (double u = 6.5; u < 60; u += 12) {
    for (double v = 6.5; v < 60; v += 12) {
      state = state * 1103515245 + 12345;
      const double dx = static_cast<double>((state >> 16) % 100) / 200 - 0.25;  // +-0.25 px
      state = state * 1103515245 + 12345;
      const double dy = static_cast<double>((state >> 16) % 100) / 200 - 0.25;
      const Pt p = known(u, v);
      from.push_back({u, v});
      to.push_back({p.x + dx, p.y + dy});
    }
  }
  Homography h;
  ASSERT_TRUE(Fit(from, to, &h));
  double worst = 0;
  for (double u = 0; u <= 61; u += 1) {
    for (double v = 0; v <= 61; v += 1) {
      const Pt a = h(u, v), b = known(u, v);
      worst = std::max(worst, std::hypot(a.x - b.x, a.y - b.y));
    }
  }
  EXPECT_LT(worst, 0.5);
  EXPECT_FALSE(Fit({from[0], from[1], from[2]}, {to[0], to[1], to[2]}, &h));  // three pairs
}

TEST(GridMapTest, AddsTheLatticeOffsetsInterpolatedBetweenNodes) {
  GridMap map;
  ASSERT_TRUE(Solve({Pt{0, 0}, Pt{1, 0}, Pt{0, 1}, Pt{1, 1}},
                    {Pt{10, 10}, Pt{14, 10}, Pt{10, 14}, Pt{14, 14}}, &map.h));
  ExpectNear(map(2, 3), Pt{18, 22}, 1e-9);  // no lattice: the homography
  map.nodes = 2;
  map.step = 10;
  map.offset = {Pt{0, 0}, Pt{2, 0}, Pt{0, 0}, Pt{2, 4}};
  ExpectNear(map(0, 0), Pt{10, 10}, 1e-9);
  ExpectNear(map(10, 10), Pt{52, 54}, 1e-9);
  ExpectNear(map(5, 5), Pt{30 + 1, 30 + 1}, 1e-9);  // the mean of the four nodes' offsets
  ExpectNear(map(20, 0), Pt{92, 10}, 1e-9);         // beyond the last node: held
}

}  // namespace
}  // namespace scanner::qr
