// Partner offers (DESIGN.md section 7): money arithmetic, eligibility in local time, caps, and the
// choice between several offers.
#include "rules/offers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "base/time_format.h"
#include "registry/offer_fields.h"

namespace rules {
namespace {

using registry::CapPeriod;
using registry::Offer;

constexpr int64_t kMoscow = 3 * 3600;
constexpr int64_t kNewYork = -5 * 3600;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

int64_t At(std::string_view iso) {
  base::Result<int64_t> t = base::ParseIso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return t.ok() ? *t : 0;
}

LocalTime Local(std::string_view iso, int64_t offset = kMoscow) { return ToLocal(At(iso), offset); }

// Wednesday 2027-01-13, noon in Moscow.
LocalTime Noon() { return Local("2027-01-13T12:00:00+03:00"); }

int64_t Day(std::string_view date) {
  base::Result<int64_t> d = registry::ParseDay(date);
  EXPECT_TRUE(d.ok()) << date;
  return d.ok() ? *d : 0;
}

card::MemberCard Member(card::Category category = card::Category::kEmployee,
                        std::string org = "RU-EDU-69") {
  card::MemberCard c;
  c.rid = {1, 2, 3, 4, 5, 6, 7, 8};
  c.serial = 1;
  c.org = std::move(org);
  c.category = category;
  return c;
}

Offer Percent(int64_t basis_points, std::string id = "O-1") {
  Offer o;
  o.offer_id = std::move(id);
  o.partner_id = "P-1";
  o.kind = registry::OfferKind::kPercent;
  o.value = basis_points;
  o.title = "percent offer";
  return o;
}

Offer Fixed(int64_t minor, std::string id = "O-1") {
  Offer o = Percent(0, std::move(id));
  o.kind = registry::OfferKind::kFixed;
  o.value = minor;
  o.title = "fixed offer";
  return o;
}

Offer Capped(Offer o, CapPeriod period, std::optional<int64_t> count,
             std::optional<int64_t> amount = std::nullopt) {
  o.cap_period = period;
  o.cap_count = count;
  o.cap_amount_minor = amount;
  return o;
}

OfferDecision Eval(const Offer& o, int64_t purchase, const LocalTime& now = Noon(),
                   const card::MemberCard& card = Member(), int64_t used_count = 0,
                   int64_t used_amount = 0) {
  return EvaluateOffer(o, card, purchase, now, used_count, used_amount);
}

// --- money -------------------------------------------------------------------------------------

TEST(OfferMoney, PercentRoundsDownToTheKopeck) {
  // 7.5% of 1.33 = 0.09975: the member gets 9 kopecks, never 10.
  OfferDecision d = Eval(Percent(750), 133);
  ASSERT_EQ(d.code, OfferCode::kAccepted) << d.message;
  EXPECT_EQ(d.discount_minor, 9);
  EXPECT_EQ(d.total_minor, 124);
  EXPECT_EQ(d.purchase_minor, 133);
}

TEST(OfferMoney, ThirtyThreePointThirtyThreePercentRoundsDown) {
  EXPECT_EQ(Eval(Percent(3333), 100).discount_minor, 33);       // 33.33
  EXPECT_EQ(Eval(Percent(3333), 300).discount_minor, 99);       // 99.99
  EXPECT_EQ(Eval(Percent(3333), 99999).discount_minor, 33329);  // 33329.6667
  EXPECT_EQ(Eval(Percent(3333), 10000).discount_minor, 3333);   // exact
  EXPECT_EQ(Eval(Percent(6667), 12345).discount_minor, 8230);   // 8230.4115
}

TEST(OfferMoney, PurchaseTooSmallForADiscountIsCorrectableNotAccepted) {
  // 33.33% of 3 kopecks is 0.9999 kopecks: nothing to give, and an accepted zero discount would use
  // up one of a capped member's discounts. It is refused like a purchase below the minimum.
  OfferDecision d = Eval(Percent(3333), 3);
  EXPECT_EQ(d.code, OfferCode::kBelowMinimum);
  EXPECT_EQ(d.message, "purchase too small for a discount");
  EXPECT_EQ(d.discount_minor, 0);
  EXPECT_EQ(d.total_minor, 3);
  EXPECT_EQ(Eval(Percent(3333), 4).discount_minor, 1);
}

TEST(OfferMoney, TotalIsAlwaysPurchaseMinusDiscount) {
  for (int64_t purchase :
       {int64_t{1}, int64_t{99}, int64_t{133}, int64_t{100'000}, kMaxPurchaseMinor}) {
    for (int64_t bp : {int64_t{1}, int64_t{750}, int64_t{3333}, int64_t{10000}}) {
      OfferDecision d = Eval(Percent(bp), purchase);
      EXPECT_EQ(d.total_minor, purchase - d.discount_minor) << purchase << " " << bp;
      EXPECT_GE(d.discount_minor, 0);
      EXPECT_LE(d.discount_minor, purchase);
    }
  }
}

TEST(OfferMoney, HundredPercentMakesItFree) {
  OfferDecision d = Eval(Percent(10000), 12345);
  EXPECT_EQ(d.discount_minor, 12345);
  EXPECT_EQ(d.total_minor, 0);
}

TEST(OfferMoney, FixedAmountIsTakenOff) {
  OfferDecision d = Eval(Fixed(5000), 100'000);
  ASSERT_EQ(d.code, OfferCode::kAccepted);
  EXPECT_EQ(d.discount_minor, 5000);
  EXPECT_EQ(d.total_minor, 95'000);
}

TEST(OfferMoney, FixedDiscountNeverExceedsThePurchase) {
  // 500.00 off a 300.00 purchase: the discount is 300.00 and the member pays nothing.
  OfferDecision d = Eval(Fixed(50'000), 30'000);
  ASSERT_EQ(d.code, OfferCode::kAccepted);
  EXPECT_EQ(d.discount_minor, 30'000);
  EXPECT_EQ(d.total_minor, 0);
  EXPECT_EQ(Eval(Fixed(50'000), 50'000).total_minor, 0);
  EXPECT_EQ(Eval(Fixed(50'000), 50'001).total_minor, 1);
}

TEST(OfferMoney, MaxDiscountCapsAPercentDiscount) {
  Offer o = Percent(1000);
  o.max_discount_minor = 500;
  EXPECT_EQ(Eval(o, 10'000).discount_minor, 500);  // 10% would be 1000
  EXPECT_EQ(Eval(o, 10'000).total_minor, 9'500);
  EXPECT_EQ(Eval(o, 5'000).discount_minor, 500);  // exactly at the cap
  EXPECT_EQ(Eval(o, 4'990).discount_minor, 499);  // under it
}

TEST(OfferMoney, AClippedDiscountSaysWhatCutIt) {
  Offer o = Percent(1000);
  o.max_discount_minor = 500;
  const OfferDecision clipped = Eval(o, 10'000);
  EXPECT_EQ(clipped.clip, rules::DiscountClip::kMaxDiscount);
  EXPECT_EQ(clipped.clip_minor, 500);
  EXPECT_EQ(Eval(o, 5'000).clip, rules::DiscountClip::kNone);  // exactly the rate: nothing cut
  const Offer capped = Capped(Percent(1000), CapPeriod::kMonth, std::nullopt, 10'000);
  const OfferDecision left = Eval(capped, 70'000, Noon(), Member(), 1, 7'000);
  EXPECT_EQ(left.discount_minor, 3'000);
  EXPECT_EQ(left.clip, rules::DiscountClip::kCapLeft);
  EXPECT_EQ(left.clip_minor, 3'000);
  EXPECT_EQ(Eval(capped, 20'000, Noon(), Member(), 1, 7'000).clip, rules::DiscountClip::kNone);
}

TEST(OfferMoney, MaxDiscountCapsAFixedDiscount) {
  Offer o = Fixed(1000);
  o.max_discount_minor = 700;
  EXPECT_EQ(Eval(o, 100'000).discount_minor, 700);
}

TEST(OfferMoney, MaxDiscountAndPurchaseBothBound) {
  Offer o = Fixed(50'000);
  o.max_discount_minor = 40'000;
  EXPECT_EQ(Eval(o, 30'000).discount_minor, 30'000);
  EXPECT_EQ(Eval(o, 45'000).discount_minor, 40'000);
}

TEST(OfferMoney, MinimumPurchaseEqualPasses) {
  Offer o = Percent(1000);
  o.min_purchase_minor = 100'000;
  OfferDecision d = Eval(o, 100'000);
  EXPECT_EQ(d.code, OfferCode::kAccepted);
  EXPECT_EQ(d.discount_minor, 10'000);
}

TEST(OfferMoney, OneKopeckBelowMinimumIsRefused) {
  Offer o = Percent(1000);
  o.min_purchase_minor = 100'000;
  OfferDecision d = Eval(o, 99'999);
  EXPECT_EQ(d.code, OfferCode::kBelowMinimum);
  EXPECT_EQ(d.message, "minimum purchase 1 000.00");
  EXPECT_EQ(d.discount_minor, 0);
  EXPECT_EQ(d.total_minor, 99'999);
  EXPECT_EQ(d.offer_id, "O-1");
}

TEST(OfferMoney, ZeroNegativeAndAbsurdAmountsAreBadAmount) {
  for (int64_t purchase :
       {int64_t{0}, int64_t{-1}, int64_t{-100'000}, kInt64Min, kMaxPurchaseMinor + 1, kInt64Max}) {
    OfferDecision d = Eval(Percent(750), purchase);
    EXPECT_EQ(d.code, OfferCode::kBadAmount) << purchase;
    EXPECT_EQ(d.discount_minor, 0) << purchase;
    EXPECT_EQ(d.message, "enter the purchase amount");
  }
}

TEST(OfferMoney, LargestPurchaseIsAccepted) {
  OfferDecision d = Eval(Percent(750), kMaxPurchaseMinor);
  ASSERT_EQ(d.code, OfferCode::kAccepted);
  EXPECT_EQ(d.discount_minor, 750'000'000);
  EXPECT_EQ(Eval(Percent(750), 14).code, OfferCode::kAccepted);  // 1.05 kopecks -> 1
}

TEST(OfferMoney, BadAmountIsCheckedBeforeEligibility) {
  Offer o = Percent(750);
  o.categories = 1u << 1;  // students only; the card is an employee's
  EXPECT_EQ(Eval(o, 0).code, OfferCode::kBadAmount);
}

struct PercentCase {
  int64_t purchase, basis_points, expected;
};

TEST(PercentOf, Table) {
  constexpr int64_t kMax = kMaxPurchaseMinor;
  const PercentCase cases[] = {
      {133, 750, 9},
      {100, 3333, 33},
      {300, 3333, 99},
      {1, 3333, 0},
      {3, 3333, 0},
      {99999, 3333, 33329},
      {1, 10000, 1},
      {9999, 1, 0},
      {10000, 1, 1},
      {12345, 6667, 8230},
      {kMax, 10000, kMax},
      {kMax, 1, 1'000'000},
      {kMax, 3333, 3'333'000'000},
      {kMax, 9999, 9'999'000'000},
      {kMax - 1, 750, 749'999'999},
      {kMax - 1, 9999, 9'998'999'999},
  };
  for (const PercentCase& c : cases) {
    EXPECT_EQ(PercentOf(c.purchase, c.basis_points), c.expected)
        << c.purchase << " * " << c.basis_points << " bp";
  }
}

// The same share computed without ever forming the whole product (purchase = q * 10000 + r), on
// every architecture (32-bit ARM has no 128-bit integers to check against).
int64_t SplitPercentOf(int64_t purchase, int64_t basis_points) {
  const int64_t q = purchase / 10000, r = purchase % 10000;
  return q * basis_points + r * basis_points / 10000;
}

TEST(PercentOf, MatchesSplitArithmeticOverTheFullRange) {
  std::vector<int64_t> purchases = {
      1, 2, 3, 99, 100, 101, 9999, 10000, 10001, kMaxPurchaseMinor - 1, kMaxPurchaseMinor};
  for (int64_t p = 1; p <= kMaxPurchaseMinor; p = p * 3 + 1) purchases.push_back(p);
  std::mt19937_64 gen(20270113);
  std::uniform_int_distribution<int64_t> any_purchase(1, kMaxPurchaseMinor);
  for (int i = 0; i < 2000; ++i) purchases.push_back(any_purchase(gen));
  std::vector<int64_t> bps = {1, 2, 50, 333, 750, 999, 1000, 3333, 5000, 6667, 9999, 10000};
  std::uniform_int_distribution<int64_t> any_bp(1, 10000);
  for (int i = 0; i < 50; ++i) bps.push_back(any_bp(gen));
  for (int64_t p : purchases) {
    for (int64_t bp : bps) {
      ASSERT_EQ(PercentOf(p, bp), SplitPercentOf(p, bp)) << p << " * " << bp << " bp";
    }
  }
}

// --- eligibility -------------------------------------------------------------------------------

TEST(OfferEligibility, CategoriesZeroMeansEveryCategory) {
  for (card::Category c : {card::Category::kEmployee, card::Category::kStudent,
                           card::Category::kRetired, card::Category::kUnionStaff}) {
    EXPECT_EQ(Eval(Percent(500), 10'000, Noon(), Member(c)).code, OfferCode::kAccepted);
  }
}

TEST(OfferEligibility, CategoriesMaskAdmitsOnlyItsCategories) {
  Offer o = Percent(500);
  base::Result<uint32_t> mask = registry::ParseCategories("1|2");
  ASSERT_TRUE(mask.ok());
  o.categories = *mask;
  EXPECT_EQ(Eval(o, 10'000, Noon(), Member(card::Category::kStudent)).code, OfferCode::kAccepted);
  EXPECT_EQ(Eval(o, 10'000, Noon(), Member(card::Category::kRetired)).code, OfferCode::kAccepted);
  OfferDecision d = Eval(o, 10'000, Noon(), Member(card::Category::kEmployee));
  EXPECT_EQ(d.code, OfferCode::kCategoryNotEligible);
  EXPECT_EQ(d.message, "offer not for employee members");
  EXPECT_EQ(d.discount_minor, 0);
  EXPECT_EQ(Eval(o, 10'000, Noon(), Member(card::Category::kUnionStaff)).code,
            OfferCode::kCategoryNotEligible);
}

TEST(OfferEligibility, EmptyOrgListMeansEveryOrg) {
  EXPECT_EQ(Eval(Percent(500), 10'000, Noon(), Member(card::Category::kEmployee, "ANY-ORG")).code,
            OfferCode::kAccepted);
}

TEST(OfferEligibility, OrgListAdmitsOnlyExactMatches) {
  Offer o = Percent(500);
  o.orgs = registry::SplitBar("RU-EDU-69|RU-MED-69");
  auto with_org = [&](std::string org) {
    return Eval(o, 10'000, Noon(), Member(card::Category::kEmployee, std::move(org)));
  };
  EXPECT_EQ(with_org("RU-EDU-69").code, OfferCode::kAccepted);
  EXPECT_EQ(with_org("RU-MED-69").code, OfferCode::kAccepted);
  OfferDecision d = with_org("RU-TECH-1");
  EXPECT_EQ(d.code, OfferCode::kOrgNotEligible);
  EXPECT_EQ(d.message, "offer not for members of RU-TECH-1");
  EXPECT_EQ(with_org("RU-EDU-6").code, OfferCode::kOrgNotEligible);    // a prefix is not a match
  EXPECT_EQ(with_org("RU-EDU-690").code, OfferCode::kOrgNotEligible);  // nor an extension
  EXPECT_EQ(with_org("ru-edu-69").code, OfferCode::kOrgNotEligible);   // codes are case-sensitive
}

TEST(OfferEligibility, ValidFromIsInclusiveInLocalTime) {
  Offer o = Percent(500);
  o.valid_from_day = Day("2027-03-01");
  // 00:00 local on the first day is still 2027-02-28 in UTC: the local date decides.
  const int64_t first_minute = At("2027-03-01T00:00:00+03:00");
  ASSERT_LT(first_minute, At("2027-03-01T00:00:00Z"));
  EXPECT_EQ(Eval(o, 10'000, ToLocal(first_minute, kMoscow)).code, OfferCode::kAccepted);
  OfferDecision d = Eval(o, 10'000, ToLocal(first_minute - 1, kMoscow));
  EXPECT_EQ(d.code, OfferCode::kNotStarted);
  EXPECT_EQ(d.message, "offer has not started yet");
}

TEST(OfferEligibility, ValidToIsInclusiveInLocalTime) {
  Offer o = Percent(500);
  o.valid_to_day = Day("2027-03-31");
  // 23:30 local on the last day at UTC-5 is already 2027-04-01 in UTC: the offer still applies.
  const int64_t late = At("2027-03-31T23:30:00-05:00");
  ASSERT_GT(late, At("2027-04-01T00:00:00Z"));
  EXPECT_EQ(Eval(o, 10'000, ToLocal(late, kNewYork)).code, OfferCode::kAccepted);
  EXPECT_EQ(Eval(o, 10'000, Local("2027-03-31T23:59:59-05:00", kNewYork)).code,
            OfferCode::kAccepted);
  OfferDecision d = Eval(o, 10'000, Local("2027-04-01T00:00:00-05:00", kNewYork));
  EXPECT_EQ(d.code, OfferCode::kEnded);
  EXPECT_EQ(d.message, "offer has ended");
  // And east of UTC: 00:30 local on the day after is still the last day in UTC, but it is over.
  const int64_t early = At("2027-04-01T00:30:00+03:00");
  ASSERT_LT(early, At("2027-04-01T00:00:00Z"));
  EXPECT_EQ(Eval(o, 10'000, ToLocal(early, kMoscow)).code, OfferCode::kEnded);
}

TEST(OfferEligibility, OneDayOfferAppliesAllThatLocalDay) {
  Offer o = Percent(500);
  o.valid_from_day = o.valid_to_day = Day("2027-03-08");
  EXPECT_EQ(Eval(o, 100, Local("2027-03-07T23:59:59+03:00")).code, OfferCode::kNotStarted);
  EXPECT_EQ(Eval(o, 100, Local("2027-03-08T00:00:00+03:00")).code, OfferCode::kAccepted);
  EXPECT_EQ(Eval(o, 100, Local("2027-03-08T23:59:59+03:00")).code, OfferCode::kAccepted);
  EXPECT_EQ(Eval(o, 100, Local("2027-03-09T00:00:00+03:00")).code, OfferCode::kEnded);
}

TEST(OfferEligibility, WeekdayRangeMondayToFriday) {
  Offer o = Percent(500);
  base::Result<uint8_t> days = registry::ParseWeekdays("1-5");
  ASSERT_TRUE(days.ok());
  o.weekdays = *days;
  // 2027-01-11 is a Monday.
  const char* const kDates[] = {"2027-01-11", "2027-01-12", "2027-01-13", "2027-01-14",
                                "2027-01-15", "2027-01-16", "2027-01-17"};
  for (int i = 0; i < 7; ++i) {
    const LocalTime t = Local(std::string(kDates[i]) + "T12:00:00+03:00");
    ASSERT_EQ(t.weekday, i + 1);
    OfferDecision d = Eval(o, 10'000, t);
    EXPECT_EQ(d.code, i < 5 ? OfferCode::kAccepted : OfferCode::kWrongDay) << kDates[i];
  }
  EXPECT_EQ(Eval(o, 10'000, Local("2027-01-16T12:00:00+03:00")).message, "offer not valid today");
}

TEST(OfferEligibility, WeekendOfferIncludesSunday) {
  Offer o = Percent(500);
  base::Result<uint8_t> days = registry::ParseWeekdays("6|7");
  ASSERT_TRUE(days.ok());
  o.weekdays = *days;
  EXPECT_EQ(Eval(o, 100, Local("2027-01-16T12:00:00+03:00")).code, OfferCode::kAccepted);  // Sat
  EXPECT_EQ(Eval(o, 100, Local("2027-01-17T12:00:00+03:00")).code, OfferCode::kAccepted);  // Sun
  EXPECT_EQ(Eval(o, 100, Local("2027-01-18T00:00:00+03:00")).code, OfferCode::kWrongDay);  // Mon
}

TEST(OfferEligibility, EachSingleWeekdayMatchesOnlyItself) {
  for (int only = 1; only <= 7; ++only) {
    Offer o = Percent(500);
    base::Result<uint8_t> days = registry::ParseWeekdays(std::to_string(only));
    ASSERT_TRUE(days.ok());
    o.weekdays = *days;
    for (int day = 0; day < 7; ++day) {
      const LocalTime t = ToLocal(At("2027-01-11T10:00:00+03:00") + day * 86400, kMoscow);
      EXPECT_EQ(Eval(o, 100, t).accepted(), t.weekday == only) << only << " on " << t.weekday;
    }
  }
}

TEST(OfferEligibility, WeekdayIsTheLocalOne) {
  Offer o = Percent(500);
  base::Result<uint8_t> sunday = registry::ParseWeekdays("7");
  ASSERT_TRUE(sunday.ok());
  o.weekdays = *sunday;
  // Sunday 01:00 in Moscow is Saturday 22:00 UTC.
  const int64_t t = At("2027-01-17T01:00:00+03:00");
  ASSERT_EQ(ToLocal(t, 0).weekday, 6);
  EXPECT_EQ(Eval(o, 100, ToLocal(t, kMoscow)).code, OfferCode::kAccepted);
  EXPECT_EQ(Eval(o, 100, ToLocal(t, 0)).code, OfferCode::kWrongDay);
}

TEST(OfferEligibility, MixedWeekdayList) {
  Offer o = Percent(500);
  base::Result<uint8_t> days = registry::ParseWeekdays("1-3|6");
  ASSERT_TRUE(days.ok());
  o.weekdays = *days;
  const bool expected[] = {true, true, true, false, false, true, false};
  for (int day = 0; day < 7; ++day) {
    const LocalTime t = ToLocal(At("2027-01-11T10:00:00+03:00") + day * 86400, kMoscow);
    EXPECT_EQ(Eval(o, 100, t).accepted(), expected[day]) << t.weekday;
  }
}

TEST(OfferEligibility, HoursAreHalfOpenInLocalTime) {
  Offer o = Percent(500);
  ASSERT_TRUE(registry::ParseHours("09:00-21:00", &o.hours_from, &o.hours_to).ok());
  EXPECT_EQ(Eval(o, 100, Local("2027-01-13T08:59:59+03:00")).code, OfferCode::kOutsideHours);
  EXPECT_EQ(Eval(o, 100, Local("2027-01-13T09:00:00+03:00")).code, OfferCode::kAccepted);
  EXPECT_EQ(Eval(o, 100, Local("2027-01-13T20:59:59+03:00")).code, OfferCode::kAccepted);
  OfferDecision d = Eval(o, 100, Local("2027-01-13T21:00:00+03:00"));
  EXPECT_EQ(d.code, OfferCode::kOutsideHours);
  EXPECT_EQ(d.message, "offer valid 09:00-21:00");
  // 09:30 UTC is 12:30 in Moscow (open) but 04:30 in New York (closed).
  const int64_t t = At("2027-01-13T09:30:00Z");
  EXPECT_EQ(Eval(o, 100, ToLocal(t, kMoscow)).code, OfferCode::kAccepted);
  EXPECT_EQ(Eval(o, 100, ToLocal(t, kNewYork)).code, OfferCode::kOutsideHours);
}

TEST(OfferEligibility, MidnightToMidnightIsAllDay) {
  Offer o = Percent(500);
  ASSERT_TRUE(registry::ParseHours("00:00-24:00", &o.hours_from, &o.hours_to).ok());
  EXPECT_EQ(o.hours_from, 0);
  EXPECT_EQ(o.hours_to, 1440);
  EXPECT_EQ(Eval(o, 100, Local("2027-01-13T00:00:00+03:00")).code, OfferCode::kAccepted);
  EXPECT_EQ(Eval(o, 100, Local("2027-01-13T23:59:59+03:00")).code, OfferCode::kAccepted);
  Offer empty = Percent(500);
  ASSERT_TRUE(registry::ParseHours("", &empty.hours_from, &empty.hours_to).ok());
  EXPECT_EQ(Eval(empty, 100, Local("2027-01-13T23:59:59+03:00")).code, OfferCode::kAccepted);
}

TEST(OfferEligibility, EveningHoursUntilMidnight) {
  Offer o = Percent(500);
  ASSERT_TRUE(registry::ParseHours("22:00-24:00", &o.hours_from, &o.hours_to).ok());
  EXPECT_EQ(Eval(o, 100, Local("2027-01-13T21:59:59+03:00")).code, OfferCode::kOutsideHours);
  EXPECT_EQ(Eval(o, 100, Local("2027-01-13T22:00:00+03:00")).code, OfferCode::kAccepted);
  EXPECT_EQ(Eval(o, 100, Local("2027-01-13T23:59:59+03:00")).code, OfferCode::kAccepted);
  EXPECT_EQ(Eval(o, 100, Local("2027-01-14T00:00:00+03:00")).code, OfferCode::kOutsideHours);
}

TEST(OfferEligibility, ChecksRunInTheDocumentedOrder) {
  // Every condition fails; each fix reveals the next refusal.
  Offer o = Percent(500);
  o.categories = 1u << 3;
  o.orgs = {"OTHER"};
  o.valid_from_day = Day("2028-01-01");
  o.valid_to_day = Day("2026-01-01");
  o.weekdays = 1u << 6;  // Sunday; Noon() is a Wednesday
  o.hours_from = 0;
  o.hours_to = 60;
  o.min_purchase_minor = 1'000'000;
  o = Capped(o, CapPeriod::kMonth, 1, 1);
  auto code = [&] { return Eval(o, 100, Noon(), Member(), 1, 1).code; };
  EXPECT_EQ(code(), OfferCode::kCategoryNotEligible);
  o.categories = 0;
  EXPECT_EQ(code(), OfferCode::kOrgNotEligible);
  o.orgs.clear();
  EXPECT_EQ(code(), OfferCode::kNotStarted);
  o.valid_from_day.reset();
  EXPECT_EQ(code(), OfferCode::kEnded);
  o.valid_to_day.reset();
  EXPECT_EQ(code(), OfferCode::kWrongDay);
  o.weekdays = 0x7f;
  EXPECT_EQ(code(), OfferCode::kOutsideHours);
  o.hours_to = 1440;
  EXPECT_EQ(code(), OfferCode::kBelowMinimum);
  o.min_purchase_minor = 0;
  EXPECT_EQ(code(), OfferCode::kCountLimitReached);
  o.cap_count.reset();
  EXPECT_EQ(code(), OfferCode::kAmountLimitReached);
  o.cap_amount_minor.reset();
  EXPECT_EQ(code(), OfferCode::kAccepted);
}

// --- caps --------------------------------------------------------------------------------------

TEST(OfferCaps, CountCapReachedIsRefusedWithTheCount) {
  Offer o = Capped(Percent(1000), CapPeriod::kMonth, 2);
  OfferDecision d = Eval(o, 10'000, Noon(), Member(), 2, 2'000);
  EXPECT_EQ(d.code, OfferCode::kCountLimitReached);
  EXPECT_EQ(d.message, "monthly limit reached: 2 of 2 used");
  EXPECT_EQ(d.used, 2);
  EXPECT_EQ(d.limit, 2);
  EXPECT_EQ(d.discount_minor, 0);
  EXPECT_EQ(d.total_minor, 10'000);
}

TEST(OfferCaps, CountCapWithOneLeftIsAccepted) {
  Offer o = Capped(Percent(1000), CapPeriod::kMonth, 2);
  OfferDecision d = Eval(o, 10'000, Noon(), Member(), 1, 1'000);
  EXPECT_EQ(d.code, OfferCode::kAccepted);
  EXPECT_EQ(d.discount_minor, 1'000);
  EXPECT_EQ(d.used, 1);
  EXPECT_EQ(d.limit, 2);
}

TEST(OfferCaps, CountCapMessageNamesThePeriod) {
  EXPECT_EQ(Eval(Capped(Percent(1000), CapPeriod::kDay, 1), 100, Noon(), Member(), 1).message,
            "daily limit reached: 1 of 1 used");
  EXPECT_EQ(Eval(Capped(Percent(1000), CapPeriod::kWeek, 3), 100, Noon(), Member(), 5).message,
            "weekly limit reached: 5 of 3 used");
}

TEST(OfferCaps, AmountCapClampsTheDiscountToWhatIsLeft) {
  Offer o = Capped(Percent(1000), CapPeriod::kMonth, std::nullopt, 30'000);
  OfferDecision d = Eval(o, 100'000, Noon(), Member(), 5, 25'000);
  ASSERT_EQ(d.code, OfferCode::kAccepted);
  EXPECT_EQ(d.discount_minor, 5'000);  // 10% would be 10'000; 50.00 of 300.00 is left
  EXPECT_EQ(d.total_minor, 95'000);
}

TEST(OfferCaps, AmountCapWithEnoughLeftDoesNotBind) {
  Offer o = Capped(Percent(1000), CapPeriod::kMonth, std::nullopt, 30'000);
  EXPECT_EQ(Eval(o, 100'000, Noon(), Member(), 0, 0).discount_minor, 10'000);
  EXPECT_EQ(Eval(o, 100'000, Noon(), Member(), 2, 20'000).discount_minor, 10'000);  // exactly
}

TEST(OfferCaps, AmountCapWithOneKopeckLeftGivesOneKopeck) {
  Offer o = Capped(Fixed(5'000), CapPeriod::kWeek, std::nullopt, 30'000);
  OfferDecision d = Eval(o, 100'000, Noon(), Member(), 7, 29'999);
  EXPECT_EQ(d.code, OfferCode::kAccepted);
  EXPECT_EQ(d.discount_minor, 1);
}

TEST(OfferCaps, AmountCapUsedUpIsRefused) {
  Offer o = Capped(Percent(1000), CapPeriod::kMonth, std::nullopt, 30'000);
  OfferDecision d = Eval(o, 100'000, Noon(), Member(), 3, 30'000);
  EXPECT_EQ(d.code, OfferCode::kAmountLimitReached);
  EXPECT_EQ(d.message, "monthly discount limit reached: 300.00 of 300.00 used");
  EXPECT_EQ(d.used, 30'000);
  EXPECT_EQ(d.limit, 30'000);
  EXPECT_EQ(d.discount_minor, 0);
  EXPECT_EQ(d.total_minor, 100'000);
  EXPECT_EQ(Eval(o, 100'000, Noon(), Member(), 3, 30'001).code, OfferCode::kAmountLimitReached);
}

TEST(OfferCaps, CountCapIsCheckedBeforeAmountCap) {
  Offer o = Capped(Percent(1000), CapPeriod::kDay, 1, 1'000);
  EXPECT_EQ(Eval(o, 100'000, Noon(), Member(), 1, 1'000).code, OfferCode::kCountLimitReached);
  EXPECT_EQ(Eval(o, 100'000, Noon(), Member(), 0, 1'000).code, OfferCode::kAmountLimitReached);
  OfferDecision d = Eval(o, 100'000, Noon(), Member(), 0, 400);
  EXPECT_EQ(d.code, OfferCode::kAccepted);
  EXPECT_EQ(d.discount_minor, 600);
}

TEST(OfferCaps, UnknownUsageIsRefusedNotOverflowed) {
  // The kiosk passes INT64_MAX when it cannot read the journal.
  Offer o = Capped(Percent(1000), CapPeriod::kMonth, std::nullopt, 30'000);
  EXPECT_EQ(Eval(o, 100'000, Noon(), Member(), 0, kInt64Max).code, OfferCode::kAmountLimitReached);
  Offer c = Capped(Percent(1000), CapPeriod::kMonth, 5);
  EXPECT_EQ(Eval(c, 100'000, Noon(), Member(), kInt64Max, 0).code, OfferCode::kCountLimitReached);
}

// --- choosing between offers -------------------------------------------------------------------

OfferDecision Choose(const std::vector<Offer>& offers, int64_t purchase,
                     const UsageFn& usage = nullptr, const card::MemberCard& card = Member()) {
  return ChooseOffer(offers, card, purchase, Noon(), usage);
}

TEST(ChooseOffer, PicksTheLargestAcceptedDiscount) {
  const std::vector<Offer> offers = {Percent(500, "O-A"), Fixed(10'000, "O-B"),
                                     Percent(1000, "O-C")};
  EXPECT_EQ(Choose(offers, 150'000).offer_id, "O-C");  // 15'000 > 10'000 > 7'500
  EXPECT_EQ(Choose(offers, 150'000).discount_minor, 15'000);
  EXPECT_EQ(Choose(offers, 50'000).offer_id, "O-B");  // 10'000 > 5'000 > 2'500
  OfferDecision d = Choose(offers, 50'000);
  EXPECT_EQ(d.total_minor, 40'000);
  EXPECT_EQ(d.title, "fixed offer");
}

TEST(ChooseOffer, SkipsRefusedOffersEvenWithLargerDiscounts) {
  Offer big = Percent(5000, "O-BIG");
  big.categories = 1u << 1;  // students only
  const std::vector<Offer> offers = {big, Percent(500, "O-SMALL")};
  OfferDecision d = Choose(offers, 10'000);
  EXPECT_EQ(d.code, OfferCode::kAccepted);
  EXPECT_EQ(d.offer_id, "O-SMALL");
  EXPECT_EQ(Choose(offers, 10'000, nullptr, Member(card::Category::kStudent)).offer_id, "O-BIG");
}

TEST(ChooseOffer, TieGoesToTheLowestOfferIdWhateverTheOrder) {
  const std::vector<Offer> sorted = {Fixed(1'000, "O-A"), Percent(1000, "O-B")};
  EXPECT_EQ(Choose(sorted, 10'000).offer_id, "O-A");
  const std::vector<Offer> reversed = {Percent(1000, "O-B"), Fixed(1'000, "O-A")};
  EXPECT_EQ(Choose(reversed, 10'000).offer_id, "O-A");
}

TEST(ChooseOffer, NoneAcceptedReturnsTheRefusalThatGotFurthest) {
  Offer wrong_category = Percent(1000, "O-CAT");
  wrong_category.categories = 1u << 2;
  Offer below_minimum = Percent(1000, "O-MIN");
  below_minimum.min_purchase_minor = 1'000'000;
  Offer wrong_day = Percent(1000, "O-DAY");
  wrong_day.weekdays = 1u << 6;
  std::vector<Offer> offers = {wrong_category, below_minimum, wrong_day};
  std::sort(offers.begin(), offers.end(),
            [](const Offer& a, const Offer& b) { return a.offer_id < b.offer_id; });
  do {
    OfferDecision d = Choose(offers, 10'000);
    EXPECT_EQ(d.code, OfferCode::kBelowMinimum);
    EXPECT_EQ(d.offer_id, "O-MIN");
    EXPECT_EQ(d.message, "minimum purchase 10 000.00");
    EXPECT_EQ(d.total_minor, 10'000);
  } while (std::next_permutation(offers.begin(), offers.end(), [](const Offer& a, const Offer& b) {
    return a.offer_id < b.offer_id;
  }));
}

TEST(ChooseOffer, EquallyFarRefusalsKeepTheFirst) {
  Offer a = Percent(1000, "O-A");
  a.weekdays = 1u << 6;
  Offer b = Percent(1000, "O-B");
  b.weekdays = 1u << 5;
  EXPECT_EQ(Choose({a, b}, 10'000).offer_id, "O-A");
  EXPECT_EQ(Choose({b, a}, 10'000).offer_id, "O-B");
}

TEST(ChooseOffer, NoOffersIsNoOffer) {
  OfferDecision d = Choose({}, 10'000);
  EXPECT_EQ(d.code, OfferCode::kNoOffer);
  EXPECT_EQ(d.message, "this partner has no offer");
  EXPECT_EQ(d.purchase_minor, 10'000);
  EXPECT_EQ(d.total_minor, 10'000);
  EXPECT_EQ(d.discount_minor, 0);
  EXPECT_TRUE(d.offer_id.empty());
}

TEST(ChooseOffer, BadAmountFromEveryOffer) {
  OfferDecision d = Choose({Percent(1000, "O-A"), Fixed(100, "O-B")}, 0);
  EXPECT_EQ(d.code, OfferCode::kBadAmount);
}

TEST(ChooseOffer, UsageIsAskedOnlyForCappedOffers) {
  std::vector<std::string> asked;
  UsageFn usage = [&](const Offer& o, int64_t* count, int64_t* amount) {
    asked.push_back(o.offer_id);
    *count = 0;
    *amount = 0;
  };
  const std::vector<Offer> offers = {
      Percent(500, "O-FREE"), Capped(Percent(1000, "O-COUNT"), CapPeriod::kMonth, 3),
      Fixed(100, "O-FIXED"), Capped(Fixed(200, "O-AMOUNT"), CapPeriod::kDay, std::nullopt, 500)};
  Choose(offers, 10'000, usage);
  EXPECT_EQ(asked, (std::vector<std::string>{"O-COUNT", "O-AMOUNT"}));
}

TEST(ChooseOffer, UsageIsNotAskedForAnOfferRefusedBeforeItsCaps) {
  std::vector<std::string> asked;
  UsageFn usage = [&](const Offer& o, int64_t* count, int64_t* amount) {
    asked.push_back(o.offer_id);
    *count = 5;  // used up, if it were asked
    *amount = 0;
  };
  Offer students = Capped(Percent(1000, "O-STUDENTS"), CapPeriod::kMonth, 5);
  students.categories = 1u << static_cast<unsigned>(card::Category::kStudent);
  Offer evening = Capped(Percent(1000, "O-EVENING"), CapPeriod::kMonth, 5);
  evening.hours_from = 18 * 60;
  OfferDecision d = Choose({students, evening}, 10'000, usage);
  EXPECT_TRUE(asked.empty());
  EXPECT_EQ(d.code, OfferCode::kOutsideHours);  // the one that got furthest, as before
  // Nor for a minimum purchase not reached.
  Offer minimum = Capped(Percent(1000, "O-MIN"), CapPeriod::kMonth, 5);
  minimum.min_purchase_minor = 50'000;
  EXPECT_EQ(Choose({minimum}, 10'000, usage).code, OfferCode::kBelowMinimum);
  EXPECT_TRUE(asked.empty());
  // An offer that gets as far as its caps: asked, and its use counts.
  EXPECT_EQ(Choose({minimum}, 60'000, usage).code, OfferCode::kCountLimitReached);
  EXPECT_EQ(asked, (std::vector<std::string>{"O-MIN"}));
}

TEST(ChooseOffer, UsedUpCapFallsBackToAnotherOffer) {
  UsageFn usage = [](const Offer& o, int64_t* count, int64_t* amount) {
    *count = o.offer_id == "O-CAPPED" ? 2 : 0;
    *amount = 0;
  };
  const std::vector<Offer> offers = {Capped(Percent(2000, "O-CAPPED"), CapPeriod::kMonth, 2),
                                     Percent(500, "O-OPEN")};
  OfferDecision d = Choose(offers, 10'000, usage);
  EXPECT_EQ(d.code, OfferCode::kAccepted);
  EXPECT_EQ(d.offer_id, "O-OPEN");
  EXPECT_EQ(d.discount_minor, 500);
  // Alone, the capped offer is refused with its count.
  OfferDecision alone = Choose({offers[0]}, 10'000, usage);
  EXPECT_EQ(alone.code, OfferCode::kCountLimitReached);
  EXPECT_EQ(alone.message, "monthly limit reached: 2 of 2 used");
}

TEST(ChooseOfferForAnyAmount, RefusesOnlyWhatNoAmountCanChange) {
  UsageFn used_up = [](const Offer&, int64_t* count, int64_t* amount) {
    *count = 2;
    *amount = 0;
  };
  const Offer twice = Capped(Percent(1000, "O-CAP"), CapPeriod::kMonth, 2);
  const OfferDecision d = rules::ChooseOfferForAnyAmount({twice}, Member(), Noon(), used_up);
  EXPECT_EQ(d.code, OfferCode::kCountLimitReached);
  EXPECT_TRUE(rules::RefusedForEveryAmount(d));
  EXPECT_EQ(d.used, 2);
  EXPECT_EQ(d.limit, 2);
  EXPECT_TRUE(
      rules::RefusedForEveryAmount(rules::ChooseOfferForAnyAmount({}, Member(), Noon(), nullptr)));
  // A minimum purchase is the amount's business: asked for.
  Offer minimum = Percent(1000);
  minimum.min_purchase_minor = 100'000;
  EXPECT_FALSE(rules::RefusedForEveryAmount(
      rules::ChooseOfferForAnyAmount({minimum}, Member(), Noon(), nullptr)));
  // Another offer that is still open: asked for.
  EXPECT_FALSE(rules::RefusedForEveryAmount(
      rules::ChooseOfferForAnyAmount({twice, Percent(500, "O-OPEN")}, Member(), Noon(), used_up)));
}

TEST(ChooseOffer, WithoutAUsageFunctionCapsStartUnused) {
  OfferDecision d = Choose({Capped(Percent(1000, "O-1"), CapPeriod::kMonth, 1)}, 10'000, nullptr);
  EXPECT_EQ(d.code, OfferCode::kAccepted);
  EXPECT_EQ(d.used, 0);
  EXPECT_EQ(d.limit, 1);
}

// --- stable names and formatting ---------------------------------------------------------------

TEST(OfferCodeName, IsStable) {
  EXPECT_EQ(OfferCodeName(OfferCode::kAccepted), "accepted");
  EXPECT_EQ(OfferCodeName(OfferCode::kNoOffer), "NO_OFFER");
  EXPECT_EQ(OfferCodeName(OfferCode::kBadAmount), "BAD_AMOUNT");
  EXPECT_EQ(OfferCodeName(OfferCode::kCategoryNotEligible), "CATEGORY_NOT_ELIGIBLE");
  EXPECT_EQ(OfferCodeName(OfferCode::kOrgNotEligible), "ORG_NOT_ELIGIBLE");
  EXPECT_EQ(OfferCodeName(OfferCode::kNotStarted), "OFFER_NOT_STARTED");
  EXPECT_EQ(OfferCodeName(OfferCode::kEnded), "OFFER_ENDED");
  EXPECT_EQ(OfferCodeName(OfferCode::kWrongDay), "WRONG_DAY");
  EXPECT_EQ(OfferCodeName(OfferCode::kOutsideHours), "OUTSIDE_HOURS");
  EXPECT_EQ(OfferCodeName(OfferCode::kBelowMinimum), "BELOW_MINIMUM");
  EXPECT_EQ(OfferCodeName(OfferCode::kCountLimitReached), "LIMIT_REACHED");
  EXPECT_EQ(OfferCodeName(OfferCode::kAmountLimitReached), "AMOUNT_LIMIT_REACHED");
}

TEST(FormatMinor, ZeroAndSmallAmounts) {
  EXPECT_EQ(FormatMinor(0), "0.00");
  EXPECT_EQ(FormatMinor(5), "0.05");
  EXPECT_EQ(FormatMinor(99), "0.99");
  EXPECT_EQ(FormatMinor(100), "1.00");
  EXPECT_EQ(FormatMinor(12345), "123.45");
}

TEST(FormatMinor, GroupsThousandsWithSpaces) {
  // Thousands grouped with spaces, a decimal point before the kopecks.
  EXPECT_EQ(FormatMinor(123450), "1 234.50");
  EXPECT_EQ(FormatMinor(99'999'999), "999 999.99");
  EXPECT_EQ(FormatMinor(100'000'000), "1 000 000.00");
  EXPECT_EQ(FormatMinor(kMaxPurchaseMinor), "100 000 000.00");
  EXPECT_EQ(FormatMinor(kInt64Max), "92 233 720 368 547 758.07");
}

TEST(FormatMinor, NegativeAmounts) {
  EXPECT_EQ(FormatMinor(-5), "-0.05");
  EXPECT_EQ(FormatMinor(-100), "-1.00");
  EXPECT_EQ(FormatMinor(-123450), "-1 234.50");
  EXPECT_EQ(FormatMinor(kInt64Min), "-92 233 720 368 547 758.08");
}

}  // namespace
}  // namespace rules
