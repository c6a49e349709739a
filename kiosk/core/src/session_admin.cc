// Admin cards at the kiosk (docs/kiosk-app.md, "Admin card"): checked against the registry's admin
// keys and withdrawn list, journalled like a rejected scan (no member, no amounts) with the card's
// id as the actor, shown as a result the app turns into the admin menu.
#include "base/hex.h"
#include "kiosk/session.h"

namespace kiosk {

bool Session::ScanAdminCard(std::string_view text) {
  if (!admin_verifier_) return false;
  card::Verification v = admin_verifier_->Verify(text);
  if (v.verdict == card::Verdict::kMalformed || !v.claims || !v.claims->admin) return false;
  const bool opens = v.verdict == card::Verdict::kValid && config_.admin_cards;
  if (!opens && card_ &&
      (screen_.state == State::kAmountEntry || screen_.state == State::kConfirm)) {
    RefuseAdminCardOverCustomer(v);
    return true;
  }
  Reset();
  activity_ns_ = clock_.MonotonicNanos();
  screen_.admin_card = true;
  screen_.verdict = std::string(card::VerdictCode(v.verdict));
  if (!ClockTrusted()) return true;
  if (v.verdict == card::Verdict::kError) {
    Fail(v.error_code.empty() ? "ERROR" : v.error_code, v.detail);
    return true;
  }
  // Only a verified card's words are shown: a forged one names nobody.
  if (v.signature_ok) {
    screen_.name = v.claims->admin->name;
    screen_.admin_id = base::ToHex(v.claims->admin->id);
  }
  std::string decision = screen_.verdict;
  Outcome outcome = OutcomeOf(v.verdict);
  std::string message = v.detail;
  if (v.verdict == card::Verdict::kValid) {
    decision = config_.admin_cards ? kAdminCardAccepted : kAdminCardNotHere;
    outcome = config_.admin_cards ? Outcome::kValid : Outcome::kRefusedByRule;
    message = config_.admin_cards ? "admin card of " + screen_.name + ": the admin menu opens"
                                  : "admin cards open the admin menu on the kiosk's screen; this "
                                    "front end has no admin menu";
  }
  journal::NewEntry e;
  e.kind = journal::Kind::kRejected;  // a scan that served no member
  e.partner_id = config_.mode == Mode::kShop ? config_.partner_id : "";
  e.event_id = config_.mode == Mode::kEvent ? config_.event_id : "";
  e.bundle_seq = screen_.registry_seq;
  e.verdict = screen_.verdict;
  e.decision = decision;
  e.actor = screen_.admin_id.empty() ? "admin-card" : "admin-card:" + screen_.admin_id;
  screen_.decision = decision;
  screen_.message = message;
  const bool recorded = Record(e);
  screen_.outcome = recorded ? outcome : screen_.outcome;
  if (recorded) ShowResult();
  return true;
}

void Session::RefuseAdminCardOverCustomer(const card::Verification& v) {
  // The customer at the counter is not dropped for a card that opens nothing: the refusal is
  // journalled and said over their screen, which stays as it was.
  const Screen kept = screen_;
  std::string decision = std::string(card::VerdictCode(v.verdict));
  if (v.verdict == card::Verdict::kValid) decision = kAdminCardNotHere;
  if (v.verdict == card::Verdict::kError && !v.error_code.empty()) decision = v.error_code;
  journal::NewEntry e;
  e.kind = journal::Kind::kRejected;  // a scan that served no member
  e.partner_id = config_.mode == Mode::kShop ? config_.partner_id : "";
  e.event_id = config_.mode == Mode::kEvent ? config_.event_id : "";
  e.bundle_seq = kept.registry_seq;
  e.verdict = std::string(card::VerdictCode(v.verdict));
  e.decision = decision;
  e.actor = v.signature_ok ? "admin-card:" + base::ToHex(v.claims->admin->id) : "admin-card";
  Record(e);       // it checks the clock itself
  screen_ = kept;  // whatever recording did to the screen, the customer's stays
  screen_.admin_card_refused = std::move(decision);
  activity_ns_ = clock_.MonotonicNanos();
}

}  // namespace kiosk
