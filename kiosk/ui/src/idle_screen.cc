// The idle screen: status bar, camera picture or scanner hint, registry freshness.
#include <string>

#include "builder.h"

namespace kiosk_ui::view_internal {

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

// The door at capacity: a warning over the whole screen, the count and what it means; cards are
// still read (a member already inside may come back in).
void Builder::IdleFull() {
  v_.name = "idle-full";
  v_.background = t_.warning;
  Fill({0, 0, w_, h_}, t_.warning);
  StatusBar();
  Text({U(16), U(80), w_ - U(32), U(120)}, S("idle.full"), 56, t_.text, Align::kCenter, true);
  Text({U(16), U(210), w_ - U(32), U(140)},
       s_.Format("idle.full_hint", {{"count", std::to_string(m_.status.attendance)},
                                    {"capacity", std::to_string(m_.status.capacity)}}),
       30, t_.text, Align::kCenter, true);
  if (m_.status.manual_count > 0)
    Text({U(16), U(350), w_ - U(32), U(40)},
         s_.Format("event.manual_in_count", {{"n", std::to_string(m_.status.manual_count)}}), 24,
         t_.text);
  // The door's undo stays at hand: a mistaken check-in frees its place.
  IdleActions(h_ - U(64), U(52));
}

void Builder::Idle() {
  const Status& st = m_.status;
  if (m_.mode == kiosk::Mode::kEvent && st.capacity > 0 && st.attendance >= st.capacity)
    return IdleFull();
  v_.name = "idle";
  StatusBar();
  const int top = U(52);
  const std::string& title =
      S(m_.mode == kiosk::Mode::kShop ? "idle.title.shop" : "idle.title.event");
  Text({U(16), top, w_ - U(32), U(48)}, title, 32, t_.text, Align::kCenter, true);
  // Camera picture with an aiming frame, or the hand-scanner hint.
  const int bottom_bar = U(64), actions_h = U(52);
  const int area_top = top + U(56);
  const int area_h = h_ - area_top - bottom_bar - actions_h - U(16);
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
  IdleActions(h_ - bottom_bar - actions_h - U(6), actions_h);
  if (!m_.banner.empty()) {
    const Rect r{U(16), h_ - bottom_bar - actions_h - U(62), w_ - U(32), U(48)};
    Fill(r, m_.banner_is_error ? t_.invalid : t_.accent);
    Text({r.x + U(8), r.y, r.w - U(16), r.h}, m_.banner, 18, t_.text, Align::kCenter, true);
  }
  // Bottom: registry freshness, the event's count.
  bool warn = false;
  const std::string reg = RegistryLine(&warn);
  Fill({0, h_ - bottom_bar, w_, bottom_bar}, warn ? t_.warning : t_.panel);
  if (m_.mode == kiosk::Mode::kEvent && m_.status.attendance >= 0) {
    Text({U(12), h_ - bottom_bar, w_ / 2, bottom_bar}, DoorCount("idle.count"), 22, t_.text,
         Align::kLeft, true);
    Text({w_ / 2, h_ - bottom_bar, w_ / 2 - U(12), bottom_bar}, reg, 16, t_.text, Align::kRight);
  } else {
    Text({U(12), h_ - bottom_bar, w_ - U(24), bottom_bar}, reg, 18, t_.text, Align::kLeft);
  }
}

}  // namespace kiosk_ui::view_internal
