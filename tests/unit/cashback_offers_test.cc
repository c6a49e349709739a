// Cashback offers (docs/input-files.md, kind `cashback`): the till charges the full price, and
// the member earns a percent of it back, cut by the same minimum, maximum, eligibility, time
// windows and caps as a discount; caps count cashback.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/time_format.h"
#include "rules/offers.h"

namespace rules {
namespace {

using registry::CapPeriod;
using registry::Offer;
using registry::OfferKind;

LocalTime Noon() {  // Wednesday 2027-01-13, noon in Moscow
  base::Result<int64_t> t = base::ParseIso8601("2027-01-13T12:00:00+03:00");
  EXPECT_TRUE(t.ok());
  return ToLocal(t.ok() ? *t : 0, 3 * 3600);
}

card::MemberCard Member(card::Category category = card::Category::kEmployee) {
  card::MemberCard c;
  c.rid = {1, 2, 3, 4, 5, 6, 7, 8};
  c.serial = 1;
  c.org = "RU-EDU-69";
  c.category = category;
  return c;
}

Offer Make(OfferKind kind, int64_t value, std::string id) {
  Offer o;
  o.offer_id = std::move(id);
  o.partner_id = "P-1";
  o.kind = kind;
  o.value = value;
  o.title = "offer " + o.offer_id;
  return o;
}

Offer Cashback(int64_t basis_points, std::string id = "C-1") {
  return Make(OfferKind::kCashback, basis_points, std::move(id));
}

OfferDecision Eval(const Offer& o, int64_t purchase, int64_t used_count = 0,
                   int64_t used_amount = 0, const card::MemberCard& card = Member()) {
  return EvaluateOffer(o, card, purchase, Noon(), used_count, used_amount);
}

TEST(CashbackOffer, TheTillChargesTheFullPriceAndTheMemberEarnsThePercent) {
  // 10% of 1 250.00: 125.00 cashback, nothing off at the till.
  OfferDecision d = Eval(Cashback(1000), 125000);
  ASSERT_TRUE(d.accepted()) << d.message;
  EXPECT_EQ(d.cashback_minor, 12500);
  EXPECT_EQ(d.discount_minor, 0);
  EXPECT_EQ(d.total_minor, 125000);
  EXPECT_EQ(d.purchase_minor, 125000);
}

TEST(CashbackOffer, RoundsDownToTheKopeckLikeADiscount) {
  EXPECT_EQ(Eval(Cashback(750), 133).cashback_minor, 9);  // 9.975
  EXPECT_EQ(Eval(Cashback(3333), 99999).cashback_minor, 33329);
  OfferDecision tiny = Eval(Cashback(3333), 2);  // 0.67 kopecks: nothing to earn
  EXPECT_EQ(tiny.code, OfferCode::kBelowMinimum);
  EXPECT_EQ(tiny.message, "purchase too small for cashback");
  EXPECT_EQ(tiny.cashback_minor, 0);
}

TEST(CashbackOffer, MinimumPurchaseAndMaximumPerPurchaseApply) {
  Offer o = Cashback(1000);
  o.min_purchase_minor = 50000;
  o.max_discount_minor = 3000;
  EXPECT_EQ(Eval(o, 49999).code, OfferCode::kBelowMinimum);
  OfferDecision d = Eval(o, 125000);  // 125.00 cut to 30.00
  ASSERT_TRUE(d.accepted());
  EXPECT_EQ(d.cashback_minor, 3000);
  EXPECT_EQ(d.discount_minor, 0);
  EXPECT_EQ(d.total_minor, 125000);
  EXPECT_EQ(d.clip, DiscountClip::kMaxDiscount);
  EXPECT_EQ(d.clip_minor, 3000);
}

TEST(CashbackOffer, EligibilityAndTimeWindowsApply) {
  Offer retired_only = Cashback(500);
  retired_only.categories = 1u << static_cast<unsigned>(card::Category::kRetired);
  EXPECT_EQ(Eval(retired_only, 10000).code, OfferCode::kCategoryNotEligible);
  EXPECT_TRUE(Eval(retired_only, 10000, 0, 0, Member(card::Category::kRetired)).accepted());
  Offer other_org = Cashback(500);
  other_org.orgs = {"RU-EDU-77"};
  EXPECT_EQ(Eval(other_org, 10000).code, OfferCode::kOrgNotEligible);
  Offer weekend = Cashback(500);
  weekend.weekdays = 0x60;  // Saturday, Sunday; Noon() is a Wednesday
  EXPECT_EQ(Eval(weekend, 10000).code, OfferCode::kWrongDay);
  Offer evening = Cashback(500);
  evening.hours_from = 18 * 60;
  EXPECT_EQ(Eval(evening, 10000).code, OfferCode::kOutsideHours);
}

TEST(CashbackOffer, AnAmountCapCountsTheCashbackEarned) {
  Offer o = Cashback(1000);
  o.cap_period = CapPeriod::kMonth;
  o.cap_amount_minor = 20000;                     // 200.00 a month
  OfferDecision cut = Eval(o, 125000, 1, 12500);  // 75.00 left of 200.00
  ASSERT_TRUE(cut.accepted());
  EXPECT_EQ(cut.cashback_minor, 7500);
  EXPECT_EQ(cut.clip, DiscountClip::kCapLeft);
  OfferDecision none = Eval(o, 125000, 2, 20000);
  EXPECT_EQ(none.code, OfferCode::kAmountLimitReached);
  EXPECT_EQ(none.message, "monthly cashback limit reached: 200.00 of 200.00 used");
  EXPECT_EQ(none.cashback_minor, 0);
  EXPECT_EQ(none.total_minor, 125000);
}

TEST(CashbackOffer, ACountCapCountsPurchasesWithCashback) {
  Offer o = Cashback(1000);
  o.cap_period = CapPeriod::kWeek;
  o.cap_count = 2;
  EXPECT_TRUE(Eval(o, 10000, 1).accepted());
  OfferDecision d = Eval(o, 10000, 2);
  EXPECT_EQ(d.code, OfferCode::kCountLimitReached);
  EXPECT_EQ(d.cashback_minor, 0);
}

TEST(CashbackOffer, ThePartnerOfferWorthMostToTheMemberIsChosen) {
  // 5% off against 10% back on 1 000.00: the cashback (100.00) is worth more than 50.00 off.
  const std::vector<Offer> offers = {Make(OfferKind::kPercent, 500, "D-1"), Cashback(1000, "C-1")};
  OfferDecision d = ChooseOffer(offers, Member(), 100000, Noon(), nullptr);
  ASSERT_TRUE(d.accepted());
  EXPECT_EQ(d.offer_id, "C-1");
  EXPECT_EQ(d.cashback_minor, 10000);
  EXPECT_EQ(d.discount_minor, 0);
  // 150.00 off beats 100.00 back.
  const std::vector<Offer> more_off = {Make(OfferKind::kFixed, 15000, "D-2"), Cashback(1000)};
  OfferDecision f = ChooseOffer(more_off, Member(), 100000, Noon(), nullptr);
  EXPECT_EQ(f.offer_id, "D-2");
  EXPECT_EQ(f.discount_minor, 15000);
  EXPECT_EQ(f.cashback_minor, 0);
  // Equal worth: the lowest offer_id, as between discounts.
  const std::vector<Offer> tie = {Cashback(1000, "B-2"), Make(OfferKind::kPercent, 1000, "B-1")};
  EXPECT_EQ(ChooseOffer(tie, Member(), 100000, Noon(), nullptr).offer_id, "B-1");
}

TEST(CashbackOffer, ACapUsedUpIsKnownBeforeTheAmount) {
  Offer o = Cashback(1000);
  o.cap_period = CapPeriod::kDay;
  o.cap_amount_minor = 5000;
  const UsageFn used_up = [](const Offer&, int64_t* count, int64_t* amount) {
    *count = 1;
    *amount = 5000;
  };
  OfferDecision d = ChooseOfferForAnyAmount({o}, Member(), Noon(), used_up);
  EXPECT_EQ(d.code, OfferCode::kAmountLimitReached);
  EXPECT_TRUE(RefusedForEveryAmount(d));
}

}  // namespace
}  // namespace rules
