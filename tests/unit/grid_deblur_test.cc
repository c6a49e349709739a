// The motion deblur of a sampled grid (scanner/src/grid_deblur.h) on card codes blurred in the
// test: through the code's known grid, the modules it solves for are nearly all right where plain
// thresholding gets many wrong, and ZXing reads its pure image; a sharp code has no motion to undo.
#include "grid_deblur.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "grid_sampler.h"
#include "homography.h"
#include "scanner/image.h"
#include "scanner/qr_codec.h"
#include "scanner/qr_decoder.h"
#include "warped_code.h"
#include "zxing_reader.h"

namespace scanner::qr {
namespace {

struct Blurred {
  std::string text;
  GrayImage frame, code;  // the frame, the code one pixel per module with a quiet zone of 4
  GridPlan plan;
  GridMap map;
};

// A frontal code `side` pixels across at the frame's centre, moved `motion` pixels at `angle`.
Blurred Make(double side, double motion, double angle) {
  Blurred b;
  b.text = test::CardText(3);
  test::CodePose pose;
  pose.side = side;
  pose.motion = motion;
  pose.motion_angle = angle;
  b.frame = test::WarpedCode(b.text, pose);
  base::Result<GrayImage> code = RenderQr(b.text, {.ecc = EccLevel::kQ, .module_px = 1});
  EXPECT_TRUE(code.ok());
  if (!code.ok()) return b;
  b.code = std::move(code).value();
  const int dim = b.code.width - 8;
  b.plan.dim = dim;
  b.plan.mid = 130;  // between the ink (35) and paper (225) warped_code.cc draws
  b.plan.contrast = 190;
  const double s = side / dim, x0 = pose.width / 2.0 - side / 2, y0 = pose.height / 2.0 - side / 2;
  EXPECT_TRUE(Solve({Pt{0, 0}, Pt{1, 0}, Pt{0, 1}, Pt{1, 1}},
                    {Pt{x0, y0}, Pt{x0 + s, y0}, Pt{x0, y0 + s}, Pt{x0 + s, y0 + s}}, &b.map.h));
  return b;
}

int Wrong(const Blurred& b, const std::vector<uint8_t>& bits) {
  const int dim = b.plan.dim;
  int wrong = 0;
  for (int v = 0; v < dim; ++v) {
    for (int u = 0; u < dim; ++u) {
      const bool ink = b.code.pixels[static_cast<size_t>((v + 4) * b.code.width + u + 4)] < 128;
      wrong += (bits[static_cast<size_t>(v * dim + u)] != 0) != ink ? 1 : 0;
    }
  }
  return wrong;
}

TEST(DeblurGridTest, UndoesAMotionOfTwoAndAHalfModules) {
  for (const double angle : {0.0, 30.0, 90.0}) {
    const Blurred b = Make(260, 2.5 * 260 / 61, angle);
    std::vector<uint8_t> grey, bits, image, deblurred;
    const GridScratch s{&grey, &bits, &image};
    ASSERT_TRUE(SampleGrid(b.frame.view(), b.map, b.plan.dim, b.plan.mid, false, &grey, &bits));
    const int plain = Wrong(b, bits);
    ASSERT_TRUE(DeblurGrid(b.frame.view(), b.plan, b.map, s, &deblurred)) << angle;
    const int after = Wrong(b, deblurred);
    EXPECT_LT(after * 4, plain) << angle;
    std::vector<std::string> texts;
    Read(PureImage(deblurred, b.plan.dim, &image),
         PureHints(Hints(DecoderOptions{}, Binarizer::kLocalAverage)), &texts);
    EXPECT_EQ(texts, std::vector<std::string>{b.text}) << angle;
  }
}

TEST(DeblurGridTest, FindsNoMotionInASharpCode) {
  const Blurred b = Make(260, 0, 0);
  std::vector<uint8_t> grey, bits, image, deblurred;
  EXPECT_FALSE(DeblurGrid(b.frame.view(), b.plan, b.map, {&grey, &bits, &image}, &deblurred));
}

}  // namespace
}  // namespace scanner::qr
