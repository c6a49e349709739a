// The QR decoder's finder scan (scanner/src/finder_scan.h) on synthetic frames: finder patterns
// drawn at known places, module sizes and rotations, dark on light and inverted, grouped into the
// region of a symbol; frames without any finder pattern yield none.
#include "finder_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "scanner/image.h"
#include "scanner/qr_codec.h"

namespace scanner::qr {
namespace {

constexpr double kPi = 3.14159265358979323846;

GrayImage Blank(int width, int height, uint8_t level) {
  GrayImage img;
  img.width = width;
  img.height = height;
  img.pixels.assign(static_cast<size_t>(width) * static_cast<size_t>(height), level);
  return img;
}

// Draws a finder pattern (7 x 7 modules: a 3 x 3 centre, a ring of paper, a ring of ink) centred
// at (cx, cy), `module` pixels per module, turned by `degrees`, each pixel sampled at its centre.
void DrawFinder(GrayImage* img, double cx, double cy, double module, double degrees, uint8_t ink,
                uint8_t paper) {
  const double a = degrees * kPi / 180, c = std::cos(a), s = std::sin(a);
  const int reach = static_cast<int>(std::ceil(5 * module));
  for (int y = static_cast<int>(cy) - reach; y <= static_cast<int>(cy) + reach; ++y) {
    for (int x = static_cast<int>(cx) - reach; x <= static_cast<int>(cx) + reach; ++x) {
      if (x < 0 || y < 0 || x >= img->width || y >= img->height) continue;
      const double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
      const double u = (c * dx + s * dy) / module, v = (-s * dx + c * dy) / module;
      const double ring = std::max(std::fabs(u), std::fabs(v));
      if (ring >= 3.5) continue;
      img->pixels[static_cast<size_t>(y) * static_cast<size_t>(img->width) +
                  static_cast<size_t>(x)] = ring < 1.5 || ring >= 2.5 ? ink : paper;
    }
  }
}

// Draws three finder patterns where a symbol of `modules` modules per side has them, its top left
// finder pattern's centre at (x, y), upright.
void DrawTriple(GrayImage* img, double x, double y, double module, int modules) {
  const double d = (modules - 7) * module;  // centre to centre
  DrawFinder(img, x, y, module, 0, 0, 255);
  DrawFinder(img, x + d, y, module, 0, 0, 255);
  DrawFinder(img, x, y + d, module, 0, 0, 255);
}

// The finder found nearest to (x, y), or null.
const Finder* Nearest(const std::vector<Finder>& found, double x, double y) {
  const Finder* best = nullptr;
  for (const Finder& f : found) {
    if (best == nullptr || std::hypot(f.x - x, f.y - y) < std::hypot(best->x - x, best->y - y)) {
      best = &f;
    }
  }
  return best;
}

void ExpectOneFinderAt(const GrayImage& img, double x, double y, double module, bool light) {
  const std::vector<Finder> found = FindFinders(img.view(), 2);
  ASSERT_EQ(found.size(), 1u) << "module " << module;
  EXPECT_NEAR(found[0].x, x, std::max(1.0, module / 2)) << "module " << module;
  EXPECT_NEAR(found[0].y, y, std::max(1.5, module / 2)) << "module " << module;
  EXPECT_EQ(found[0].light, light);
  EXPECT_GE(found[0].hits, 1);
}

TEST(FinderRatioTest, TakesOneOneThreeOneOneWithinHalfAModule) {
  double module = 0;
  const int exact[5] = {4, 4, 12, 4, 4};
  ASSERT_TRUE(FinderRatio(exact, &module));
  EXPECT_DOUBLE_EQ(module, 4.0);
  const int uneven[5] = {3, 5, 11, 4, 5};  // every run within half a module of 1:1:3:1:1
  EXPECT_TRUE(FinderRatio(uneven, &module));
  const int even[5] = {4, 4, 4, 4, 4};
  EXPECT_FALSE(FinderRatio(even, &module));
  const int thick_ring[5] = {8, 4, 12, 4, 4};
  EXPECT_FALSE(FinderRatio(thick_ring, &module));
  const int tiny[5] = {1, 1, 2, 1, 1};  // fewer than 7 pixels: no module size to speak of
  EXPECT_FALSE(FinderRatio(tiny, &module));
}

TEST(FindFindersTest, FindsAnUprightFinderAtItsCentreAtEveryScale) {
  for (const double module : {2.0, 3.0, 4.0, 6.0}) {
    GrayImage img = Blank(240, 200, 255);
    DrawFinder(&img, 121, 97, module, 0, 0, 255);
    ExpectOneFinderAt(img, 121, 97, module, false);
    EXPECT_NEAR(FindFinders(img.view(), 2)[0].module, module, module / 4) << module;
  }
}

TEST(FindFindersTest, FindsATurnedFinderAtItsCentre) {
  // A line through the centre crosses concentric squares in the ratio 1:1:3:1:1 at any angle.
  for (const double degrees : {10.0, 30.0, 45.0, 60.0, 80.0}) {
    GrayImage img = Blank(240, 200, 255);
    DrawFinder(&img, 120, 100, 4, degrees, 0, 255);
    SCOPED_TRACE(degrees);
    ExpectOneFinderAt(img, 120, 100, 4, false);
  }
}

TEST(FindFindersTest, FindsAnInvertedFinderAsLightOnDark) {
  GrayImage img = Blank(240, 200, 20);
  DrawFinder(&img, 90, 110, 4, 0, 235, 20);
  ExpectOneFinderAt(img, 90, 110, 4, true);
}

TEST(FindFindersTest, FindsEveryFinderOfALowContrastFrameOnAGradient) {
  GrayImage img = Blank(320, 240, 0);
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      img.pixels[static_cast<size_t>(y * img.width + x)] = static_cast<uint8_t>(120 + x / 4);
    }
  }
  DrawFinder(&img, 60, 60, 3, 0, 90, 170);
  DrawFinder(&img, 250, 180, 3, 0, 90, 200);
  const std::vector<Finder> found = FindFinders(img.view(), 2);
  ASSERT_EQ(found.size(), 2u);
  for (const auto& [x, y] : {std::pair{60.0, 60.0}, {250.0, 180.0}}) {
    const Finder* f = Nearest(found, x, y);
    ASSERT_NE(f, nullptr);
    EXPECT_NEAR(f->x, x, 1.5);
    EXPECT_NEAR(f->y, y, 1.5);
  }
}

TEST(FindFindersTest, FindsNoneWhereThereIsNone) {
  EXPECT_TRUE(FindFinders(Blank(320, 240, 255).view(), 2).empty());
  EXPECT_TRUE(FindFinders(Blank(320, 240, 0).view(), 2).empty());
  GrayImage stripes = Blank(320, 240, 255);  // even bars: 1:1:1:1:1, never 1:1:3:1:1
  for (int y = 0; y < stripes.height; ++y) {
    for (int x = 0; x < stripes.width; ++x) {
      if ((x / 5) % 2 == 0) stripes.pixels[static_cast<size_t>(y * stripes.width + x)] = 0;
    }
  }
  EXPECT_TRUE(FindFinders(stripes.view(), 2).empty());
  GrayImage box = Blank(320, 240, 255);  // a plain dark square: one run, no rings
  for (int y = 80; y < 160; ++y) {
    for (int x = 120; x < 200; ++x) box.pixels[static_cast<size_t>(y * box.width + x)] = 0;
  }
  EXPECT_TRUE(FindFinders(box.view(), 2).empty());
  GrayImage bars = Blank(320, 240, 255);  // 1:1:3:1:1 across every row, nothing down a column
  for (int y = 0; y < bars.height; ++y) {
    for (const auto& [x0, x1] : {std::pair{100, 104}, {108, 120}, {124, 128}}) {
      for (int x = x0; x < x1; ++x) bars.pixels[static_cast<size_t>(y * bars.width + x)] = 0;
    }
  }
  EXPECT_TRUE(FindFinders(bars.view(), 2).empty());
  const GrayImage tiny = Blank(1, 1, 0);
  EXPECT_TRUE(FindFinders(tiny.view(), 2).empty());
}

TEST(FinderGroupsTest, TellsTriplesAndPairsOfOneSymbolFromOthers) {
  const Finder a{100, 100, 4, 3, 0, false}, b{200, 100, 4, 3, 0, false};
  const Finder c{100, 200, 4, 3, 0, false};
  EXPECT_TRUE(IsTriple(a, b, c));
  EXPECT_TRUE(IsTriple(a, c, b));  // either order of the two outer patterns
  EXPECT_TRUE(IsPair(a, b));
  const Finder in_line{300, 100, 4, 3, 0, false};
  EXPECT_FALSE(IsTriple(a, b, in_line));  // no right angle at a
  const Finder big{100, 200, 8, 3, 0, false};
  EXPECT_FALSE(IsTriple(a, b, big));  // modules too different
  EXPECT_FALSE(IsPair(a, big));
  const Finder light{100, 200, 4, 3, 0, true};
  EXPECT_FALSE(IsTriple(a, b, light));  // polarities differ
  EXPECT_FALSE(IsPair(a, light));
  const Finder near{130, 100, 4, 3, 0, false};
  EXPECT_FALSE(IsPair(a, near));  // under 14 modules apart
}

TEST(QrRegionsTest, GroupsThreeFindersIntoTheRegionOfOneSymbol) {
  GrayImage img = Blank(400, 300, 255);
  DrawTriple(&img, 80, 60, 4, 45);  // a version 7 symbol's finder patterns, centres 152 px apart
  Seen seen;
  std::vector<Finder> finders;
  const std::vector<Region> regions = QrRegions(img.view(), 2, &seen, &finders);
  ASSERT_EQ(finders.size(), 3u);
  ASSERT_EQ(regions.size(), 1u);
  EXPECT_TRUE(seen.dark_pair);
  EXPECT_FALSE(seen.light_pair);
  const Region& r = regions[0];
  EXPECT_FALSE(r.light);
  EXPECT_NEAR(r.module, 4, 1);
  // The corner first; the box holds the whole symbol (finder centre to edge 3.5 modules) and the
  // fourth corner.
  EXPECT_NEAR(finders[r.ids[0]].x, 80, 2);
  EXPECT_NEAR(finders[r.ids[0]].y, 60, 2);
  EXPECT_LE(r.box.x0, 80 - 4 * 4);
  EXPECT_LE(r.box.y0, 60 - 4 * 4);
  EXPECT_GE(r.box.x1, 80 + 152 + 4 * 4);
  EXPECT_GE(r.box.y1, 60 + 152 + 4 * 4);
  EXPECT_LE(r.box.x1, img.width);
  EXPECT_LE(r.box.y1, img.height);
  EXPECT_GT(r.support, 3);
}

TEST(QrRegionsTest, ATwoFinderFrameShowsAPairButNoRegion) {
  GrayImage img = Blank(400, 300, 255);
  DrawFinder(&img, 80, 100, 4, 0, 0, 255);
  DrawFinder(&img, 240, 100, 4, 0, 0, 255);
  Seen seen;
  std::vector<Finder> finders;
  EXPECT_TRUE(QrRegions(img.view(), 2, &seen, &finders).empty());
  EXPECT_EQ(finders.size(), 2u);
  EXPECT_TRUE(seen.dark_pair);
  EXPECT_FALSE(seen.light_pair);
}

TEST(QrRegionsTest, FindsTheFinderPatternsOfARenderedCode) {
  const std::string text(120, 'A');
  base::Result<GrayImage> code = RenderQr(text, {.ecc = EccLevel::kM, .module_px = 4});
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  const int dim = code->width / 4 - 8;
  Seen seen;
  std::vector<Finder> finders;
  const std::vector<Region> regions = QrRegions(code->view(), 2, &seen, &finders);
  ASSERT_FALSE(regions.empty());  // the best supported first: the code's own
  const double near = (4 + 3.5) * 4, far = (4 + dim - 3.5) * 4;
  for (const auto& [x, y] : {std::pair{near, near}, {far, near}, {near, far}}) {
    const Finder* f = Nearest(finders, x, y);
    ASSERT_NE(f, nullptr);
    EXPECT_NEAR(f->x, x, 2) << x << "," << y;
    EXPECT_NEAR(f->y, y, 2) << x << "," << y;
  }
  EXPECT_NEAR(finders[regions[0].ids[0]].x, near, 2);  // the corner
  EXPECT_NEAR(finders[regions[0].ids[0]].y, near, 2);
}

}  // namespace
}  // namespace scanner::qr
