// What the SDL app does with touches, keys, typed text and scans (start-up and drawing: app.cc).
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "app_internal.h"
#include "base/time_format.h"

namespace kiosk_sdl {
namespace {

// A touch or Enter this soon after the screen changed is not taken: a double tap on OK must not
// also press what appears under the finger on the next screen (Confirm).
constexpr int64_t kInputSettleNs = 250 * kMs;
constexpr int64_t kBannerNs = 15'000'000'000;  // the USB watcher's news on the idle screen

}  // namespace

// An SDL event's 32-bit millisecond timestamp on the input queue's time line (the system clock's
// monotonic nanoseconds): its distance, signed, from SDL_GetTicks64() read together with that
// clock once per batch of events (TimeEvents()), so that events keep their order and spacing; the
// 32-bit time line wraps after 49.7 days of uptime, a distance does not.
void App::TimeEvents() {
  event_base_ticks_ = SDL_GetTicks64();
  event_base_ns_ = Now();
}

int64_t App::EventNs(uint32_t timestamp) const {
  const auto delta_ms = static_cast<int32_t>(timestamp - static_cast<uint32_t>(event_base_ticks_));
  return event_base_ns_ + static_cast<int64_t>(delta_ms) * kMs;
}

void App::PushInput(kiosk_scan_input::InputEvent e) {
  // Before the inputs exist (the not-provisioned screen) there is nothing to act on.
  if (wiring_->inputs() == nullptr) return;
  wiring_->inputs()->queue().Push(std::move(e));
}

// Every input goes into the one queue, stamped with when it happened; TakeInputs() acts on it in
// that order (a tap waits for the keys typed before it).
void App::Handle(const SDL_Event& ev) {
  using kiosk_scan_input::InputKind;
  switch (ev.type) {
    case SDL_QUIT:
      exit_code_ = 0;
      break;
    case SDL_TEXTINPUT:
      PushInput(
          {.kind = InputKind::kText, .t_ns = EventNs(ev.text.timestamp), .text = ev.text.text});
      break;
    case SDL_KEYDOWN:
      HandleKey(ev.key);
      break;
    case SDL_MOUSEBUTTONDOWN:
      if (ev.button.which != SDL_TOUCH_MOUSEID && ev.button.button == SDL_BUTTON_LEFT) {
        // Mouse positions are in window points; the layout is in drawable pixels (HiDPI).
        int x = ev.button.x, y = ev.button.y;
        window_->PointsToPixels(&x, &y);
        PushInput(
            {.kind = InputKind::kTouch, .t_ns = EventNs(ev.button.timestamp), .x = x, .y = y});
      }
      break;
    case SDL_FINGERDOWN:
      PushInput({.kind = InputKind::kTouch,
                 .t_ns = EventNs(ev.tfinger.timestamp),
                 .x = static_cast<int>(ev.tfinger.x * static_cast<float>(window_->width())),
                 .y = static_cast<int>(ev.tfinger.y * static_cast<float>(window_->height()))});
      break;
    case SDL_WINDOWEVENT:
      if (ev.window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
          ev.window.event == SDL_WINDOWEVENT_EXPOSED) {
        window_->UpdateSize();
        drawn_ = false;
      }
      break;
    default:
      break;
  }
}

void App::HandleKey(const SDL_KeyboardEvent& key) {
  HandleKeySym(key.keysym.sym, EventNs(key.timestamp), key.repeat != 0);
}

// A key from evdev, stamped by the kernel on CLOCK_MONOTONIC: the input queue's time line, so it
// takes its place among touches and scans by when it was typed, however late the UI gets to it.
void App::HandleEvdevKey(const kiosk_keys::KeyEvent& key) {
  switch (key.kind) {
    case kiosk_keys::KeyKind::kText:
      PushInput({.kind = kiosk_scan_input::InputKind::kText, .t_ns = key.t_ns, .text = key.text});
      return;
    case kiosk_keys::KeyKind::kEnter:
      return HandleKeySym(SDLK_RETURN, key.t_ns, key.repeat);
    case kiosk_keys::KeyKind::kTab:
      return HandleKeySym(SDLK_TAB, key.t_ns, key.repeat);
    case kiosk_keys::KeyKind::kBackspace:
      return HandleKeySym(SDLK_BACKSPACE, key.t_ns, key.repeat);
    case kiosk_keys::KeyKind::kEscape:
      return HandleKeySym(SDLK_ESCAPE, key.t_ns, key.repeat);
    case kiosk_keys::KeyKind::kF2:
      return HandleKeySym(SDLK_F2, key.t_ns, key.repeat);
  }
}

void App::HandleKeySym(SDL_Keycode sym, int64_t t, bool repeat) {
  using kiosk_scan_input::InputKind;
  // A held key repeats: only Backspace may (deleting several digits); a held Enter must not walk
  // through amount, confirm and result.
  if (repeat && sym != SDLK_BACKSPACE) return;
  switch (sym) {
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
      PushInput({.kind = InputKind::kEnter, .t_ns = t});  // the '\n' of the typed text acts
      break;
    case SDLK_TAB:
      PushInput({.kind = InputKind::kTab, .t_ns = t});
      break;
    case SDLK_BACKSPACE:
      PushInput({.kind = InputKind::kKey, .t_ns = t, .text = "back"});
      break;
    case SDLK_ESCAPE:
      PushInput({.kind = InputKind::kKey, .t_ns = t, .text = "escape"});
      break;
    case SDLK_F2:
      PushInput({.kind = InputKind::kKey, .t_ns = t, .text = "admin"});
      break;
    default:
      break;
  }
}

void App::HandleAction(const kiosk_scan_input::InputAction& a) {
  using kiosk_scan_input::ActionKind;
  switch (a.kind) {
    case ActionKind::kTyped:
      HandleTyped(a.text);
      break;
    case ActionKind::kScan:
      HandleScan(a.text, a.capture_ns);
      break;
    case ActionKind::kDiscarded:
      std::fprintf(stderr, "kiosk: scan discarded: %s\n", a.text.c_str());
      break;
    case ActionKind::kKey:
      HandleKeyAction(a.text);
      break;
    case ActionKind::kTouch:
      HandleTouch(a.x, a.y);
      break;
  }
}

void App::HandleKeyAction(const std::string& name) {
  if (name == "back") {
    KeypadKey("back");
  } else if (name == "escape") {
    if (!InputSettling()) Back();
  } else if (name == "admin") {
    HandleButton("admin");
  }
}

// True while what is on screen is not what the next touch or Enter would act on: the state moved
// since the last drawing (a second tap in the same batch of events), or the screen changed less
// than kInputSettleNs ago.
bool App::InputSettling() const {
  return !drawn_ || StateName() != drawn_state_ || Now() - screen_changed_ns_ < kInputSettleNs;
}

// Nothing can be waiting before the inputs exist (the not-provisioned screen).
bool App::InputIdle() {
  return (wiring_->inputs() == nullptr || wiring_->inputs()->queue().idle()) &&
         evdev_queue_.empty();
}

void App::HandleTouch(int x, int y) {
  if (InputSettling()) return;
  const kiosk_ui::Element* b = view_.ButtonAt(x, y);
  if (b != nullptr) HandleButton(b->id);
}

void App::HandleTyped(const std::string& text) {
  // A person types digits, a comma and Enter here. Anything else (a scanner burst cut in two by
  // a stalled UI, letters) is not an amount: none of it is taken, its Enter included.
  for (char c : text)
    if (!((c >= '0' && c <= '9') || c == ',' || c == '.' || c == '\n' || c == ' ')) return;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      KeypadKey(std::string(1, c));
    } else if (c == ',' || c == '.') {
      KeypadKey(",");
    } else if (c == '\n' && !InputSettling()) {
      Ok();
    }
  }
}

void App::HandleScan(const std::string& text, int64_t capture_ns) {
  // A card shown while a customer is being served (amount, confirm) or while the admin works is
  // not for this screen: only an idle or result screen takes the next card.
  // An admin card is taken on every screen (app_admin_card.cc).
  const kiosk::State s = session().screen().state;
  if (admin_->active() || (s != kiosk::State::kIdle && s != kiosk::State::kResult)) {
    if (text != last_scan_text_ || s != kiosk::State::kResult) HandleAdminCardScan(text, s);
    return;
  }
  // A scanner in continuous mode reads the card again and again: the same card while its own
  // result is on screen is the same customer, not a second check-in.
  if (s == kiosk::State::kResult && text == last_scan_text_) return;
  last_scan_text_ = text;
  recent_open_ = false;  // a customer comes first
  amount_.clear();
  admin_->ClearNotice();
  session().Scan(text);
  pending_capture_ns_ = capture_ns;
  AfterSession(s);
  AfterAdminCard();
}

// Sounds and bookkeeping after the session moved.
void App::AfterSession(kiosk::State before) {
  const kiosk::Screen& sc = session().screen();
  if (sc.state == kiosk::State::kResult) {
    sound_->Play(kiosk_ui::ToneOf(sc.outcome));
    if (wiring_->session_config().mode == kiosk::Mode::kEvent && sc.attendance >= 0) {
      status_.attendance = sc.attendance;
      status_.manual_count = sc.manual_count;
    }
    if (sc.entry_seq > 0) status_.journal_entries = sc.entry_seq;
  } else if (sc.state == kiosk::State::kAmountEntry && before != kiosk::State::kAmountEntry) {
    sound_->Play(kiosk_ui::Tone::kValid);
  }
}

void App::KeypadKey(const std::string& key) {
  app_activity_ns_ = Now();
  if (admin_->active()) {
    admin_->Key(key);
    return;
  }
  if (session().screen().state == kiosk::State::kAmountEntry) {
    // Typing the amount is activity (the screen must not time out); a changed amount is no longer
    // the one a warning was about.
    if (kiosk_ui::EditAmount(&amount_, key)) {
      session().AmountEdited();
    } else {
      session().KeepAlive();
    }
  }
}

void App::Ok() {
  app_activity_ns_ = Now();
  if (admin_->active()) {
    Apply(admin_->Ok());
    return;
  }
  const kiosk::State before = session().screen().state;
  if (before == kiosk::State::kAmountEntry) {
    const int64_t minor = kiosk_ui::AmountMinor(amount_);
    if (minor < 0) return;
    session().Amount(minor);
    AfterSession(before);
  } else if (before == kiosk::State::kConfirm || before == kiosk::State::kVoidConfirm) {
    session().Confirm();
    amount_.clear();
    AfterSession(before);
  } else if (before == kiosk::State::kResult) {
    session().Cancel();
  }
}

void App::Back() {
  app_activity_ns_ = Now();
  amount_.clear();
  if (admin_->active()) {
    const bool busy = wiring_->usb_job() != nullptr && wiring_->usb_job()->running();
    Apply(admin_->Back(busy));
    return;
  }
  if (recent_open_) {
    recent_open_ = false;
    return;
  }
  if (session().screen().state != kiosk::State::kIdle) session().Cancel();
}

void App::HandleButton(const std::string& id) {
  app_activity_ns_ = Now();
  if (id.rfind("key_", 0) == 0) {
    KeypadKey(id.substr(4));
    return;
  }
  if (HandleCorrection(id)) return;
  if (id == "ok" || id == "confirm") return Ok();
  if (id == "cancel" || id == "back" || id == "close") return Back();
  if (id == "admin") {
    if (admin_->Open(session().screen().state)) {
      amount_.clear();
      recent_open_ = false;
    }
    return;
  }
  if (!admin_->active()) return;
  kiosk_usb::UsbAdminJob* job = wiring_->usb_job();
  const kiosk_admin::AdminContext context{.mode = wiring_->session_config().mode,
                                          .registry = wiring_->device().registry.get(),
                                          .job_running = job != nullptr && job->running(),
                                          .sync_available = wiring_->sync() != nullptr};
  Apply(admin_->Press(id, context));
}

// Does what an admin input asks of the rest of the app.
void App::Apply(const kiosk_admin::AdminEffects& e) {
  if (e.cancel_session) session().Cancel();
  if (e.refresh_status) RefreshStatus();
  if (e.chosen) {
    const bool shop = e.chosen->mode == kiosk::Mode::kShop;
    cfg_.mode = shop ? "shop" : "event";
    (shop ? cfg_.partner : cfg_.event) = e.chosen->id;
    choices_.Choose(e.chosen->mode, e.chosen->id);
  }
  if (!e.language.empty()) {
    cfg_.language = e.language;
    choices_.ChooseLanguage(e.language);
  }
  if (e.chosen || !e.language.empty()) {
    if (base::Status st = choices_.Save(); !st.ok())
      std::fprintf(stderr, "kiosk: %s\n", st.message().c_str());
  }
  if (e.chosen) RebuildSession();
  if (e.import_usb || e.export_usb) StartUsbJob(e.export_usb);
  if (e.check_pin) StartPinCheck();
  if (e.wake_sync) wiring_->sync()->Wake();
  if (e.confirm_clock) ConfirmClock();
  if (e.open_recent) OpenRecent(true);
}

void App::OpenRecent(bool admin) {
  base::Result<std::vector<kiosk::RecentEntry>> r = session().Recent(20);
  if (!r.ok()) {
    std::fprintf(stderr, "kiosk: last transactions: %s\n", r.status().message().c_str());
    return;
  }
  recent_ = std::move(*r);
  recent_page_ = 0;
  recent_admin_ = admin;
  recent_open_ = true;
}

// The corrections' buttons: true when `id` was one of them.
bool App::HandleCorrection(const std::string& id) {
  if (admin_->active()) return false;
  const kiosk::State before = session().screen().state;
  if (recent_open_) {
    if (id == "prev" || id == "next") {
      const int pages = (static_cast<int>(recent_.size()) + kiosk_ui::kRecentPerPage - 1) /
                        kiosk_ui::kRecentPerPage;
      recent_page_ = std::clamp(recent_page_ + (id == "next" ? 1 : -1), 0, std::max(0, pages - 1));
      return true;
    }
    if (id.rfind("void_", 0) != 0) return false;
    recent_open_ = false;
    session().StartVoid(id.substr(5),
                        recent_admin_ ? kiosk::Actor::kAdmin : kiosk::Actor::kCashier);
  } else if (id == "recent") {
    OpenRecent(false);
    return true;
  } else if (id == "void") {
    session().StartVoid(session().screen().entry_uuid, kiosk::Actor::kCashier);
  } else if (id == "undo") {
    session().UndoLastCheckin(kiosk::Actor::kCashier);
  } else if (id == "manual_count") {
    session().ManualCount();
  } else {
    return false;
  }
  AfterSession(before);
  if (session().screen().state == kiosk::State::kResult) RefreshStatus();
  return true;
}

// The admin confirms the wall clock: a clock correction in the journal, after which the
// correction is the journal's anchor (docs/kiosk-app.md, "The clock").
void App::ConfirmClock() {
  base::Result<journal::Entry> e = wiring_->device().ConfirmClock(wiring_->clock(), "admin");
  if (e.ok()) {
    admin_->SetNotice(admin_->strings().Format("admin.clock_confirmed",
                                               {{"clock", base::FormatIso8601Utc(e->time_utc)}}),
                      false);
  } else {
    admin_->SetNotice(
        admin_->strings().Format("admin.clock_failed", {{"why", e.status().message()}}), true);
  }
  RefreshStatus();
}

// The PIN's PBKDF2 (tens of ms here, up to a second on a small board) off the UI thread: the PIN
// screen says "checking" meanwhile.
void App::StartPinCheck() {
  std::optional<kiosk_settings::PinTry> t = admin_->TakePinTry();
  if (!t) return;
  pin_check_ = std::async(std::launch::async, [this, t = std::move(*t)] {
    base::Result<bool> right = t.Right();
    Wake();
    return right;
  });
}

void App::FinishPinCheck() {
  if (!pin_check_.valid() ||
      pin_check_.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    return;
  app_activity_ns_ = Now();
  Apply(admin_->PinChecked(pin_check_.get()));
}

// Import from / export to every USB stick under usb_mount_dir, on a worker thread so the screen
// stays alive; the registry is switched on the UI thread when the job is done.
void App::StartUsbJob(bool do_export) {
  kiosk_usb::UsbAdminJob* job = wiring_->usb_job();
  if (job == nullptr) {
    // Without the bundle key the stick's bundles cannot be checked, so nothing is read from it.
    admin_->SetNotice(
        admin_->strings().Format(do_export ? "admin.export_failed" : "admin.usb_failed",
                                 {{"why", "no `trust` key in the config"}}),
        true);
    return;
  }
  if (!job->Start(do_export)) return;
  admin_->SetNotice(admin_->strings().Get("admin.usb_working"), false);
}

void App::FinishUsbJob() {
  kiosk_usb::UsbAdminJob* job = wiring_->usb_job();
  if (job == nullptr) return;
  std::optional<kiosk_usb::UsbOutcome> out = job->TakeResult();
  if (!out) return;
  std::string words = kiosk_usb::Words(*out, admin_->strings());
  if (job->removable()) words += " " + admin_->strings().Get("usb.can_remove");
  admin_->SetNotice(std::move(words), out->error);
  app_activity_ns_ = Now();  // the admin gets to read the outcome
  RefreshStatus();
}

// What the USB watcher did, in words, on the idle screen for a while (and in the admin menu).
void App::TakeUsbNews() {
  if (kiosk_usb::UsbStickWatcher* watcher = wiring_->usb_watcher()) {
    for (const std::vector<kiosk_usb::UsbOutcome>& stick : watcher->TakeNews()) {
      banner_ = kiosk_usb::StickLine(stick, admin_->strings(), &banner_error_);
      banner_until_ns_ = Now() + kBannerNs;
      if (admin_->screen() == kiosk_ui::AppScreen::kAdmin)
        admin_->SetNotice(banner_, banner_error_);
    }
  }
  if (!banner_.empty() && Now() >= banner_until_ns_) banner_.clear();
}

}  // namespace kiosk_sdl
