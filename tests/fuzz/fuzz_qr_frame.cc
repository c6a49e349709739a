// Fuzzes the QR decoder with hostile camera frames: anything can be held up to the camera, and the
// decoder's own finder scan, module-grid sampling and region reads index the frame by geometry they
// computed from it. Input: width - 1 and height - 1 (one byte each, so 1..256), then the
// pixels row by row (missing pixels are 0), then nothing else. The frame's stride is the width
// plus the input's first byte modulo 4 (padding bytes between rows).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "scanner/image.h"
#include "scanner/qr_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int width = data[0] + 1, height = data[1] + 1;
  const int stride = width + data[0] % 4;
  std::vector<uint8_t> pixels(static_cast<size_t>(stride) * static_cast<size_t>(height), 0);
  const size_t n = size - 2;
  for (size_t i = 0; i < n && i < pixels.size(); ++i) pixels[i] = data[2 + i];
  static scanner::QrDecoder decoder;  // reused, as the pipeline reuses its buffers
  const scanner::Frame frame{pixels.data(), width, height, stride, scanner::PixelFormat::kGray8};
  (void)decoder.Decode(frame);
  return 0;
}
