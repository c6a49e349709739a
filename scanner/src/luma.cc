#include "luma.h"

#include <turbojpeg.h>

#include <string>

#include "scanner/image.h"

namespace scanner {

void YuyvToLuma(const uint8_t* src, int width, int height, int src_stride,
                std::vector<uint8_t>* out) {
  const size_t w = static_cast<size_t>(width);
  const size_t h = static_cast<size_t>(height);
  out->resize(w * h);  // no-op after the first frame: the buffer is reused
  uint8_t* dst = out->data();
  for (size_t y = 0; y < h; ++y) {
    const uint8_t* row = src + y * static_cast<size_t>(src_stride);
    for (size_t x = 0; x < w; ++x) dst[x] = row[2 * x];
    dst += w;
  }
}

void JpegLumaDecoder::Deleter::operator()(void* handle) const { tjDestroy(handle); }

base::Result<JpegLumaDecoder> JpegLumaDecoder::Create() {
  tjhandle handle = tjInitDecompress();
  if (handle == nullptr) return base::Internal("turbojpeg: cannot initialise a decompressor");
  return JpegLumaDecoder(handle);
}

base::Status JpegLumaDecoder::Decode(base::ByteSpan jpeg, std::vector<uint8_t>* out, int* width,
                                     int* height) {
  tjhandle tj = handle_.get();
  const auto size = static_cast<unsigned long>(jpeg.size());
  int w = 0, h = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(tj, jpeg.data(), size, &w, &h, &subsamp, &colorspace) != 0)
    return base::InvalidArgument(std::string("MJPEG frame: ") + tjGetErrorStr2(tj));
  if (w <= 0 || h <= 0 || w > kMaxImageSide || h > kMaxImageSide) {
    return base::OutOfRange("MJPEG frame is " + std::to_string(w) + "x" + std::to_string(h) +
                            ", limit " + std::to_string(kMaxImageSide));
  }
  out->resize(static_cast<size_t>(w) * static_cast<size_t>(h));
  // TJPF_GRAY from a YCbCr JPEG keeps the Y component only: no chroma upsampling and no colour
  // conversion. The fast integer DCT is plenty for black-and-white modules. Warnings (a frame cut
  // short by the USB transfer) still leave a usable image; only fatal errors drop the frame.
  if (tjDecompress2(tj, jpeg.data(), size, out->data(), w, w, h, TJPF_GRAY, TJFLAG_FASTDCT) != 0 &&
      tjGetErrorCode(tj) == TJERR_FATAL) {
    return base::InvalidArgument(std::string("MJPEG frame: ") + tjGetErrorStr2(tj));
  }
  *width = w;
  *height = h;
  return base::Status::Ok();
}

}  // namespace scanner
