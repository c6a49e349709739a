#include "kiosk/outcome.h"

namespace kiosk {

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kValid:
      return "valid";
    case Outcome::kInvalid:
      return "invalid";
    case Outcome::kRefusedByRule:
      return "refused";
    case Outcome::kCannotCheck:
      return "cannot_check";
    case Outcome::kVoided:
      return "voided";
  }
  return "cannot_check";
}

Outcome OutcomeOf(card::Verdict v) {
  switch (v) {
    case card::Verdict::kValid:
      return Outcome::kValid;
    case card::Verdict::kMalformed:
    case card::Verdict::kUnknownKey:
    case card::Verdict::kKeyNotValid:
    case card::Verdict::kBadSignature:
    case card::Verdict::kNotYetValid:
    case card::Verdict::kExpired:
    case card::Verdict::kRevoked:
    case card::Verdict::kSuspended:
    case card::Verdict::kNotAMember:
      return Outcome::kInvalid;
    case card::Verdict::kError:  // the device, not the card
      return Outcome::kCannotCheck;
  }
  return Outcome::kCannotCheck;
}

Outcome OutcomeOf(rules::OfferCode c) {
  switch (c) {
    case rules::OfferCode::kAccepted:
      return Outcome::kValid;
    case rules::OfferCode::kNoOffer:
    case rules::OfferCode::kBadAmount:
    case rules::OfferCode::kCategoryNotEligible:
    case rules::OfferCode::kOrgNotEligible:
    case rules::OfferCode::kNotStarted:
    case rules::OfferCode::kEnded:
    case rules::OfferCode::kWrongDay:
    case rules::OfferCode::kOutsideHours:
    case rules::OfferCode::kBelowMinimum:
    case rules::OfferCode::kCountLimitReached:
    case rules::OfferCode::kAmountLimitReached:
      return Outcome::kRefusedByRule;
  }
  return Outcome::kCannotCheck;
}

Outcome OutcomeOf(rules::CheckinCode c) {
  switch (c) {
    case rules::CheckinCode::kAccepted:
      return Outcome::kValid;
    case rules::CheckinCode::kNotRegistered:  // not this member's event: the card does not admit
      return Outcome::kInvalid;
    case rules::CheckinCode::kAlreadyCheckedIn:
    case rules::CheckinCode::kEventFull:
    case rules::CheckinCode::kDoorsNotOpen:
    case rules::CheckinCode::kEventOver:
      return Outcome::kRefusedByRule;
  }
  return Outcome::kCannotCheck;
}

}  // namespace kiosk
