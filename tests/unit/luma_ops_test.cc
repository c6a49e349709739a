// The QR decoder's luminance operations (scanner/src/luma_ops.h): a box cut out as a view, the
// bilinear enlargement and sample, the shrinking by block means, the percentiles of the levels and
// their stretch.
#include "luma_ops.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "scanner/image.h"

namespace scanner::qr {
namespace {

// A width x height frame whose pixel (x, y) is x + 10 y (a ramp across and down).
GrayImage Ramp(int width, int height) {
  GrayImage img;
  img.width = width;
  img.height = height;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) img.pixels.push_back(static_cast<uint8_t>(x + 10 * y));
  }
  return img;
}

uint8_t At(const Frame& f, int x, int y) {
  return f.data[static_cast<size_t>(y) * static_cast<size_t>(f.stride) + static_cast<size_t>(x)];
}

TEST(LumaOpsTest, CutIsAViewOfTheSamePixels) {
  const GrayImage img = Ramp(10, 8);
  const Frame cut = Cut(img.view(), {2, 3, 7, 8});
  EXPECT_EQ(cut.width, 5);
  EXPECT_EQ(cut.height, 5);
  EXPECT_EQ(cut.stride, 10);
  EXPECT_EQ(At(cut, 0, 0), 32);
  EXPECT_EQ(At(cut, 4, 4), 76);
  EXPECT_EQ(cut.data, img.pixels.data() + 32);  // no copy
}

TEST(LumaOpsTest, SampleIsBilinearAndRefusesOutside) {
  const GrayImage img = Ramp(10, 8);
  EXPECT_DOUBLE_EQ(Sample(img.view(), 3, 2), 23);
  EXPECT_DOUBLE_EQ(Sample(img.view(), 3.5, 2), 23.5);
  EXPECT_DOUBLE_EQ(Sample(img.view(), 3.25, 2.5), 28.25);
  EXPECT_LT(Sample(img.view(), -0.1, 2), 0);
  EXPECT_LT(Sample(img.view(), 3, 7.5), 0);  // the last row has no row below to blend with
}

TEST(LumaOpsTest, EnlargeKeepsAFlatBoxFlatAndARampARamp) {
  GrayImage flat = Ramp(8, 8);
  for (uint8_t& p : flat.pixels) p = 90;
  std::vector<uint8_t> out;
  const Frame big = Enlarge(flat.view(), {1, 1, 7, 5}, 200, &out);
  ASSERT_EQ(big.width, 12);
  ASSERT_EQ(big.height, 8);
  for (int y = 0; y < big.height; ++y) {
    for (int x = 0; x < big.width; ++x) EXPECT_EQ(At(big, x, y), 90) << x << "," << y;
  }
  const GrayImage ramp = Ramp(8, 8);
  const Frame up = Enlarge(ramp.view(), {0, 0, 8, 8}, 200, &out);
  for (int x = 1; x < up.width; ++x) EXPECT_GE(At(up, x, 3), At(up, x - 1, 3)) << x;
  EXPECT_EQ(At(up, 0, 0), 0);
  EXPECT_EQ(At(up, 15, 15), 77);  // pixel centres stay aligned: the last output is the last input
  EXPECT_EQ(Enlarge(ramp.view(), {3, 3, 4, 8}, 200, &out).data, nullptr);  // 1 pixel wide
}

TEST(LumaOpsTest, ShrinkTakesTheMeanOfEachBlockAndDropsTheRest) {
  const GrayImage ramp = Ramp(7, 5);  // x + 10 y
  std::vector<uint8_t> out;
  const Frame half = Shrink(ramp.view(), 2, &out);
  ASSERT_EQ(half.width, 3);  // the 7th column and the 5th row are dropped
  ASSERT_EQ(half.height, 2);
  EXPECT_EQ(half.stride, 3);
  // Block (0,0): 0, 1, 10, 11 -> 5.5, rounded up; block (2,1): 24, 25, 34, 35 -> 29.5.
  EXPECT_EQ(At(half, 0, 0), 6);
  EXPECT_EQ(At(half, 2, 1), 30);
  GrayImage white;
  white.width = 48, white.height = 32;
  white.pixels.assign(48 * 32, 255);
  const Frame sixteenth = Shrink(white.view(), 16, &out);  // the largest sums stay in 16 bits
  ASSERT_EQ(sixteenth.width, 3);
  EXPECT_EQ(At(sixteenth, 2, 1), 255);
  EXPECT_EQ(Shrink(ramp.view(), 1, &out).width, 7);
  EXPECT_EQ(Shrink(ramp.view(), 0, &out).data, nullptr);
  EXPECT_EQ(Shrink(ramp.view(), 6, &out).data, nullptr);  // not one whole row of blocks
  EXPECT_EQ(Shrink(white.view(), 17, &out).data, nullptr);
}

TEST(LumaOpsTest, PercentileRangeOfTwoLevelsAndClippedWhite) {
  // lo is the highest level with at most 2% of the sample at or below it, hi the lowest level
  // with at least 98% of it below: a flat frame at 40 spans 39..40.
  GrayImage img = Ramp(64, 64);
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = i % 2 == 0 ? 40 : 200;
  LevelRange r = PercentileRange(img.view());  // the sample takes every 4th pixel: all 40
  EXPECT_EQ(r.lo, 39);
  EXPECT_EQ(r.hi, 40);
  EXPECT_FALSE(r.clipped);
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = (i / 64) % 2 == 1 ? 40 : 255;
  r = PercentileRange(img.view());  // rows 0, 4, 8...: all 255
  EXPECT_EQ(r.lo, 254);
  EXPECT_EQ(r.hi, 255);
  EXPECT_TRUE(r.clipped);
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = (i % 64) < 32 ? 40 : 255;
  r = PercentileRange(img.view());  // half and half
  EXPECT_EQ(r.lo, 39);
  EXPECT_EQ(r.hi, 255);
  EXPECT_TRUE(r.clipped);
  // Clipped is 0.5% of the sample (16 x 16 pixels here) at 250 or above: 1 is not, 2 are.
  for (uint8_t& p : img.pixels) p = 40;
  img.pixels[0] = 250;
  EXPECT_FALSE(PercentileRange(img.view()).clipped);
  img.pixels[4] = 255;
  EXPECT_TRUE(PercentileRange(img.view()).clipped);
}

TEST(LumaOpsTest, StretchMapsTheRangeLinearlySquaredOrInverted) {
  GrayImage img = Ramp(3, 1);
  img.pixels = {50, 100, 150};
  const LevelRange range{50, 150, false};
  std::vector<uint8_t> out;
  Frame s = Stretch(img.view(), range, Tone::kLinear, &out);
  EXPECT_EQ((std::vector<uint8_t>{At(s, 0, 0), At(s, 1, 0), At(s, 2, 0)}),
            (std::vector<uint8_t>{0, 127, 255}));
  s = Stretch(img.view(), range, Tone::kSquare, &out);
  EXPECT_EQ((std::vector<uint8_t>{At(s, 0, 0), At(s, 1, 0), At(s, 2, 0)}),
            (std::vector<uint8_t>{0, 63, 255}));
  s = Stretch(img.view(), range, Tone::kInvert, &out);
  EXPECT_EQ((std::vector<uint8_t>{At(s, 0, 0), At(s, 1, 0), At(s, 2, 0)}),
            (std::vector<uint8_t>{255, 128, 0}));
  EXPECT_EQ(s.stride, 3);  // packed
}

}  // namespace
}  // namespace scanner::qr
