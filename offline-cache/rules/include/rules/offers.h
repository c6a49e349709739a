// Partner offers: which discount (or cashback) a member gets on a purchase (DESIGN.md section 7).
// Pure functions: everything they need is passed in, so they are tested exhaustively without a
// device. Money is integer minor units; percentages are basis points and round down to the minor
// unit.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "card/claims.h"
#include "registry/records.h"
#include "rules/local_time.h"

namespace rules {

// Decision codes, stable: logged in the journal and mapped to screen texts by the kiosk.
enum class OfferCode : uint8_t {
  kAccepted,
  kNoOffer,    // the partner has no offer at all
  kBadAmount,  // purchase amount zero, negative or absurd
  kCategoryNotEligible,
  kOrgNotEligible,
  kNotStarted,  // before valid_from
  kEnded,       // after valid_to
  kWrongDay,    // weekday not in the offer
  kOutsideHours,
  kBelowMinimum,        // purchase below min_purchase_minor
  kCountLimitReached,   // per-member cap on the number of discounts
  kAmountLimitReached,  // per-member cap on the total discount (or cashback)
};
std::string_view OfferCodeName(OfferCode c);  // "accepted", "BELOW_MINIMUM", ...

// Why an accepted discount (or cashback) is less than the offer's rate would give.
enum class DiscountClip : uint8_t {
  kNone,
  kMaxDiscount,  // the offer's max_discount_minor per purchase
  kCapLeft,      // what is left of the member's cap_amount_minor in the period
};

struct OfferDecision {
  OfferCode code = OfferCode::kNoOffer;
  std::string offer_id, title;
  int64_t purchase_minor = 0;
  int64_t discount_minor = 0;   // taken off at the till (0 for a cashback offer)
  int64_t cashback_minor = 0;   // a cashback offer: what the member earns; the till charges it all
  int64_t total_minor = 0;      // to pay: purchase - discount
  int64_t used = 0, limit = 0;  // for the cap codes, and for a cap that applied
  DiscountClip clip = DiscountClip::kNone;  // accepted: why the discount (cashback) was cut
  int64_t clip_minor = 0;                   // the limit it was cut to
  std::string message;  // for a cashier, in English: "monthly limit reached: 2 of 2 used"
  bool accepted() const { return code == OfferCode::kAccepted; }
};

inline constexpr int64_t kMaxPurchaseMinor = 100'000'000'00;  // 100 million roubles

// The member's use of one offer in the cap period that holds `now`.
using UsageFn = std::function<void(const registry::Offer& offer, int64_t* count, int64_t* amount)>;

// One offer. `count`/`amount`: the member's accepted purchases under this offer in its cap period
// and the discount plus cashback they got. A cashback offer is decided exactly as a percent
// discount (minimum, maximum per purchase, eligibility, time windows, caps), and the amount is
// cashback_minor instead of discount_minor.
OfferDecision EvaluateOffer(const registry::Offer& offer, const card::MemberCard& card,
                            int64_t purchase_minor, const LocalTime& now, int64_t used_count,
                            int64_t used_amount);

// All of a partner's offers: the accepted one worth most to the member, discount + cashback (ties:
// lowest offer_id);
// when none is accepted, the refusal of the offer that got furthest through the checks. `usage` is
// asked only for a capped offer that is not refused before its caps (amount, eligibility, dates,
// weekday, hours, minimum purchase).
OfferDecision ChooseOffer(const std::vector<registry::Offer>& offers, const card::MemberCard& card,
                          int64_t purchase_minor, const LocalTime& now, const UsageFn& usage);

// The answer that holds for every purchase amount, known before the amount is asked: ChooseOffer
// at the largest purchase. When it is a refusal other than kBadAmount or kBelowMinimum (no offer,
// not eligible, not today, a cap used up), no amount can change it.
OfferDecision ChooseOfferForAnyAmount(const std::vector<registry::Offer>& offers,
                                      const card::MemberCard& card, const LocalTime& now,
                                      const UsageFn& usage);
// True when `d` (from ChooseOfferForAnyAmount) is a refusal whatever the amount.
bool RefusedForEveryAmount(const OfferDecision& d);

// floor(purchase * basis_points / 10000), without overflow for any purchase up to
// kMaxPurchaseMinor.
int64_t PercentOf(int64_t purchase_minor, int64_t basis_points);

// "1 234.50" style amounts for messages (minor units; 2 decimals).
std::string FormatMinor(int64_t minor);

}  // namespace rules
