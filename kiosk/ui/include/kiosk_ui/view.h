// What the kiosk app shows, as data: BuildView() turns the session's screen, the app's own screens
// (PIN entry, admin) and the device status into a list of rectangles, texts and buttons. Pure: no
// SDL, no I/O, so tests can check what a user would see and touch without pixels, and the SDL
// renderer only draws what is here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/session.h"
#include "kiosk_settings/strings.h"
#include "kiosk_settings/theme.h"
#include "kiosk_ui/amount_entry.h"  // EditAmount, AmountMinor: the keypad screens' entry
#include "kiosk_ui/clock_text.h"

namespace kiosk_ui {

using kiosk_settings::Rgb;

// The app's screens on top of the session's states.
enum class AppScreen : uint8_t {
  kSession,      // whatever the session shows (idle, result, amount, confirm)
  kPin,          // admin PIN entry
  kAdmin,        // admin menu
  kAdminSelect,  // choose the partner (shop) or event for this device
  kSetPin,       // enter a new admin PIN
  kAdminKey,     // the device public key as a QR code (for enrolling the kiosk on the hub)
  // The screen languages, each by its own name (Model::choices: code and name), the current
  // one marked; one touch picks it.
  kAdminLanguage,
  // The device is not set up: the bundle key (`trust` in kiosk.conf) is missing or unusable.
  // Shows the device id, the problem and where the key goes (Model::setup).
  kNotProvisioned,
  // The last transactions of this device (Model::recent), to void one: the cashier's (within the
  // void window) from the idle screen, the admin's (any time) from the admin menu.
  kRecent,
};

// What the not-provisioned screen says: the key's path, why it cannot be used ("" when the file
// is simply missing).
struct Setup {
  std::string trust_path;
  std::string problem;
};

struct Choice {
  std::string id, label;
};

// Device state shown on the idle and admin screens.
struct Status {
  bool has_registry = false;
  int64_t registry_seq = 0, registry_created = 0, registry_not_after = 0;
  bool registry_stale = false;
  bool network = false;   // a hub is configured
  int64_t last_sync = 0;  // Unix seconds of the last successful sync, 0 never
  bool camera = false;    // a camera is configured
  bool camera_running = false;
  std::string place;         // partner name (shop) or event title (event)
  int64_t attendance = -1;   // event mode: checked in so far (manual counts included)
  int64_t manual_count = 0;  // event mode: of those, let in without a card
  int64_t capacity = 0;      // event mode: the event's capacity (registry, else config); 0 none
  // admin screen
  int64_t journal_entries = 0, journal_pending = 0;
  int64_t journal_exported = 0;  // written to a USB stick through this seq
  int64_t journal_acked = 0;     // acknowledged by the union (hub or office ack) through this seq
  std::string device_id, key_fingerprint, version;
  // The device public key as `cardctl device pubkey` prints it (PEM); "" when it cannot be read.
  std::string device_pubkey_pem;
  // The wall clock against the device's anchors (kiosk/clock_check.h): the floor and the verdict.
  int64_t clock_floor = 0;
  kiosk::ClockState clock_state = kiosk::ClockState::kOk;
};

struct Model {
  kiosk::Screen screen;  // the session's screen
  kiosk::Mode mode = kiosk::Mode::kShop;
  AppScreen app = AppScreen::kSession;
  std::string entry;   // digits typed on the keypad (amount: "1250,5"; PIN: digits)
  std::string notice;  // one line of feedback (wrong PIN, import result), already translated
  bool notice_is_error = false;
  std::string banner;  // idle screen: what a USB stick just brought (already translated)
  bool banner_is_error = false;
  bool busy = false;  // an admin action is running
  bool pin_is_default = false;
  // kAdminSelect: all of them, shown kChoicesPerPage at a time; kAdminLanguage: the languages.
  std::vector<Choice> choices;
  int page = 0;             // kAdminSelect
  bool pin_repeat = false;  // kSetPin: the new PIN is being typed a second time
  Status status;
  int64_t now = 0;  // Unix seconds
  int64_t utc_offset_seconds = 0;
  bool has_logo = false;
  Setup setup;                             // kNotProvisioned
  std::string currency = "₽";            // the sign after every amount (config `currency`)
  std::vector<kiosk::RecentEntry> recent;  // kRecent: newest first, kRecentPerPage a page
  bool recent_admin = false;               // kRecent: the admin's list (voids past the window)
};

inline constexpr int kRecentPerPage = 5;

inline constexpr int kChoicesPerPage = 8;

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
  bool Contains(int px, int py) const { return px >= x && py >= y && px < x + w && py < y + h; }
};

enum class Kind : uint8_t {
  kFill,     // a filled rectangle
  kOutline,  // a rectangle's border, `thickness` px
  kText,     // text wrapped inside rect
  kButton,   // a filled, touchable rectangle with a centred label; `id` names it
  kPreview,  // the camera picture, scaled into rect
  kLogo,     // the theme's logo, scaled into rect keeping its aspect
};
enum class Align : uint8_t { kLeft, kCenter, kRight };

struct Element {
  Kind kind = Kind::kFill;
  Rect rect;
  Rgb color;       // fill, outline or text colour
  Rgb text_color;  // button label
  std::string text;
  int font_px = 0;
  bool bold = false;
  Align align = Align::kLeft;
  int thickness = 0;
  std::string id;  // buttons
};

struct View {
  std::string name;  // "idle", "result-VALID", "amount", "pin" ...: screenshots and tests
  Rgb background;
  std::vector<Element> elements;

  // The button under (x, y), topmost first; nullptr if none.
  const Element* ButtonAt(int x, int y) const;
  const Element* Button(std::string_view id) const;
  // True if some text or button label shows `needle` as a reader sees it: as the whole text or
  // as whole words in it ("VALID" is not shown by "INVALID", "#7" not by "#70"). Case matters.
  bool Shows(std::string_view needle) const;
  // Every visible text, one per line (for logs and tests).
  std::string AllText() const;
  // Equal views draw the same picture, camera picture aside.
  bool operator==(const View&) const;
};

View BuildView(const Model& model, const kiosk_settings::Strings& strings,
               const kiosk_settings::Theme& theme, int width, int height);

// What a result means (valid, invalid, refused by a rule, cannot check) is decided by the session
// (kiosk/outcome.h); the view maps it to a colour, an icon and a word:
//   kValid          green, ✔ VALID
//   kInvalid        red, ✖ INVALID
//   kRefusedByRule  amber, ⊘ NOT ACCEPTED
//   kCannotCheck    amber, ! CANNOT CHECK
using kiosk::Outcome;

// The sound of an outcome: refusals sound like invalid cards (the answer is no).
enum class Tone : uint8_t { kValid, kInvalid, kWarning };
Tone ToneOf(Outcome outcome);

}  // namespace kiosk_ui
