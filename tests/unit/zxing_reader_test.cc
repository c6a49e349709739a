// The QR decoder's adapter to ZXing-cpp (scanner/src/zxing_reader.h): a read collects each valid
// text once with its corners in frame coordinates, also for a crop read enlarged; a frame without
// a code reads nothing; the hints follow the decoder's options.
#include "zxing_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "luma_ops.h"
#include "scanner/image.h"
#include "scanner/qr_codec.h"
#include "scanner/qr_decoder.h"

namespace scanner::qr {
namespace {

const std::string kText = "UC1:ZXING-READER-TEST-0123456789";

// A 400 x 300 frame with the code (3 px modules) pasted at (x0, y0).
GrayImage FrameWithCode(int x0, int y0) {
  base::Result<GrayImage> code = RenderQr(kText, {.ecc = EccLevel::kM, .module_px = 3});
  EXPECT_TRUE(code.ok());
  GrayImage f;
  f.width = 400;
  f.height = 300;
  f.pixels.assign(400 * 300, 255);
  for (int y = 0; y < code->height; ++y) {
    for (int x = 0; x < code->width; ++x) {
      f.pixels[static_cast<size_t>((y0 + y) * 400 + x0 + x)] =
          code->pixels[static_cast<size_t>(y * code->width + x)];
    }
  }
  return f;
}

TEST(InsideTest, TellsPointsInsideAQuadFromOutside) {
  const Quad q = {{{10, 10}, {50, 12}, {48, 50}, {8, 46}}};
  EXPECT_TRUE(Inside(q, 30, 30));
  EXPECT_TRUE(Inside(q, 10, 10));  // a corner
  EXPECT_FALSE(Inside(q, 5, 30));
  EXPECT_FALSE(Inside(q, 30, 60));
  const Quad reversed = {{{8, 46}, {48, 50}, {50, 12}, {10, 10}}};  // either winding
  EXPECT_TRUE(Inside(reversed, 30, 30));
  EXPECT_FALSE(Inside(reversed, 5, 30));
}

TEST(ReadTest, ReadsEachTextOnceWithItsCornersInTheFrame) {
  const GrayImage f = FrameWithCode(100, 60);
  const ZXing::DecodeHints hints = Hints(DecoderOptions{}, Binarizer::kLocalAverage);
  std::vector<std::string> texts;
  std::vector<Quad> read_at;
  Read(f.view(), hints, &texts, &read_at);
  ASSERT_EQ(texts, std::vector<std::string>{kText});
  ASSERT_EQ(read_at.size(), 1u);
  const int centre_x = (read_at[0][0][0] + read_at[0][2][0]) / 2;
  const int centre_y = (read_at[0][0][1] + read_at[0][2][1]) / 2;
  const int side = RenderQr(kText, {.ecc = EccLevel::kM, .module_px = 3})->width;
  EXPECT_NEAR(centre_x, 100 + side / 2, 4);
  EXPECT_NEAR(centre_y, 60 + side / 2, 4);
  Read(f.view(), hints, &texts);  // read again: the text is not added twice
  EXPECT_EQ(texts.size(), 1u);
}

TEST(ReadTest, PlacesAReadOfAnEnlargedCropInTheFrame) {
  const GrayImage f = FrameWithCode(150, 90);
  const Box box{120, 60, 320, 260};
  std::vector<uint8_t> pixels;
  const Frame big = Enlarge(f.view(), box, 200, &pixels);
  std::vector<std::string> texts, whole_texts;
  std::vector<Quad> at_crop, at_whole;
  const ZXing::DecodeHints hints = Hints(DecoderOptions{}, Binarizer::kLocalAverage);
  Read(big, hints, &texts, &at_crop, {box.x0, box.y0, 200});
  Read(f.view(), hints, &whole_texts, &at_whole);
  ASSERT_EQ(texts, std::vector<std::string>{kText});
  ASSERT_EQ(at_crop.size(), 1u);
  ASSERT_EQ(at_whole.size(), 1u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(at_crop[0][i][0], at_whole[0][i][0], 3) << i;
    EXPECT_NEAR(at_crop[0][i][1], at_whole[0][i][1], 3) << i;
  }
}

TEST(ReadTest, ReadsNothingWithoutACode) {
  GrayImage blank;
  blank.width = 64;
  blank.height = 48;
  blank.pixels.assign(64 * 48, 128);
  const ZXing::DecodeHints hints = Hints(DecoderOptions{}, Binarizer::kGlobalHistogram);
  std::vector<std::string> texts;
  std::vector<Quad> read_at;
  Read(blank.view(), hints, &texts, &read_at);
  EXPECT_TRUE(texts.empty());
  EXPECT_TRUE(read_at.empty());
}

TEST(HintsTest, FollowTheOptions) {
  DecoderOptions o;
  o.try_harder = true;
  o.max_symbols = 2;
  const ZXing::DecodeHints h = Hints(o, Binarizer::kGlobalHistogram);
  EXPECT_TRUE(h.tryHarder());
  EXPECT_FALSE(h.tryRotate());
  EXPECT_EQ(h.maxNumberOfSymbols(), 2);
  EXPECT_EQ(h.binarizer(), ZXing::Binarizer::GlobalHistogram);
  EXPECT_TRUE(h.formats() == ZXing::BarcodeFormats(ZXing::BarcodeFormat::QRCode));
  const ZXing::DecodeHints pure = PureHints(h);
  EXPECT_TRUE(pure.isPure());
  EXPECT_EQ(pure.binarizer(), ZXing::Binarizer::FixedThreshold);
  EXPECT_TRUE(pure.tryHarder());  // the rest kept
}

}  // namespace
}  // namespace scanner::qr
