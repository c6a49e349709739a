#include "scanner/image.h"

#include <cstring>

#include "base/file.h"

namespace scanner {

base::Result<GrayImage> DecodeImage(base::ByteSpan encoded) {
  static constexpr uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (encoded.size() >= sizeof kPng && std::memcmp(encoded.data(), kPng, sizeof kPng) == 0) {
    return DecodePng(encoded);
  }
  if (encoded.size() >= 3 && encoded[0] == 0xff && encoded[1] == 0xd8 && encoded[2] == 0xff) {
    return DecodeJpeg(encoded);
  }
  if (encoded.size() >= 12 && std::memcmp(encoded.data(), "RIFF", 4) == 0 &&
      std::memcmp(encoded.data() + 8, "WEBP", 4) == 0) {
    return DecodeWebp(encoded);
  }
  return base::InvalidArgument("not a PNG, JPEG or WebP image");
}

base::Result<GrayImage> LoadImage(const std::string& path) {
  CK_ASSIGN_OR_RETURN(std::string data, base::ReadFile(path, 64u << 20));
  base::Result<GrayImage> img = DecodeImage(base::AsBytes(data));
  if (!img.ok()) return img.status().WithContext(path);
  return img;
}

}  // namespace scanner
