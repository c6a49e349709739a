// Private to ck_scanner: the operations on an 8-bit luminance frame that the QR decoder's passes
// share: a box of the frame as a view, bilinear enlargement and sampling, shrinking by block
// means, the levels' percentiles and their stretch onto 0..255. Stateless and thread-compatible;
// every output goes to a buffer the caller owns (and reuses from frame to frame), and the Frame
// returned views that buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "scanner/image.h"

namespace scanner::qr {

// A box of the frame in pixels, half-open.
struct Box {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool Contains(int x, int y) const { return x >= x0 && x < x1 && y >= y0 && y < y1; }
};

// The box of the frame, a view of the same pixels. `b` must lie inside the frame.
Frame Cut(const Frame& f, const Box& b);

// Bilinear enlargement of `box` of the frame by `percent`/100 (>= 100), into *out; an empty frame
// if the box is narrower or lower than 2 pixels.
Frame Enlarge(const Frame& f, const Box& box, int percent, std::vector<uint8_t>* out);

// The frame shrunk by an integer `factor` (>= 1): each output pixel the mean of a factor x factor
// block (the right and bottom rest dropped), into *out. An empty frame if nothing is left; factor
// up to 16 (the sums are 16-bit).
Frame Shrink(const Frame& f, int factor, std::vector<uint8_t>* out);

struct LevelRange {
  int lo = 0, hi = 255;  // the 2nd and 98th percentiles of the luminance; hi > lo
  bool clipped = false;  // some of the frame is clipped white (glare, a lamp, a lit screen)
};

// The percentiles of a sparse sample (every 4th pixel of every 4th row).
LevelRange PercentileRange(const Frame& in);

enum class Tone : uint8_t { kLinear, kSquare, kInvert };

// Maps `range` onto 0..255 into *out, packed: linearly, squared (spreads the highlights, where
// glare has left what it did not wash out) or reversed (light on dark).
Frame Stretch(const Frame& in, LevelRange range, Tone tone, std::vector<uint8_t>* out);

// Grey level at (x, y), bilinear; -1 outside the frame. Inline: the grid sampler calls it for
// every module and every timing-pattern step.
inline double Sample(const Frame& f, double x, double y) {
  if (!(x >= 0 && y >= 0 && x <= f.width - 1.001 && y <= f.height - 1.001)) return -1;
  const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
  const double fx = x - x0, fy = y - y0;
  const uint8_t* p =
      f.data + static_cast<size_t>(y0) * static_cast<size_t>(f.stride) + static_cast<size_t>(x0);
  const uint8_t* q = p + f.stride;
  return (p[0] * (1 - fx) + p[1] * fx) * (1 - fy) + (q[0] * (1 - fx) + q[1] * fx) * fy;
}

}  // namespace scanner::qr
