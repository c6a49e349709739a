// What the SDL app does with touches, keys, typed text and scans (start-up and drawing: app.cc).
#include <algorithm>
#include <cstdio>

#include "app_internal.h"

namespace kiosk_sdl {
namespace {

// A touch or Enter this soon after the screen changed is not taken: a double tap on OK must not
// also press what appears under the finger on the next screen (Confirm).
constexpr int64_t kInputSettleNs = 250 * kMs;
constexpr int64_t kBannerNs = 15'000'000'000;  // the USB watcher's news on the idle screen

// An SDL event's 32-bit millisecond timestamp on the 64-bit SDL_GetTicks64() time line (the
// 32-bit one wraps after 49.7 days of uptime).
int64_t EventNs(uint32_t timestamp) {
  const uint64_t now = SDL_GetTicks64();
  const uint32_t age = static_cast<uint32_t>(now) - timestamp;
  return static_cast<int64_t>(now - age) * kMs;
}

}  // namespace

void App::Handle(const SDL_Event& ev) {
  switch (ev.type) {
    case SDL_QUIT:
      exit_code_ = 0;
      break;
    case SDL_TEXTINPUT:
      wedge_.OnText(ev.text.text, EventNs(ev.text.timestamp));
      break;
    case SDL_KEYDOWN:
      HandleKey(ev.key);
      break;
    case SDL_MOUSEBUTTONDOWN:
      if (ev.button.which != SDL_TOUCH_MOUSEID && ev.button.button == SDL_BUTTON_LEFT) {
        // Mouse positions are in window points; the layout is in drawable pixels (HiDPI).
        int x = ev.button.x, y = ev.button.y;
        window_->PointsToPixels(&x, &y);
        HandleTouch(x, y);
      }
      break;
    case SDL_FINGERDOWN:
      HandleTouch(static_cast<int>(ev.tfinger.x * static_cast<float>(window_->width())),
                  static_cast<int>(ev.tfinger.y * static_cast<float>(window_->height())));
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

// A key from evdev: stamped by the kernel (CLOCK_MONOTONIC, as Now()), put on the SDL ticks time
// line the wedge assembler runs on by its age, so a scanner's gaps are the kernel's, however late
// the UI gets to them.
void App::HandleEvdevKey(const kiosk_keys::KeyEvent& key) {
  const int64_t t = TicksNs() - std::max<int64_t>(0, Now() - key.t_ns);
  switch (key.kind) {
    case kiosk_keys::KeyKind::kText:
      wedge_.OnText(key.text, t);
      return;
    case kiosk_keys::KeyKind::kEnter:
      return HandleKeySym(SDLK_RETURN, t, key.repeat);
    case kiosk_keys::KeyKind::kTab:
      return HandleKeySym(SDLK_TAB, t, key.repeat);
    case kiosk_keys::KeyKind::kBackspace:
      return HandleKeySym(SDLK_BACKSPACE, t, key.repeat);
    case kiosk_keys::KeyKind::kEscape:
      return HandleKeySym(SDLK_ESCAPE, t, key.repeat);
    case kiosk_keys::KeyKind::kF2:
      return HandleKeySym(SDLK_F2, t, key.repeat);
  }
}

void App::HandleKeySym(SDL_Keycode sym, int64_t t, bool repeat) {
  // A held key repeats: only Backspace may (deleting several digits); a held Enter must not walk
  // through amount, confirm and result.
  if (repeat && sym != SDLK_BACKSPACE) return;
  switch (sym) {
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
      wedge_.OnEnter(t);  // the '\n' of the typed text (or the end of a scan) acts
      break;
    case SDLK_TAB:
      wedge_.OnTab(t);
      break;
    case SDLK_BACKSPACE:
      wedge_.Flush(t);
      HandleWedge();
      KeypadKey("back");
      break;
    case SDLK_ESCAPE:
      wedge_.Flush(t);
      HandleWedge();
      if (!InputSettling()) Back();
      break;
    case SDLK_F2:
      wedge_.Flush(t);
      HandleWedge();
      HandleButton("admin");
      break;
    default:
      break;
  }
}

// True while what is on screen is not what the next touch or Enter would act on: the state moved
// since the last drawing (a second tap in the same batch of events), or the screen changed less
// than kInputSettleNs ago.
bool App::InputSettling() const {
  return !drawn_ || StateName() != drawn_state_ || Now() - screen_changed_ns_ < kInputSettleNs;
}

bool App::InputIdle() {
  return (wiring_->inputs() == nullptr || !wiring_->inputs()->scans_waiting()) && wedge_.idle() &&
         evdev_queue_.empty();
}

void App::HandleTouch(int x, int y) {
  if (InputSettling()) return;
  const kiosk_ui::Element* b = view_.ButtonAt(x, y);
  if (b != nullptr) HandleButton(b->id);
}

void App::HandleWedge() {
  for (scanner::WedgeEvent& e : wedge_.TakeEvents()) {
    if (e.kind == scanner::WedgeEventKind::kScan) {
      HandleScan({std::move(e.text), 0});
    } else if (e.kind == scanner::WedgeEventKind::kTypedText) {
      HandleTyped(e.text);
    } else {
      std::fprintf(stderr, "kiosk: scan discarded: %s\n", e.status.message().c_str());
    }
  }
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

void App::HandleScan(const kiosk_scan_input::PendingScan& scan) {
  // A card shown while a customer is being served (amount, confirm) or while the admin works is
  // not for this screen: only an idle or result screen takes the next card.
  const kiosk::State s = session().screen().state;
  if (admin_->active() || (s != kiosk::State::kIdle && s != kiosk::State::kResult)) return;
  // A scanner in continuous mode reads the card again and again: the same card while its own
  // result is on screen is the same customer, not a second check-in.
  if (s == kiosk::State::kResult && scan.text == last_scan_text_) return;
  last_scan_text_ = scan.text;
  amount_.clear();
  admin_->ClearNotice();
  session().Scan(scan.text);
  pending_capture_ns_ = scan.capture_ns;
  AfterSession(s);
}

// Sounds and bookkeeping after the session moved.
void App::AfterSession(kiosk::State before) {
  const kiosk::Screen& sc = session().screen();
  if (sc.state == kiosk::State::kResult) {
    sound_->Play(kiosk_ui::ToneOf(sc.outcome));
    if (wiring_->session_config().mode == kiosk::Mode::kEvent && sc.attendance >= 0)
      status_.attendance = sc.attendance;
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
    kiosk_ui::EditAmount(&amount_, key);
    session().KeepAlive();  // typing the amount is activity: the screen must not time out
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
  } else if (before == kiosk::State::kConfirm) {
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
  if (session().screen().state != kiosk::State::kIdle) session().Cancel();
}

void App::HandleButton(const std::string& id) {
  app_activity_ns_ = Now();
  if (id.rfind("key_", 0) == 0) {
    KeypadKey(id.substr(4));
    return;
  }
  if (id == "ok" || id == "confirm") return Ok();
  if (id == "cancel" || id == "back" || id == "close") return Back();
  if (id == "admin") {
    if (admin_->Open(session().screen().state)) amount_.clear();
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
  if (e.wake_sync) wiring_->sync()->Wake();
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
