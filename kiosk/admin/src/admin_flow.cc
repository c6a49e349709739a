#include "kiosk_admin/admin_flow.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace kiosk_admin {

using kiosk_ui::AppScreen;

namespace {

constexpr size_t kMinPinDigits = 4;
constexpr size_t kMaxPinDigits = 12;
constexpr int kTriesBeforeLockOut = 3;

bool IsPinScreen(AppScreen s) { return s == AppScreen::kPin || s == AppScreen::kSetPin; }

}  // namespace

AdminFlow::AdminFlow(kiosk_settings::AdminPin& pin, kiosk_settings::Strings strings,
                     std::string i18n_dir)
    : pin_(&pin), strings_(std::move(strings)), i18n_dir_(std::move(i18n_dir)) {}

std::string_view AdminFlow::ScreenName() const {
  switch (screen_) {
    case AppScreen::kPin:
      return "pin";
    case AppScreen::kSetPin:
      return "set-pin";
    case AppScreen::kAdmin:
      return "admin";
    case AppScreen::kAdminSelect:
      return "admin-select";
    case AppScreen::kAdminKey:
      return "admin-key";
    case AppScreen::kAdminLanguage:
      return "admin-language";
    case AppScreen::kSession:
    case AppScreen::kNotProvisioned:  // the app's, never the admin flow's
    case AppScreen::kRecent:
      break;
  }
  return "";
}

void AdminFlow::SetNotice(std::string text, bool error) {
  notice_ = std::move(text);
  notice_error_ = error;
  lock_notice_ = LockNotice::kNone;
}

void AdminFlow::NoticeLocked(bool tried) {
  SetNotice(strings_.Format(tried ? "pin.locked_not_checked" : "pin.locked",
                            {{"seconds", std::to_string(pin_->LockedForSeconds())}}),
            true);
  lock_notice_ = tried ? LockNotice::kTried : LockNotice::kLocked;
}

void AdminFlow::Tick() {
  if (!IsPinScreen(screen_) || lock_notice_ == LockNotice::kNone) return;
  if (pin_->LockedForSeconds() > 0) {
    NoticeLocked(lock_notice_ == LockNotice::kTried);
  } else {
    SetNotice(strings_.Get("pin.unlocked"), false);
  }
}

bool AdminFlow::Open(kiosk::State session_state) {
  if (active()) return false;
  // The customer first: not in the middle of an amount or a confirmation.
  if (session_state == kiosk::State::kAmountEntry || session_state == kiosk::State::kConfirm)
    return false;
  screen_ = AppScreen::kPin;
  entry_.clear();
  SetNotice("", false);
  if (pin_->LockedForSeconds() > 0) NoticeLocked(false);
  return true;
}

AdminEffects AdminFlow::OpenByCard(const std::string& name, bool ask_pin) {
  if (active() && screen_ != AppScreen::kPin) return {};  // already past the PIN
  entry_.clear();
  new_pin_.clear();
  if (ask_pin) {
    screen_ = AppScreen::kPin;
    SetNotice(strings_.Format("admin_card.pin", {{"name", name}}), false);
    if (pin_->LockedForSeconds() > 0) NoticeLocked(false);
    return {};
  }
  screen_ = AppScreen::kAdmin;
  SetNotice(strings_.Format("admin_card.opened", {{"name", name}}), false);
  return {.refresh_status = true};
}

void AdminFlow::CardRefused(const std::string& decision) {
  const std::string key = "admin_card." + decision;
  SetNotice(strings_.Has(key) ? strings_.Get(key) : strings_.Get("admin_card.refused"), true);
}

void AdminFlow::Key(std::string_view key) {
  if (!IsPinScreen(screen_) || checking_) return;
  if (key == "back") {
    if (!entry_.empty()) entry_.pop_back();
  } else if (key == "clear") {
    entry_.clear();
  } else if (key.size() == 1 && key[0] >= '0' && key[0] <= '9' && entry_.size() < kMaxPinDigits) {
    entry_ += key;
  }
}

AdminEffects AdminFlow::Ok() {
  if (!IsPinScreen(screen_) || checking_) return {};
  if (entry_.size() < kMinPinDigits) {
    // Too short to be a PIN: not a try (a passer-by tapping OK must not lock the admin out).
    SetNotice(strings_.Get("pin.too_short"), true);
    entry_.clear();
    return {};
  }
  return screen_ == AppScreen::kPin ? CheckPin() : SetPin();
}

AdminEffects AdminFlow::CheckPin() {
  std::optional<kiosk_settings::PinTry> t = pin_->StartCheck(entry_);
  entry_.clear();
  if (!t) {
    NoticeLocked(true);  // not checked: say so, or a right PIN looks wrong
    return {};
  }
  pin_try_ = std::move(t);
  checking_ = true;
  SetNotice(strings_.Get("pin.checking"), false);
  return {.check_pin = true};
}

std::optional<kiosk_settings::PinTry> AdminFlow::TakePinTry() {
  return std::exchange(pin_try_, std::nullopt);
}

AdminEffects AdminFlow::PinChecked(const base::Result<bool>& right) {
  if (!checking_) return {};
  checking_ = false;
  base::Result<kiosk_settings::PinCheck> r = pin_->FinishCheck(right);
  if (screen_ != AppScreen::kPin) return {};  // the PIN screen was closed meanwhile (time-out)
  if (!r.ok()) {
    SetNotice(r.status().message(), true);
  } else if (*r == kiosk_settings::PinCheck::kOk) {
    screen_ = AppScreen::kAdmin;
    SetNotice("", false);
    return {.refresh_status = true};
  } else if (pin_->LockedForSeconds() > 0) {
    NoticeLocked(false);
  } else {
    const int left = std::max(0, kTriesBeforeLockOut - pin_->failures());
    SetNotice(strings_.Format("pin.wrong", {{"left", std::to_string(left)}}), true);
  }
  return {};
}

AdminEffects AdminFlow::SetPin() {
  // Typed twice: one slip must not set a PIN nobody knows.
  if (new_pin_.empty()) {
    new_pin_ = entry_;
    entry_.clear();
    SetNotice("", false);
    return {};
  }
  const bool same = new_pin_ == entry_;
  base::Status st = same ? pin_->Set(entry_) : base::Status();
  entry_.clear();
  new_pin_.clear();
  screen_ = AppScreen::kAdmin;
  SetNotice(!same     ? strings_.Get("admin.pin_mismatch")
            : st.ok() ? strings_.Get("admin.pin_changed")
                      : st.message(),
            !same || !st.ok());
  return {};
}

AdminEffects AdminFlow::Back(bool job_running) {
  if (checking_) return {};  // a PIN being checked: its answer comes first (under a second)
  entry_.clear();
  switch (screen_) {
    case AppScreen::kPin:
      screen_ = AppScreen::kSession;
      SetNotice("", false);
      return {};
    case AppScreen::kAdmin:
      if (job_running) return {};
      screen_ = AppScreen::kSession;
      SetNotice("", false);
      return {.cancel_session = true};
    case AppScreen::kAdminSelect:
    case AppScreen::kSetPin:
    case AppScreen::kAdminKey:
    case AppScreen::kAdminLanguage:
      screen_ = AppScreen::kAdmin;
      new_pin_.clear();
      SetNotice("", false);
      return {};
    case AppScreen::kNotProvisioned:  // the app's, never the admin flow's
    case AppScreen::kRecent:
    case AppScreen::kSession:
      break;
  }
  return {};
}

void AdminFlow::Close() {
  screen_ = AppScreen::kSession;
  entry_.clear();
  SetNotice("", false);
}

AdminEffects AdminFlow::Press(std::string_view id, const AdminContext& context) {
  if (screen_ == AppScreen::kAdminSelect && (id == "prev" || id == "next")) {
    const int per_page = kiosk_ui::kChoicesPerPage;
    const int pages = (static_cast<int>(choices_.size()) + per_page - 1) / per_page;
    page_ = std::clamp(page_ + (id == "next" ? 1 : -1), 0, std::max(0, pages - 1));
    return {};
  }
  if (screen_ == AppScreen::kAdminSelect && id.rfind("choice_", 0) == 0) {
    screen_ = AppScreen::kAdmin;
    SetNotice("", false);
    return {.chosen = DeviceChoice{select_mode_, std::string(id.substr(7))}};
  }
  if (screen_ == AppScreen::kAdminLanguage && id.rfind("lang_", 0) == 0)
    return PickLanguage(std::string(id.substr(5)));
  // One admin action at a time: nothing changes under a running import or export.
  if (screen_ != AppScreen::kAdmin || context.job_running) return {};
  return MenuButton(id, context);
}

AdminEffects AdminFlow::MenuButton(std::string_view id, const AdminContext& context) {
  if (id == "import_usb") return {.import_usb = true};
  if (id == "export_usb") return {.export_usb = true};
  if (id == "confirm_clock") return {.confirm_clock = true};
  if (id == "recent") {
    // The last transactions, to void one past the cashier's window: the app's screen, as the
    // admin's.
    Close();
    return {.open_recent = true};
  }
  if (id == "sync_now") {
    SetNotice(strings_.Get(context.sync_available ? "admin.sync_started" : "admin.sync_off"),
              false);
    return {.wake_sync = context.sync_available};
  }
  if (id == "mode") {
    // The other mode takes effect when its partner or event is chosen; Back keeps this one.
    OpenSelect(context.mode == kiosk::Mode::kShop ? kiosk::Mode::kEvent : kiosk::Mode::kShop,
               context.registry);
  } else if (id == "select") {
    OpenSelect(context.mode, context.registry);
  } else if (id == "language") {
    OpenLanguages();
  } else if (id == "device_key") {
    screen_ = AppScreen::kAdminKey;
    SetNotice("", false);
  } else if (id == "set_pin") {
    screen_ = AppScreen::kSetPin;
    entry_.clear();
    new_pin_.clear();
    SetNotice("", false);
  }
  return {};
}

void AdminFlow::OpenSelect(kiosk::Mode mode, const registry::Registry* registry) {
  select_mode_ = mode;
  page_ = 0;
  choices_.clear();
  SetNotice("", false);
  if (registry != nullptr) {
    if (mode == kiosk::Mode::kShop) {
      if (auto list = registry->ListPartners(kMaxChoices); list.ok())
        for (const registry::Partner& p : *list)
          choices_.push_back({p.partner_id, p.name + " (" + p.partner_id + ")"});
    } else {
      if (auto list = registry->ListEvents(kMaxChoices); list.ok())
        for (const registry::Event& e : *list)
          choices_.push_back({e.event_id, e.title + " (" + e.event_id + ")"});
    }
  }
  if (choices_.empty()) SetNotice(strings_.Get("admin.registry_none"), true);
  screen_ = AppScreen::kAdminSelect;
}

void AdminFlow::OpenLanguages() {
  // Each language by its own name, read from its translation.
  choices_.clear();
  page_ = 0;
  for (std::string_view code : kiosk_settings::kLanguages) {
    base::Result<kiosk_settings::Strings> s = kiosk_settings::Strings::Load(i18n_dir_, code);
    if (s.ok()) choices_.push_back({std::string(code), s->Get("language.name")});
  }
  SetNotice("", false);
  screen_ = AppScreen::kAdminLanguage;
}

AdminEffects AdminFlow::PickLanguage(const std::string& code) {
  base::Result<kiosk_settings::Strings> s = kiosk_settings::Strings::Load(i18n_dir_, code);
  if (!s.ok()) {
    SetNotice(s.status().message(), true);
    return {};
  }
  strings_ = std::move(*s);
  screen_ = AppScreen::kAdmin;
  SetNotice("", false);
  return {.language = code};
}

}  // namespace kiosk_admin
