// Private to ck_scanner: the sampled-grid read of a code blurred along a motion (a card moved
// towards the camera). The blur is estimated in module coordinates, where a code is known in part:
// of the candidate motions (direction and length, up to four modules), the one whose blur of the
// function patterns (finder patterns and their separators, timing patterns, alignment patterns,
// the quiet zone) best explains the levels sampled there; then the other modules are solved for
// (projected gradient descent on the blur's least squares, each module between paper and ink,
// the known ones fixed). Run only where the grid was placed but the plain sampling did not read.
// Free functions; thread-compatible; scratch belongs to the caller.
#pragma once

#include <cstdint>
#include <vector>

#include "grid_sampler.h"
#include "homography.h"
#include "scanner/image.h"

namespace scanner::qr {

// The grid's modules through `map`, deblurred: ink 1 into *bits (dim x dim); s.grey and s.bits are
// scratch. False where no motion explains the function patterns better than none (nothing to
// undo) or a module falls outside the frame.
bool DeblurGrid(const Frame& f, const GridPlan& plan, const GridMap& map, GridScratch s,
                std::vector<uint8_t>* bits);

}  // namespace scanner::qr
