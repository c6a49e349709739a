#include "rules/offers.h"

#include <algorithm>
#include <optional>

namespace rules {
namespace {

std::string_view PeriodWord(registry::CapPeriod p) {
  switch (p) {
    case registry::CapPeriod::kDay:
      return "daily";
    case registry::CapPeriod::kWeek:
      return "weekly";
    case registry::CapPeriod::kMonth:
      return "monthly";
  }
  return "";
}

bool Eligible(uint32_t mask, card::Category c) {
  return mask == 0 || (mask & (1u << static_cast<unsigned>(c))) != 0;
}

OfferDecision Refuse(const registry::Offer& o, int64_t purchase, OfferCode code,
                     std::string message) {
  OfferDecision d;
  d.code = code;
  d.offer_id = o.offer_id;
  d.title = o.title;
  d.purchase_minor = purchase;
  d.total_minor = purchase;
  d.message = std::move(message);
  return d;
}

std::string HhMm(int minute) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);  // 1440 reads 24:00
  return buf;
}

// The offer's rate on `purchase`, cut to its max_discount_minor (said in `clip`) and to the
// purchase itself.
int64_t RateDiscount(const registry::Offer& o, int64_t purchase, DiscountClip* clip,
                     int64_t* clip_minor) {
  int64_t discount = o.kind == registry::OfferKind::kFixed ? o.value : PercentOf(purchase, o.value);
  if (o.max_discount_minor && discount > *o.max_discount_minor) {
    discount = *o.max_discount_minor;
    *clip = DiscountClip::kMaxDiscount;
    *clip_minor = *o.max_discount_minor;
  }
  return std::min(discount, purchase);
}

// The accepted decision giving `amount`: off the price, or for a cashback offer back to the member
// while the till charges it all.
OfferDecision Accept(const registry::Offer& o, int64_t purchase, int64_t amount, DiscountClip clip,
                     int64_t clip_minor, int64_t used_count) {
  const bool cashback = o.kind == registry::OfferKind::kCashback;
  OfferDecision d;
  d.code = OfferCode::kAccepted;
  d.offer_id = o.offer_id;
  d.title = o.title;
  d.purchase_minor = purchase;
  d.discount_minor = cashback ? 0 : amount;
  d.cashback_minor = cashback ? amount : 0;
  d.total_minor = purchase - d.discount_minor;
  d.clip = clip;
  d.clip_minor = clip_minor;
  if (o.cap_count) {
    d.used = used_count;
    d.limit = *o.cap_count;
  }
  d.message = o.title;
  return d;
}

}  // namespace

std::string_view OfferCodeName(OfferCode c) {
  switch (c) {
    case OfferCode::kAccepted:
      return "accepted";
    case OfferCode::kNoOffer:
      return "NO_OFFER";
    case OfferCode::kBadAmount:
      return "BAD_AMOUNT";
    case OfferCode::kCategoryNotEligible:
      return "CATEGORY_NOT_ELIGIBLE";
    case OfferCode::kOrgNotEligible:
      return "ORG_NOT_ELIGIBLE";
    case OfferCode::kNotStarted:
      return "OFFER_NOT_STARTED";
    case OfferCode::kEnded:
      return "OFFER_ENDED";
    case OfferCode::kWrongDay:
      return "WRONG_DAY";
    case OfferCode::kOutsideHours:
      return "OUTSIDE_HOURS";
    case OfferCode::kBelowMinimum:
      return "BELOW_MINIMUM";
    case OfferCode::kCountLimitReached:
      return "LIMIT_REACHED";
    case OfferCode::kAmountLimitReached:
      return "AMOUNT_LIMIT_REACHED";
  }
  return "NO_OFFER";
}

int64_t PercentOf(int64_t purchase, int64_t bp) {
  // purchase <= 1e10 and bp <= 1e4: the product fits easily in 64 bits.
  return purchase * bp / 10000;
}

std::string FormatMinor(int64_t minor) {
  const bool neg = minor < 0;
  uint64_t v = neg ? static_cast<uint64_t>(-(minor + 1)) + 1 : static_cast<uint64_t>(minor);
  std::string whole = std::to_string(v / 100);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ' ';
    grouped += whole[i];
  }
  char frac[4];
  std::snprintf(frac, sizeof frac, "%02u", static_cast<unsigned>(v % 100));
  return (neg ? "-" : "") + grouped + "." + frac;
}

namespace {

// EvaluateOffer's checks before the member's use: the refusal, or nullopt for an offer that gets
// as far as its caps.
std::optional<OfferDecision> RefusalBeforeCaps(const registry::Offer& o,
                                               const card::MemberCard& card, int64_t purchase,
                                               const LocalTime& now) {
  if (purchase <= 0 || purchase > kMaxPurchaseMinor) {
    return Refuse(o, purchase, OfferCode::kBadAmount, "enter the purchase amount");
  }
  if (!Eligible(o.categories, card.category)) {
    return Refuse(o, purchase, OfferCode::kCategoryNotEligible,
                  "offer not for " + std::string(card::CategoryName(card.category)) + " members");
  }
  if (!o.orgs.empty() && std::find(o.orgs.begin(), o.orgs.end(), card.org) == o.orgs.end()) {
    return Refuse(o, purchase, OfferCode::kOrgNotEligible, "offer not for members of " + card.org);
  }
  if (o.valid_from_day && now.day < *o.valid_from_day) {
    return Refuse(o, purchase, OfferCode::kNotStarted, "offer has not started yet");
  }
  if (o.valid_to_day && now.day > *o.valid_to_day)
    return Refuse(o, purchase, OfferCode::kEnded, "offer has ended");
  if ((o.weekdays & (1u << (now.weekday - 1))) == 0) {
    return Refuse(o, purchase, OfferCode::kWrongDay, "offer not valid today");
  }
  if (now.minute < o.hours_from || now.minute >= o.hours_to) {
    return Refuse(o, purchase, OfferCode::kOutsideHours,
                  "offer valid " + HhMm(o.hours_from) + "-" + HhMm(o.hours_to));
  }
  if (purchase < o.min_purchase_minor) {
    return Refuse(o, purchase, OfferCode::kBelowMinimum,
                  "minimum purchase " + FormatMinor(o.min_purchase_minor));
  }
  return std::nullopt;
}

// The rest of EvaluateOffer: the caps with the member's use, and the amount given.
OfferDecision DecideWithUse(const registry::Offer& o, int64_t purchase, int64_t used_count,
                            int64_t used_amount) {
  const std::string period = o.cap_period ? std::string(PeriodWord(*o.cap_period)) : "";
  const bool cashback = o.kind == registry::OfferKind::kCashback;
  const std::string what = cashback ? "cashback" : "discount";
  if (o.cap_count && used_count >= *o.cap_count) {
    OfferDecision d = Refuse(o, purchase, OfferCode::kCountLimitReached,
                             period + " limit reached: " + std::to_string(used_count) + " of " +
                                 std::to_string(*o.cap_count) + " used");
    d.used = used_count;
    d.limit = *o.cap_count;
    return d;
  }
  DiscountClip clip = DiscountClip::kNone;
  int64_t clip_minor = 0;
  int64_t discount = RateDiscount(o, purchase, &clip, &clip_minor);
  if (o.cap_amount_minor) {
    const int64_t left = *o.cap_amount_minor - used_amount;
    if (left <= 0) {
      OfferDecision d = Refuse(o, purchase, OfferCode::kAmountLimitReached,
                               period + " " + what + " limit reached: " + FormatMinor(used_amount) +
                                   " of " + FormatMinor(*o.cap_amount_minor) + " used");
      d.used = used_amount;
      d.limit = *o.cap_amount_minor;
      return d;
    }
    if (discount > left) {  // the rest of the allowance, not nothing
      discount = left;
      clip = DiscountClip::kCapLeft;
      clip_minor = left;
    }
  }
  if (discount <= 0) {
    // e.g. 7.5% of 0.10: nothing to give, and it must not use up one of the member's discounts.
    return Refuse(o, purchase, OfferCode::kBelowMinimum,
                  std::string("purchase too small for ") + (cashback ? "cashback" : "a discount"));
  }
  return Accept(o, purchase, discount, clip, clip_minor, used_count);
}

}  // namespace

OfferDecision EvaluateOffer(const registry::Offer& o, const card::MemberCard& card,
                            int64_t purchase, const LocalTime& now, int64_t used_count,
                            int64_t used_amount) {
  if (std::optional<OfferDecision> refused = RefusalBeforeCaps(o, card, purchase, now)) {
    return std::move(*refused);
  }
  return DecideWithUse(o, purchase, used_count, used_amount);
}

OfferDecision ChooseOffer(const std::vector<registry::Offer>& offers, const card::MemberCard& card,
                          int64_t purchase, const LocalTime& now, const UsageFn& usage) {
  if (offers.empty()) {
    OfferDecision d;
    d.code = OfferCode::kNoOffer;
    d.purchase_minor = purchase;
    d.total_minor = purchase;
    d.message = "this partner has no offer";
    return d;
  }
  std::optional<OfferDecision> best, best_refusal;
  for (const registry::Offer& o : offers) {
    // The member's use (a journal query on the kiosk) only for an offer that gets as far as its
    // caps: a refusal before them is the same whatever the use.
    std::optional<OfferDecision> refused = RefusalBeforeCaps(o, card, purchase, now);
    int64_t count = 0, amount = 0;
    if (!refused && o.cap_period && usage) usage(o, &count, &amount);
    OfferDecision d = refused ? std::move(*refused) : DecideWithUse(o, purchase, count, amount);
    if (d.accepted()) {
      const int64_t worth = d.discount_minor + d.cashback_minor;
      const int64_t best_worth = best ? best->discount_minor + best->cashback_minor : 0;
      if (!best || worth > best_worth || (worth == best_worth && d.offer_id < best->offer_id)) {
        best = std::move(d);
      }
    } else if (!best_refusal || d.code > best_refusal->code) {
      best_refusal = std::move(d);  // the refusal that got furthest through the checks
    }
  }
  return best ? *best : *best_refusal;
}

OfferDecision ChooseOfferForAnyAmount(const std::vector<registry::Offer>& offers,
                                      const card::MemberCard& card, const LocalTime& now,
                                      const UsageFn& usage) {
  return ChooseOffer(offers, card, kMaxPurchaseMinor, now, usage);
}

bool RefusedForEveryAmount(const OfferDecision& d) {
  return !d.accepted() && d.code != OfferCode::kBadAmount && d.code != OfferCode::kBelowMinimum;
}

}  // namespace rules
