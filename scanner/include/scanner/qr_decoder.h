// The live-path QR decoder: ZXing-cpp on the luminance plane, QR only, options tuned for latency
// with a second, contrast-normalised pass for low-contrast frames (docs/scanner.md has figures).
#pragma once

#include <string>
#include <vector>

#include "scanner/image.h"

namespace scanner {

struct DecoderOptions {
  bool try_harder = false;    // ZXing's exhaustive search: slower; off on the live path
  bool try_rotate = false;    // QR codes are rotation invariant already
  bool contrast_pass = true;  // if nothing found, stretch the histogram and try again
  int max_symbols = 4;        // codes returned from one frame
};

// Not thread-safe (keeps a scratch buffer): one per decoding thread.
class QrDecoder {
 public:
  explicit QrDecoder(DecoderOptions options = {}) : options_(options) {}
  // Texts of the QR codes in the frame; empty when none. Never throws, never crashes on a bad
  // frame (null data, strides shorter than the width: nothing found).
  std::vector<std::string> Decode(const Frame& frame);

  const DecoderOptions& options() const { return options_; }

 private:
  DecoderOptions options_;
  std::vector<uint8_t> scratch_;
};

// Stretches the frame's luminance so that its 2nd..98th percentiles span 0..255, into `out`.
void NormaliseContrast(const Frame& in, std::vector<uint8_t>* out);

}  // namespace scanner
