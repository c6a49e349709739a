// ISO 8601 parsing and formatting without the C library's time-zone state.
#include "base/time_format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {

using base::FormatIso8601Utc;
using base::ParseIso8601;

constexpr int64_t kMay3 = 1620064800;  // 2021-05-03T18:00:00Z

int64_t ParseOk(const std::string& text) {
  base::Result<int64_t> r = ParseIso8601(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : INT64_MIN;
}

void ExpectRefused(const std::string& text) {
  base::Result<int64_t> r = ParseIso8601(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? *r : 0);
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument) << text;
  }
}

TEST(DaysFromCivilTest, KnownDates) {
  EXPECT_EQ(base::DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(base::DaysFromCivil(1970, 1, 2), 1);
  EXPECT_EQ(base::DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(base::DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(base::DaysFromCivil(2000, 2, 29), 11016);
  EXPECT_EQ(base::DaysFromCivil(1600, 3, 1), -135080);
}

TEST(ParseIso8601Test, UtcDateTime) { EXPECT_EQ(ParseOk("2021-05-03T18:00:00Z"), kMay3); }

TEST(ParseIso8601Test, LowerCaseSeparatorsAndSpace) {
  EXPECT_EQ(ParseOk("2021-05-03t18:00:00z"), kMay3);
  EXPECT_EQ(ParseOk("2021-05-03 18:00:00Z"), kMay3);
}

TEST(ParseIso8601Test, MinutesWithoutSeconds) { EXPECT_EQ(ParseOk("2021-05-03T18:00Z"), kMay3); }

TEST(ParseIso8601Test, FractionsAreTruncated) {
  EXPECT_EQ(ParseOk("2021-05-03T18:00:00.999Z"), kMay3);
  EXPECT_EQ(ParseOk("2021-05-03T18:00:01.5Z"), kMay3 + 1);
  EXPECT_EQ(ParseOk("2021-05-03T18:00:00,25Z"), kMay3);
  EXPECT_EQ(ParseOk("2021-05-03T18:00:00.123456789+00:00"), kMay3);
}

TEST(ParseIso8601Test, FractionNeedsDigits) { ExpectRefused("2021-05-03T18:00:00.Z"); }

TEST(ParseIso8601Test, PositiveOffsetWithAndWithoutColon) {
  EXPECT_EQ(ParseOk("2021-05-03T20:00:00+02:00"), kMay3);
  EXPECT_EQ(ParseOk("2021-05-03T20:00:00+0200"), kMay3);
}

TEST(ParseIso8601Test, NegativeOffsetWithMinutes) {
  // 12:30 at UTC-05:30 is 18:00 UTC.
  EXPECT_EQ(ParseOk("2021-05-03T12:30:00-05:30"), kMay3);
}

TEST(ParseIso8601Test, ZeroOffsetEqualsZ) {
  EXPECT_EQ(ParseOk("2021-05-03T18:00:00+00:00"), kMay3);
  EXPECT_EQ(ParseOk("2021-05-03T18:00:00-00:00"), kMay3);
}

TEST(ParseIso8601Test, DateOnlyIsMidnightUtc) {
  EXPECT_EQ(ParseOk("2021-05-03"), kMay3 - 18 * 3600);
  EXPECT_EQ(ParseOk("1970-01-01"), 0);
}

TEST(ParseIso8601Test, LeapDays) {
  EXPECT_EQ(ParseOk("2024-02-29"), 1709164800);
  EXPECT_EQ(ParseOk("2000-02-29T00:00:00Z"), 951782400);
  ExpectRefused("2023-02-29");
  ExpectRefused("1900-02-29");  // divisible by 100, not by 400
}

TEST(ParseIso8601Test, ImpossibleDatesAndTimes) {
  ExpectRefused("2021-13-01");
  ExpectRefused("2021-00-10");
  ExpectRefused("2021-04-31");
  ExpectRefused("2021-05-00");
  ExpectRefused("2021-05-03T24:00:00Z");
  ExpectRefused("2021-05-03T18:60:00Z");
  ExpectRefused("2021-05-03T18:00:61Z");
}

TEST(ParseIso8601Test, MissingOffsetIsRefused) {
  ExpectRefused("2021-05-03T18:00:00");
  ExpectRefused("2021-05-03T18:00");
  base::Result<int64_t> r = ParseIso8601("2021-05-03T18:00:00");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("offset"), std::string::npos) << r.status().message();
}

TEST(ParseIso8601Test, BadOffsetsAreRefused) {
  ExpectRefused("2021-05-03T18:00:00+02");
  ExpectRefused("2021-05-03T18:00:00+2:00");
  ExpectRefused("2021-05-03T18:00:00+02:0");
  ExpectRefused("2021-05-03T18:00:00+02:000");
  ExpectRefused("2021-05-03T18:00:00+24:00");
  ExpectRefused("2021-05-03T18:00:00+02:60");
  ExpectRefused("2021-05-03T18:00:00Zjunk");
  ExpectRefused("2021-05-03T18:00:00UTC");
}

TEST(ParseIso8601Test, GarbageIsRefused) {
  ExpectRefused("");
  ExpectRefused("yesterday");
  ExpectRefused("2021-5-3");
  ExpectRefused("2021/05/03");
  ExpectRefused("20210503");
  ExpectRefused("2021-05-03X18:00:00Z");
  ExpectRefused("2021-05-03T1800Z");
  ExpectRefused("2021-05-03T");
  ExpectRefused("2021-05-03Z");
  ExpectRefused("-2021-05-03");
}

TEST(FormatIso8601UtcTest, KnownInstants) {
  EXPECT_EQ(FormatIso8601Utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601Utc(kMay3), "2021-05-03T18:00:00Z");
  EXPECT_EQ(FormatIso8601Utc(951827696), "2000-02-29T12:34:56Z");
  EXPECT_EQ(FormatIso8601Utc(2147483648), "2038-01-19T03:14:08Z");
  EXPECT_EQ(FormatIso8601Utc(253402300799), "9999-12-31T23:59:59Z");
}

TEST(FormatIso8601UtcTest, NegativeTimes) {
  EXPECT_EQ(FormatIso8601Utc(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatIso8601Utc(-86400), "1969-12-31T00:00:00Z");
  EXPECT_EQ(FormatIso8601Utc(-86401), "1969-12-30T23:59:59Z");
  EXPECT_EQ(FormatIso8601Utc(-2208988800), "1900-01-01T00:00:00Z");
}

TEST(FormatIso8601UtcTest, RoundTripsThroughParse) {
  const int64_t instants[] = {0,         1,           59,         86399,       86400,  951782400,
                              951868799, kMay3,       1709164800, -1,          -86399, -86400,
                              -31536000, -2208988800, 4102444800, 253402300799};
  for (int64_t t : instants) {
    const std::string text = FormatIso8601Utc(t);
    EXPECT_EQ(ParseOk(text), t) << text;
  }
}

TEST(FormatIso8601UtcTest, EveryDayOfALeapYearRoundTrips) {
  const int64_t first = base::DaysFromCivil(2000, 1, 1);
  for (int64_t day = first; day < first + 366; ++day) {
    const int64_t t = day * 86400 + 43210;
    EXPECT_EQ(ParseOk(FormatIso8601Utc(t)), t) << FormatIso8601Utc(t);
  }
}

}  // namespace
