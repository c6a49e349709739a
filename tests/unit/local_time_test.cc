// Local calendar time and cap periods: fixed UTC offsets, both signs, around midnight, before
// 1970, across leap days, month and year ends.
#include "rules/local_time.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "base/time_format.h"

namespace rules {
namespace {

using registry::CapPeriod;

constexpr int64_t kMoscow = 3 * 3600;
constexpr int64_t kNewYork = -5 * 3600;
constexpr int64_t kDaySeconds = 86400;

int64_t At(std::string_view iso) {
  base::Result<int64_t> t = base::ParseIso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return t.ok() ? *t : 0;
}

struct Expected {
  int year, month, mday, weekday, minute;
};

::testing::AssertionResult IsLocal(const LocalTime& t, const Expected& e) {
  if (t.year == e.year && t.month == e.month && t.mday == e.mday && t.weekday == e.weekday &&
      t.minute == e.minute) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "got " << t.year << "-" << t.month << "-" << t.mday << " weekday " << t.weekday
         << " minute " << t.minute << ", want " << e.year << "-" << e.month << "-" << e.mday
         << " weekday " << e.weekday << " minute " << e.minute;
}

TEST(ToLocal, EpochWasAThursday) {
  const LocalTime t = ToLocal(0, 0);
  EXPECT_EQ(t.day, 0);
  EXPECT_TRUE(IsLocal(t, {1970, 1, 1, 4, 0}));
}

TEST(ToLocal, MinuteOfTheDay) {
  EXPECT_EQ(ToLocal(At("2027-01-13T12:34:56Z"), 0).minute, 12 * 60 + 34);
  EXPECT_EQ(ToLocal(At("2027-01-13T12:34:56Z"), kMoscow).minute, 15 * 60 + 34);
  EXPECT_EQ(ToLocal(At("2027-01-13T23:59:59Z"), 0).minute, 1439);
}

TEST(ToLocal, PositiveOffsetMovesMidnightEarlierInUtc) {
  // Moscow midnight starting Wednesday 2027-01-13 is Tuesday 21:00 UTC.
  const int64_t midnight = At("2027-01-12T21:00:00Z");
  const LocalTime at = ToLocal(midnight, kMoscow);
  EXPECT_TRUE(IsLocal(at, {2027, 1, 13, 3, 0}));
  EXPECT_EQ(at.day, base::DaysFromCivil(2027, 1, 13));
  const LocalTime before = ToLocal(midnight - 1, kMoscow);
  EXPECT_TRUE(IsLocal(before, {2027, 1, 12, 2, 1439}));
  EXPECT_EQ(before.day, at.day - 1);
  EXPECT_TRUE(IsLocal(ToLocal(midnight, 0), {2027, 1, 12, 2, 1260}));
}

TEST(ToLocal, NegativeOffsetMovesMidnightLaterInUtc) {
  // Midnight at UTC-5 starting 2027-01-01 is 05:00 UTC; one second before is still 2026.
  const int64_t midnight = At("2027-01-01T05:00:00Z");
  EXPECT_TRUE(IsLocal(ToLocal(midnight, kNewYork), {2027, 1, 1, 5, 0}));
  EXPECT_TRUE(IsLocal(ToLocal(midnight - 1, kNewYork), {2026, 12, 31, 4, 1439}));
  EXPECT_TRUE(IsLocal(ToLocal(midnight - 1, 0), {2027, 1, 1, 5, 299}));
}

TEST(ToLocal, NegativeOffsetAtTheEpochGoesBackTo1969) {
  const LocalTime t = ToLocal(0, -3600);
  EXPECT_EQ(t.day, -1);
  EXPECT_TRUE(IsLocal(t, {1969, 12, 31, 3, 23 * 60}));
}

TEST(ToLocal, ExtremeOffsets) {
  // UTC+14 (Kiribati) and UTC-12 put the same instant on three different dates.
  const int64_t t = At("2027-01-13T11:00:00Z");
  EXPECT_TRUE(IsLocal(ToLocal(t, 14 * 3600), {2027, 1, 14, 4, 60}));
  EXPECT_TRUE(IsLocal(ToLocal(t, -12 * 3600), {2027, 1, 12, 2, 23 * 60}));
}

TEST(ToLocal, DatesBefore1970) {
  EXPECT_TRUE(IsLocal(ToLocal(-1, 0), {1969, 12, 31, 3, 1439}));
  EXPECT_EQ(ToLocal(-1, 0).day, -1);
  EXPECT_EQ(ToLocal(-kDaySeconds, 0).day, -1);
  EXPECT_EQ(ToLocal(-kDaySeconds - 1, 0).day, -2);
  // Apollo 11 landed on Sunday 1969-07-20 at 20:17 UTC.
  EXPECT_TRUE(IsLocal(ToLocal(At("1969-07-20T20:17:00Z"), 0), {1969, 7, 20, 7, 20 * 60 + 17}));
  // 1900-01-01 was a Monday; 1600-01-01 a Saturday.
  EXPECT_TRUE(IsLocal(ToLocal(-2'208'988'800, 0), {1900, 1, 1, 1, 0}));
  const LocalTime y1600 = ToLocal(-135'140 * kDaySeconds, 0);
  EXPECT_EQ(y1600.day, -135'140);
  EXPECT_TRUE(IsLocal(y1600, {1600, 1, 1, 6, 0}));
}

TEST(ToLocal, LeapYears) {
  EXPECT_TRUE(IsLocal(ToLocal(At("2024-02-29T12:00:00Z"), 0), {2024, 2, 29, 4, 720}));
  EXPECT_TRUE(IsLocal(ToLocal(At("2028-02-29T23:59:00+03:00"), kMoscow), {2028, 2, 29, 2, 1439}));
  EXPECT_TRUE(IsLocal(ToLocal(At("2028-02-29T23:59:00+03:00") + 60, kMoscow), {2028, 3, 1, 3, 0}));
  // 2000 was a leap year (divisible by 400), 1900 and 2100 are not.
  const int64_t feb28_2000 = base::DaysFromCivil(2000, 2, 28) * kDaySeconds;
  EXPECT_TRUE(IsLocal(ToLocal(feb28_2000 + kDaySeconds, 0), {2000, 2, 29, 2, 0}));
  const int64_t feb28_1900 = base::DaysFromCivil(1900, 2, 28) * kDaySeconds;
  EXPECT_TRUE(IsLocal(ToLocal(feb28_1900 + kDaySeconds, 0), {1900, 3, 1, 4, 0}));
  const int64_t feb28_2100 = base::DaysFromCivil(2100, 2, 28) * kDaySeconds;
  EXPECT_TRUE(IsLocal(ToLocal(feb28_2100 + kDaySeconds, 0), {2100, 3, 1, 1, 0}));
  // The leap day at UTC-5 runs until 05:00 UTC on 1 March.
  EXPECT_TRUE(IsLocal(ToLocal(At("2024-03-01T04:59:00Z"), kNewYork), {2024, 2, 29, 4, 1439}));
}

TEST(ToLocal, EveryDayFrom1600To2400FollowsTheCalendar) {
  const int64_t first = base::DaysFromCivil(1600, 1, 1);
  const int64_t last = base::DaysFromCivil(2400, 12, 31);
  LocalTime prev = ToLocal(first * kDaySeconds, 0);
  ASSERT_TRUE(IsLocal(prev, {1600, 1, 1, 6, 0}));
  for (int64_t day = first + 1; day <= last; ++day) {
    // Noon UTC at +03:00 and -05:00 stays on the same date.
    const LocalTime t = ToLocal(day * kDaySeconds + 12 * 3600, kMoscow);
    ASSERT_EQ(t.day, day);
    ASSERT_EQ(t.weekday, prev.weekday % 7 + 1) << t.year << "-" << t.month << "-" << t.mday;
    const bool next_day_same_month =
        t.year == prev.year && t.month == prev.month && t.mday == prev.mday + 1;
    const bool first_of_next_month =
        t.mday == 1 && ((t.year == prev.year && t.month == prev.month + 1) ||
                        (t.year == prev.year + 1 && t.month == 1 && prev.month == 12));
    ASSERT_TRUE(next_day_same_month || first_of_next_month)
        << prev.year << "-" << prev.month << "-" << prev.mday << " -> " << t.year << "-" << t.month
        << "-" << t.mday;
    ASSERT_EQ(
        base::DaysFromCivil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.mday)),
        day);
    ASSERT_EQ(ToLocal(day * kDaySeconds + 12 * 3600, kNewYork).day, day);
    prev = t;
  }
  EXPECT_TRUE(IsLocal(prev, {2400, 12, 31, 7, 15 * 60}));
}

// --- cap periods -------------------------------------------------------------------------------

TEST(PeriodStart, DayStartsAtLocalMidnight) {
  const int64_t midnight = At("2027-01-13T00:00:00+03:00");
  EXPECT_EQ(PeriodStart(CapPeriod::kDay, midnight, kMoscow), midnight);
  EXPECT_EQ(PeriodStart(CapPeriod::kDay, midnight + 1, kMoscow), midnight);
  EXPECT_EQ(PeriodStart(CapPeriod::kDay, At("2027-01-13T00:30:00+03:00"), kMoscow), midnight);
  EXPECT_EQ(PeriodStart(CapPeriod::kDay, At("2027-01-13T23:59:59+03:00"), kMoscow), midnight);
  EXPECT_EQ(PeriodStart(CapPeriod::kDay, midnight - 1, kMoscow), midnight - kDaySeconds);
  // At UTC the same instant (21:00 of the 12th) belongs to the 12th.
  EXPECT_EQ(PeriodStart(CapPeriod::kDay, midnight, 0), At("2027-01-12T00:00:00Z"));
}

TEST(PeriodStart, DayWithANegativeOffset) {
  const int64_t t = At("2027-01-13T02:00:00Z");  // 21:00 on the 12th in New York
  EXPECT_EQ(PeriodStart(CapPeriod::kDay, t, kNewYork), At("2027-01-12T00:00:00-05:00"));
}

TEST(PeriodStart, WeekStartsOnMondayAtLocalMidnight) {
  const int64_t monday = At("2027-01-11T00:00:00+03:00");
  EXPECT_EQ(PeriodStart(CapPeriod::kWeek, At("2027-01-13T12:00:00+03:00"), kMoscow), monday);
  EXPECT_EQ(PeriodStart(CapPeriod::kWeek, monday, kMoscow), monday);
  EXPECT_EQ(PeriodStart(CapPeriod::kWeek, At("2027-01-17T23:59:59+03:00"), kMoscow), monday);
  // Monday 00:00 in Moscow is still Sunday in UTC: a new week all the same.
  const int64_t next_monday = At("2027-01-18T00:00:00+03:00");
  ASSERT_EQ(ToLocal(next_monday, 0).weekday, 7);
  EXPECT_EQ(PeriodStart(CapPeriod::kWeek, next_monday, kMoscow), next_monday);
  EXPECT_EQ(PeriodStart(CapPeriod::kWeek, next_monday - 1, kMoscow), monday);
}

TEST(PeriodStart, WeekAcrossTheYearEnd) {
  // Friday 2027-01-01 belongs to the week of Monday 2026-12-28.
  EXPECT_EQ(PeriodStart(CapPeriod::kWeek, At("2027-01-01T10:00:00+03:00"), kMoscow),
            At("2026-12-28T00:00:00+03:00"));
  // A Sunday evening at UTC-5 that is Monday in UTC stays in the old week.
  EXPECT_EQ(PeriodStart(CapPeriod::kWeek, At("2027-01-17T22:00:00-05:00"), kNewYork),
            At("2027-01-11T00:00:00-05:00"));
}

TEST(PeriodStart, MonthStartsOnTheFirstAtLocalMidnight) {
  const int64_t feb1 = At("2027-02-01T00:00:00+03:00");
  EXPECT_EQ(PeriodStart(CapPeriod::kMonth, feb1, kMoscow), feb1);
  // 00:30 on 1 February in Moscow is 31 January in UTC.
  EXPECT_EQ(PeriodStart(CapPeriod::kMonth, At("2027-02-01T00:30:00+03:00"), kMoscow), feb1);
  EXPECT_EQ(PeriodStart(CapPeriod::kMonth, feb1 - 1, kMoscow), At("2027-01-01T00:00:00+03:00"));
  EXPECT_EQ(PeriodStart(CapPeriod::kMonth, At("2027-02-28T23:59:59+03:00"), kMoscow), feb1);
}

TEST(PeriodStart, MonthAcrossTheYearEnd) {
  const int64_t jan1 = At("2027-01-01T00:00:00+03:00");
  EXPECT_EQ(PeriodStart(CapPeriod::kMonth, jan1, kMoscow), jan1);
  EXPECT_EQ(PeriodStart(CapPeriod::kMonth, jan1 - 1, kMoscow), At("2026-12-01T00:00:00+03:00"));
  EXPECT_EQ(PeriodStart(CapPeriod::kMonth, At("2026-12-31T23:59:00-05:00"), kNewYork),
            At("2026-12-01T00:00:00-05:00"));
}

TEST(PeriodStart, LeapDay) {
  const int64_t leap_day = At("2028-02-29T00:00:00+03:00");
  EXPECT_EQ(PeriodStart(CapPeriod::kDay, leap_day + 86399, kMoscow), leap_day);
  EXPECT_EQ(PeriodStart(CapPeriod::kMonth, leap_day + 86399, kMoscow),
            At("2028-02-01T00:00:00+03:00"));
  // Tuesday 29 February: the week began on Monday the 28th.
  EXPECT_EQ(PeriodStart(CapPeriod::kWeek, leap_day, kMoscow), At("2028-02-28T00:00:00+03:00"));
  const int64_t mar1 = leap_day + kDaySeconds;
  EXPECT_EQ(PeriodStart(CapPeriod::kMonth, mar1, kMoscow), mar1);
  EXPECT_EQ(PeriodStart(CapPeriod::kDay, mar1, kMoscow), mar1);
}

TEST(PeriodStart, Before1970) {
  EXPECT_EQ(PeriodStart(CapPeriod::kMonth, At("1969-12-15T12:00:00Z"), 0),
            At("1969-12-01T00:00:00Z"));
  EXPECT_EQ(PeriodStart(CapPeriod::kDay, -1, 0), -kDaySeconds);
  // 1969-12-31 was a Wednesday: its week began on Monday the 29th.
  EXPECT_EQ(PeriodStart(CapPeriod::kWeek, -1, 0), At("1969-12-29T00:00:00Z"));
}

TEST(PeriodStart, AlwaysTheLocalStartOfThePeriodHoldingTheTime) {
  for (int64_t offset : {int64_t{-12 * 3600}, kNewYork, int64_t{0}, kMoscow, int64_t{5 * 3600},
                         int64_t{14 * 3600}}) {
    for (int64_t t = At("2027-12-20T00:00:00Z"); t < At("2028-03-10T00:00:00Z");
         t += 3 * 3600 + 7 * 60) {
      const LocalTime now = ToLocal(t, offset);
      const int64_t day = PeriodStart(CapPeriod::kDay, t, offset);
      const int64_t week = PeriodStart(CapPeriod::kWeek, t, offset);
      const int64_t month = PeriodStart(CapPeriod::kMonth, t, offset);
      ASSERT_LE(day, t);
      ASSERT_GT(day + kDaySeconds, t);
      ASSERT_EQ(ToLocal(day, offset).minute, 0);
      ASSERT_EQ(ToLocal(day, offset).day, now.day);
      ASSERT_LE(week, day);
      ASSERT_EQ(ToLocal(week, offset).weekday, 1);
      ASSERT_EQ(ToLocal(week, offset).minute, 0);
      ASSERT_EQ(now.day - ToLocal(week, offset).day, now.weekday - 1);
      const LocalTime m = ToLocal(month, offset);
      ASSERT_LE(month, day);
      ASSERT_EQ(m.mday, 1);
      ASSERT_EQ(m.minute, 0);
      ASSERT_EQ(m.month, now.month);
      ASSERT_EQ(m.year, now.year);
    }
  }
}

}  // namespace
}  // namespace rules
