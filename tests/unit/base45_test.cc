// Base45 (RFC 9285).
#include "card/base45.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "base/bytes.h"

namespace {

using base::AsBytes;
using base::Bytes;
using card::Base45Decode;
using card::Base45Encode;

std::string DecodeToString(const std::string& text) {
  Bytes out;
  base::Status s = Base45Decode(text, &out);
  EXPECT_TRUE(s.ok()) << text << ": " << s.ToString();
  return std::string(base::AsChars(out));
}

void ExpectDecodeFails(const std::string& text, const std::string& message_part) {
  Bytes out;
  base::Status s = Base45Decode(text, &out);
  EXPECT_FALSE(s.ok()) << "'" << text << "' decoded";
  EXPECT_EQ(s.code(), base::StatusCode::kInvalidArgument) << text;
  EXPECT_NE(s.message().find(message_part), std::string::npos) << s.message();
}

TEST(Base45Test, Rfc9285Examples) {
  EXPECT_EQ(Base45Encode(AsBytes("AB")), "BB8");
  EXPECT_EQ(Base45Encode(AsBytes("Hello!!")), "%69 VD92EX0");
  EXPECT_EQ(Base45Encode(AsBytes("base-45")), "UJCLQE7W581");
  EXPECT_EQ(Base45Encode(AsBytes("ietf!")), "QED8WEX0");

  EXPECT_EQ(DecodeToString("BB8"), "AB");
  EXPECT_EQ(DecodeToString("%69 VD92EX0"), "Hello!!");
  EXPECT_EQ(DecodeToString("UJCLQE7W581"), "base-45");
  EXPECT_EQ(DecodeToString("QED8WEX0"), "ietf!");
}

TEST(Base45Test, EmptyInput) {
  EXPECT_EQ(Base45Encode(Bytes{}), "");
  Bytes out = {1, 2, 3};
  ASSERT_TRUE(Base45Decode("", &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(Base45Test, EdgeValues) {
  EXPECT_EQ(Base45Encode(Bytes{0x00}), "00");
  EXPECT_EQ(Base45Encode(Bytes{0xff}), "U5");  // 255 = 30 + 5 * 45
  EXPECT_EQ(Base45Encode(Bytes{0x00, 0x00}), "000");
  EXPECT_EQ(Base45Encode(Bytes{0xff, 0xff}), "FGW");  // 65535 = 15 + 16 * 45 + 32 * 2025
  Bytes out;
  ASSERT_TRUE(Base45Decode("FGW", &out).ok());
  EXPECT_EQ(out, (Bytes{0xff, 0xff}));
  ASSERT_TRUE(Base45Decode("U5", &out).ok());
  EXPECT_EQ(out, (Bytes{0xff}));
}

TEST(Base45Test, RandomBytesOfEveryLengthRoundTrip) {
  std::mt19937 rng(45);
  std::uniform_int_distribution<int> byte(0, 255);
  for (size_t len = 0; len <= 300; ++len) {
    Bytes in(len);
    for (uint8_t& b : in) b = static_cast<uint8_t>(byte(rng));
    const std::string text = Base45Encode(in);
    EXPECT_EQ(text.size(), len / 2 * 3 + len % 2 * 2) << len;
    Bytes out;
    ASSERT_TRUE(Base45Decode(text, &out).ok()) << len;
    EXPECT_EQ(out, in) << len;
  }
}

TEST(Base45Test, DecodeReusesAndClearsTheOutput) {
  Bytes out = {9, 9, 9, 9, 9, 9, 9, 9};
  ASSERT_TRUE(Base45Decode("BB8", &out).ok());
  EXPECT_EQ(out, (Bytes{'A', 'B'}));
}

TEST(Base45Test, LowerCaseIsInvalid) {
  ExpectDecodeFails("bb8", "invalid character at offset 0");
  ExpectDecodeFails("QED8wEX0", "invalid character at offset 4");
}

TEST(Base45Test, CharactersOutsideTheAlphabetAreInvalid) {
  for (const char* bad : {"BB=", "BB\n", "A\"B", "BB#", "BB_",
                          "\xc3\x80"
                          "B"}) {
    Bytes out;
    EXPECT_FALSE(Base45Decode(bad, &out).ok()) << bad;
  }
  Bytes out;
  EXPECT_FALSE(Base45Decode(std::string("B\0B", 3), &out).ok());
}

TEST(Base45Test, DanglingSingleCharacter) {
  ExpectDecodeFails("B", "dangling");
  ExpectDecodeFails("BB8B", "dangling");
  ExpectDecodeFails("BB8BB8B", "dangling");
}

TEST(Base45Test, GroupOverflow) {
  ExpectDecodeFails("GGW", "overflow");     // 16 + 16 * 45 + 32 * 2025 = 65536
  ExpectDecodeFails(":::", "overflow");     // 91124, the largest triple
  ExpectDecodeFails("BB8GGW", "overflow");  // in a later group
  ExpectDecodeFails("BB8:", "dangling");
}

TEST(Base45Test, FinalPairOverflow) {
  ExpectDecodeFails("V5", "overflow");  // 31 + 5 * 45 = 256
  ExpectDecodeFails("BB8::", "overflow");
}

}  // namespace
