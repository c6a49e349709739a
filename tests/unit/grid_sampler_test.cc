// The QR decoder's grid sampler (scanner/src/grid_sampler.h) on rendered codes: the alignment
// pattern table, the modules sampled through a known transform, and the grid planned from the
// finder scan and sampled into a pure image whose modules are the code's, upright, inverted and
// under perspective; refused where there is no code between three finder patterns.
#include "grid_sampler.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "finder_scan.h"
#include "homography.h"
#include "luma_ops.h"
#include "scanner/image.h"
#include "scanner/qr_codec.h"

namespace scanner::qr {
namespace {

constexpr int kModulePx = 4;
constexpr int kQuiet = 4;

// Card-like text (the QR alphanumeric set), long enough for a version 8..10 code.
std::string CardLikeText() {
  constexpr char kSet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  std::string text = "UC1:";
  uint32_t state = 12345;
  while (text.size() < 220) {
    state = state * 1103515245 + 12345;
    text += kSet[(state >> 16) % 45];
  }
  return text;
}

GrayImage Code() {
  base::Result<GrayImage> code =
      RenderQr(CardLikeText(), {.ecc = EccLevel::kQ, .module_px = kModulePx});
  EXPECT_TRUE(code.ok()) << code.status().ToString();
  return code.ok() ? std::move(code).value() : GrayImage{};
}

int Dim(const GrayImage& code) { return code.width / kModulePx - 2 * kQuiet; }

// Module (u, v) of the rendered code is ink.
bool Ink(const GrayImage& code, int u, int v) {
  const int x = (u + kQuiet) * kModulePx + kModulePx / 2, y = (v + kQuiet) * kModulePx + 2;
  return code.pixels[static_cast<size_t>(y) * static_cast<size_t>(code.width) +
                     static_cast<size_t>(x)] < 128;
}

GrayImage Inverted(GrayImage img) {
  for (uint8_t& p : img.pixels) p = static_cast<uint8_t>(255 - p);
  return img;
}

// The code seen through a camera: pixel (x, y) of a width x height frame shows the code where
// `to_code` maps it (bilinear), paper outside.
GrayImage Warp(const GrayImage& code, const Homography& to_code, int width, int height) {
  GrayImage out;
  out.width = width;
  out.height = height;
  out.pixels.assign(static_cast<size_t>(width) * static_cast<size_t>(height), 255);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const Pt p = to_code(x + 0.5, y + 0.5);
      const double v = Sample(code.view(), p.x - 0.5, p.y - 0.5);
      if (v >= 0) out.pixels[static_cast<size_t>(y * width + x)] = static_cast<uint8_t>(v + 0.5);
    }
  }
  return out;
}

// The pure image's modules against the code's: how many differ.
int Mismatches(const Frame& pure, const GrayImage& code) {
  const int dim = Dim(code);
  EXPECT_EQ(pure.width, dim + 2 * kQuiet);
  EXPECT_EQ(pure.height, dim + 2 * kQuiet);
  if (pure.width != dim + 2 * kQuiet) return dim * dim;
  int wrong = 0;
  for (int v = 0; v < dim; ++v) {
    for (int u = 0; u < dim; ++u) {
      const bool ink =
          pure.data[static_cast<size_t>((v + kQuiet) * pure.stride + u + kQuiet)] < 128;
      wrong += ink != Ink(code, u, v) ? 1 : 0;
    }
  }
  return wrong;
}

// The finder scan's best supported region (a code's own modules make a few spurious finder
// patterns: the decoder tries the best supported first) and its finder patterns' centres.
bool ScanRegion(const Frame& f, Region* region, std::array<Pt, 3>* centres) {
  Seen seen;
  std::vector<Finder> finders;
  const std::vector<Region> regions = QrRegions(f, 2, &seen, &finders);
  if (regions.empty()) return false;
  *region = regions[0];
  for (size_t q = 0; q < 3; ++q)
    (*centres)[q] = {finders[region->ids[q]].x, finders[region->ids[q]].y};
  return true;
}

// Plans, then samples through the alignment pattern found (or where the finders put it).
bool PlanAndSample(const Frame& f, GridPlan* plan, std::vector<uint8_t> buffers[3], Frame* pure) {
  Region region;
  std::array<Pt, 3> centres{};
  if (!ScanRegion(f, &region, &centres)) return false;
  if (!PlanGrid(f, region.box, region.light, centres, region.module, plan)) return false;
  Homography h;
  const GridScratch scratch{&buffers[0], &buffers[1], &buffers[2]};
  return (plan->found_good && SamplePure(f, *plan, plan->found, scratch, &h, pure)) ||
         SamplePure(f, *plan, plan->guess, scratch, &h, pure);
}

TEST(AlignmentCentresTest, FollowTableE1) {
  std::array<int, 7> at{};
  EXPECT_EQ(AlignmentCentres(21, &at), 0);  // version 1 has none
  ASSERT_EQ(AlignmentCentres(25, &at), 2);
  EXPECT_EQ((std::array<int, 2>{at[0], at[1]}), (std::array<int, 2>{6, 18}));
  ASSERT_EQ(AlignmentCentres(45, &at), 3);  // version 7
  EXPECT_EQ((std::array<int, 3>{at[0], at[1], at[2]}), (std::array<int, 3>{6, 22, 38}));
  ASSERT_EQ(AlignmentCentres(145, &at), 6);  // version 32, the one exception to the rule
  EXPECT_EQ((std::array<int, 6>{at[0], at[1], at[2], at[3], at[4], at[5]}),
            (std::array<int, 6>{6, 34, 60, 86, 112, 138}));
  ASSERT_EQ(AlignmentCentres(177, &at), 7);  // version 40
  EXPECT_EQ(at, (std::array<int, 7>{6, 30, 58, 86, 114, 142, 170}));
}

TEST(SampleGridTest, ReadsTheModulesOfAnUprightCodeThroughItsScale) {
  const GrayImage code = Code();
  const int dim = Dim(code);
  // Module (u, v) spans pixels kModulePx (u + kQuiet) onwards.
  Homography h;
  const double q = kQuiet * kModulePx;
  ASSERT_TRUE(Solve(
      {Pt{0, 0}, Pt{1, 0}, Pt{0, 1}, Pt{1, 1}},
      {Pt{q, q}, Pt{q + kModulePx, q}, Pt{q, q + kModulePx}, Pt{q + kModulePx, q + kModulePx}},
      &h));
  std::vector<uint8_t> grey, bits;
  for (const bool light : {false, true}) {
    const GrayImage frame = light ? Inverted(code) : code;
    ASSERT_TRUE(SampleGrid(frame.view(), h, dim, 128, light, &grey, &bits));
    ASSERT_EQ(bits.size(), static_cast<size_t>(dim * dim));
    int wrong = 0;
    for (int v = 0; v < dim; ++v) {
      for (int u = 0; u < dim; ++u)
        wrong += (bits[static_cast<size_t>(v * dim + u)] != 0) != Ink(code, u, v);
    }
    EXPECT_EQ(wrong, 0) << (light ? "inverted" : "upright");
  }
  // A grid reaching past the frame is refused.
  EXPECT_FALSE(SampleGrid(code.view(), h, dim + kQuiet + 1, 128, false, &grey, &bits));
}

TEST(PlanGridTest, PlacesTheGridOfAnUprightCode) {
  const GrayImage code = Code();
  const int dim = Dim(code);
  GridPlan plan;
  std::vector<uint8_t> buffers[3];
  Frame pure;
  ASSERT_TRUE(PlanAndSample(code.view(), &plan, buffers, &pure));
  EXPECT_EQ(plan.dim, dim);
  EXPECT_FALSE(plan.light);
  const double near = (kQuiet + 3.5) * kModulePx, far = (kQuiet + dim - 3.5) * kModulePx;
  EXPECT_NEAR(plan.finders[0].x, near, 0.5);
  EXPECT_NEAR(plan.finders[0].y, near, 0.5);
  EXPECT_NEAR(plan.finders[1].x, far, 0.5);  // along the first row
  EXPECT_NEAR(plan.finders[1].y, near, 0.5);
  EXPECT_NEAR(plan.finders[2].x, near, 0.5);  // down the first column
  EXPECT_NEAR(plan.finders[2].y, far, 0.5);
  const double corner = (kQuiet + dim - 6.5) * kModulePx;
  EXPECT_NEAR(plan.guess.x, corner, 1);
  EXPECT_NEAR(plan.guess.y, corner, 1);
  EXPECT_TRUE(plan.found_good);
  EXPECT_NEAR(plan.found.x, corner, 1);
  EXPECT_NEAR(plan.found.y, corner, 1);
  EXPECT_EQ(Mismatches(pure, code), 0);
}

TEST(PlanGridTest, SamplesAnInvertedCodeAsDarkOnLight) {
  const GrayImage code = Code();
  const GrayImage frame = Inverted(code);
  GridPlan plan;
  std::vector<uint8_t> buffers[3];
  Frame pure;
  ASSERT_TRUE(PlanAndSample(frame.view(), &plan, buffers, &pure));
  EXPECT_TRUE(plan.light);
  EXPECT_EQ(Mismatches(pure, code), 0);
}

TEST(PlanGridTest, SamplesACodeUnderPerspective) {
  const GrayImage code = Code();
  const double s = code.width;
  // The code's square seen as a quadrilateral in a 480 x 480 frame: no two sides parallel.
  Homography to_code;
  ASSERT_TRUE(Solve({Pt{80, 70}, Pt{400, 70}, Pt{70, 410}, Pt{385, 400}},
                    {Pt{0, 0}, Pt{s, 0}, Pt{0, s}, Pt{s, s}}, &to_code));
  const GrayImage frame = Warp(code, to_code, 480, 480);
  GridPlan plan;
  std::vector<uint8_t> buffers[3];
  Frame pure;
  ASSERT_TRUE(PlanAndSample(frame.view(), &plan, buffers, &pure));
  EXPECT_EQ(plan.dim, Dim(code));
  EXPECT_EQ(Mismatches(pure, code), 0);
}

TEST(PlanGridTest, RefusesFinderPatternsWithNoCodeBetweenThem) {
  // The code with everything but its three finder patterns (and their separators) painted over.
  GrayImage frame = Code();
  const int dim = Dim(frame);
  for (int v = 0; v < dim; ++v) {
    for (int u = 0; u < dim; ++u) {
      if ((u < 8 && v < 8) || (u >= dim - 8 && v < 8) || (u < 8 && v >= dim - 8)) continue;
      for (int y = 0; y < kModulePx; ++y) {
        for (int x = 0; x < kModulePx; ++x) {
          frame.pixels[static_cast<size_t>(((v + kQuiet) * kModulePx + y) * frame.width +
                                           (u + kQuiet) * kModulePx + x)] = 255;
        }
      }
    }
  }
  Region region;
  std::array<Pt, 3> centres{};
  ASSERT_TRUE(ScanRegion(frame.view(), &region, &centres));
  GridPlan plan;
  EXPECT_FALSE(PlanGrid(frame.view(), region.box, region.light, centres, region.module, &plan));
}

TEST(PlanGridTest, RefusesAFlatRegion) {
  // The code at a tenth of its contrast: under 24 levels between ink and paper.
  GrayImage frame = Code();
  Region region;
  std::array<Pt, 3> centres{};
  ASSERT_TRUE(ScanRegion(frame.view(), &region, &centres));
  for (uint8_t& p : frame.pixels) p = static_cast<uint8_t>(120 + p / 16);
  GridPlan plan;
  EXPECT_FALSE(PlanGrid(frame.view(), region.box, region.light, centres, region.module, &plan));
}

}  // namespace
}  // namespace scanner::qr
