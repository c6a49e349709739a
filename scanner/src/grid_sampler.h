// Private to ck_scanner: reading a QR code's module grid straight from the frame. From the three
// finder patterns of a region (and the alignment pattern near the fourth corner) a perspective
// transform gives every module's centre; the modules sampled and thresholded make a pure image
// (one pixel per module, quiet zone white) that ZXing reads in its isPure mode: no binarisation of
// the crop, no search. Where the grid cannot be placed (the timing patterns do not alternate, the
// alignment patterns are not where it puts them) the decoder reads the region as a crop instead.
// Free functions; thread-compatible; scratch buffers belong to the caller.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "homography.h"
#include "luma_ops.h"
#include "scanner/image.h"

namespace scanner::qr {

// A symbol's grid as its finder patterns place it, and the two places its fourth corner's
// alignment pattern may be.
struct GridPlan {
  // The finder patterns' centres, refined: [0] the corner, [1] along the first row (top right),
  // [2] down the first column.
  std::array<Pt, 3> finders{};
  int dim = 0;          // modules per side: 25 (version 2) .. 177
  double mid = 0;       // halfway between the region's ink and paper levels
  double contrast = 0;  // between them
  bool light = false;   // light on dark
  Pt guess;  // the alignment pattern at module (dim - 7, dim - 7), where the finders put it
  Pt found;  // the most ring-shaped spot near `guess`
  bool found_good = false;  // ... and it looks like an alignment pattern
};

// Plans the grid of the region `box` (light: light on dark) from its three finder patterns'
// centres as the scan saw them (any order) and their module size. False where there is no grid
// to read: too little contrast, a finder pattern not centred, no dimension the timing patterns
// agree with, a version-1 code (no alignment pattern).
bool PlanGrid(const Frame& f, const Box& box, bool light, const std::array<Pt, 3>& centres,
              double module, GridPlan* plan);

// Scratch for SamplePure: the modules' levels, their bits, the pure image.
struct GridScratch {
  std::vector<uint8_t>*grey, *bits, *image;
};

// Samples the planned grid with its fourth corner's alignment pattern at `corner` into a pure
// image: one pixel per module (black ink), a white quiet zone of 4, the finder patterns drawn.
// *pure views s.image; *h maps module coordinates to the frame. False (and *pure untouched) if
// the transform is degenerate, the other alignment patterns are not where it puts them, or a
// module falls outside the frame.
bool SamplePure(const Frame& f, const GridPlan& plan, Pt corner, GridScratch s, Homography* h,
                Frame* pure);

// The homography through the three finder patterns and the fourth corner's alignment pattern
// at `corner`; false if degenerate.
bool CornerHomography(const GridPlan& plan, Pt corner, Homography* h);

// SamplePure through any map of the modules (homography.h): the same checks, the same image.
bool SampleMap(const Frame& f, const GridPlan& plan, const GridMap& map, GridScratch s,
               Frame* pure);

// The pure image of a dim x dim grid's bits (ink 1) into *image: one pixel per module, a quiet
// zone of 4, the finder patterns drawn. The frame returned views *image.
Frame PureImage(const std::vector<uint8_t>& bits, int dim, std::vector<uint8_t>* image);

// The modules of a dim x dim grid sampled through `h` (module (u, v) centred at u + 0.5,
// v + 0.5), ink 1, into *bits, their levels (ink dark) into *grey; false if a module falls
// outside the frame. Each module is thresholded at the mean of the 9 x 9 modules around it (light
// gradients, glare), pulled towards `mid`.
bool SampleGrid(const Frame& f, const GridMap& h, int dim, double mid, bool light,
                std::vector<uint8_t>* grey, std::vector<uint8_t>* bits);

// Does the grid through `h` find the alignment patterns (those not on a finder pattern) where
// they belong, 80% of their 5 x 5 modules right?
bool AlignmentsFit(const Frame& f, const GridMap& h, int dim, double mid, bool light);

// Along the line from c in direction d (a unit vector: steps of one pixel), the distance to where
// a pattern's outer edge is crossed: past ink, space, ink (a finder's centre, gap and ring; an
// alignment pattern's too). Sub-pixel, where the level crosses `mid`. Negative if not found
// within `reach` pixels.
double OuterEdge(const Frame& f, Pt c, Pt d, double mid, bool light, double reach);

// How much the spot p looks like an alignment pattern (ink centre, paper ring, ink ring) with
// modules u1 across and v1 down; higher is more; -1e9 if it reaches outside the frame.
double AlignmentScore(const Frame& f, Pt p, Pt u1, Pt v1, bool light);

// The centres of the alignment patterns of a dim x dim symbol along either axis, as ISO/IEC 18004
// table E.1 has them (the rule that generates it); returns how many (0 for version 1).
int AlignmentCentres(int dim, std::array<int, 7>* at);

}  // namespace scanner::qr
