// Hex encoding and decoding.
#include "base/hex.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {

using base::Bytes;
using base::FromHex;
using base::ToHex;

TEST(HexTest, EncodesLowerCaseTwoDigitsPerByte) {
  EXPECT_EQ(ToHex(Bytes{}), "");
  EXPECT_EQ(ToHex(Bytes{0x00}), "00");
  EXPECT_EQ(ToHex(Bytes{0x01, 0xab, 0xff, 0x10}), "01abff10");
}

TEST(HexTest, DecodesUpperAndLowerCase) {
  base::Result<Bytes> lower = FromHex("deadbeef00");
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(*lower, (Bytes{0xde, 0xad, 0xbe, 0xef, 0x00}));
  base::Result<Bytes> upper = FromHex("DEADbeef00");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, *lower);
}

TEST(HexTest, EmptyDecodesToNothing) {
  base::Result<Bytes> r = FromHex("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(HexTest, RoundTripsEveryByteValue) {
  Bytes all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<uint8_t>(i));
  const std::string hex = ToHex(all);
  EXPECT_EQ(hex.size(), 512u);
  base::Result<Bytes> back = FromHex(hex);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, all);
}

TEST(HexTest, OddLengthIsRefused) {
  base::Result<Bytes> r = FromHex("abc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("odd"), std::string::npos);
}

TEST(HexTest, NonHexDigitsAreRefused) {
  for (const char* bad : {"0g", "g0", "12 4", "0x12", "zz", "-1", "12\n4", "\xc3\xa9"}) {
    base::Result<Bytes> r = FromHex(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(HexTest, ErrorNamesTheOffset) {
  base::Result<Bytes> r = FromHex("0011x2");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("offset 4"), std::string::npos) << r.status().message();
}

}  // namespace
