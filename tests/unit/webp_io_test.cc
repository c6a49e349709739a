// WebP frames (phones save screenshots in it): a real issued card from the frame corpus encoded
// here with libwebp's own encoder, lossless and lossy, read back through an image directory as
// `cardscan --frames DIR` reads it and decoded to the card's text; alpha composited onto white;
// broken files refused with an error that names the format.
#include <gtest/gtest.h>
#include <webp/encode.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/file.h"
#include "scanner/image.h"
#include "scanner/qr_decoder.h"
#include "scanner/recorded_source.h"
#include "subprocess.h"

namespace scanner {
namespace {

const std::string kCard = std::string(CK_FRAMES_DIR) + "/clean/001-640x480";

std::string Encode(const std::vector<uint8_t>& rgba, int w, int h, int quality) {
  uint8_t* out = nullptr;
  const size_t n =
      quality < 0 ? WebPEncodeLosslessRGBA(rgba.data(), w, h, w * 4, &out)
                  : WebPEncodeRGBA(rgba.data(), w, h, w * 4, static_cast<float>(quality), &out);
  std::string bytes(reinterpret_cast<const char*>(out), n);
  WebPFree(out);
  return bytes;
}

std::vector<uint8_t> Rgba(const GrayImage& g) {
  std::vector<uint8_t> rgba;
  rgba.reserve(g.pixels.size() * 4);
  for (const uint8_t v : g.pixels) rgba.insert(rgba.end(), {v, v, v, 255});
  return rgba;
}

std::string GoldenText() {
  base::Result<std::string> golden = base::ReadFile(kCard + ".txt", 64 * 1024);
  EXPECT_TRUE(golden.ok());
  return golden.ok() ? golden->substr(0, golden->find('\n')) : "";
}

TEST(WebpTest, AnIssuedCardIsReadFromLosslessAndLossyWebpInAnImageDirectory) {
  base::Result<GrayImage> jpeg = LoadImage(kCard + ".jpg");
  ASSERT_TRUE(jpeg.ok()) << jpeg.status().ToString();
  const std::vector<uint8_t> rgba = Rgba(*jpeg);
  cktest::TempDir dir;
  const std::string lossless = Encode(rgba, jpeg->width, jpeg->height, -1);
  const std::string lossy = Encode(rgba, jpeg->width, jpeg->height, 85);
  ASSERT_FALSE(lossless.empty());
  ASSERT_FALSE(lossy.empty());
  ASSERT_TRUE(
      base::WriteFileAtomic(dir.File("0.webp"), lossless, 0644, base::Durability::kDeferred).ok());
  ASSERT_TRUE(
      base::WriteFileAtomic(dir.File("1.WEBP"), lossy, 0644, base::Durability::kDeferred).ok());

  base::Result<std::vector<std::string>> names = ListImages(dir.path());
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"0.webp", "1.WEBP"}));
  base::FakeClock clock(1'700'000'000);
  auto src = OpenRecording(dir.path(), 30, Pacing::kAsFastAsPossible, clock);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  QrDecoder decoder;
  for (int i = 0; i < 2; ++i) {
    base::Result<std::optional<CapturedFrame>> f = (*src)->Next(0);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE(f->has_value());
    EXPECT_EQ((*f)->frame.width, 640);
    EXPECT_EQ((*f)->frame.height, 480);
    EXPECT_EQ(decoder.Decode((*f)->frame), std::vector<std::string>{GoldenText()}) << i;
  }
  // Lossless gray stays the same gray, pixel for pixel.
  base::Result<GrayImage> back = LoadImage(dir.File("0.webp"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->pixels, jpeg->pixels);
}

TEST(WebpTest, TransparencyIsPaper) {
  // Left half opaque black, right half fully transparent black, one half-transparent pixel.
  std::vector<uint8_t> rgba;
  for (int i = 0; i < 16; ++i) rgba.insert(rgba.end(), {0, 0, 0, uint8_t(i % 4 < 2 ? 255 : 0)});
  rgba[4 * 15 + 3] = 128;
  base::Result<GrayImage> img = DecodeImage(base::AsBytes(Encode(rgba, 4, 4, -1)));
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  ASSERT_EQ(img->width, 4);
  EXPECT_EQ(img->pixels[0], 0);
  EXPECT_EQ(img->pixels[2], 255);
  EXPECT_EQ(img->pixels[15], 127);
}

TEST(WebpTest, BrokenFilesAreRefusedNamingTheFormat) {
  std::vector<uint8_t> rgba(64 * 64 * 4, 200);
  const std::string good = Encode(rgba, 64, 64, 80);
  for (const std::string& bad : {good.substr(0, 20), good.substr(0, good.size() / 2),
                                 std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)}) {
    base::Result<GrayImage> img = DecodeImage(base::AsBytes(bad));
    ASSERT_FALSE(img.ok()) << bad.size();
    EXPECT_EQ(img.status().code(), base::StatusCode::kInvalidArgument);
    EXPECT_NE(img.status().ToString().find("WebP"), std::string::npos) << img.status().ToString();
  }
  base::Result<GrayImage> other = DecodeImage(base::AsBytes(std::string("GIF89a....")));
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().ToString().find("PNG, JPEG or WebP"), std::string::npos);
}

}  // namespace
}  // namespace scanner
