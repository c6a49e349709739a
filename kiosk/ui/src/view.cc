#include "kiosk_ui/view.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "base/time_format.h"

namespace kiosk_ui {
namespace {

using kiosk_settings::Strings;
using kiosk_settings::Theme;

constexpr std::string_view kKeypadKeys[] = {"1", "2", "3", "4", "5", "6",
                                            "7", "8", "9", ",", "0", "back"};

// The colour, icon and word of an outcome.
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
  }
  return {t.warning, "!", "result.error"};
}

// Builds one screen; sizes scale with the window so the same layout serves 800x480 panels and
// 1920x1080 monitors.
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
  std::string Money(int64_t minor) const {
    return s_.Format("money", {{"amount", kiosk_settings::FormatMoney(minor, s_.language())}});
  }

  void StatusBar();
  void Idle();
  void Result();
  void Amount();
  void Confirm();
  void Keypad(Rect area, bool with_comma);
  // Cancel and OK under the left half, the keypad on the right (amount and PIN screens).
  void KeypadScreen(int left_w, bool with_comma);
  void Pin(bool new_pin);
  void Admin();
  void AdminSelect();
  void Notice(Rect r);
  std::string RegistryLine(bool* warn) const;

  const Model& m_;
  const Strings& s_;
  const Theme& t_;
  int w_, h_;
  View v_;
};

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
  }
  return std::move(v_);
}

std::string Builder::RegistryLine(bool* warn) const {
  const Status& st = m_.status;
  *warn = true;
  if (!st.has_registry) return S("status.registry_none");
  if (st.registry_stale) return S("status.registry_stale");
  *warn = false;
  const int64_t age = std::max<int64_t>(0, m_.now - st.registry_created);
  std::string age_text;
  if (age < 3600) {
    age_text = s_.Format("status.age.minutes", {{"n", std::to_string(age / 60)}});
  } else if (age < 2 * 86400) {
    age_text = s_.Format("status.age.hours", {{"n", std::to_string(age / 3600)}});
  } else {
    age_text = s_.Format("status.age.days", {{"n", std::to_string(age / 86400)}});
  }
  return s_.Format("status.registry",
                   {{"seq", std::to_string(st.registry_seq)}, {"age", std::move(age_text)}});
}

void Builder::StatusBar() {
  const int bar = U(44);
  Fill({0, 0, w_, bar}, t_.panel);
  int left = U(12);
  if (m_.has_logo) {
    v_.elements.push_back({.kind = Kind::kLogo, .rect = {U(8), U(4), U(36), bar - U(8)}});
    left = U(52);
  }
  const std::string place = m_.mode == kiosk::Mode::kShop
                                ? s_.Format("idle.mode.shop", {{"partner", m_.status.place}})
                                : s_.Format("idle.mode.event", {{"event", m_.status.place}});
  Text({left, 0, w_ / 2 - left, bar}, place, 17, t_.text, Align::kLeft, true);
  std::string net;
  if (!m_.status.network) {
    net = S("status.usb_only");
  } else if (m_.status.last_sync > 0 && m_.now - m_.status.last_sync < 3 * 3600) {
    net = s_.Format("status.online",
                    {{"time", LocalClock(m_.status.last_sync, m_.utc_offset_seconds)}});
  } else {
    net = S("status.offline");
  }
  Text({w_ / 2, 0, w_ / 2 - U(100), bar}, net, 16, t_.muted, Align::kRight);
  // A touch target in the corner opens the admin PIN screen (F2 on a keyboard).
  v_.elements.push_back({.kind = Kind::kButton,
                         .rect = {w_ - U(92), 0, U(92), bar},
                         .color = t_.panel,
                         .text_color = t_.text,
                         .id = "admin"});
  // The clock, drawn over the button.
  Text({w_ - U(92), 0, U(80), bar}, LocalClock(m_.now, m_.utc_offset_seconds), 20, t_.text,
       Align::kRight, true);
}

void Builder::Idle() {
  v_.name = "idle";
  StatusBar();
  const int top = U(52);
  const std::string& title =
      S(m_.mode == kiosk::Mode::kShop ? "idle.title.shop" : "idle.title.event");
  Text({U(16), top, w_ - U(32), U(48)}, title, 32, t_.text, Align::kCenter, true);
  // Camera picture with an aiming frame, or the hand-scanner hint.
  const int bottom_bar = U(64);
  const int area_top = top + U(56);
  const int area_h = h_ - area_top - bottom_bar - U(8);
  const int pw = std::min(w_ - U(32), area_h * 4 / 3);
  const Rect preview{(w_ - pw) / 2, area_top, pw, area_h};
  if (m_.status.camera && m_.status.camera_running) {
    v_.elements.push_back({.kind = Kind::kPreview, .rect = preview});
    const int side = std::min(preview.w, preview.h) * 3 / 4;
    v_.elements.push_back({.kind = Kind::kOutline,
                           .rect = {preview.x + (preview.w - side) / 2,
                                    preview.y + (preview.h - side) / 2, side, side},
                           .color = t_.accent,
                           .thickness = U(4)});
    Text({preview.x, preview.y + preview.h - U(30), preview.w, U(28)}, S("idle.hint"), 16, t_.text);
  } else {
    Fill(preview, t_.panel);
    std::string text = m_.status.camera ? S("idle.camera_off") : S("idle.hint");
    Text({preview.x + U(16), preview.y, preview.w - U(32), preview.h}, std::move(text), 22,
         m_.status.camera ? t_.muted : t_.text);
  }
  if (!m_.banner.empty()) {
    const Rect r{U(16), h_ - bottom_bar - U(56), w_ - U(32), U(48)};
    Fill(r, m_.banner_is_error ? t_.invalid : t_.accent);
    Text({r.x + U(8), r.y, r.w - U(16), r.h}, m_.banner, 18, t_.text, Align::kCenter, true);
  }
  // Bottom: registry freshness, the event's count.
  bool warn = false;
  const std::string reg = RegistryLine(&warn);
  Fill({0, h_ - bottom_bar, w_, bottom_bar}, warn ? t_.warning : t_.panel);
  if (m_.mode == kiosk::Mode::kEvent && m_.status.attendance >= 0) {
    Text({U(12), h_ - bottom_bar, w_ / 2, bottom_bar},
         s_.Format("idle.count", {{"count", std::to_string(m_.status.attendance)}}), 24, t_.text,
         Align::kLeft, true);
    Text({w_ / 2, h_ - bottom_bar, w_ / 2 - U(12), bottom_bar}, reg, 16, t_.text, Align::kRight);
  } else {
    Text({U(12), h_ - bottom_bar, w_ - U(24), bottom_bar}, reg, 18, t_.text, Align::kLeft);
  }
}

void Builder::Result() {
  const kiosk::Screen& sc = m_.screen;
  const ResultLook look = LookOf(sc.outcome, t_);
  const Rgb bg = look.background;
  const std::string code =
      !sc.decision.empty() && sc.decision != "accepted" ? sc.decision : sc.verdict;
  v_.name = "result-" + (code.empty() ? std::string("accepted") : code);
  v_.background = bg;
  Fill({0, 0, w_, h_}, bg);
  // The whole screen closes the result early.
  v_.elements.push_back({.kind = Kind::kButton,
                         .rect = {0, 0, w_, h_},
                         .color = bg,
                         .text_color = t_.text,
                         .id = "close"});
  // Icon and word, so colour is never the only signal.
  const char* icon = look.icon;
  const char* word = look.word;
  Text({0, U(16), w_, U(110)}, icon, 96, t_.text, Align::kCenter, true);
  Text({0, U(126), w_, U(56)}, S(word), 44, t_.text, Align::kCenter, true);

  // The reason in words, then its code.
  std::string reason;
  const bool event = m_.mode == kiosk::Mode::kEvent;
  const bool accepted = sc.outcome == kiosk::Outcome::kValid;
  if (accepted) {
    if (event) {
      reason = sc.name.empty() ? S("event.welcome")
                               : s_.Format("event.welcome_name", {{"name", sc.name}});
    } else {
      reason = S("shop.accepted");
    }
  } else if (sc.decision == "ALREADY_CHECKED_IN" && sc.first_entry > 0) {
    reason =
        s_.Format("event.already", {{"time", LocalClock(sc.first_entry, m_.utc_offset_seconds)}});
  } else if (!sc.decision.empty() && sc.decision != sc.verdict &&
             s_.Has("decision." + sc.decision)) {
    reason = S("decision." + sc.decision);
  } else if (!sc.verdict.empty()) {
    reason = S("verdict." + sc.verdict);
  } else {
    reason = S("decision." + sc.decision);
  }
  int y = U(188);
  Text({U(20), y, w_ - U(40), U(44)}, reason, 30, t_.text, Align::kCenter, true);
  y += U(46);
  if (!code.empty() && code != "VALID")
    Text({0, y, w_, U(26)}, s_.Format("result.code", {{"code", code}}), 18, t_.text);
  y += U(30);
  std::string who;
  if (!sc.name.empty() && !(event && accepted)) who = sc.name;
  if (!sc.number_masked.empty())
    who += (who.empty() ? "" : "  ") + s_.Format("result.number", {{"number", sc.number_masked}});
  if (!who.empty()) {
    Text({U(20), y, w_ - U(40), U(32)}, who, 22, t_.text);
    y += U(36);
  }
  if (!event && accepted) {
    Text({U(20), y, w_ - U(40), U(30)},
         S("confirm.discount") + ": " + Money(sc.discount_minor) + "   " + S("confirm.total") +
             ": " + Money(sc.total_minor),
         24, t_.text, Align::kCenter, true);
    y += U(34);
  }
  if (event && accepted) {
    if (sc.entry_number > 1)
      Text({0, y, w_, U(28)},
           s_.Format("event.entry_number", {{"n", std::to_string(sc.entry_number)}}), 20, t_.text);
    y += U(30);
  }
  std::string footer;
  if (accepted && sc.entry_seq > 0 && !sc.entry_uuid.empty())
    footer = s_.Format("result.saved", {{"seq", std::to_string(sc.entry_seq)}});
  if (event && sc.attendance >= 0 && !sc.decision.empty())
    footer += (footer.empty() ? "" : "   ") +
              s_.Format("event.count", {{"count", std::to_string(sc.attendance)}});
  Text({0, h_ - U(70), w_, U(30)}, footer, 18, t_.text);
  Text({0, h_ - U(38), w_, U(30)}, S("result.tap_to_close"), 16, t_.text);
}

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

void Builder::Notice(Rect r) {
  if (m_.notice.empty()) return;
  Fill(r, m_.notice_is_error ? t_.invalid : t_.panel);
  Text({r.x + U(8), r.y, r.w - U(16), r.h}, m_.notice, 18, t_.text);
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
  std::string shown = m_.entry.empty() ? "0" : m_.entry;
  Text({U(24), y, left_w - U(40), U(72)}, s_.Format("money", {{"amount", std::move(shown)}}), 40,
       t_.text, Align::kRight, true);
  y += U(84);
  if (!sc.decision.empty()) {  // a correctable refusal: below the minimum, bad amount
    Fill({U(16), y, left_w - U(24), U(64)}, t_.warning);
    Text({U(24), y, left_w - U(40), U(64)}, S("decision." + sc.decision), 18, t_.text);
  } else {
    Text({U(16), y, left_w - U(24), U(64)}, S("amount.hint"), 18, t_.muted, Align::kLeft);
  }
  KeypadScreen(left_w, true);
}

void Builder::Confirm() {
  v_.name = "confirm";
  const kiosk::Screen& sc = m_.screen;
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
  row("confirm.discount", -sc.discount_minor, 26, false);
  Fill({lx, y - U(8), lw, U(3)}, t_.muted);
  row("confirm.total", sc.total_minor, 40, true);
  if (sc.cap_limit > 0)
    Text({lx, y, lw, U(26)},
         s_.Format("confirm.cap", {{"used", std::to_string(sc.cap_used)},
                                   {"limit", std::to_string(sc.cap_limit)}}),
         16, t_.muted);
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

void Builder::Admin() {
  v_.name = "admin";
  const Status& st = m_.status;
  Text({U(16), U(8), w_ - U(32), U(40)}, S("admin.title"), 28, t_.text, Align::kLeft, true);
  std::vector<std::string> lines;
  if (st.has_registry) {
    lines.push_back(s_.Format(
        "admin.registry", {{"seq", std::to_string(st.registry_seq)},
                           {"created", LocalDate(st.registry_created, m_.utc_offset_seconds)},
                           {"expires", LocalDate(st.registry_not_after, m_.utc_offset_seconds)}}));
  } else {
    lines.push_back(S("admin.registry_none"));
  }
  lines.push_back(s_.Format("admin.journal", {{"count", std::to_string(st.journal_entries)},
                                              {"pending", std::to_string(st.journal_pending)}}));
  std::string net =
      !st.network ? S("status.usb_only")
      : st.last_sync > 0
          ? s_.Format("status.online", {{"time", LocalClock(st.last_sync, m_.utc_offset_seconds)}})
          : S("status.offline");
  lines.push_back(s_.Format("admin.sync", {{"state", std::move(net)}}));
  lines.push_back(s_.Format(
      "admin.mode",
      {{"mode", S(m_.mode == kiosk::Mode::kShop ? "admin.mode_shop" : "admin.mode_event") +
                    " \u2014 " + st.place}}));
  lines.push_back(s_.Format("admin.device", {{"id", st.device_id}}));
  lines.push_back(s_.Format("admin.key", {{"fingerprint", st.key_fingerprint}}));
  lines.push_back(s_.Format("admin.version", {{"version", st.version}}) + "   " +
                  S("language.name"));
  int y = U(54);
  const int col_w = w_ / 2 - U(24);
  for (std::string& line : lines) {
    Text({U(16), y, col_w, U(30)}, std::move(line), 15, t_.text, Align::kLeft);
    y += U(32);
  }
  Notice({U(16), h_ - U(84), col_w, U(72)});
  // Actions: two columns of buttons on the right.
  const struct {
    const char* id;
    const char* label;
  } actions[] = {{"import_usb", "admin.import_usb"}, {"export_usb", "admin.export_usb"},
                 {"sync_now", "admin.sync_now"},     {"mode", "admin.mode_shop"},
                 {"select", "admin.mode_event"},     {"language", "admin.language"},
                 {"set_pin", "admin.set_pin"},       {"close", "admin.close"}};
  const int bx = w_ / 2, bw = (w_ / 2 - U(24)) / 2, bh = (h_ - U(60) - U(3 * 8)) / 4;
  for (int i = 0; i < 8; ++i) {
    std::string label = S(actions[i].label);
    if (std::string_view(actions[i].id) == "mode") {
      label = S(m_.mode == kiosk::Mode::kShop ? "admin.mode_event" : "admin.mode_shop");
    } else if (std::string_view(actions[i].id) == "select") {
      label = S(m_.mode == kiosk::Mode::kShop ? "idle.mode.shop" : "idle.mode.event");
      label = label.substr(0, label.find(':'));
    }
    const bool disabled = m_.busy && i < 3;
    Button({bx + (i % 2) * (bw + U(8)), U(54) + (i / 2) * (bh + U(8)), bw, bh}, actions[i].id,
           disabled ? S("admin.usb_working") : std::move(label),
           std::string_view(actions[i].id) == "close" ? t_.invalid : t_.accent, 18);
  }
}

void Builder::AdminSelect() {
  v_.name = "admin-select";
  Text({U(16), U(8), w_ - U(32), U(40)},
       S(m_.mode == kiosk::Mode::kShop ? "admin.mode_shop" : "admin.mode_event"), 28, t_.text,
       Align::kLeft, true);
  const int cols = 2, rows = kChoicesPerPage / 2;
  const int bw = (w_ - U(40)) / cols, bh = (h_ - U(56) - U(96)) / rows - U(8);
  const int pages = std::max<int>(
      1, (static_cast<int>(m_.choices.size()) + kChoicesPerPage - 1) / kChoicesPerPage);
  const int page = std::clamp(m_.page, 0, pages - 1);
  for (int i = 0; i < kChoicesPerPage; ++i) {
    const size_t k = static_cast<size_t>(page * kChoicesPerPage + i);
    if (k >= m_.choices.size()) break;
    const int c = i % cols, r = i / cols;
    Button({U(16) + c * (bw + U(8)), U(56) + r * (bh + U(8)), bw, bh}, "choice_" + m_.choices[k].id,
           m_.choices[k].label, t_.accent, 18);
  }
  if (pages > 1) {
    Text({w_ / 2 - U(60), U(8), U(120), U(40)},
         std::to_string(page + 1) + " / " + std::to_string(pages), 20, t_.muted);
    if (page > 0)
      Button({w_ - U(216) - U(176), h_ - U(88), U(80), U(72)}, "prev", "\u25C0", t_.panel);
    if (page + 1 < pages)
      Button({w_ - U(216) - U(88), h_ - U(88), U(80), U(72)}, "next", "\u25B6", t_.panel);
  }
  Notice({U(16), h_ - U(88), w_ / 2 - U(120), U(72)});
  Button({w_ - U(216), h_ - U(88), U(200), U(72)}, "back", S("button.back"), t_.invalid);
}

// A letter or digit: ASCII, or a letter of the Latin, Greek and Cyrillic blocks (U+00C0..U+052F,
// without × and ÷). Punctuation, spaces (no-break space included) and symbols end a word.
bool IsWordChar(char32_t c) {
  if (c < 0x80) return std::isalnum(static_cast<int>(c)) != 0;
  return c >= 0xC0 && c <= 0x52F && c != 0xD7 && c != 0xF7;
}

// The code point whose UTF-8 sequence starts at s[i].
char32_t CodePointAt(std::string_view s, size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  const int more = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
  char32_t c = more == 0 ? lead : lead & (0x3Fu >> more);
  for (int k = 1; k <= more && i + static_cast<size_t>(k) < s.size(); ++k)
    c = (c << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3Fu);
  return c;
}

// The code point that ends just before s[i] (i > 0).
char32_t CodePointBefore(std::string_view s, size_t i) {
  size_t start = i - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  return CodePointAt(s, start);
}

// True if `needle` is in `text` as a reader sees it: where the needle begins or ends with a letter
// or digit, the text does not go on with one there ("VALID" is not in "INVALID").
bool ShowsAsWords(std::string_view text, std::string_view needle) {
  if (needle.empty()) return false;
  const bool word_start = IsWordChar(CodePointAt(needle, 0));
  const bool word_end = IsWordChar(CodePointBefore(needle, needle.size()));
  for (size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + 1)) {
    const size_t end = at + needle.size();
    if (word_start && at > 0 && IsWordChar(CodePointBefore(text, at))) continue;
    if (word_end && end < text.size() && IsWordChar(CodePointAt(text, end))) continue;
    return true;
  }
  return false;
}

}  // namespace

const Element* View::ButtonAt(int x, int y) const {
  for (auto it = elements.rbegin(); it != elements.rend(); ++it)
    if (it->kind == Kind::kButton && it->rect.Contains(x, y)) return &*it;
  return nullptr;
}

const Element* View::Button(std::string_view id) const {
  for (const Element& e : elements)
    if (e.kind == Kind::kButton && e.id == id) return &e;
  return nullptr;
}

bool View::Shows(std::string_view needle) const {
  for (const Element& e : elements)
    if ((e.kind == Kind::kText || e.kind == Kind::kButton) && ShowsAsWords(e.text, needle))
      return true;
  return false;
}

std::string View::AllText() const {
  std::string out;
  for (const Element& e : elements) {
    if ((e.kind != Kind::kText && e.kind != Kind::kButton) || e.text.empty()) continue;
    out += e.text;
    out += '\n';
  }
  return out;
}

bool View::operator==(const View& o) const {
  if (name != o.name || !(background == o.background) || elements.size() != o.elements.size())
    return false;
  for (size_t i = 0; i < elements.size(); ++i) {
    const Element& a = elements[i];
    const Element& b = o.elements[i];
    if (a.kind != b.kind || a.rect.x != b.rect.x || a.rect.y != b.rect.y || a.rect.w != b.rect.w ||
        a.rect.h != b.rect.h || !(a.color == b.color) || !(a.text_color == b.text_color) ||
        a.text != b.text || a.font_px != b.font_px || a.bold != b.bold || a.id != b.id)
      return false;
  }
  return true;
}

Tone ToneOf(Outcome outcome) {
  switch (outcome) {
    case Outcome::kValid:
      return Tone::kValid;
    case Outcome::kInvalid:
    case Outcome::kRefusedByRule:
      return Tone::kInvalid;
    case Outcome::kCannotCheck:
      return Tone::kWarning;
  }
  return Tone::kWarning;
}

View BuildView(const Model& model, const kiosk_settings::Strings& strings,
               const kiosk_settings::Theme& theme, int width, int height) {
  return Builder(model, strings, theme, std::max(width, 320), std::max(height, 240)).Build();
}

bool EditAmount(std::string* entry, std::string_view key) {
  std::string& e = *entry;
  if (key == "back") {
    if (e.empty()) return false;
    e.pop_back();
    return true;
  }
  if (key == "clear") {
    const bool had = !e.empty();
    e.clear();
    return had;
  }
  const size_t comma = e.find(',');
  if (key == ",") {
    if (comma != std::string::npos) return false;
    e += e.empty() ? "0," : ",";
    return true;
  }
  if (key.size() != 1 || key[0] < '0' || key[0] > '9') return false;
  if (comma != std::string::npos && e.size() - comma > 2) return false;  // two decimals at most
  if (e == "0") e.clear();                                               // no leading zeros
  std::string next = e + std::string(key);
  if (AmountMinor(next) > kMaxPurchaseMinor) return false;
  e = std::move(next);
  return true;
}

int64_t AmountMinor(std::string_view entry) {
  if (entry.empty()) return -1;
  int64_t rub = 0, kop = 0;
  size_t i = 0, decimals = 0;
  bool comma = false;
  for (; i < entry.size(); ++i) {
    const char c = entry[i];
    if (c == ',' || c == '.') {
      if (comma) return -1;
      comma = true;
      continue;
    }
    if (c < '0' || c > '9') return -1;
    if (comma) {
      if (++decimals > 2) return -1;
      kop = kop * 10 + (c - '0');
    } else {
      if (rub > kMaxPurchaseMinor) return -1;
      rub = rub * 10 + (c - '0');
    }
  }
  if (decimals == 1) kop *= 10;
  return rub * 100 + kop;
}

std::string LocalClock(int64_t unix_seconds, int64_t utc_offset_seconds) {
  int64_t t = (unix_seconds + utc_offset_seconds) % 86400;
  if (t < 0) t += 86400;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(t / 3600),
                static_cast<int>(t / 60 % 60));
  return buf;
}

std::string LocalDate(int64_t unix_seconds, int64_t utc_offset_seconds) {
  return base::FormatIso8601Utc(unix_seconds + utc_offset_seconds).substr(0, 10);
}

}  // namespace kiosk_ui
