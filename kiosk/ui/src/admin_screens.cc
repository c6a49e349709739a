// The admin screens: device state and actions, partner or event choice.
#include <iterator>
#include <string>
#include <vector>

#include "builder.h"
#include "scanner/qr_codec.h"

namespace kiosk_ui::view_internal {

// "2026-12-02 03:46" in the kiosk's local time.
std::string Builder::LocalDateTime(int64_t unix_seconds) const {
  return LocalDate(unix_seconds, m_.utc_offset_seconds) + " " +
         LocalClock(unix_seconds, m_.utc_offset_seconds);
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
  lines.push_back(
      s_.Format("admin.journal_sync", {{"exported", std::to_string(st.journal_exported)},
                                       {"acked", std::to_string(st.journal_acked)}}));
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
  const char* clock_key = st.clock_state == kiosk::ClockState::kBehind  ? "admin.clock_behind"
                          : st.clock_state == kiosk::ClockState::kAhead ? "admin.clock_ahead"
                                                                        : "admin.clock";
  lines.push_back(s_.Format(
      clock_key, {{"clock", LocalDateTime(m_.now)}, {"floor", LocalDateTime(st.clock_floor)}}));
  lines.push_back(s_.Format("admin.device", {{"id", st.device_id}}));
  lines.push_back(s_.Format("admin.key", {{"fingerprint", st.key_fingerprint}}));
  lines.push_back(s_.Format("admin.version", {{"version", st.version}}) + "   " +
                  S("language.name"));
  int y = U(54);
  const int col_w = w_ / 2 - U(24);
  for (size_t i = 0; i < lines.size(); ++i) {
    // The registry line (number and dates) is the long one: two lines of its own, readable.
    const int line_h = i == 0 ? U(52) : U(30);
    Text({U(16), y, col_w, line_h}, std::move(lines[i]), i == 0 ? 18 : 15, t_.text, Align::kLeft,
         i == 0);
    y += line_h + U(2);
  }
  Notice({U(16), h_ - U(84), col_w, U(72)});
  // Actions: two columns of buttons on the right.
  const struct {
    const char* id;
    const char* label;
  } actions[] = {{"import_usb", "admin.import_usb"},
                 {"export_usb", "admin.export_usb"},
                 {"sync_now", "admin.sync_now"},
                 {"mode", "admin.mode_shop"},
                 {"select", "admin.mode_event"},
                 {"language", "admin.language"},
                 {"set_pin", "admin.set_pin"},
                 {"confirm_clock", "admin.confirm_clock"},
                 {"recent", "admin.recent"},
                 {"device_key", "admin.device_key"},
                 {"close", "admin.close"}};
  constexpr int kRows = (static_cast<int>(std::size(actions)) + 1) / 2;
  const int bx = w_ / 2, bw = (w_ / 2 - U(24)) / 2, bh = (h_ - U(60) - U((kRows - 1) * 8)) / kRows;
  for (int i = 0; i < static_cast<int>(std::size(actions)); ++i) {
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

void Builder::AdminLanguage() {
  v_.name = "admin-language";
  Text({U(16), U(8), w_ - U(32), U(40)}, S("admin.language"), 28, t_.text, Align::kLeft, true);
  const int n = std::max(1, static_cast<int>(m_.choices.size()));
  const int bh = std::min(U(96), (h_ - U(56) - U(104)) / n - U(8));
  for (size_t i = 0; i < m_.choices.size(); ++i) {
    const Choice& c = m_.choices[i];
    const bool current = c.id == s_.language();
    Button({U(16), U(56) + static_cast<int>(i) * (bh + U(8)), w_ / 2, bh}, "lang_" + c.id,
           current ? "\u2713 " + c.label : c.label, current ? t_.valid : t_.accent, 22);
  }
  Notice({U(16), h_ - U(88), w_ / 2 - U(120), U(72)});
  Button({w_ - U(216), h_ - U(88), U(200), U(72)}, "back", S("button.back"), t_.invalid);
}

bool Builder::Qr(Rect r, const std::string& text) {
  base::Result<scanner::GrayImage> img =
      scanner::RenderQr(text, {.ecc = scanner::EccLevel::kM, .module_px = 1, .quiet_modules = 0});
  if (!img.ok() || img->width <= 0) return false;
  constexpr int kQuiet = 4;
  const int n = img->width;
  const int unit = std::max(1, std::min(r.w, r.h) / (n + 2 * kQuiet));
  const int side = unit * (n + 2 * kQuiet);
  const int x0 = r.x + (r.w - side) / 2, y0 = r.y + (r.h - side) / 2;
  Fill({x0, y0, side, side}, {255, 255, 255});
  const auto width = static_cast<size_t>(n);
  // One rectangle per horizontal run of dark modules.
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n;) {
      auto dark = [&](int at) {
        return img->pixels[static_cast<size_t>(y) * width + static_cast<size_t>(at)] < 128;
      };
      if (!dark(x)) {
        ++x;
        continue;
      }
      int end = x;
      while (end < n && dark(end)) ++end;
      Fill({x0 + (kQuiet + x) * unit, y0 + (kQuiet + y) * unit, (end - x) * unit, unit}, {0, 0, 0});
      x = end;
    }
  }
  return true;
}

void Builder::AdminKey() {
  v_.name = "admin-key";
  const Status& st = m_.status;
  const Rect qr{U(8), U(8), h_ - U(16), h_ - U(16)};
  const bool shown = !st.device_pubkey_pem.empty() && Qr(qr, st.device_pubkey_pem);
  const int tx = qr.x + qr.w + U(16), tw = w_ - tx - U(16);
  Text({tx, U(16), tw, U(72)}, S("admin_key.title"), 26, t_.text, Align::kLeft, true);
  if (!shown) {
    Text({tx, U(96), tw, U(60)}, S("admin_key.none"), 20, t_.invalid, Align::kLeft, true);
  } else {
    Text({tx, U(96), tw, U(60)}, s_.Format("admin_key.kid", {{"kid", st.key_fingerprint}}), 20,
         t_.text, Align::kLeft, true);
    Text({tx, U(164), tw, U(180)}, S("admin_key.hint"), 16, t_.muted, Align::kLeft);
  }
  Button({w_ - U(216), h_ - U(88), U(200), U(72)}, "back", S("button.back"), t_.invalid);
}

}  // namespace kiosk_ui::view_internal
