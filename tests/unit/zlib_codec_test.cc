// zlib detection and bounded inflation.
#include "card/zlib_codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "base/bytes.h"
#include "base/hex.h"

namespace {

using base::Bytes;
using base::StatusCode;
using card::Inflater;
using card::LooksLikeZlib;

Bytes Hex(std::string_view hex) { return base::FromHex(hex).value(); }

// "membership card payload " four times (96 bytes), compressed by Python's zlib at level 6; the
// same deflate body follows the headers 78 01 (level 1), 78 5e (level 3) and 78 da (level 9).
constexpr std::string_view kBody =
    "cb4dcd4d4a2d2acec82c50484e2c4a512848acccc94f4c51c8a5923800eeea2441";
const std::string kPlain =
    "membership card payload membership card payload membership card payload membership card "
    "payload ";

Bytes Stream(std::string_view header = "789c") {
  return Hex(std::string(header) + std::string(kBody));
}

TEST(LooksLikeZlibTest, RealHeaders) {
  EXPECT_TRUE(LooksLikeZlib(Hex("7801")));
  EXPECT_TRUE(LooksLikeZlib(Hex("785e")));
  EXPECT_TRUE(LooksLikeZlib(Hex("789c")));
  EXPECT_TRUE(LooksLikeZlib(Hex("78da")));
  EXPECT_TRUE(LooksLikeZlib(Stream()));
}

TEST(LooksLikeZlibTest, SmallerWindowsAreZlibToo) {
  EXPECT_TRUE(LooksLikeZlib(Hex("081d")));  // 256-byte window
  EXPECT_TRUE(LooksLikeZlib(Hex("6881")));
}

TEST(LooksLikeZlibTest, NonZlibBytes) {
  EXPECT_FALSE(LooksLikeZlib(Hex("d28443a10126")));  // tag 18, array of 4: a bare COSE_Sign1
  EXPECT_FALSE(LooksLikeZlib(Hex("8443a10126")));    // untagged COSE_Sign1
  EXPECT_FALSE(LooksLikeZlib(Hex("789d")));          // header checksum off by one
  EXPECT_FALSE(LooksLikeZlib(Hex("881c")));          // window larger than 32K (CINFO 8)
  EXPECT_FALSE(LooksLikeZlib(Hex("7918")));          // compression method 9
  EXPECT_FALSE(LooksLikeZlib(Hex("78bb")));          // preset dictionary flag
  EXPECT_FALSE(LooksLikeZlib(Hex("78")));
  EXPECT_FALSE(LooksLikeZlib(Bytes{}));
}

TEST(InflaterTest, InflatesEveryCompressionLevelHeader) {
  Inflater inflater;
  for (const char* header : {"7801", "785e", "789c", "78da"}) {
    Bytes out;
    base::Status s = inflater.Inflate(Stream(header), 2048, &out);
    ASSERT_TRUE(s.ok()) << header << ": " << s.ToString();
    EXPECT_EQ(base::AsChars(out), kPlain) << header;
  }
}

TEST(InflaterTest, RoundTripWithDeflate) {
  std::mt19937 rng(7);
  Inflater inflater;
  for (size_t len : {size_t{0}, size_t{1}, size_t{100}, size_t{2048}, size_t{5000}}) {
    Bytes in(len);
    for (uint8_t& b : in) b = static_cast<uint8_t>(rng() % 16);  // compressible but not trivial
    base::Result<Bytes> packed = card::Deflate(in);
    ASSERT_TRUE(packed.ok()) << packed.status().ToString();
    EXPECT_TRUE(LooksLikeZlib(*packed));
    Bytes out;
    ASSERT_TRUE(inflater.Inflate(*packed, len, &out).ok()) << len;
    EXPECT_EQ(out, in) << len;
  }
}

TEST(InflaterTest, LimitExactlyAtTheSizePasses) {
  Inflater inflater;
  Bytes out;
  ASSERT_TRUE(inflater.Inflate(Stream(), kPlain.size(), &out).ok());
  EXPECT_EQ(out.size(), kPlain.size());
}

TEST(InflaterTest, OneByteOverTheLimitFails) {
  Inflater inflater;
  Bytes out;
  base::Status s = inflater.Inflate(Stream(), kPlain.size() - 1, &out);
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange) << s.ToString();
  EXPECT_TRUE(out.empty());
}

TEST(InflaterTest, EmptyStreamWithZeroLimit) {
  Inflater inflater;
  Bytes out = {1, 2, 3};
  ASSERT_TRUE(inflater.Inflate(Hex("789c030000000001"), 0, &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(InflaterTest, BombIsStoppedWithoutInflatingIt) {
  base::Result<Bytes> bomb = card::Deflate(Bytes(1 << 20, 0));  // 1 MiB of zeros
  ASSERT_TRUE(bomb.ok());
  ASSERT_LT(bomb->size(), 2048u);
  Inflater inflater;
  Bytes out;
  base::Status s = inflater.Inflate(*bomb, 2048, &out);
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange) << s.ToString();
  EXPECT_LE(out.capacity(), 4096u);  // never grew towards the inflated size
}

TEST(InflaterTest, TruncatedStream) {
  Bytes full = Stream();
  for (size_t cut : {size_t{1}, size_t{4}, size_t{10}, full.size() - 2}) {
    Bytes in(full.begin(), full.end() - static_cast<std::ptrdiff_t>(cut));
    Inflater inflater;
    Bytes out;
    base::Status s = inflater.Inflate(in, 2048, &out);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << cut << ": " << s.ToString();
    EXPECT_NE(s.message().find("truncated"), std::string::npos) << cut << ": " << s.message();
  }
}

TEST(InflaterTest, TrailingBytes) {
  Bytes in = Stream();
  in.push_back(0x00);
  Inflater inflater;
  Bytes out;
  base::Status s = inflater.Inflate(in, 2048, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("trailing"), std::string::npos) << s.message();
}

TEST(InflaterTest, SecondStreamAfterTheFirstIsTrailing) {
  Bytes in = Stream();
  Bytes again = Stream();
  in.insert(in.end(), again.begin(), again.end());
  Inflater inflater;
  Bytes out;
  EXPECT_EQ(inflater.Inflate(in, 2048, &out).code(), StatusCode::kInvalidArgument);
}

TEST(InflaterTest, CorruptStreams) {
  Inflater inflater;
  Bytes out;
  Bytes bad_checksum = Stream();
  bad_checksum.back() ^= 0x01;  // Adler-32
  base::Status s = inflater.Inflate(bad_checksum, 2048, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("corrupt"), std::string::npos) << s.message();

  EXPECT_EQ(inflater.Inflate(Hex("789cff00"), 2048, &out).code(),  // reserved block type
            StatusCode::kInvalidArgument);
  EXPECT_EQ(inflater.Inflate(Hex("789d030000000001"), 2048, &out).code(),
            StatusCode::kInvalidArgument);                             // bad header checksum
  EXPECT_EQ(inflater.Inflate(Hex("d28443a10126"), 2048, &out).code(),  // not zlib at all
            StatusCode::kInvalidArgument);
}

TEST(InflaterTest, EmptyInputIsTruncated) {
  Inflater inflater;
  Bytes out;
  base::Status s = inflater.Inflate(Bytes{}, 2048, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.message();
}

TEST(InflaterTest, ReusedForManyCallsIncludingAfterFailures) {
  Inflater inflater;
  Bytes out;
  Bytes truncated = Stream();
  truncated.resize(truncated.size() - 3);
  Bytes corrupt = Stream();
  corrupt.back() ^= 0xff;
  for (int i = 0; i < 50; ++i) {
    switch (i % 4) {
      case 0:
        EXPECT_EQ(inflater.Inflate(truncated, 2048, &out).code(), StatusCode::kInvalidArgument);
        break;
      case 1:
        EXPECT_EQ(inflater.Inflate(Stream(), 10, &out).code(), StatusCode::kOutOfRange);
        break;
      case 2:
        EXPECT_EQ(inflater.Inflate(corrupt, 2048, &out).code(), StatusCode::kInvalidArgument);
        break;
      default:
        ASSERT_TRUE(inflater.Inflate(Stream(), 2048, &out).ok()) << i;
        EXPECT_EQ(base::AsChars(out), kPlain) << i;
    }
  }
}

}  // namespace
