// The QR writer (scanner/src/qr_encoder.h) module for module against ZXing-cpp's own writer, in
// every version and error correction level, and every mask read back by ZXing's reader.
#include "qr_encoder.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <utility>

#include "scanner/qr_codec.h"

namespace scanner::qr {
namespace {

constexpr std::array<std::pair<EccLevel, int>, 4> kLevels{
    {{EccLevel::kL, 2}, {EccLevel::kM, 4}, {EccLevel::kQ, 6}, {EccLevel::kH, 8}}};

// ZXing's writer's symbol of the text (its 0-8 scale maps onto L/M/Q/H as (level - 1) / 2).
QrModules Zxing(const std::string& text, int zxing_level) {
  ZXing::BitMatrix m = ZXing::MultiFormatWriter(ZXing::BarcodeFormat::QRCode)
                           .setEccLevel(zxing_level)
                           .setMargin(0)
                           .encode(text, 0, 0);
  QrModules out{.size = m.width()};
  for (int y = 0; y < m.height(); ++y)
    for (int x = 0; x < m.width(); ++x) out.dark.push_back(m.get(x, y) ? 1 : 0);
  return out;
}

// Alphanumeric text (card text's alphabet) of n characters.
std::string CardLike(size_t n) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += kAlphabet[(i * 7 + i / 45) % kAlphabet.size()];
  return s;
}

// The most alphanumeric characters version v holds at a level (a binary search over the writer's
// version choice, mask 0 forced: the choice of the version does not depend on the mask).
size_t Capacity(int v, EccLevel ecc) {
  size_t fits = 0, too_long = 4297;  // version 40 at L holds 4,296
  while (too_long - fits > 1) {
    const size_t mid = (fits + too_long) / 2;
    base::Result<Symbol> s = Encode(CardLike(mid), ecc, 0);
    if (s.ok() && s->version <= v) {
      fits = mid;
    } else {
      too_long = mid;
    }
  }
  return fits;
}

TEST(QrEncoderTest, EveryVersionAndLevelIsZxingsSymbolModuleForModule) {
  for (const auto& [ecc, zx] : kLevels) {
    for (int v = 1; v <= 40; ++v) {
      const size_t n = Capacity(v, ecc);
      const std::string text = CardLike(n);
      base::Result<Symbol> ours = Encode(text, ecc);
      ASSERT_TRUE(ours.ok()) << ours.status().message();
      ASSERT_EQ(ours->version, v) << "level " << zx << ", " << n << " characters";
      const QrModules theirs = Zxing(text, zx);
      ASSERT_EQ(ours->modules.size, theirs.size) << "version " << v << " level " << zx;
      EXPECT_EQ(ours->modules.dark, theirs.dark)
          << "version " << v << " level " << zx << " mask " << ours->mask;
    }
  }
}

TEST(QrEncoderTest, NumericAndByteTextIsZxingsSymbolToo) {
  for (const std::string& text :
       {std::string("0123456789012345678901234567890"), std::string("uc1:lower case text"),
        std::string("https://union.example/kiosk?id=K-17&key=MCowBQYDK2VwAyEA"),
        std::string(300, 'x')}) {
    for (const auto& [ecc, zx] : kLevels) {
      base::Result<Symbol> ours = Encode(text, ecc);
      ASSERT_TRUE(ours.ok()) << ours.status().message();
      EXPECT_EQ(ours->modules.dark, Zxing(text, zx).dark) << text << " level " << zx;
    }
  }
}

TEST(QrEncoderTest, EveryMaskReadsBackAndTheChosenOneScoresLowest) {
  const std::string text = CardLike(Capacity(11, EccLevel::kQ));
  base::Result<Symbol> chosen = Encode(text, EccLevel::kQ);
  ASSERT_TRUE(chosen.ok());
  for (int mask = 0; mask < 8; ++mask) {
    base::Result<Symbol> s = Encode(text, EccLevel::kQ, mask);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->mask, mask);
    EXPECT_GE(Penalty(s->modules), Penalty(chosen->modules)) << "mask " << mask;
    if (mask == chosen->mask) {
      EXPECT_EQ(s->modules.dark, chosen->modules.dark);
    }
    // Rendered at 3 px a module with a 4-module quiet zone, read by ZXing.
    const int side = (s->modules.size + 8) * 3;
    GrayImage img{.width = side, .height = side};
    img.pixels.assign(static_cast<size_t>(side * side), 255);
    for (int y = 0; y < side; ++y) {
      for (int x = 0; x < side; ++x) {
        const int mx = x / 3 - 4, my = y / 3 - 4;
        if (mx >= 0 && my >= 0 && mx < s->modules.size && my < s->modules.size &&
            s->modules.dark[static_cast<size_t>(my * s->modules.size + mx)]) {
          img.pixels[static_cast<size_t>(y * side + x)] = 0;
        }
      }
    }
    std::vector<QrSymbol> read = ReadQrCodes(img.view());
    ASSERT_EQ(read.size(), 1u) << "mask " << mask;
    EXPECT_EQ(read[0].text, text);
    EXPECT_EQ(read[0].ec_level, "Q");
  }
  EXPECT_FALSE(Encode(text, EccLevel::kQ, 8).ok());
}

}  // namespace
}  // namespace scanner::qr
