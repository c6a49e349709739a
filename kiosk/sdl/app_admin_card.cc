// Admin cards in the SDL app (docs/kiosk-app.md, "Admin card"): on any screen, a verified admin
// card opens the admin menu (or the PIN screen, config admin_card_pin); a refused one says why.
#include <cstdio>

#include "app_internal.h"

namespace kiosk_sdl {

void App::HandleAdminCardScan(const std::string& text, kiosk::State before) {
  // Not an admin card: a member card is not for this screen, as before.
  if (!session().ScanAdminCard(text)) return;
  last_scan_text_ = text;
  app_activity_ns_ = Now();
  if (const kiosk::Screen& sc = session().screen(); !sc.admin_card_refused.empty()) {
    // Refused over the customer being served: their amount or confirm stays, with a banner.
    std::fprintf(stderr, "kiosk: admin card refused over a customer: %s\n",
                 sc.admin_card_refused.c_str());
    return;
  }
  recent_open_ = false;
  amount_.clear();  // a customer being served is left, nothing recorded
  AfterSession(before);
  AfterAdminCard();
}

void App::AfterAdminCard() {
  const kiosk::Screen& sc = session().screen();
  if (!sc.admin_card) return;
  std::fprintf(stderr, "kiosk: admin card %s (%s): %s\n", sc.admin_id.c_str(), sc.verdict.c_str(),
               sc.decision.c_str());
  if (sc.decision == kiosk::kAdminCardAccepted) {
    app_activity_ns_ = Now();  // the admin screens' time-out starts now
    Apply(admin_->OpenByCard(sc.name, cfg_.admin_card_pin));
    return;
  }
  // Refused: the result screen says why; over an admin screen the notice does.
  if (admin_->active()) admin_->CardRefused(sc.decision);
}

}  // namespace kiosk_sdl
