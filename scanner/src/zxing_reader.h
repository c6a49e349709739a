// Private to ck_scanner: the QR decoder's adapter to ZXing-cpp. Hints from DecoderOptions, and one
// read of a frame (or of a part of it, cut out and enlarged) whose valid texts and symbol corners
// are collected in frame coordinates. ZXing's exceptions are caught here: a decoder failure is
// "nothing found". Thread-compatible (ZXing keeps no state between reads).
#pragma once

#include <ZXing/DecodeHints.h>

#include <array>
#include <string>
#include <vector>

#include "scanner/image.h"
#include "scanner/qr_decoder.h"

namespace scanner::qr {

// The hints of the live path: QR only, `o`'s search options, `binarizer`.
ZXing::DecodeHints Hints(const DecoderOptions& o, Binarizer binarizer);

// `hints` for a pure image (a sampled grid: one pixel per module, black or white).
ZXing::DecodeHints PureHints(const ZXing::DecodeHints& hints);

// A symbol read: its corners in the frame, in order around it.
using Quad = std::array<std::array<int, 2>, 4>;

// Whether (x, y) lies inside the quad (or on its edge).
bool Inside(const Quad& q, int x, int y);

// Where a symbol read in an image cut out at (x0, y0) and enlarged by percent/100 lies in the
// frame.
struct Placement {
  int x0 = 0, y0 = 0, percent = 100;
};

// Reads `f`: its valid texts into *texts, each once; the corners of the symbols read (in frame
// coordinates, by `at`) into *read_at unless it is null.
void Read(const Frame& f, const ZXing::DecodeHints& hints, std::vector<std::string>* texts,
          std::vector<Quad>* read_at = nullptr, Placement at = {});

}  // namespace scanner::qr
