// The keypad screens: amount entry, confirmation, PIN entry.
#include <string>
#include <string_view>

#include "builder.h"

namespace kiosk_ui::view_internal {

namespace {

constexpr std::string_view kKeypadKeys[] = {"1", "2", "3", "4", "5", "6",
                                            "7", "8", "9", ",", "0", "back"};

}  // namespace

void Builder::Keypad(Rect area, bool with_comma) {
  const int gap = U(8);
  const int kw = (area.w - 2 * gap) / 3, kh = (area.h - 3 * gap) / 4;
  for (int i = 0; i < 12; ++i) {
    std::string key(kKeypadKeys[i]);
    if (key == "," && !with_comma) key = "clear";
    std::string label = key == "back" ? "\u232B" : key == "clear" ? "C" : key;
    Button({area.x + (i % 3) * (kw + gap), area.y + (i / 3) * (kh + gap), kw, kh}, "key_" + key,
           std::move(label), t_.panel, 30);
  }
}

void Builder::KeypadScreen(int left_w, bool with_comma) {
  const int by = h_ - U(80), bw = (left_w - U(32)) / 2;
  Button({U(16), by, bw, U(64)}, "cancel", S("button.cancel"), t_.invalid);
  Button({U(16) + bw + U(8), by, bw, U(64)}, "ok", S("button.ok"), t_.valid);
  Keypad({left_w + U(8), U(16), w_ - left_w - U(24), h_ - U(32)}, with_comma);
}

// A refused admin card over the customer being served: why, in red, on their screen.
bool Builder::AdminCardRefusedBanner(Rect r) {
  const std::string& d = m_.screen.admin_card_refused;
  if (d.empty()) return false;
  Fill(r, t_.invalid);
  const std::string key = "admin_card." + d;
  Text({r.x + U(8), r.y, r.w - U(16), r.h}, S(s_.Has(key) ? key : "admin_card.refused"), 18,
       t_.text, Align::kLeft, true);
  return true;
}

void Builder::Amount() {
  v_.name = "amount";
  const kiosk::Screen& sc = m_.screen;
  const int left_w = w_ / 2;
  int y = U(16);
  Text({U(16), y, left_w - U(24), U(40)}, S("amount.title"), 28, t_.text, Align::kLeft, true);
  y += U(48);
  std::string who = sc.name.empty() ? sc.number_masked : sc.name;
  Text({U(16), y, left_w - U(24), U(32)}, who, 20, t_.muted, Align::kLeft);
  y += U(40);
  Fill({U(16), y, left_w - U(24), U(72)}, t_.panel);
  // As typed, in the format of every other amount ("1 250,5" while "1250,5" is being typed).
  const std::string shown = kiosk_settings::FormatTypedAmount(m_.entry, s_.language());
  Text({U(24), y, left_w - U(40), U(72)}, MoneyText(shown), 40, t_.text, Align::kRight, true);
  y += U(84);
  const Rect below{U(16), y, left_w - U(24), U(64)};
  if (AdminCardRefusedBanner(below)) {
    // the refusal is what the cashier needs to read now; the amount stays as typed
  } else if (!sc.decision.empty()) {  // a correctable refusal: below the minimum, bad amount
    Fill(below, t_.warning);
    Text({U(24), y, left_w - U(40), U(64)}, S("decision." + sc.decision), 18, t_.text);
  } else {
    Text(below, S("amount.hint"), 18, t_.muted, Align::kLeft);
  }
  KeypadScreen(left_w, true);
}

void Builder::Confirm() {
  v_.name = "confirm";
  const kiosk::Screen& sc = m_.screen;
  if (!AdminCardRefusedBanner({U(16), U(8), w_ - U(32), U(48)}))
    Text({U(16), U(12), w_ - U(32), U(44)}, S("confirm.title"), 30, t_.text, Align::kCenter, true);
  std::string who = sc.name.empty() ? sc.number_masked : sc.name;
  Text({U(16), U(58), w_ - U(32), U(30)}, who, 20, t_.muted);
  if (!sc.offer_title.empty())
    Text({U(16), U(88), w_ - U(32), U(30)}, s_.Format("amount.offer", {{"title", sc.offer_title}}),
         18, t_.muted);
  const int lx = w_ / 8, lw = w_ * 3 / 4;
  int y = U(130);
  auto row = [&](std::string_view label, int64_t minor, int px, bool bold) {
    Text({lx, y, lw / 2, U(px + 16)}, std::string(S(label)), px, t_.text, Align::kLeft, bold);
    Text({lx + lw / 2, y, lw / 2, U(px + 16)}, Money(minor), px, t_.text, Align::kRight, bold);
    y += U(px + 22);
  };
  row("confirm.purchase", sc.purchase_minor, 26, false);
  const bool cashback = sc.cashback_minor > 0;  // the till charges it all; the union pays it back
  if (!cashback) row("confirm.discount", -sc.discount_minor, 26, false);
  Fill({lx, y - U(8), lw, U(3)}, t_.muted);
  row("confirm.total", sc.total_minor, 40, true);
  if (cashback) {
    Fill({lx, y, lw, U(40)}, t_.valid);  // white on the accepted colour, as on a result
    Text({lx + U(8), y, lw - U(16), U(40)},
         s_.Format("confirm.cashback", {{"amount", Money(sc.cashback_minor)}}), 26, t_.text,
         Align::kLeft, true);
    y += U(42);
    Text({lx, y, lw, U(26)}, S("confirm.cashback_note"), 16, t_.muted);
    y += U(28);
  }
  if (sc.cap_limit > 0) {
    Text({lx, y, lw, U(26)},
         s_.Format("confirm.cap", {{"used", std::to_string(sc.cap_used)},
                                   {"limit", std::to_string(sc.cap_limit)}}),
         16, t_.muted);
    y += U(28);
  }
  if (sc.clip != rules::DiscountClip::kNone) {  // why the discount is less than the rate's
    std::string key =
        sc.clip == rules::DiscountClip::kMaxDiscount ? "confirm.clip_max" : "confirm.clip_left";
    if (cashback) key += "_cashback";
    Text({lx, y, lw, U(28)}, s_.Format(key, {{"amount", Money(sc.clip_minor)}}), 18, t_.text);
  }
  const int by = h_ - U(88), bw = (w_ - U(48)) / 2;
  Button({U(16), by, bw, U(72)}, "cancel", S("button.cancel"), t_.invalid, 28);
  Button({U(32) + bw, by, bw, U(72)}, "confirm", S("button.confirm"), t_.valid, 28);
}

void Builder::Pin(bool new_pin) {
  v_.name = new_pin ? "set-pin" : "pin";
  const int left_w = w_ / 2;
  Text({U(16), U(16), left_w - U(24), U(44)},
       S(!new_pin        ? "pin.title"
         : m_.pin_repeat ? "admin.repeat_pin"
                         : "admin.new_pin"),
       30, t_.text, Align::kLeft, true);
  Text({U(16), U(64), left_w - U(24), U(52)}, S("pin.hint"), 18, t_.muted, Align::kLeft);
  Fill({U(16), U(124), left_w - U(24), U(64)}, t_.panel);
  std::string dots;
  for (size_t i = 0; i < m_.entry.size(); ++i) dots += "\u25CF ";
  Text({U(16), U(124), left_w - U(24), U(64)}, dots, 30, t_.text);
  if (!new_pin && m_.pin_is_default && m_.notice.empty())
    Text({U(16), U(196), left_w - U(24), U(56)}, S("pin.default_warning"), 16, t_.muted,
         Align::kLeft);
  Notice({U(16), U(196), left_w - U(24), U(72)});
  KeypadScreen(left_w, false);
}

}  // namespace kiosk_ui::view_internal
