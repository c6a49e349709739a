// The live-path QR decoder: ZXing-cpp 1.4 on the luminance plane, QR only, options tuned for
// latency. A cheap scan for finder patterns finds where codes may be; each is first read by
// sampling its module grid from the finder geometry into a pure image (ZXing's isPure mode), else
// cut out (stretched, inverted, enlarged where its modules are small); ZXing reads the whole frame
// only where the scan cannot vouch for having found every code; whole-frame fallbacks (contrast,
// glare, dark mode) run only when nothing was read and finder patterns were seen. docs/scanner.md
// has the figures (tests/data/frames, bench/scan_bench).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scanner/image.h"

namespace scanner {

enum class Binarizer : uint8_t {
  kLocalAverage,     // ZXing's HybridBinarizer: a threshold per 8x8 block; copes with gradients
  kGlobalHistogram,  // one threshold for the frame: faster, lost under glare and shadows
};

struct DecoderOptions {
  bool try_harder = false;     // ZXing's exhaustive search: slower; off on the live path
  bool try_rotate = false;     // QR codes are rotation invariant already
  bool try_downscale = false;  // ZXing's pyramid: its 1/3 layer finds no card code at 640x480
  Binarizer binarizer = Binarizer::kLocalAverage;
  bool second_binarizer = false;  // if the whole frame read nothing, the other binarizer on it
  // A scan for finder patterns (every scan_step-th row, both polarities) comes first; each triple
  // that may be a code is first read from its module grid, sampled through the perspective the
  // three finder patterns and the alignment pattern near the fourth corner give (dimension from
  // the runs of the timing patterns; only where the other alignment patterns are found where the
  // grid puts them), one pixel per module, by ZXing in its isPure mode; else it is cut out,
  // stretched to its own ink and paper levels, inverted if light on dark, and read: at its own
  // scale when its modules are >= 3 px (a fraction of a frame's cost), else enlarged to ~4.5 px
  // modules (at most zoom_percent). At most three per frame; once a code is read, only triples of
  // its polarity. The whole frame is read only when a triple was not read, none was found, or two
  // finder patterns outside the codes read may belong together. Then the triples still not read are
  // read enlarged to zoom_percent if their modules are under 4 px (ZXing 1.4 loses version 11-12
  // codes, a card's, at 2-3 px per module under a few degrees of tilt; enlarged, it reads them),
  // and squared where the crop is clipped (glare).
  bool region_pass = true;
  // Where that grid fails the alignment patterns' check or Reed-Solomon, second chances: the
  // alignment patterns found one by one outwards from the finder patterns, each where the ones
  // found so far put it, and a homography fitted to them all (strong perspective); then offsets
  // from it on a lattice every few modules, each where the module centres around it are most
  // clearly dark or light (bent paper, module rows as arcs).
  bool grid_refit = true;
  // Where no sampling of a placed grid reads: a motion blur (direction and length up to four
  // modules) estimated from how the function patterns' known modules are blurred, and undone.
  bool deblur_pass = true;
  int zoom_percent = 200;
  int scan_step = 2;  // rows between scan lines
  // Levels squared, which spreads the highlights where glare washed modules towards white: a
  // region not read whose crop is clipped (0.5% at >= 250) is read so once more, and the whole
  // frame when nothing was read, 0.5% of it is clipped and the scan saw two finder patterns that
  // may belong together.
  bool glare_pass = true;
  // Whole-frame fallbacks when nothing was read and the scan saw two finder patterns (of that
  // polarity) that may belong together: contrast-stretched if the frame's 2nd..98th percentiles
  // span less than 160 levels, inverted for light on dark. Without region_pass they always run.
  bool contrast_pass = true;
  bool invert_pass = true;
  int max_symbols = 4;  // codes returned from one frame
  // Frames at least twice this wide (a 4K camera's) are first read shrunk by width / shrink_width
  // (each pixel the mean of a block): a code filling such a frame has 15-40 px modules, wider than
  // the finder scan's 33-pixel window holds a finder pattern's centre in, and costs ZXing a pass
  // over 8 M pixels. Only if nothing is read so is the frame read at its own size (small codes).
  // 0: never shrunk.
  int shrink_width = 1280;
};

// Not thread-safe (keeps scratch buffers): one per decoding thread.
class QrDecoder {
 public:
  explicit QrDecoder(DecoderOptions options = {}) : options_(options) {}
  // Texts of the QR codes in the frame, each once; empty when none. Never throws, never crashes
  // on a bad frame (null data, strides shorter than the width: nothing found).
  std::vector<std::string> Decode(const Frame& frame);
  // The same, and each text is also handed to `on_text` as soon as it is read, while the frame is
  // still searched for more (a frame-to-verdict latency of the first code, not of the last pass).
  using OnText = std::function<void(const std::string&)>;
  std::vector<std::string> Decode(const Frame& frame, const OnText& on_text);

  const DecoderOptions& options() const { return options_; }

 private:
  DecoderOptions options_;
  std::vector<uint8_t> scratch_, zoomed_, region_, grey_, grid_, pure_, shrunk_;
};

// Stretches the frame's luminance so that its 2nd..98th percentiles span 0..255, into `out`.
// Returns the width of that percentile range before stretching (255: nothing to gain).
int NormaliseContrast(const Frame& in, std::vector<uint8_t>* out);

}  // namespace scanner
