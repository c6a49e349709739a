// The corrections' screens: the void's confirmation, the last transactions, and the idle
// screen's buttons for them (the door's undo and "no card" too).
#include <string>

#include "builder.h"

namespace kiosk_ui::view_internal {

// "Прошли: 498 / 500 (3 без карты)": the count with its capacity and the manual counts in it.
std::string Builder::DoorCount(std::string_view key) const {
  std::string text = Count(key, m_.status.attendance, m_.status.capacity);
  if (m_.status.manual_count > 0)
    text +=
        " " + s_.Format("event.manual_in_count", {{"n", std::to_string(m_.status.manual_count)}});
  return text;
}

void Builder::IdleActions(int y, int h) {
  const bool event = m_.mode == kiosk::Mode::kEvent;
  const int n = event ? 3 : 1;
  const int gap = U(8), bw = (w_ - U(32) - (n - 1) * gap) / n;
  int x = U(16);
  if (event) {
    Button({x, y, bw, h}, "manual_count", S("event.manual_button"), t_.accent, 18);
    x += bw + gap;
    Button({x, y, bw, h}, "undo", S("event.undo_button"), t_.panel, 18);
    x += bw + gap;
  } else {
    x = w_ - U(16) - bw / 2;  // one button, on the right
    Button({x, y, bw / 2, h}, "recent", S("recent.button"), t_.panel, 18);
    return;
  }
  Button({x, y, bw, h}, "recent", S("recent.button"), t_.panel, 18);
}

void Builder::VoidConfirm() {
  v_.name = "void-confirm";
  const kiosk::Screen& sc = m_.screen;
  Text({U(16), U(12), w_ - U(32), U(48)}, S("void.title"), 32, t_.text, Align::kCenter, true);
  int y = U(70);
  const std::string what = sc.void_kind == "discount" ? S("recent.kind.discount")
                           : sc.manual                ? S("recent.kind.manual_count")
                                                      : S("recent.kind.checkin");
  Text({U(16), y, w_ - U(32), U(34)},
       s_.Format("void.entry", {{"seq", std::to_string(sc.void_seq)},
                                {"what", what},
                                {"time", LocalClock(sc.void_time, m_.utc_offset_seconds)}}),
       24, t_.text);
  y += U(40);
  if (!sc.number_masked.empty()) {
    Text({U(16), y, w_ - U(32), U(30)}, s_.Format("result.number", {{"number", sc.number_masked}}),
         22, t_.muted);
    y += U(36);
  }
  if (sc.void_kind == "discount") {
    Text({U(16), y, w_ - U(32), U(34)},
         S("confirm.purchase") + ": " + Money(sc.purchase_minor) + "   " + S("confirm.discount") +
             ": " + Money(sc.discount_minor),
         24, t_.text, Align::kCenter, true);
    y += U(40);
  }
  Text({U(24), y, w_ - U(48), U(64)},
       S(sc.void_kind == "discount" ? "void.hint_discount" : "void.hint_checkin"), 18, t_.muted);
  const int by = h_ - U(88), bw = (w_ - U(48)) / 2;
  Button({U(16), by, bw, U(72)}, "cancel", S("void.keep"), t_.panel, 24);
  Button({U(32) + bw, by, bw, U(72)}, "confirm", S("void.do"), t_.invalid, 24);
}

// One transaction as the list shows it:
// "14:05  1 000,00 ₽ − 100,00 ₽  ••••0a1b  принято"
std::string Builder::RecentLine(const kiosk::RecentEntry& r) const {
  std::string line = LocalClock(r.time_utc, m_.utc_offset_seconds) + "  ";
  if (r.kind == "discount") {
    line += Money(r.purchase_minor) + "  " + S("recent.discount") + " " + Money(r.discount_minor);
    if (r.cashback_minor > 0) line += "  " + S("recent.cashback") + " " + Money(r.cashback_minor);
  } else {
    line += S(r.kind == "checkin" ? "recent.kind.checkin" : "recent.kind.manual_count");
  }
  if (!r.member.empty()) line += "  " + r.member;
  line += "  ";
  if (!r.voided_by.empty()) {
    const char* who = r.voided_by == "cashier" ? "recent.actor.cashier" : "recent.actor.admin";
    line += s_.Format("recent.voided", {{"who", S(who)}});
  } else if (r.decision == "accepted") {
    line += S("recent.accepted");
  } else {
    line += S("recent.refused");
  }
  return line;
}

void Builder::Recent() {
  v_.name = m_.recent_admin ? "recent-admin" : "recent";
  Text({U(16), U(8), w_ - U(32), U(40)}, S(m_.recent_admin ? "recent.title_admin" : "recent.title"),
       26, t_.text, Align::kLeft, true);
  const int count = static_cast<int>(m_.recent.size());
  const int pages = std::max(1, (count + kRecentPerPage - 1) / kRecentPerPage);
  const int page = std::clamp(m_.page, 0, pages - 1);
  if (pages > 1)
    Text({w_ - U(136), U(8), U(120), U(40)},
         std::to_string(page + 1) + " / " + std::to_string(pages), 20, t_.muted, Align::kRight);
  if (count == 0) Text({U(16), U(60), w_ - U(32), U(60)}, S("recent.none"), 22, t_.muted);
  const int top = U(52), row_h = (h_ - top - U(96)) / kRecentPerPage;
  for (int i = 0; i < kRecentPerPage; ++i) {
    const int k = page * kRecentPerPage + i;
    if (k >= count) break;
    const kiosk::RecentEntry& r = m_.recent[static_cast<size_t>(k)];
    const Rect rect{U(16), top + i * row_h, w_ - U(32), row_h - U(6)};
    const std::string& refusal = m_.recent_admin ? r.admin_void : r.cashier_void;
    if (refusal.empty()) {  // it may be voided: the row is a button
      Button(rect, "void_" + r.uuid, RecentLine(r) + "  \u2192 " + S("recent.void"), t_.accent, 16);
    } else {
      Fill(rect, t_.panel);
      std::string line = RecentLine(r);
      if (refusal == "VOID_TOO_LATE") line += "  (" + S("recent.too_late") + ")";
      Text({rect.x + U(8), rect.y, rect.w - U(16), rect.h}, std::move(line), 16,
           r.voided_by.empty() ? t_.text : t_.muted, Align::kLeft);
    }
  }
  Notice({U(16), h_ - U(88), w_ / 2 - U(120), U(72)});
  if (page > 0)
    Button({w_ - U(216) - U(176), h_ - U(88), U(80), U(72)}, "prev", "\u25C0", t_.panel);
  if (page + 1 < pages)
    Button({w_ - U(216) - U(88), h_ - U(88), U(80), U(72)}, "next", "\u25B6", t_.panel);
  Button({w_ - U(216), h_ - U(88), U(200), U(72)}, "back", S("button.back"), t_.invalid);
}

}  // namespace kiosk_ui::view_internal
