// What a decision means for the person at the counter, decided by the session from the typed card
// verdict and rule results (never from their code strings). The view maps an outcome to colours,
// an icon and a word; the code strings stay for display, the journal and the headless protocol.
#pragma once

#include <cstdint>
#include <string_view>

#include "card/verdict.h"
#include "rules/events.h"
#include "rules/offers.h"

namespace kiosk {

enum class Outcome : uint8_t {
  kValid,          // accepted: the discount or the entry is given
  kInvalid,        // the card is refused: forged, expired, revoked, not a member, not registered
  kRefusedByRule,  // a good card, but a rule says no: no offer here, limit reached, event full
  kCannotCheck,    // the device could not decide (no registry, clock behind, journal error):
                   // call the admin, not the member's fault
  kVoided,         // a correction was recorded: the entry it names no longer counts
};
// "valid", "invalid", "refused", "cannot_check", "voided"
std::string_view OutcomeName(Outcome o);

// Each is an exhaustive switch: a new verdict or rule code does not compile until it is given an
// outcome here (warnings are errors).
Outcome OutcomeOf(card::Verdict v);  // kValid for VALID: what the rules then say decides
Outcome OutcomeOf(rules::OfferCode c);
Outcome OutcomeOf(rules::CheckinCode c);

}  // namespace kiosk
