// The kiosk's admin screens as a state machine without a display: PIN entry (with the PIN's
// lock-out), the admin menu, setting a new PIN (typed twice), choosing the partner or event
// (paged), the language (a chooser). It takes the admin's inputs (keypad keys, OK, Back, button
// ids) and returns what the rest of the app must do (AdminEffects); what it shows is read through
// its accessors. The words it shows come from its own kiosk_settings::Strings, which the language
// button replaces.
//
// Owns its Strings; refers to an AdminPin that must outlive it. Not thread-safe (the UI thread's).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/session.h"
#include "kiosk_settings/admin_pin.h"
#include "kiosk_settings/strings.h"
#include "kiosk_ui/view.h"
#include "registry/registry.h"

namespace kiosk_admin {

// Partners or events offered for choice, by id.
inline constexpr int kMaxChoices = 400;

// A partner (shop mode) or event (event mode) chosen for this device.
struct DeviceChoice {
  kiosk::Mode mode = kiosk::Mode::kShop;
  std::string id;
};

// What the app must do after an admin input. Several may be set at once; none for most inputs.
struct AdminEffects {
  bool cancel_session = false;         // the admin menu was left: the session goes back to idle
  bool refresh_status = false;         // the admin menu opened: the status lines are read again
  std::optional<DeviceChoice> chosen;  // save it, and serve in that mode from now on
  std::string language;                // a new language was loaded: save it
  bool import_usb = false;             // start an import from the USB sticks
  bool export_usb = false;             // start an export of the journal to the USB sticks
  bool wake_sync = false;              // start a network sync now
  // Record a clock correction: the admin confirms that the wall clock is right now
  // (kiosk::Device::ConfirmClock), and the notice says how it went.
  bool confirm_clock = false;
  // A PIN was typed: run TakePinTry()'s Right() off the UI thread, then hand it to PinChecked().
  bool check_pin = false;
  // The admin menu closed for the last transactions, where the admin may void any of them.
  bool open_recent = false;
};

// What the flow looks at in the rest of the app when a button is pressed.
struct AdminContext {
  kiosk::Mode mode = kiosk::Mode::kShop;         // the session's
  const registry::Registry* registry = nullptr;  // the device's, or null without one
  bool job_running = false;                      // a USB job is running: the menu waits
  bool sync_available = false;                   // network sync is configured
};

class AdminFlow {
 public:
  // `i18n_dir` holds the translations the language chooser offers.
  AdminFlow(kiosk_settings::AdminPin& pin, kiosk_settings::Strings strings, std::string i18n_dir);

  // The admin button (F2, or on the idle/result screen): PIN entry, unless a customer is being
  // served (`session_state` is amount entry or confirm) or an admin screen is already open.
  // True when PIN entry opened.
  bool Open(kiosk::State session_state);
  // A verified admin card of `name` was scanned (the session's decision ADMIN_CARD), on any
  // screen: the admin menu opens at once, or with `ask_pin` (config admin_card_pin) the PIN screen,
  // each saying whose card it is. On an admin screen other than the PIN one nothing changes.
  AdminEffects OpenByCard(const std::string& name, bool ask_pin);
  // An admin card scanned on an admin screen was refused (`decision`: its verdict code): the
  // notice says why, in the screen's language.
  void CardRefused(const std::string& decision);
  // A keypad key on the PIN screens: "0".."9", "back", "clear". Ignored elsewhere.
  void Key(std::string_view key);
  // OK on the PIN screens (ignored elsewhere).
  AdminEffects Ok();
  // Back / Esc on an admin screen: PIN and menu go back to the session (not while a job runs),
  // the choice, set-PIN and device-key screens back to the menu.
  AdminEffects Back(bool job_running);
  // Another button of the admin screens (not the keypad, OK or Back ones).
  AdminEffects Press(std::string_view id, const AdminContext& context);
  // The PIN try that OK started (once), and its result (PinTry::Right()): the menu opens, or the
  // wrong-PIN or lock-out notice. Until then the PIN screen says "checking" and takes no input.
  std::optional<kiosk_settings::PinTry> TakePinTry();
  AdminEffects PinChecked(const base::Result<bool>& right);
  bool checking() const { return checking_; }
  // Back to the session at once (the admin screens time out), entry and notice cleared.
  void Close();
  // Time passed (the app calls it every turn): on a PIN screen the lock-out notice counts down,
  // and once the lock-out is over it says the PIN may be typed again.
  void Tick();

  void SetNotice(std::string text, bool error);
  void ClearNotice() { SetNotice("", false); }

  kiosk_ui::AppScreen screen() const { return screen_; }
  bool active() const { return screen_ != kiosk_ui::AppScreen::kSession; }
  // "pin", "set-pin", "admin", "admin-select", "admin-key", "admin-language"; empty on the
  // session's screens.
  std::string_view ScreenName() const;
  const std::string& entry() const { return entry_; }
  const std::string& notice() const { return notice_; }
  bool notice_is_error() const { return notice_error_; }
  const std::vector<kiosk_ui::Choice>& choices() const { return choices_; }
  int page() const { return page_; }
  // The mode whose partners or events are on the choice screen.
  kiosk::Mode select_mode() const { return select_mode_; }
  // On the set-PIN screen, after the first entry: the PIN is asked again.
  bool pin_repeat() const { return screen_ == kiosk_ui::AppScreen::kSetPin && !new_pin_.empty(); }
  bool pin_is_default() const { return pin_->is_default(); }
  const kiosk_settings::Strings& strings() const { return strings_; }

 private:
  AdminEffects CheckPin();
  AdminEffects SetPin();
  AdminEffects MenuButton(std::string_view id, const AdminContext& context);
  void OpenSelect(kiosk::Mode mode, const registry::Registry* registry);
  // The language chooser; a language picked there is loaded (AdminEffects::language).
  void OpenLanguages();
  AdminEffects PickLanguage(const std::string& code);
  // The lock-out notice with the seconds left; `tried`: a PIN typed during it was not checked.
  void NoticeLocked(bool tried);

  kiosk_settings::AdminPin* pin_;
  kiosk_settings::Strings strings_;
  std::string i18n_dir_;
  kiosk_ui::AppScreen screen_ = kiosk_ui::AppScreen::kSession;
  std::string entry_;                              // digits typed on a PIN screen
  std::string new_pin_;                            // kSetPin: the first entry of the new PIN
  std::optional<kiosk_settings::PinTry> pin_try_;  // started, not yet taken
  bool checking_ = false;                          // a PIN try is being checked
  std::string notice_;
  bool notice_error_ = false;
  enum class LockNotice : uint8_t { kNone, kLocked, kTried };
  LockNotice lock_notice_ = LockNotice::kNone;  // the notice is the lock-out's, counting down
  std::vector<kiosk_ui::Choice> choices_;
  int page_ = 0;
  kiosk::Mode select_mode_ = kiosk::Mode::kShop;
};

}  // namespace kiosk_admin
