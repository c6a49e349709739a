// The strict CBOR reader and the deterministic writer.
#include "card/cbor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "base/bytes.h"
#include "base/hex.h"

namespace {

using base::Bytes;
using base::ByteSpan;
using base::StatusCode;
using card::CborLimits;
using card::CborReader;
using card::CborType;
using card::CborWriter;

Bytes H(std::string_view hex) { return base::FromHex(hex).value(); }

constexpr CborLimits kStrict{};
constexpr CborLimits kIndefinite{.max_depth = 4, .allow_indefinite = true};

// Skips one item of `hex` and requires that the whole input was consumed.
base::Status SkipAll(std::string_view hex, const CborLimits& limits = kStrict) {
  const Bytes data = H(hex);
  CborReader r(data, limits);
  CK_TRY(r.Skip());
  if (!r.AtEnd()) return base::Internal("Skip stopped at offset " + std::to_string(r.offset()));
  return base::Status::Ok();
}

std::string Written(void (*write)(CborWriter&)) {
  Bytes out;
  CborWriter w(&out);
  write(w);
  return base::ToHex(out);
}

std::string WrittenUint(uint64_t v) {
  Bytes out;
  CborWriter(&out).Uint(v);
  return base::ToHex(out);
}

std::string WrittenInt(int64_t v) {
  Bytes out;
  CborWriter(&out).Int(v);
  return base::ToHex(out);
}

// --- Reading each major type -------------------------------------------------------------------

TEST(CborReaderTest, PeekTypeOfEachMajorType) {
  const std::pair<const char*, CborType> cases[] = {
      {"00", CborType::kUint}, {"20", CborType::kNegInt}, {"40", CborType::kBytes},
      {"60", CborType::kText}, {"80", CborType::kArray},  {"a0", CborType::kMap},
      {"c0", CborType::kTag},  {"f4", CborType::kSimple},
  };
  for (const auto& [hex, type] : cases) {
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    base::Result<CborType> t = r.PeekType();
    ASSERT_TRUE(t.ok()) << hex;
    EXPECT_EQ(*t, type) << hex;
    EXPECT_EQ(r.offset(), 0u) << "PeekType must not consume";
  }
}

TEST(CborReaderTest, PeekTypeAtEndFails) {
  CborReader r(ByteSpan{}, kStrict);
  EXPECT_TRUE(r.AtEnd());
  EXPECT_FALSE(r.PeekType().ok());
}

// cbor.h: "Type of the next item; fails at the end of input or on a reserved head."
TEST(CborReaderTest, PeekTypeOnReservedHeadFails) {
  for (const char* hex : {"1c", "3d", "5e", "fc"}) {
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    EXPECT_FALSE(r.PeekType().ok()) << hex;
  }
}

TEST(CborReaderTest, ReadUintAllHeadSizes) {
  const std::pair<const char*, uint64_t> cases[] = {
      {"00", 0},
      {"17", 23},
      {"1818", 24},
      {"18ff", 255},
      {"190100", 256},
      {"19ffff", 65535},
      {"1a00010000", 65536},
      {"1affffffff", 0xffffffffu},
      {"1b0000000100000000", uint64_t{1} << 32},
      {"1bffffffffffffffff", std::numeric_limits<uint64_t>::max()},
  };
  for (const auto& [hex, value] : cases) {
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    uint64_t v = 0;
    ASSERT_TRUE(r.ReadUint(&v).ok()) << hex;
    EXPECT_EQ(v, value) << hex;
    EXPECT_TRUE(r.AtEnd()) << hex;
  }
}

TEST(CborReaderTest, ReadUintRefusesOtherTypes) {
  for (const char* hex : {"20", "40", "60", "80", "a0", "c0", "f4", "f93c00"}) {
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    uint64_t v = 0;
    EXPECT_EQ(r.ReadUint(&v).code(), StatusCode::kInvalidArgument) << hex;
  }
}

TEST(CborReaderTest, ReadIntNegatives) {
  const std::pair<const char*, int64_t> cases[] = {
      {"20", -1}, {"37", -24}, {"3818", -25}, {"38ff", -256}, {"3a0001116f", -70000},
  };
  for (const auto& [hex, value] : cases) {
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    int64_t v = 0;
    ASSERT_TRUE(r.ReadInt(&v).ok()) << hex;
    EXPECT_EQ(v, value) << hex;
  }
}

TEST(CborReaderTest, ReadIntBounds) {
  int64_t v = 0;
  {
    const Bytes data = H("1b7fffffffffffffff");
    CborReader r(data, kStrict);
    ASSERT_TRUE(r.ReadInt(&v).ok());
    EXPECT_EQ(v, std::numeric_limits<int64_t>::max());
  }
  {
    const Bytes data = H("3b7fffffffffffffff");
    CborReader r(data, kStrict);
    ASSERT_TRUE(r.ReadInt(&v).ok());
    EXPECT_EQ(v, std::numeric_limits<int64_t>::min());
  }
  for (const char* hex :
       {"1b8000000000000000", "3b8000000000000000", "1bffffffffffffffff", "3bffffffffffffffff"}) {
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    base::Status s = r.ReadInt(&v);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << hex;
    EXPECT_NE(s.message().find("out of range"), std::string::npos) << s.message();
  }
}

TEST(CborReaderTest, ReadBytesIsAViewIntoTheInput) {
  const Bytes data = H("43010203");
  CborReader r(data, kStrict);
  ByteSpan v;
  ASSERT_TRUE(r.ReadBytes(&v).ok());
  EXPECT_EQ(v.data(), data.data() + 1);
  EXPECT_EQ(Bytes(v.begin(), v.end()), (Bytes{1, 2, 3}));
  EXPECT_TRUE(r.AtEnd());
}

TEST(CborReaderTest, ReadEmptyStrings) {
  const Bytes data = H("4060");
  CborReader r(data, kStrict);
  ByteSpan b;
  std::string_view t = "x";
  ASSERT_TRUE(r.ReadBytes(&b).ok());
  ASSERT_TRUE(r.ReadText(&t).ok());
  EXPECT_TRUE(b.empty());
  EXPECT_TRUE(t.empty());
  EXPECT_TRUE(r.AtEnd());
}

TEST(CborReaderTest, ReadTextAsciiAndCyrillic) {
  Bytes data = H("6449455446");  // "IETF"
  Bytes more;
  CborWriter(&more).Text("Анна");
  data.insert(data.end(), more.begin(), more.end());
  CborReader r(data, kStrict);
  std::string_view t;
  ASSERT_TRUE(r.ReadText(&t).ok());
  EXPECT_EQ(t, "IETF");
  EXPECT_EQ(static_cast<const void*>(t.data()), static_cast<const void*>(data.data() + 1));
  ASSERT_TRUE(r.ReadText(&t).ok());
  EXPECT_EQ(t, "Анна");
  EXPECT_TRUE(r.AtEnd());
}

TEST(CborReaderTest, ReadTextRefusesInvalidUtf8) {
  for (const char* hex : {"62c080", "63eda080", "62e282", "61ff", "64f4908080"}) {
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    std::string_view t;
    base::Status s = r.ReadText(&t);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << hex;
    EXPECT_NE(s.message().find("UTF-8"), std::string::npos) << hex << ": " << s.message();
    EXPECT_FALSE(SkipAll(hex).ok()) << hex;
  }
}

TEST(CborReaderTest, ReadTypeMismatches) {
  const Bytes data = H("43010203");
  CborReader r(data, kStrict);
  std::string_view t;
  EXPECT_FALSE(r.ReadText(&t).ok());
  const Bytes text = H("6161");
  CborReader r2(text, kStrict);
  ByteSpan b;
  EXPECT_FALSE(r2.ReadBytes(&b).ok());
}

TEST(CborReaderTest, ReadTag) {
  const Bytes data = H("d2d83dc11a00000000");
  CborReader r(data, kStrict);
  uint64_t tag = 0;
  ASSERT_TRUE(r.ReadTag(&tag).ok());
  EXPECT_EQ(tag, 18u);
  ASSERT_TRUE(r.ReadTag(&tag).ok());
  EXPECT_EQ(tag, 61u);
  ASSERT_TRUE(r.ReadTag(&tag).ok());
  EXPECT_EQ(tag, 1u);
  EXPECT_FALSE(r.ReadTag(&tag).ok());  // an unsigned integer follows, not a tag
}

TEST(CborReaderTest, EnterArrayAndMap) {
  const Bytes data = H("82a20102036161f5");  // [{1: 2, 3: "a"}, true]
  CborReader r(data, kStrict);
  uint64_t count = 0;
  ASSERT_TRUE(r.EnterArray(&count).ok());
  EXPECT_EQ(count, 2u);
  uint64_t pairs = 0;
  ASSERT_TRUE(r.EnterMap(&pairs).ok());
  EXPECT_EQ(pairs, 2u);
  uint64_t k = 0, v = 0;
  ASSERT_TRUE(r.ReadUint(&k).ok());
  ASSERT_TRUE(r.ReadUint(&v).ok());
  EXPECT_EQ(k, 1u);
  EXPECT_EQ(v, 2u);
  ASSERT_TRUE(r.ReadUint(&k).ok());
  std::string_view t;
  ASSERT_TRUE(r.ReadText(&t).ok());
  EXPECT_EQ(t, "a");
  r.Leave();
  ASSERT_TRUE(r.Skip().ok());  // f5 (true)
  r.Leave();
  EXPECT_TRUE(r.AtEnd());
}

// --- Floats --------------------------------------------------------------------------------------

double ReadFloatOk(std::string_view hex) {
  const Bytes data = H(hex);
  CborReader r(data, kStrict);
  double v = -12345;
  base::Status s = r.ReadFloat(&v);
  EXPECT_TRUE(s.ok()) << hex << ": " << s.ToString();
  EXPECT_TRUE(r.AtEnd()) << hex;
  return v;
}

TEST(CborReaderTest, ReadFloatHalf) {
  EXPECT_EQ(ReadFloatOk("f93c00"), 1.0);
  EXPECT_EQ(ReadFloatOk("f97bff"), 65504.0);
  EXPECT_EQ(ReadFloatOk("f90000"), 0.0);
  EXPECT_EQ(ReadFloatOk("f93e00"), 1.5);
  EXPECT_EQ(ReadFloatOk("f9c400"), -4.0);
  EXPECT_EQ(ReadFloatOk("f90001"), std::ldexp(1.0, -24));  // smallest subnormal
  EXPECT_EQ(ReadFloatOk("f90400"), std::ldexp(1.0, -14));  // smallest normal
  EXPECT_EQ(ReadFloatOk("f97c00"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ReadFloatOk("f9fc00"), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(ReadFloatOk("f97e00")));
  const double neg_zero = ReadFloatOk("f98000");
  EXPECT_EQ(neg_zero, 0.0);
  EXPECT_TRUE(std::signbit(neg_zero));
}

TEST(CborReaderTest, ReadFloatSingle) {
  EXPECT_EQ(ReadFloatOk("fa47c35000"), 100000.0);
  EXPECT_EQ(ReadFloatOk("fa3fc00000"), 1.5);
  EXPECT_EQ(ReadFloatOk("fa7f7fffff"), static_cast<double>(std::numeric_limits<float>::max()));
  EXPECT_EQ(ReadFloatOk("fa7f800000"), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(ReadFloatOk("fa7fc00000")));
}

TEST(CborReaderTest, ReadFloatDouble) {
  EXPECT_EQ(ReadFloatOk("fb3ff199999999999a"), 1.1);
  EXPECT_EQ(ReadFloatOk("fb7e37e43c8800759c"), 1.0e300);
  EXPECT_EQ(ReadFloatOk("fbc010666666666666"), -4.1);
  EXPECT_EQ(ReadFloatOk("fb41d8a952ca000000"), 1654999848.0);
}

TEST(CborReaderTest, ReadFloatRefusesNonFloats) {
  for (const char* hex : {"00", "20", "f4", "f6", "f820", "40", "f93c"}) {
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    double v = 0;
    EXPECT_FALSE(r.ReadFloat(&v).ok()) << hex;
  }
}

// --- Lengths longer than the input ---------------------------------------------------------------

TEST(CborReaderTest, ByteStringLongerThanInput) {
  for (const char* hex : {"4301", "5affffffff00", "5bffffffffffffffff00", "5b7fffffffffffffff"}) {
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    ByteSpan v;
    base::Status s = r.ReadBytes(&v);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << hex;
    EXPECT_NE(s.message().find("longer than the input"), std::string::npos) << s.message();
    EXPECT_FALSE(SkipAll(hex).ok()) << hex;
  }
}

TEST(CborReaderTest, TextLongerThanInput) {
  for (const char* hex : {"6261", "7affffffff61", "7bffffffffffffffff"}) {
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    std::string_view v;
    EXPECT_EQ(r.ReadText(&v).code(), StatusCode::kInvalidArgument) << hex;
    EXPECT_FALSE(SkipAll(hex).ok()) << hex;
  }
}

TEST(CborReaderTest, ArrayCountLongerThanInput) {
  for (const char* hex : {"830102", "9affffffff00", "9bffffffffffffffff00"}) {
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    uint64_t count = 0;
    base::Status s = r.EnterArray(&count);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << hex;
    EXPECT_NE(s.message().find("longer than the input"), std::string::npos) << s.message();
    EXPECT_FALSE(SkipAll(hex).ok()) << hex;
  }
}

TEST(CborReaderTest, MapCountLongerThanInput) {
  // Two pairs need at least four bytes; three are left.
  for (const char* hex :
       {"a2010203", "baffffffff0000", "bbffffffffffffffff0000", "bb8000000000000000"}) {
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    uint64_t pairs = 0;
    base::Status s = r.EnterMap(&pairs);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << hex;
    EXPECT_FALSE(SkipAll(hex).ok()) << hex;
  }
}

TEST(CborReaderTest, TruncatedHeads) {
  for (const char* hex : {"18", "1901", "1a000000", "1b00000000000000", "d9", "f9", "fb3ff0"}) {
    EXPECT_FALSE(SkipAll(hex).ok()) << hex;
    const Bytes data = H(hex);
    CborReader r(data, kStrict);
    uint64_t v = 0;
    EXPECT_FALSE(r.ReadUint(&v).ok()) << hex;
  }
}

// --- Nesting -------------------------------------------------------------------------------------

TEST(CborReaderTest, EnterArrayNestingLimitIsInclusive) {
  const Bytes ok = H("8181818100");  // [[[[0]]]]: depth 4
  CborReader r(ok, kStrict);
  uint64_t count = 0;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(r.EnterArray(&count).ok()) << i;

  const Bytes deep = H("818181818100");  // depth 5
  CborReader r2(deep, kStrict);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(r2.EnterArray(&count).ok()) << i;
  base::Status s = r2.EnterArray(&count);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("nesting too deep"), std::string::npos) << s.message();
}

TEST(CborReaderTest, EnterMapNestingLimitIsInclusive) {
  const Bytes deep = H("a101a101a101a101a10100");  // five nested maps
  CborReader r(deep, kStrict);
  uint64_t pairs = 0, key = 0;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(r.EnterMap(&pairs).ok()) << i;
    ASSERT_TRUE(r.ReadUint(&key).ok());
  }
  EXPECT_FALSE(r.EnterMap(&pairs).ok());
}

TEST(CborReaderTest, LeaveAllowsEnteringAgain) {
  const Bytes data = H("8080808080");  // five empty arrays side by side
  CborReader r(data, kStrict);
  uint64_t count = 0;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(r.EnterArray(&count).ok()) << i;
    r.Leave();
  }
  EXPECT_TRUE(r.AtEnd());
}

TEST(CborReaderTest, SkipNestingLimitIsInclusive) {
  EXPECT_TRUE(SkipAll("8181818100").ok());
  EXPECT_FALSE(SkipAll("818181818100").ok());
  EXPECT_TRUE(SkipAll("a101a101a101a10100").ok());
  EXPECT_FALSE(SkipAll("a101a101a101a101a10100").ok());
  EXPECT_TRUE(SkipAll("81a1018181f6").ok());  // arrays and maps mixed: depth 4
  EXPECT_FALSE(SkipAll("81a101818181f6").ok());
}

TEST(CborReaderTest, SkipCountsTheDepthAlreadyEntered) {
  const Bytes deep = H("818181818100");
  {
    CborReader r(deep, kStrict);
    uint64_t count = 0;
    ASSERT_TRUE(r.EnterArray(&count).ok());
    ASSERT_TRUE(r.EnterArray(&count).ok());
    EXPECT_FALSE(r.Skip().ok());  // 2 + 3 = 5
  }
  const Bytes fits = H("8181818100");
  {
    CborReader r(fits, kStrict);
    uint64_t count = 0;
    ASSERT_TRUE(r.EnterArray(&count).ok());
    ASSERT_TRUE(r.EnterArray(&count).ok());
    EXPECT_TRUE(r.Skip().ok());  // 2 + 2 = 4
  }
}

TEST(CborReaderTest, CustomMaxDepth) {
  const CborLimits two{.max_depth = 2};
  EXPECT_TRUE(SkipAll("818100", two).ok());
  EXPECT_FALSE(SkipAll("81818100", two).ok());
  const CborLimits zero{.max_depth = 0};
  EXPECT_TRUE(SkipAll("00", zero).ok());
  EXPECT_FALSE(SkipAll("80", zero).ok());
}

TEST(CborReaderTest, TagsDoNotCountAsNesting) { EXPECT_TRUE(SkipAll("81c181c181c18100").ok()); }

TEST(CborReaderTest, TagChainLongerThanFourFailsInSkip) {
  EXPECT_TRUE(SkipAll("c100").ok());
  EXPECT_TRUE(SkipAll("c1c1c1c100").ok());   // four tags
  base::Status s = SkipAll("c1c1c1c1c100");  // five
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("tags"), std::string::npos) << s.message();
  EXPECT_FALSE(SkipAll("d8ffd8ffd8ffd8ffd8ff00").ok());
}

TEST(CborReaderTest, TagWithoutContentFails) {
  EXPECT_FALSE(SkipAll("c1").ok());
  EXPECT_FALSE(SkipAll("c1c1").ok());
}

// --- Indefinite lengths and break ----------------------------------------------------------------

TEST(CborReaderTest, IndefiniteLengthRefusedByDefault) {
  for (const char* hex : {"9f0102ff", "bf0102ff", "5f4101ff", "7f6161ff", "829f01ff02"}) {
    base::Status s = SkipAll(hex);
    EXPECT_FALSE(s.ok()) << hex;
    EXPECT_NE(s.message().find("indefinite"), std::string::npos) << hex << ": " << s.message();
  }
}

TEST(CborReaderTest, ReadersRefuseIndefiniteEvenWhenAllowed) {
  const Bytes arr = H("9f01ff");
  CborReader r(arr, kIndefinite);
  uint64_t count = 0;
  EXPECT_FALSE(r.EnterArray(&count).ok());
  const Bytes map = H("bf0102ff");
  CborReader r2(map, kIndefinite);
  EXPECT_FALSE(r2.EnterMap(&count).ok());
  const Bytes bytes = H("5f4101ff");
  CborReader r3(bytes, kIndefinite);
  ByteSpan b;
  EXPECT_FALSE(r3.ReadBytes(&b).ok());
  const Bytes text = H("7f6161ff");
  CborReader r4(text, kIndefinite);
  std::string_view t;
  EXPECT_FALSE(r4.ReadText(&t).ok());
}

TEST(CborReaderTest, SkipIndefiniteWhenAllowed) {
  EXPECT_TRUE(SkipAll("9fff", kIndefinite).ok());
  EXPECT_TRUE(SkipAll("9f0102ff", kIndefinite).ok());
  EXPECT_TRUE(SkipAll("bfff", kIndefinite).ok());
  EXPECT_TRUE(SkipAll("bf01026161f5ff", kIndefinite).ok());
  EXPECT_TRUE(SkipAll("5fff", kIndefinite).ok());
  EXPECT_TRUE(SkipAll("5f4101420203ff", kIndefinite).ok());
  EXPECT_TRUE(SkipAll("7f616162d090ff", kIndefinite).ok());  // "a", "А"
}

TEST(CborReaderTest, SkipNestedIndefinite) {
  // [_ {_ 1: [_ ], 2: (_ h'01')}, "x", (_ "y", "z"), [1, [_ 2]]]
  EXPECT_TRUE(SkipAll("9fbf019fff025f4101ffff61787f6179617aff82019f02ffff", kIndefinite).ok());
  // Definite inside indefinite inside definite.
  EXPECT_TRUE(SkipAll("a1019f8201026161ff", kIndefinite).ok());
}

TEST(CborReaderTest, IndefiniteNestingCountsTowardsTheLimit) {
  EXPECT_TRUE(SkipAll("9f9f9f9fffffffff", kIndefinite).ok());       // depth 4
  EXPECT_FALSE(SkipAll("9f9f9f9f9fffffffffff", kIndefinite).ok());  // depth 5
  EXPECT_TRUE(SkipAll("9f819f8100ffff", kIndefinite).ok());         // mixed, depth 4
  EXPECT_FALSE(SkipAll("9f819f818100ffff", kIndefinite).ok());      // mixed, depth 5
}

TEST(CborReaderTest, BrokenIndefiniteItems) {
  EXPECT_FALSE(SkipAll("9f0102", kIndefinite).ok());      // no break
  EXPECT_FALSE(SkipAll("bf01ff", kIndefinite).ok());      // key without value
  EXPECT_FALSE(SkipAll("5f6161ff", kIndefinite).ok());    // text chunk in a byte string
  EXPECT_FALSE(SkipAll("7f4161ff", kIndefinite).ok());    // byte chunk in a text string
  EXPECT_FALSE(SkipAll("5f5fffff", kIndefinite).ok());    // nested indefinite chunk
  EXPECT_FALSE(SkipAll("7f62c080ff", kIndefinite).ok());  // invalid UTF-8 in a chunk
  EXPECT_FALSE(SkipAll("5f00ff", kIndefinite).ok());      // not a string at all
}

TEST(CborReaderTest, BreakOutsideIndefiniteFails) {
  for (const CborLimits& limits : {kStrict, kIndefinite}) {
    base::Status s = SkipAll("ff", limits);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("break"), std::string::npos) << s.message();
    EXPECT_FALSE(SkipAll("8201ff", limits).ok());
    EXPECT_FALSE(SkipAll("a101ff", limits).ok());
  }
}

TEST(CborReaderTest, IndefiniteOnIntegersAndTagsIsReserved) {
  for (const char* hex : {"1f", "3f", "df00"}) {
    EXPECT_FALSE(SkipAll(hex, kIndefinite).ok()) << hex;
    const Bytes data = H(hex);
    CborReader r(data, kIndefinite);
    uint64_t v = 0;
    EXPECT_FALSE(r.ReadUint(&v).ok()) << hex;
  }
}

// --- Reserved and simple values ------------------------------------------------------------------

TEST(CborReaderTest, ReservedAdditionalInfoFails) {
  for (int major = 0; major < 8; ++major) {
    for (int info = 28; info <= 30; ++info) {
      const Bytes data = {static_cast<uint8_t>((major << 5) | info), 0, 0, 0, 0, 0, 0, 0, 0};
      CborReader r(data, kIndefinite);
      base::Status s = r.Skip();
      EXPECT_FALSE(s.ok()) << major << "/" << info;
      EXPECT_NE(s.message().find("reserved"), std::string::npos) << s.message();
    }
  }
  const Bytes data = H("1c");
  CborReader r(data, kStrict);
  int64_t v = 0;
  EXPECT_FALSE(r.ReadInt(&v).ok());
}

TEST(CborReaderTest, SimpleValues) {
  for (const char* hex : {"f4", "f5", "f6", "f7", "e0", "f3", "f820", "f8ff"}) {
    EXPECT_TRUE(SkipAll(hex).ok()) << hex;
  }
  EXPECT_FALSE(SkipAll("f800").ok());
  EXPECT_FALSE(SkipAll("f81f").ok());
}

TEST(CborReaderTest, SkipWholeStructures) {
  // {"a": [1, 2], "b": 1(1600000000)}
  EXPECT_TRUE(SkipAll("a261618201026162c11a5f5e1000").ok());
  EXPECT_FALSE(SkipAll("a261618201026162c11a5f5e100000").ok());  // a second item follows
  EXPECT_FALSE(SkipAll("a261618201026162c11a5f5e10").ok());      // truncated tag content
  EXPECT_TRUE(SkipAll("fb3ff199999999999a").ok());
  EXPECT_TRUE(SkipAll("3bffffffffffffffff").ok());  // any negative integer can be skipped
}

TEST(CborReaderTest, ErrorsNameTheOffset) {
  const Bytes data = H("820162c080");
  CborReader r(data, kStrict);
  base::Status s = r.Skip();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("offset"), std::string::npos) << s.message();
}

// --- Writer --------------------------------------------------------------------------------------

TEST(CborWriterTest, ShortestUintHeads) {
  EXPECT_EQ(WrittenUint(0), "00");
  EXPECT_EQ(WrittenUint(23), "17");
  EXPECT_EQ(WrittenUint(24), "1818");
  EXPECT_EQ(WrittenUint(255), "18ff");
  EXPECT_EQ(WrittenUint(256), "190100");
  EXPECT_EQ(WrittenUint(65535), "19ffff");
  EXPECT_EQ(WrittenUint(65536), "1a00010000");
  EXPECT_EQ(WrittenUint(0xffffffffu), "1affffffff");
  EXPECT_EQ(WrittenUint(uint64_t{1} << 32), "1b0000000100000000");
  EXPECT_EQ(WrittenUint(std::numeric_limits<uint64_t>::max()), "1bffffffffffffffff");
}

TEST(CborWriterTest, IntForNegatives) {
  EXPECT_EQ(WrittenInt(0), "00");
  EXPECT_EQ(WrittenInt(7), "07");
  EXPECT_EQ(WrittenInt(-1), "20");
  EXPECT_EQ(WrittenInt(-24), "37");
  EXPECT_EQ(WrittenInt(-25), "3818");
  EXPECT_EQ(WrittenInt(-256), "38ff");
  EXPECT_EQ(WrittenInt(-257), "390100");
  EXPECT_EQ(WrittenInt(-70000), "3a0001116f");
  EXPECT_EQ(WrittenInt(std::numeric_limits<int64_t>::max()), "1b7fffffffffffffff");
  EXPECT_EQ(WrittenInt(std::numeric_limits<int64_t>::min()), "3b7fffffffffffffff");
}

TEST(CborWriterTest, StringsAndContainers) {
  EXPECT_EQ(Written([](CborWriter& w) { w.ByteString(Bytes{1, 2, 3}); }), "43010203");
  EXPECT_EQ(Written([](CborWriter& w) { w.ByteString(Bytes{}); }), "40");
  EXPECT_EQ(Written([](CborWriter& w) { w.Text("IETF"); }), "6449455446");
  EXPECT_EQ(Written([](CborWriter& w) { w.Text(""); }), "60");
  EXPECT_EQ(Written([](CborWriter& w) { w.Text("Ж"); }), "62d096");
  EXPECT_EQ(Written([](CborWriter& w) { w.Array(3); }), "83");
  EXPECT_EQ(Written([](CborWriter& w) { w.Array(24); }), "9818");
  EXPECT_EQ(Written([](CborWriter& w) { w.Map(2); }), "a2");
  EXPECT_EQ(Written([](CborWriter& w) { w.Map(256); }), "b90100");
  EXPECT_EQ(Written([](CborWriter& w) { w.Tag(18); }), "d2");
  EXPECT_EQ(Written([](CborWriter& w) { w.Tag(61); }), "d83d");
  EXPECT_EQ(Written([](CborWriter& w) { w.Raw(Bytes{0xf6, 0xf7}); }), "f6f7");
}

TEST(CborWriterTest, LongByteStringHead) {
  Bytes out;
  CborWriter(&out).ByteString(Bytes(300, 0xaa));
  ASSERT_EQ(out.size(), 303u);
  EXPECT_EQ(base::ToHex(ByteSpan(out).first(3)), "59012c");
}

TEST(CborWriterTest, AppendsToExistingOutput) {
  Bytes out = {0x01};
  CborWriter w(&out);
  w.Uint(2);
  EXPECT_EQ(out, (Bytes{0x01, 0x02}));
}

TEST(CborWriterTest, WriterOutputReadsBack) {
  Bytes out;
  CborWriter w(&out);
  const int64_t ints[] = {0,      1,     23,        24,        -1,    -24,   -25,
                          -70000, 70000, INT64_MIN, INT64_MAX, 65535, -65537};
  w.Array(std::size(ints) + 2);
  for (int64_t v : ints) w.Int(v);
  w.Text("Қазақ");
  w.ByteString(Bytes{9, 8, 7});

  CborReader r(out, kStrict);
  uint64_t count = 0;
  ASSERT_TRUE(r.EnterArray(&count).ok());
  ASSERT_EQ(count, std::size(ints) + 2);
  for (int64_t expected : ints) {
    int64_t v = 0;
    ASSERT_TRUE(r.ReadInt(&v).ok());
    EXPECT_EQ(v, expected);
  }
  std::string_view t;
  ASSERT_TRUE(r.ReadText(&t).ok());
  EXPECT_EQ(t, "Қазақ");
  ByteSpan b;
  ASSERT_TRUE(r.ReadBytes(&b).ok());
  EXPECT_EQ(Bytes(b.begin(), b.end()), (Bytes{9, 8, 7}));
  r.Leave();
  EXPECT_TRUE(r.AtEnd());
}

}  // namespace
