// The view's screen builder, shared by the files that each draw one family of screens
// (builder.cc: dispatch and shared parts, idle_screen.cc, result_screen.cc, keypad_screens.cc,
// admin_screens.cc). Internal to ck_kiosk_ui: not installed, not for other modules.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "kiosk_settings/strings.h"
#include "kiosk_settings/theme.h"
#include "kiosk_ui/view.h"

namespace kiosk_ui::view_internal {

using kiosk_settings::Strings;
using kiosk_settings::Theme;

// Builds one screen; sizes scale with the window so the same layout serves 800x480 panels and
// 1920x1080 monitors. One use: construct, then Build() once. Refers to the model, strings and
// theme it was given, which must outlive it.
class Builder {
 public:
  Builder(const Model& m, const Strings& s, const Theme& t, int w, int h)
      : m_(m), s_(s), t_(t), w_(w), h_(h) {
    v_.background = t.background;
  }

  View Build();

 private:
  int U(int n) const { return std::max(1, n * std::min(w_ * 480 / 800, h_) / 480); }
  void Fill(Rect r, Rgb c) { v_.elements.push_back({.kind = Kind::kFill, .rect = r, .color = c}); }
  void Text(Rect r, std::string text, int px, Rgb c, Align a = Align::kCenter, bool bold = false) {
    if (text.empty()) return;
    v_.elements.push_back({.kind = Kind::kText,
                           .rect = r,
                           .color = c,
                           .text = std::move(text),
                           .font_px = U(px),
                           .bold = bold,
                           .align = a});
  }
  void Button(Rect r, std::string id, std::string label, Rgb fill, int px = 26) {
    v_.elements.push_back({.kind = Kind::kButton,
                           .rect = r,
                           .color = fill,
                           .text_color = t_.text,
                           .text = std::move(label),
                           .font_px = U(px),
                           .bold = true,
                           .align = Align::kCenter,
                           .id = std::move(id)});
  }
  const std::string& S(std::string_view key) const { return s_.Get(key); }
  // Every amount on every screen: the language's number format, the deployment's currency.
  std::string Money(int64_t minor) const {
    return MoneyText(kiosk_settings::FormatMoney(minor, s_.language()));
  }
  std::string MoneyText(std::string amount) const {
    return s_.Format("money", {{"amount", std::move(amount)}, {"currency", m_.currency}});
  }

  // "Прошли: 498" or, with a capacity, "Прошли: 498 / 500" (`key` is idle.count or event.count).
  std::string Count(std::string_view key, int64_t count, int64_t capacity) const {
    if (capacity <= 0) return s_.Format(key, {{"count", std::to_string(count)}});
    return s_.Format(std::string(key) + "_capacity",
                     {{"count", std::to_string(count)}, {"capacity", std::to_string(capacity)}});
  }

  // builder.cc: parts several screens share.
  void Notice(Rect r);  // the model's notice line, if any
  // idle_screen.cc
  void StatusBar();
  void Idle();
  void IdleFull();  // event mode at capacity: the whole screen says so
  std::string RegistryLine(bool* warn) const;
  std::string LocalDateTime(int64_t unix_seconds) const;  // "2026-12-02 03:46", local
  // result_screen.cc
  void Result();
  std::string ResultReason() const;
  void ResultDetails(int y);  // who, what was given, the record and the count, from `y` down
  // keypad_screens.cc
  void Amount();
  bool AdminCardRefusedBanner(Rect r);  // false (nothing drawn) without a refusal
  void Confirm();
  void Pin(bool new_pin);
  void Keypad(Rect area, bool with_comma);
  // Cancel and OK under the left half, the keypad on the right (amount and PIN screens).
  void KeypadScreen(int left_w, bool with_comma);
  // admin_screens.cc
  void Admin();
  void AdminSelect();
  void AdminKey();
  void AdminLanguage();
  // `text` as a QR code (black modules on a white square with the quiet zone) in the square `r`;
  // false when it cannot be encoded.
  bool Qr(Rect r, const std::string& text);
  // setup_screen.cc
  void NotProvisioned();
  // corrections_screens.cc
  void VoidConfirm();
  void Recent();
  std::string RecentLine(const kiosk::RecentEntry& r) const;
  void IdleActions(int y, int h);  // the idle screen's buttons: last transactions, door ones
  std::string DoorCount(std::string_view key) const;  // "Прошли: 498 / 500 (3 без карты)"

  const Model& m_;
  const Strings& s_;
  const Theme& t_;
  int w_, h_;
  View v_;
};

}  // namespace kiosk_ui::view_internal
