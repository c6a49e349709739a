// Private to ck_scanner: the sampled-grid read's second chances, for codes whose grid the three
// finder patterns and one alignment pattern do not place (grid_sampler.h): strongly foreshortened
// codes, where the fourth corner's alignment pattern is far from where the finder patterns put it,
// and bent paper, where no homography fits. Run only where the first placement failed.
// Free functions; thread-compatible.
#pragma once

#include "grid_sampler.h"
#include "homography.h"
#include "scanner/image.h"

namespace scanner::qr {

// The perspective of the grid from the outer edges of its finder patterns where the lines between
// their centres (module row and column 3.5) cross them: the foreshortening along the first row and
// column. False where an edge is not found.
bool EdgeHomography(const Frame& f, const GridPlan& plan, Homography* h);

// Finds the alignment patterns one at a time, those nearest the finder patterns first, each near
// where the homography fitted to the finder patterns and the alignment patterns found so far puts
// it; *h is the homography fitted (least squares) to all found. Returns how many were found; *h is
// valid where that is at least one.
int FitAlignments(const Frame& f, const GridPlan& plan, Homography* h);

// Offsets from `map`'s homography on a lattice of nodes a few modules apart, each found where the
// module centres around it sample the frame's levels most spread (module centres are at their
// darkest and lightest, module edges in between), within half a module of what the nodes already
// placed (top left first) predict: bent paper, where module rows are arcs.
void FitOffsets(const Frame& f, const GridPlan& plan, GridMap* map);

}  // namespace scanner::qr
