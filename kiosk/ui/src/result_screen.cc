// The result screen: the outcome's colour, icon and word, the reason and its code, who was served
// and what was given.
#include <string>

#include "builder.h"
#include "rules/events.h"

namespace kiosk_ui::view_internal {
namespace {

// The colour, icon and word of an outcome: colour is never the only signal.
struct ResultLook {
  Rgb background;
  const char* icon;
  const char* word;  // a strings key
};

ResultLook LookOf(Outcome outcome, const Theme& t) {
  switch (outcome) {
    case Outcome::kValid:
      return {t.valid, "\u2714", "result.valid"};
    case Outcome::kInvalid:
      return {t.invalid, "\u2716", "result.invalid"};
    case Outcome::kRefusedByRule:
      return {t.warning, "\u2298", "result.refused"};
    case Outcome::kCannotCheck:
      return {t.warning, "!", "result.error"};
    case Outcome::kVoided:
      return {t.accent, "\u21B6", "result.voided"};
  }
  return {t.warning, "!", "result.error"};
}

}  // namespace

void Builder::Result() {
  const kiosk::Screen& sc = m_.screen;
  const ResultLook look = LookOf(sc.outcome, t_);
  const std::string code =
      sc.outcome != Outcome::kValid && !sc.decision.empty() ? sc.decision : sc.verdict;
  v_.name = "result-" + (code.empty() ? std::string("accepted") : code);
  v_.background = look.background;
  Fill({0, 0, w_, h_}, look.background);
  // The whole screen closes the result early.
  v_.elements.push_back({.kind = Kind::kButton,
                         .rect = {0, 0, w_, h_},
                         .color = look.background,
                         .text_color = t_.text,
                         .id = "close"});
  Text({0, U(16), w_, U(110)}, look.icon, 96, t_.text, Align::kCenter, true);
  Text({0, U(126), w_, U(56)}, S(look.word), 44, t_.text, Align::kCenter, true);
  // The reason in words, then its code.
  int y = U(188);
  Text({U(20), y, w_ - U(40), U(44)}, ResultReason(), 30, t_.text, Align::kCenter, true);
  y += U(46);
  if (!code.empty() && sc.outcome != Outcome::kValid)
    Text({0, y, w_, U(26)}, s_.Format("result.code", {{"code", code}}), 18, t_.text);
  ResultDetails(y + U(30));
  Text({0, h_ - U(38), w_, U(30)}, S("result.tap_to_close"), 16, t_.text);
  // A mistake noticed at once: void what was just recorded (after a confirm).
  if (sc.voidable && !sc.entry_uuid.empty())
    Button({w_ - U(196), h_ - U(76), U(180), U(60)}, "void", S("result.void"), t_.invalid, 22);
}

std::string Builder::ResultReason() const {
  const kiosk::Screen& sc = m_.screen;
  if (sc.outcome == Outcome::kVoided)
    return s_.Format("void.done", {{"seq", std::to_string(sc.void_seq)}});
  if (sc.outcome == Outcome::kValid && sc.manual) return S("event.manual_done");
  // An admin card: its own words (the member card's would speak of a membership).
  if (sc.admin_card && sc.outcome == Outcome::kValid)
    return s_.Format("admin_card.opened", {{"name", sc.name}});
  if (sc.admin_card && sc.outcome != Outcome::kCannotCheck) {
    const std::string key = "admin_card." + sc.decision;
    return s_.Has(key) ? S(key) : S("admin_card.refused");
  }
  if (sc.outcome == Outcome::kValid) {
    if (m_.mode == kiosk::Mode::kShop)
      return S(sc.cashback_minor > 0 ? "shop.cashback_accepted" : "shop.accepted");
    return sc.name.empty() ? S("event.welcome")
                           : s_.Format("event.welcome_name", {{"name", sc.name}});
  }
  if (sc.decision == rules::CheckinCodeName(rules::CheckinCode::kAlreadyCheckedIn) &&
      sc.first_entry > 0)
    return s_.Format("event.already",
                     {{"time", LocalClock(sc.first_entry, m_.utc_offset_seconds)}});
  if (!sc.decision.empty() && sc.decision != sc.verdict && s_.Has("decision." + sc.decision))
    return S("decision." + sc.decision);
  if (!sc.verdict.empty()) return S("verdict." + sc.verdict);
  return S("decision." + sc.decision);
}

void Builder::ResultDetails(int y) {
  const kiosk::Screen& sc = m_.screen;
  const bool event = m_.mode == kiosk::Mode::kEvent;
  const bool accepted = sc.outcome == Outcome::kValid;
  std::string who;
  if (!sc.name.empty() && !(event && accepted)) who = sc.name;  // the welcome already names them
  if (!sc.number_masked.empty())
    who += (who.empty() ? "" : "  ") + s_.Format("result.number", {{"number", sc.number_masked}});
  if (!who.empty()) {
    Text({U(20), y, w_ - U(40), U(32)}, who, 22, t_.text);
    y += U(36);
  }
  if (sc.outcome == Outcome::kVoided && sc.void_kind == "discount") {
    Text({U(20), y, w_ - U(40), U(30)},
         S("void.cancelled_discount") + ": " + Money(sc.discount_minor) + "   " +
             S("confirm.purchase") + ": " + Money(sc.purchase_minor),
         24, t_.text, Align::kCenter, true);
  }
  if (!event && accepted) {
    const std::string given =
        sc.cashback_minor > 0
            ? s_.Format("confirm.cashback", {{"amount", Money(sc.cashback_minor)}})
            : S("confirm.discount") + ": " + Money(sc.discount_minor);
    Text({U(20), y, w_ - U(40), U(30)},
         given + "   " + S("confirm.total") + ": " + Money(sc.total_minor), 24, t_.text,
         Align::kCenter, true);
  }
  if (event && accepted && sc.entry_number > 1)
    Text({0, y, w_, U(28)},
         s_.Format("event.entry_number", {{"n", std::to_string(sc.entry_number)}}), 20, t_.text);
  std::string footer;
  if ((accepted || sc.outcome == Outcome::kVoided) && sc.entry_seq > 0 && !sc.entry_uuid.empty())
    footer = s_.Format("result.saved", {{"seq", std::to_string(sc.entry_seq)}});
  if (event && sc.attendance >= 0 && !sc.decision.empty()) {
    footer += (footer.empty() ? "" : "   ") + Count("event.count", sc.attendance, sc.capacity);
    if (sc.manual_count > 0)
      footer += " " + s_.Format("event.manual_in_count", {{"n", std::to_string(sc.manual_count)}});
  }
  Text({0, h_ - U(70), w_, U(30)}, footer, 18, t_.text);
}

}  // namespace kiosk_ui::view_internal
