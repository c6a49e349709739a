// The masks of QR symbols and how the writer scores them (ISO/IEC 18004 sections 7.8.2 and
// 7.8.3). Internal to ck_scanner (scanner/src/qr_encoder.cc).
#pragma once

#include <array>
#include <cstdint>

namespace scanner::qr {

// Every mask repeats every 6 columns and 12 rows: one tile of each, so that masking a module is
// a table read, not a division. Tiles()[mask][y % kTileHeight][x % kTileWidth] is 1 where the
// mask inverts the module in column x, row y.
constexpr int kTileWidth = 6, kTileHeight = 12;
using MaskTiles = std::array<std::array<std::array<uint8_t, kTileWidth>, kTileHeight>, 8>;
const MaskTiles& Tiles();

// The penalty (rules N1-N4) of the n x n modules at d, row by row, 1 = dark.
int PenaltyOf(const uint8_t* d, int n);

}  // namespace scanner::qr
