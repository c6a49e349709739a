// QR writing (libqrencode) and reading (ZXing-cpp) behind scanner/qr_codec.h, and the PNG/JPEG
// image decoders behind scanner/image.h.

#include "scanner/qr_codec.h"

#include <gtest/gtest.h>
#include <turbojpeg.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/file.h"
#include "base/status.h"
#include "scanner/image.h"
#include "subprocess.h"

namespace scanner {
namespace {

// Looks like a card: the prefix, then base45 (the QR alphanumeric set).
constexpr std::string_view kCardText =
    "UC1:NCF790920FFWTWGSLKC 486922M*+DB4WB/M97B0XK7EDPYA2Y8PYAL%6FN0KYD3WCWY0YND496/E736075ED7"
    "09GW.DL3HDF:1KB0DJ0B1A009ZM0%U0MGQMHQMHQ9HQU64XAJH 0*96DL6LX6798C-0RHK754-+FMDW$DGJ/69BE$A8";

uint8_t Pixel(const GrayImage& img, int x, int y) {
  return img
      .pixels[static_cast<size_t>(y) * static_cast<size_t>(img.width) + static_cast<size_t>(x)];
}

// True if every pixel at distance < border from an edge is white.
bool BorderIsWhite(const GrayImage& img, int border) {
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      const bool in_border =
          x < border || y < border || x >= img.width - border || y >= img.height - border;
      if (in_border && Pixel(img, x, y) != 255) return false;
    }
  }
  return true;
}

std::vector<std::string> Texts(const std::vector<QrSymbol>& symbols) {
  std::vector<std::string> out;
  for (const QrSymbol& s : symbols) out.push_back(s.text);
  return out;
}

// CRC-32 as PNG chunks use it (ISO 3309, reflected, polynomial 0xedb88320).
uint32_t Crc32(std::string_view data) {
  uint32_t crc = 0xffffffffu;
  for (char ch : data) {
    crc ^= static_cast<uint8_t>(ch);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void AppendBe32(uint32_t v, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xffu));
  }
}

void AppendChunk(std::string_view type, std::string_view data, std::string* out) {
  AppendBe32(static_cast<uint32_t>(data.size()), out);
  const std::string body = std::string(type) + std::string(data);
  out->append(body);
  AppendBe32(Crc32(body), out);
}

// A well-formed PNG prefix (signature, IHDR for 8-bit gray, an IDAT, IEND) whose header claims
// width x height pixels; the pixel data is far too short for that size.
std::string PngClaiming(uint32_t width, uint32_t height) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  AppendBe32(width, &ihdr);
  AppendBe32(height, &ihdr);
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // depth 8, gray, deflate, filter 0, no interlace
  AppendChunk("IHDR", ihdr, &png);
  AppendChunk("IDAT", std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8), &png);
  AppendChunk("IEND", "", &png);
  return png;
}

// A bilevel test pattern with a checkerboard, stripes and odd dimensions (rows are not a whole
// number of bytes in a 1-bit PNG).
GrayImage Pattern() {
  GrayImage img;
  img.width = 37;
  img.height = 23;
  img.pixels.resize(static_cast<size_t>(img.width) * static_cast<size_t>(img.height));
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      const bool black = ((x / 3 + y / 2) % 2 == 0) || x == img.width - 1 || y == 0;
      img.pixels[static_cast<size_t>(y) * static_cast<size_t>(img.width) + static_cast<size_t>(x)] =
          black ? 0 : 255;
    }
  }
  return img;
}

// Encodes a gray image as a baseline JPEG (quality 90, gray subsampling) with libturbojpeg.
std::string EncodeGrayJpeg(const GrayImage& img) {
  tjhandle tj = tjInitCompress();
  if (tj == nullptr) return {};
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  std::string out;
  if (tjCompress2(tj, img.pixels.data(), img.width, img.width, img.height, TJPF_GRAY, &jpeg, &size,
                  TJSAMP_GRAY, 90, 0) == 0) {
    out.assign(reinterpret_cast<const char*>(jpeg), size);
  }
  tjFree(jpeg);
  tjDestroy(tj);
  return out;
}

TEST(QrCodecTest, RenderedCardTextReadsBackExactly) {
  base::Result<GrayImage> img = RenderQr(kCardText);
  ASSERT_TRUE(img.ok()) << img.status().message();
  std::vector<QrSymbol> codes = ReadQrCodes(img->view());
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0].text, kCardText);
}

TEST(QrCodecTest, TheSameTextGivesTheSameModulesAndTheImageShowsThem) {
  base::Result<QrModules> a = EncodeQrModules(kCardText), b = EncodeQrModules(kCardText);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->dark, b->dark);
  base::Result<GrayImage> img = RenderQr(kCardText, {.module_px = 2, .quiet_modules = 1});
  ASSERT_TRUE(img.ok());
  ASSERT_EQ(img->width, (a->size + 2) * 2);
  for (int y = 0; y < a->size; ++y) {
    for (int x = 0; x < a->size; ++x) {
      const bool dark = a->dark[static_cast<size_t>(y * a->size + x)] != 0;
      ASSERT_EQ(Pixel(*img, (x + 1) * 2 + 1, (y + 1) * 2 + 1) < 128, dark) << x << "," << y;
    }
  }
}

TEST(QrCodecTest, QrPngFromModulesIsTheRenderedImagePixelForPixel) {
  const std::string dir = ::testing::TempDir();
  base::Result<QrModules> m = EncodeQrModules(kCardText);
  ASSERT_TRUE(m.ok());
  for (const QrRenderOptions& o :
       {QrRenderOptions{}, QrRenderOptions{.module_px = 3, .quiet_modules = 1},
        QrRenderOptions{.module_px = 1, .quiet_modules = 0}}) {
    base::Result<GrayImage> drawn = RenderQr(kCardText, o);
    ASSERT_TRUE(drawn.ok());
    base::Result<std::string> png = EncodeQrPng(*m, o, 300);
    ASSERT_TRUE(png.ok()) << png.status().message();
    ASSERT_TRUE(
        base::WriteFileAtomic(dir + "/packed.png", *png, 0644, base::Durability::kDeferred).ok());
    base::Result<GrayImage> packed = LoadImage(dir + "/packed.png");
    ASSERT_TRUE(packed.ok()) << packed.status().message();
    ASSERT_EQ(packed->width, drawn->width);
    ASSERT_EQ(packed->height, drawn->height);
    EXPECT_EQ(packed->pixels, drawn->pixels) << o.module_px << " px, quiet " << o.quiet_modules;
  }
  EXPECT_FALSE(EncodeQrPng(QrModules{.size = 3, .dark = {1}}, {}, 300).ok());
  EXPECT_FALSE(EncodeQrPng(*m, QrRenderOptions{.module_px = 0}, 300).ok());
}

TEST(QrCodecTest, BytesAndUtf8TextReadBackExactly) {
  for (const std::string_view text :
       {std::string_view("https://union.example/k?id=abc&x=1"),
        std::string_view(
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"),
        std::string_view(
            "\xD0\x9A\xD0\xA3\xD0\xA0-000500 \xD2\x9A\xD0\xB0\xD0\xB7\xD0\xB0\xD2\x9B")}) {
    base::Result<GrayImage> img = RenderQr(text);
    ASSERT_TRUE(img.ok()) << img.status().message();
    std::vector<QrSymbol> codes = ReadQrCodes(img->view());
    ASSERT_EQ(codes.size(), 1u) << text;
    EXPECT_EQ(codes[0].text, text);
  }
}

TEST(QrCodecTest, RefusesEmptyTextAndTextLongerThanVersion40Holds) {
  base::Result<QrModules> empty = EncodeQrModules("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), base::StatusCode::kInvalidArgument);
  // Version 40 at Q holds 2,420 alphanumeric characters.
  EXPECT_TRUE(EncodeQrModules(std::string(2420, 'A')).ok());
  base::Result<QrModules> big = EncodeQrModules(std::string(2421, 'A'));
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("too long"), std::string::npos) << big.status().message();
  base::Result<GrayImage> img = RenderQr(std::string(5000, 'a'));
  EXPECT_FALSE(img.ok());
}

TEST(QrCodecTest, DefaultErrorCorrectionIsQ) {
  EXPECT_EQ(QrRenderOptions().ecc, EccLevel::kQ);
  base::Result<GrayImage> img = RenderQr(kCardText);
  ASSERT_TRUE(img.ok()) << img.status().message();
  std::vector<QrSymbol> codes = ReadQrCodes(img->view());
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0].ec_level, "Q");
}

TEST(QrCodecTest, EachEccLevelIsTheOneReadBack) {
  const std::array<std::pair<EccLevel, std::string_view>, 4> levels{
      {{EccLevel::kL, "L"}, {EccLevel::kM, "M"}, {EccLevel::kQ, "Q"}, {EccLevel::kH, "H"}}};
  for (const auto& [ecc, name] : levels) {
    base::Result<GrayImage> img = RenderQr("UC1:ABC", {.ecc = ecc});
    ASSERT_TRUE(img.ok()) << img.status().message();
    std::vector<QrSymbol> codes = ReadQrCodes(img->view());
    ASSERT_EQ(codes.size(), 1u) << name;
    EXPECT_EQ(codes[0].ec_level, name);
  }
}

TEST(QrCodecTest, ModuleSizeAndQuietZoneGiveTheImageSide) {
  // One pixel a module and no quiet zone: the side is the symbol's module count, 17 + 4 * version.
  base::Result<GrayImage> bare = RenderQr(kCardText, {.module_px = 1, .quiet_modules = 0});
  ASSERT_TRUE(bare.ok()) << bare.status().message();
  const int modules = bare->width;
  ASSERT_EQ(bare->height, modules);
  ASSERT_GE(modules, 21);
  ASSERT_EQ((modules - 17) % 4, 0) << modules;

  const QrRenderOptions opts{.module_px = 3, .quiet_modules = 2};
  base::Result<GrayImage> img = RenderQr(kCardText, opts);
  ASSERT_TRUE(img.ok()) << img.status().message();
  EXPECT_EQ(img->width, (modules + 2 * 2) * 3);
  EXPECT_EQ(img->height, img->width);
  EXPECT_TRUE(BorderIsWhite(*img, 2 * 3));
  // Inside the quiet zone every module is a uniform 3x3 block equal to the bare rendering.
  for (int y = 0; y < modules * 3; ++y) {
    for (int x = 0; x < modules * 3; ++x) {
      ASSERT_EQ(Pixel(*img, x + 6, y + 6), Pixel(*bare, x / 3, y / 3)) << x << "," << y;
    }
  }
  std::vector<QrSymbol> codes = ReadQrCodes(img->view());
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0].text, kCardText);
}

TEST(QrCodecTest, DefaultRenderingHasSixPixelModulesAndFourModuleQuietZone) {
  base::Result<GrayImage> bare = RenderQr(kCardText, {.module_px = 1, .quiet_modules = 0});
  ASSERT_TRUE(bare.ok()) << bare.status().message();
  base::Result<GrayImage> img = RenderQr(kCardText);
  ASSERT_TRUE(img.ok()) << img.status().message();
  EXPECT_EQ(img->width, (bare->width + 2 * 4) * 6);
  EXPECT_EQ(img->height, img->width);
  EXPECT_TRUE(BorderIsWhite(*img, 4 * 6));
  // The finder pattern's top-left module is black, right at the quiet zone's edge.
  EXPECT_EQ(Pixel(*img, 24, 24), 0);
}

TEST(QrCodecTest, RefusesOutOfRangeRenderOptions) {
  EXPECT_FALSE(RenderQr("UC1:ABC", {.module_px = 0}).ok());
  EXPECT_FALSE(RenderQr("UC1:ABC", {.module_px = 65}).ok());
  EXPECT_FALSE(RenderQr("UC1:ABC", {.quiet_modules = -1}).ok());
  EXPECT_FALSE(RenderQr("UC1:ABC", {.quiet_modules = 17}).ok());
}

TEST(QrCodecTest, FrameWithTwoCodesSideBySideYieldsBoth) {
  const std::string left = "UC1:LEFT CARD 0001";
  const std::string right = "UC1:RIGHT CARD 0002";
  base::Result<GrayImage> a = RenderQr(left, {.module_px = 4});
  base::Result<GrayImage> b = RenderQr(right, {.module_px = 4});
  ASSERT_TRUE(a.ok() && b.ok());
  GrayImage frame;
  frame.width = a->width + b->width;
  frame.height = std::max(a->height, b->height);
  frame.pixels.assign(static_cast<size_t>(frame.width) * static_cast<size_t>(frame.height), 255);
  for (int y = 0; y < frame.height; ++y) {
    for (int x = 0; x < frame.width; ++x) {
      uint8_t v = 255;
      if (x < a->width && y < a->height) v = Pixel(*a, x, y);
      if (x >= a->width && y < b->height) v = Pixel(*b, x - a->width, y);
      frame.pixels[static_cast<size_t>(y) * static_cast<size_t>(frame.width) +
                   static_cast<size_t>(x)] = v;
    }
  }
  std::vector<std::string> texts = Texts(ReadQrCodes(frame.view()));
  std::sort(texts.begin(), texts.end());
  EXPECT_EQ(texts, (std::vector<std::string>{left, right}));
}

TEST(QrCodecTest, BlankFrameYieldsNothing) {
  GrayImage white;
  white.width = 320;
  white.height = 240;
  white.pixels.assign(320u * 240u, 255);
  EXPECT_TRUE(ReadQrCodes(white.view()).empty());
  GrayImage black = white;
  black.pixels.assign(black.pixels.size(), 0);
  EXPECT_TRUE(ReadQrCodes(black.view()).empty());
}

TEST(QrCodecTest, GarbageFrameDimensionsYieldNothing) {
  const std::vector<uint8_t> pixels(64, 255);
  EXPECT_TRUE(ReadQrCodes(Frame{}).empty());
  EXPECT_TRUE(ReadQrCodes(Frame{.data = nullptr, .width = 8, .height = 8, .stride = 8}).empty());
  EXPECT_TRUE(
      ReadQrCodes(Frame{.data = pixels.data(), .width = 0, .height = 8, .stride = 8}).empty());
  EXPECT_TRUE(
      ReadQrCodes(Frame{.data = pixels.data(), .width = 8, .height = 0, .stride = 8}).empty());
  EXPECT_TRUE(
      ReadQrCodes(Frame{.data = pixels.data(), .width = -8, .height = 8, .stride = 8}).empty());
  EXPECT_TRUE(
      ReadQrCodes(Frame{.data = pixels.data(), .width = 8, .height = -8, .stride = 8}).empty());
}

// A negative stride is garbage as well and must yield nothing rather than make the decoder read
// in front of the pixels. Run in a child process, since what this guards against is a crash.
TEST(QrCodecDeathTest, NegativeStrideYieldsNothingWithoutCrashing) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::vector<uint8_t> pixels(200u * 200u, 255);
  EXPECT_EXIT(
      {
        const std::vector<QrSymbol> codes =
            ReadQrCodes(Frame{.data = pixels.data(), .width = 200, .height = 200, .stride = -200});
        std::_Exit(codes.empty() ? 0 : 3);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(ImageDecodeTest, RefusesBytesThatAreNoImage) {
  const std::string text = "hello, this is not an image at all";
  base::Result<GrayImage> img = DecodeImage(base::AsBytes(text));
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_FALSE(DecodeImage(base::ByteSpan()).ok());
}

TEST(ImageDecodeTest, RefusesTruncatedPng) {
  cktest::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  base::Result<GrayImage> qr = RenderQr(kCardText);
  ASSERT_TRUE(qr.ok());
  const std::string path = dir.File("qr.png");
  ASSERT_TRUE(WriteBilevelPng(path, *qr, 300).ok());
  base::Result<std::string> png = base::ReadFile(path, 1 << 20);
  ASSERT_TRUE(png.ok());
  ASSERT_TRUE(DecodeImage(base::AsBytes(*png)).ok());
  for (size_t keep : {size_t{8}, size_t{20}, size_t{40}, png->size() / 2, png->size() - 13}) {
    base::Result<GrayImage> img =
        DecodeImage(base::AsBytes(std::string_view(*png).substr(0, keep)));
    EXPECT_FALSE(img.ok()) << "kept " << keep << " of " << png->size() << " bytes";
  }
}

TEST(ImageDecodeTest, RefusesPngClaimingHugeDimensionsBeforeAllocating) {
  const std::string png = PngClaiming(100000, 100000);
  base::Result<GrayImage> img = DecodeImage(base::AsBytes(png));
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), base::StatusCode::kOutOfRange) << img.status().message();
}

TEST(ImageDecodeTest, RefusesPngOneWiderThanTheLimit) {
  const std::string png = PngClaiming(static_cast<uint32_t>(kMaxImageSide) + 1, 1);
  base::Result<GrayImage> img = DecodeImage(base::AsBytes(png));
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), base::StatusCode::kOutOfRange) << img.status().message();
}

TEST(ImageDecodeTest, JpegOfAQrCodeDecodesAndReads) {
  base::Result<GrayImage> qr = RenderQr(kCardText);
  ASSERT_TRUE(qr.ok());
  const std::string jpeg = EncodeGrayJpeg(*qr);
  ASSERT_FALSE(jpeg.empty());
  base::Result<GrayImage> img = DecodeImage(base::AsBytes(jpeg));
  ASSERT_TRUE(img.ok()) << img.status().message();
  EXPECT_EQ(img->width, qr->width);
  EXPECT_EQ(img->height, qr->height);
  std::vector<QrSymbol> codes = ReadQrCodes(img->view());
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0].text, kCardText);
}

TEST(ImageDecodeTest, RefusesJpegClaimingHugeDimensions) {
  GrayImage small;
  small.width = 16;
  small.height = 16;
  small.pixels.assign(256, 128);
  std::string jpeg = EncodeGrayJpeg(small);
  const size_t sof = jpeg.find("\xff\xc0");
  ASSERT_NE(sof, std::string::npos);
  ASSERT_LT(sof + 8, jpeg.size());
  for (size_t i = sof + 5; i <= sof + 8; i += 2) {  // height, then width: 65000 each
    jpeg[i] = static_cast<char>(0xfd);
    jpeg[i + 1] = static_cast<char>(0xe8);
  }
  base::Result<GrayImage> img = DecodeImage(base::AsBytes(jpeg));
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), base::StatusCode::kOutOfRange) << img.status().message();
}

TEST(ImageDecodeTest, BilevelPngRoundTripKeepsEveryPixel) {
  cktest::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const GrayImage pattern = Pattern();
  const std::string path = dir.File("pattern.png");
  base::Status st = WriteBilevelPng(path, pattern, 300);
  ASSERT_TRUE(st.ok()) << st.message();
  base::Result<GrayImage> back = LoadImage(path);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->width, pattern.width);
  EXPECT_EQ(back->height, pattern.height);
  EXPECT_EQ(back->pixels, pattern.pixels);
}

TEST(ImageDecodeTest, BilevelPngThresholdsGrayAt128) {
  cktest::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  GrayImage gray;
  gray.width = 4;
  gray.height = 1;
  gray.pixels = {0, 127, 128, 255};
  const std::string path = dir.File("gray.png");
  ASSERT_TRUE(WriteBilevelPng(path, gray, 300).ok());
  base::Result<GrayImage> back = LoadImage(path);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->pixels, (std::vector<uint8_t>{0, 0, 255, 255}));
}

TEST(ImageDecodeTest, WriteBilevelPngRefusesEmptyImage) {
  cktest::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  EXPECT_FALSE(WriteBilevelPng(dir.File("empty.png"), GrayImage{}, 300).ok());
}

}  // namespace
}  // namespace scanner
