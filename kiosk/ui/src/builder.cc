// Which screen to build, and the parts several screens share.
#include "builder.h"

namespace kiosk_ui::view_internal {

View Builder::Build() {
  switch (m_.app) {
    case AppScreen::kPin:
      Pin(false);
      return std::move(v_);
    case AppScreen::kSetPin:
      Pin(true);
      return std::move(v_);
    case AppScreen::kAdmin:
      Admin();
      return std::move(v_);
    case AppScreen::kAdminSelect:
      AdminSelect();
      return std::move(v_);
    case AppScreen::kAdminKey:
      AdminKey();
      return std::move(v_);
    case AppScreen::kAdminLanguage:
      AdminLanguage();
      return std::move(v_);
    case AppScreen::kNotProvisioned:
      NotProvisioned();
      return std::move(v_);
    case AppScreen::kRecent:
      Recent();
      return std::move(v_);
    case AppScreen::kSession:
      break;
  }
  switch (m_.screen.state) {
    case kiosk::State::kIdle:
      Idle();
      break;
    case kiosk::State::kResult:
      Result();
      break;
    case kiosk::State::kAmountEntry:
      Amount();
      break;
    case kiosk::State::kConfirm:
      Confirm();
      break;
    case kiosk::State::kVoidConfirm:
      VoidConfirm();
      break;
  }
  return std::move(v_);
}

void Builder::Notice(Rect r) {
  if (m_.notice.empty()) return;
  Fill(r, m_.notice_is_error ? t_.invalid : t_.panel);
  Text({r.x + U(8), r.y, r.w - U(16), r.h}, m_.notice, 18, t_.text);
}

}  // namespace kiosk_ui::view_internal
