#include <turbojpeg.h>

#include <memory>

#include "scanner/image.h"

namespace scanner {
namespace {

struct TjDeleter {
  void operator()(void* h) const { tjDestroy(h); }
};

}  // namespace

base::Result<GrayImage> DecodeJpeg(base::ByteSpan encoded) {
  std::unique_ptr<void, TjDeleter> tj(tjInitDecompress());
  if (!tj) return base::Internal("turbojpeg: cannot initialise");
  int width = 0, height = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), encoded.data(), static_cast<unsigned long>(encoded.size()),
                          &width, &height, &subsamp, &colorspace) != 0) {
    return base::InvalidArgument(std::string("JPEG: ") + tjGetErrorStr2(tj.get()));
  }
  if (width <= 0 || height <= 0 || width > kMaxImageSide || height > kMaxImageSide) {
    return base::OutOfRange("JPEG: image is " + std::to_string(width) + "x" +
                            std::to_string(height) + ", limit " + std::to_string(kMaxImageSide));
  }
  GrayImage out;
  out.width = width;
  out.height = height;
  out.pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(height));
  if (tjDecompress2(tj.get(), encoded.data(), static_cast<unsigned long>(encoded.size()),
                    out.pixels.data(), width, width, height, TJPF_GRAY, TJFLAG_ACCURATEDCT) != 0 &&
      tjGetErrorCode(tj.get()) == TJERR_FATAL) {
    return base::InvalidArgument(std::string("JPEG: ") + tjGetErrorStr2(tj.get()));
  }
  return out;
}

}  // namespace scanner
