// The SDL app's start-up, loop and drawing (its inputs: app_input.cc).
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app_internal.h"
#include "base/file.h"
#include "kiosk_settings/script.h"

namespace kiosk_sdl {
namespace {

constexpr int64_t kPreviewFps = 15;
constexpr int64_t kPreviewIntervalNs = 1'000'000'000 / kPreviewFps;

}  // namespace

int App::StartupError(const std::string& why) {
  std::fprintf(stderr, "kiosk: %s\n", why.c_str());
  health_.SetStatus("start-up failed: " + why);
  return kExitStartup;
}

App::~App() = default;

void App::Wake() const {
  // Wakes the UI thread's SDL_WaitEventTimeout from any thread (SDL_PushEvent is thread-safe).
  SDL_Event ev{};
  ev.type = wake_event_;
  SDL_PushEvent(&ev);
}

std::string App::AssetsDir() const {
  if (!cfg_.assets_dir.empty()) return cfg_.assets_dir;
  // Installed: <prefix>/bin/kiosk and <prefix>/share/cardkiosk/assets; in a build tree: the
  // source's assets/.
  const char* base = SDL_GetBasePath();
  std::string installed = base != nullptr ? std::string(base) + "../share/cardkiosk/assets" : "";
  if (base != nullptr) SDL_free(const_cast<char*>(base));
  struct stat st {};
  if (!installed.empty() && stat(installed.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return installed;
  return CK_SOURCE_ASSETS_DIR;
}

// The config file, the flags and the admin's saved choices; translations, theme and script.
int App::LoadSettings() {
  // Mode, partner/event and language chosen in the admin menu survive a restart; command-line
  // flags still win.
  if (base::Status st = choices_.Load(); !st.ok())
    std::fprintf(stderr, "kiosk: ignoring %s\n", st.message().c_str());
  choices_.ApplyTo(&cfg_, opt_.mode_fixed, opt_.language_fixed);
  const std::string assets = AssetsDir();
  base::Result<kiosk_settings::Strings> strings =
      kiosk_settings::Strings::Load(assets + "/i18n", cfg_.language);
  if (!strings.ok()) return StartupError(strings.status().message());
  strings_.emplace(std::move(*strings));
  const std::string theme_dir = cfg_.theme.empty() ? assets + "/theme" : cfg_.theme;
  base::Result<kiosk_settings::Theme> theme = kiosk_settings::LoadTheme(theme_dir);
  if (!theme.ok()) return StartupError(theme.status().message());
  theme_ = std::move(*theme);
  if (cfg_.mode == "shop" && cfg_.partner.empty())
    return StartupError("shop mode needs a partner (--partner or `partner =`)");
  if (cfg_.mode == "event" && cfg_.event.empty())
    return StartupError("event mode needs an event (--event or `event =`)");
  if (!opt_.script_path.empty()) {
    base::Result<std::vector<kiosk_settings::ScriptCommand>> s =
        kiosk_settings::LoadScript(opt_.script_path);
    if (!s.ok()) return StartupError(s.status().message());
    script_.emplace(std::move(*s), *this);
  }
  if (!opt_.screenshot_dir.empty()) {
    if (base::Status st = base::MakeDirs(opt_.screenshot_dir, 0755); !st.ok())
      return StartupError(st.message());
  }
  return 0;
}

// The data directory, the admin PIN, the device's identity and the bundle key.
int App::OpenParts() {
  if (base::Status st = wiring_->OpenDevice(cfg_.data_dir); !st.ok())
    return StartupError(st.message());
  base::Result<kiosk_settings::AdminPin> pin =
      kiosk_settings::AdminPin::Open(wiring_->fs(), cfg_.data_dir, wiring_->clock());
  if (!pin.ok()) return StartupError(pin.status().message());
  pin_.emplace(std::move(*pin));
  (void)wiring_->LoadIdentity();  // without a device id the admin screen shows none
  setup_.trust_path = cfg_.trust;
  provisioned_ = cfg_.trust.empty() || TryTrust();
  if (!provisioned_) {
    std::fprintf(stderr, "kiosk: not provisioned: %s; waiting for the bundle key at %s\n",
                 setup_.problem.empty() ? "no bundle key" : setup_.problem.c_str(),
                 cfg_.trust.c_str());
  }
  admin_.emplace(*pin_, std::move(*strings_), AssetsDir() + "/i18n");
  strings_.reset();
  return 0;
}

// The window, the drawing and the sound.
int App::OpenScreen() {
  base::Result<std::unique_ptr<KioskWindow>> window =
      KioskWindow::Open(cfg_.fullscreen, cfg_.window_width, cfg_.window_height, cfg_.renderer);
  if (!window.ok()) return StartupError(window.status().message());
  window_ = std::move(*window);
  wake_event_ = SDL_RegisterEvents(1);
  const std::string assets = AssetsDir();
  base::Result<std::unique_ptr<Renderer>> gfx =
      Renderer::Create(window_->renderer(), assets + "/fonts/DejaVuSans.ttf",
                       assets + "/fonts/DejaVuSans-Bold.ttf", theme_.logo_path);
  if (!gfx.ok()) return StartupError(gfx.status().message());
  gfx_ = std::move(*gfx);
  sound_ = std::make_unique<Sound>(cfg_.sound_volume);
  if (!sound_->available()) std::fprintf(stderr, "kiosk: %s\n", sound_->problem().c_str());
  // Said once, for whoever reads the journal of a kiosk nobody can tap (a touch screen plugged in
  // later is used as it comes).
  if (SDL_GetNumTouchDevices() == 0) {
    std::fprintf(stderr,
                 "kiosk: no touch screen found: the buttons work with a mouse; on a keyboard "
                 "Enter is OK, Escape is back, F2 opens the admin menu\n");
  }
  SDL_StartTextInput();
  return 0;
}

// Network sync, the USB sticks, the camera and the scanner (the session is already there).
void App::StartParts() {
  auto wake = [this] { Wake(); };
  if (!cfg_.hub.empty())
    wiring_->StartSync({cfg_.hub, cfg_.hub_cert, cfg_.sync_interval_seconds}, wake);
  RefreshStatus();
  wiring_->StartUsb(cfg_.usb_mount_dir, cfg_.usb_watch, wake);
  wiring_->OpenInputs({cfg_.camera, cfg_.camera_width, cfg_.camera_height, cfg_.camera_fps},
                      cfg_.scanner_device, wake);
  StartEvdevKeys();
}

int App::Start() {
  start_ns_ = Now();
  health_.SetStatus("starting");
  base::Result<std::unique_ptr<kiosk_wiring::Wiring>> wiring =
      kiosk_wiring::Wiring::Create(fs_, opt_.fake_clock);
  if (!wiring.ok()) return StartupError("bad --fake-clock: " + wiring.status().message());
  wiring_ = std::move(*wiring);
  if (int rc = LoadSettings(); rc != 0) return rc;
  if (int rc = OpenParts(); rc != 0) return rc;
  if (int rc = OpenScreen(); rc != 0) return rc;
  if (!cfg_.hub.empty() && cfg_.trust.empty())
    return StartupError("network sync (hub) needs `trust` (the bundle key)");
  RebuildSession();
  if (provisioned_) StartParts();
  return 0;
}

kiosk::Config App::SessionConfig() const {
  kiosk::Config c;
  c.mode = cfg_.mode == "event" ? kiosk::Mode::kEvent : kiosk::Mode::kShop;
  c.partner_id = cfg_.partner;
  c.event_id = cfg_.event;
  c.utc_offset_seconds = cfg_.utc_offset_seconds;
  c.result_timeout_ms = cfg_.result_timeout_ms;
  c.entry_timeout_ms = cfg_.entry_timeout_ms;
  c.capacity = cfg_.capacity;
  c.void_window_seconds = cfg_.void_window_seconds;
  c.admin_cards = true;  // this front end has the admin menu
  c.stale_registry =
      cfg_.stale_registry == "refuse" ? kiosk::StalePolicy::kRefuse : kiosk::StalePolicy::kWarn;
  return c;
}

void App::RebuildSession() {
  wiring_->RebuildSession(SessionConfig());
  RefreshStatus();
}

void App::RefreshStatus() {
  kiosk::Device& device = wiring_->device();
  const kiosk::Mode mode = wiring_->session_config().mode;
  status_.has_registry = device.registry != nullptr;
  status_.place.clear();
  status_.attendance = -1;
  status_.capacity = mode == kiosk::Mode::kEvent ? cfg_.capacity : 0;
  if (device.registry) {
    const registry::Meta& m = device.registry->meta();
    status_.registry_seq = m.seq;
    status_.registry_created = m.created;
    status_.registry_not_after = m.not_after;
    if (mode == kiosk::Mode::kShop) {
      auto p = device.registry->FindPartner(cfg_.partner);
      if (p.ok() && p->has_value()) status_.place = (*p)->name;
    } else {
      auto e = device.registry->FindEvent(cfg_.event);
      if (e.ok() && e->has_value()) {
        status_.place = (*e)->title;
        if ((*e)->capacity)
          status_.capacity = *(*e)->capacity;  // the registry's, over the config's
      }
    }
  }
  if (status_.place.empty()) status_.place = mode == kiosk::Mode::kShop ? cfg_.partner : cfg_.event;
  if (mode == kiosk::Mode::kEvent) {
    auto n = device.journal->Attendance(cfg_.event);
    auto manual = device.journal->ManualCount(cfg_.event);
    status_.manual_count = manual.ok() ? *manual : 0;
    status_.attendance = n.ok() ? *n + status_.manual_count : -1;
  }
  status_.network = wiring_->sync() != nullptr;
  status_.camera = !cfg_.camera.empty();
  status_.device_id = wiring_->device_id();
  status_.key_fingerprint = wiring_->key_fingerprint();
  status_.device_pubkey_pem = wiring_->public_key_pem();
  status_.version = opt_.version;
  status_.journal_entries = device.journal->last_seq();
  auto acked = device.journal->AckedSeq();
  status_.journal_pending = status_.journal_entries - (acked.ok() ? *acked : 0);
  status_.journal_acked = acked.ok() ? *acked : 0;
  auto exported = device.journal->ExportedSeq();
  status_.journal_exported = exported.ok() ? *exported : 0;
}

// ---- drawing -----------------------------------------------------------------------------

bool App::PreviewShown() const {
  return std::any_of(view_.elements.begin(), view_.elements.end(),
                     [](const kiosk_ui::Element& e) { return e.kind == kiosk_ui::Kind::kPreview; });
}

std::string App::StateName() const {
  if (!provisioned_) return "not_provisioned";
  if (admin_->active()) return std::string(admin_->ScreenName());
  if (recent_open_) return "recent";
  return std::string(kiosk::StateName(session().screen().state));
}

kiosk_ui::Model App::MakeModel() const {
  const kiosk_admin::AdminFlow& a = *admin_;
  kiosk_ui::Model m;
  m.screen = session().screen();
  m.app = a.screen();
  m.mode =
      m.app == kiosk_ui::AppScreen::kAdminSelect ? a.select_mode() : wiring_->session_config().mode;
  m.entry = a.active() ? a.entry() : amount_;
  m.notice = a.notice();
  m.notice_is_error = a.notice_is_error();
  m.busy = wiring_->usb_job() != nullptr && wiring_->usb_job()->running();
  m.banner = banner_;
  m.banner_is_error = banner_error_;
  m.pin_is_default = a.pin_is_default();
  m.choices = a.choices();
  m.page = a.page();
  m.pin_repeat = a.pin_repeat();
  m.status = status_;
  const int64_t now = wiring_->clock().NowUnixSeconds();
  m.status.registry_stale = status_.has_registry && now >= status_.registry_not_after;
  m.status.last_sync = wiring_->sync() != nullptr ? wiring_->sync()->last_success() : 0;
  m.status.camera_running = wiring_->inputs() != nullptr && wiring_->inputs()->camera_running();
  // The clock against the anchors, read every frame: the hub's time moves on the sync thread.
  const kiosk::ClockAnchors anchors = wiring_->device().Anchors();
  m.status.clock_floor = anchors.Floor();
  m.status.clock_state = kiosk::CheckClock(now, anchors);
  m.now = wiring_->clock().NowUnixSeconds();
  m.utc_offset_seconds = cfg_.utc_offset_seconds;
  m.has_logo = gfx_->has_logo();
  if (!provisioned_) {
    m.app = kiosk_ui::AppScreen::kNotProvisioned;
    m.setup = setup_;
  }
  m.currency = cfg_.currency;
  if (recent_open_ && !a.active() && provisioned_) {
    m.app = kiosk_ui::AppScreen::kRecent;
    m.recent = recent_;
    m.recent_admin = recent_admin_;
    m.page = recent_page_;
  }
  return m;
}

void App::WriteScreenshot(const std::string& name) {
  if (opt_.screenshot_dir.empty()) return;
  base::Status st = window_->Screenshot(opt_.screenshot_dir + "/" + name + ".png");
  if (!st.ok()) std::fprintf(stderr, "kiosk: %s\n", st.message().c_str());
}

void App::Present(bool force, const std::string& shot) {
  kiosk_ui::View view = kiosk_ui::BuildView(MakeModel(), admin_->strings(), theme_,
                                            window_->width(), window_->height());
  const bool changed = !drawn_ || !(view == view_);
  if (!changed && !preview_dirty_ && !force) return;
  const int64_t t0 = Now();
  gfx_->Draw(view);
  if (!drawn_ || view.name != view_.name) screen_changed_ns_ = Now();
  view_ = std::move(view);
  drawn_ = true;
  drawn_state_ = StateName();
  preview_dirty_ = false;
  // Read back before presenting: after SDL_RenderPresent the back buffer is undefined.
  if (changed && !opt_.screenshot_dir.empty()) {
    char name[96];
    std::snprintf(name, sizeof name, "%04d-%s", stats_.NextScreenshot(), view_.name.c_str());
    WriteScreenshot(name);
  }
  if (!shot.empty()) WriteScreenshot(shot);
  SDL_RenderPresent(window_->renderer());
  if (!health_.ready()) ScheduleFirstRedraws();
  health_.FirstFrameShown();  // READY=1 once: the first frame is on screen
  const int64_t t1 = Now();
  // A redraw forced for the GPU's sake (RedrawAfterFirstFrame) may wait for the first page flip
  // to finish: it is counted apart, not as a draw a person waited for.
  if (!redrawing_first_) stats_.AddDraw(static_cast<double>(t1 - t0) / 1e6);
  if (changed) PrintScreenLine(t0, t1);
}

// One JSON line on stdout for each new screen (docs/kiosk-app.md).
void App::PrintScreenLine(int64_t t0, int64_t t1) {
  const kiosk::Screen& sc = session().screen();
  nlohmann::json j = {{"t_ms", (t1 - start_ns_) / kMs},
                      {"screen", view_.name},
                      {"state", StateName()},
                      {"draw_ms", static_cast<double>(t1 - t0) / 1e6}};
  if (!sc.verdict.empty()) j["verdict"] = sc.verdict;
  if (!sc.decision.empty()) j["decision"] = sc.decision;
  if (sc.entry_seq > 0) j["entry_seq"] = sc.entry_seq;
  if (sc.discount_minor > 0) j["discount_minor"] = sc.discount_minor;
  if (sc.cashback_minor > 0) j["cashback_minor"] = sc.cashback_minor;
  if (pending_capture_ns_ > 0 && !admin_->active() && sc.state != kiosk::State::kIdle) {
    const double ms = static_cast<double>(t1 - pending_capture_ns_) / 1e6;
    stats_.AddFrameToScreen(ms);
    j["frame_to_screen_ms"] = ms;
    pending_capture_ns_ = 0;
  }
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}

// ---- the loop ----------------------------------------------------------------------------

int App::NextTimeoutMs() {
  int timeout = 1000 - static_cast<int>(SDL_GetTicks64() % 1000);  // the clock on screen, Tick()
  const int input =
      wiring_->inputs() != nullptr ? wiring_->inputs()->queue().PollTimeoutMs(Now()) : -1;
  if (input >= 0) timeout = std::min(timeout, input);
  if (session().screen().state == kiosk::State::kResult) timeout = std::min(timeout, 100);
  if (wiring_->usb_job() != nullptr && wiring_->usb_job()->running())
    timeout = std::min(timeout, 100);
  if (!banner_.empty()) {
    timeout = std::min(
        timeout, static_cast<int>(std::max<int64_t>(0, (banner_until_ns_ - Now()) / kMs + 1)));
  }
  kiosk_scan_input::PreviewTap* camera = wiring_->inputs()->preview();
  if (camera != nullptr && PreviewShown() && camera->HasFresh()) {
    const int64_t due = last_preview_ns_ + kPreviewIntervalNs - Now();
    timeout = std::min(timeout, static_cast<int>(std::max<int64_t>(0, due / kMs + 1)));
  }
  if (script_ && !script_->done()) timeout = std::min(timeout, script_->TimeoutMs());
  if (const int watchdog = health_.TimeoutMs(Now()); watchdog >= 0)
    timeout = std::min(timeout, watchdog);
  if (const int redraw = FirstRedrawTimeoutMs(); redraw >= 0) timeout = std::min(timeout, redraw);
  if (opt_.quit_after_seconds > 0) {
    const int64_t left = start_ns_ + static_cast<int64_t>(opt_.quit_after_seconds * 1e9) - Now();
    timeout = static_cast<int>(std::min<int64_t>(timeout, std::max<int64_t>(0, left / kMs + 1)));
  }
  return std::max(0, timeout);
}

// Touches, keys, typed text and scans (keyboard wedge, camera, scanner device) in the order they
// happened; the camera's picture.
void App::TakeInputs() {
  for (const kiosk_keys::KeyEvent& key : evdev_queue_.Take()) HandleEvdevKey(key);
  for (const kiosk_scan_input::InputAction& a : wiring_->inputs()->queue().Take(Now()))
    HandleAction(a);
  // The preview is redrawn at most kPreviewFps times a second: enough to aim a card, and half
  // the drawing of a 30 fps camera (the decoder still sees every frame).
  kiosk_scan_input::PreviewTap* camera = wiring_->inputs()->preview();
  if (camera != nullptr && PreviewShown() && Now() - last_preview_ns_ >= kPreviewIntervalNs) {
    int w = 0, h = 0;
    if (camera->Take(&preview_pixels_, &w, &h)) {
      gfx_->SetPreview(preview_pixels_.data(), w, h, w);
      preview_dirty_ = true;
      last_preview_ns_ = Now();
    }
  }
}

// The session's timeouts, the admin screens' timeout and the registry swap.
void App::AfterTick() {
  const kiosk::State before = session().screen().state;
  session().Tick();
  if (before != kiosk::State::kIdle && session().screen().state == kiosk::State::kIdle) {
    amount_.clear();
    RefreshStatus();
  }
  admin_->Tick();  // a lock-out's countdown
  // Admin screens left alone close by themselves (the device goes back to serving).
  const bool busy = wiring_->usb_job() != nullptr && wiring_->usb_job()->running();
  if ((admin_->active() || recent_open_) && !busy &&
      Now() - app_activity_ns_ > cfg_.entry_timeout_ms * kMs) {
    admin_->Close();
    recent_open_ = false;
    amount_.clear();
  }
  // A new registry (USB import, network sync) is switched in between customers only.
  if (admin_->screen() != kiosk_ui::AppScreen::kPin && wiring_->SwapRegistryWhenIdle())
    RefreshStatus();
}

void App::Turn() {
  SDL_Event ev;
  if (SDL_WaitEventTimeout(&ev, NextTimeoutMs()) != 0) {
    TimeEvents();
    do {
      if (ev.type != wake_event_) Handle(ev);
    } while (exit_code_ < 0 && SDL_PollEvent(&ev) != 0);
  }
  TakeInputs();
  FinishPinCheck();
  FinishUsbJob();
  TakeUsbNews();
  AfterTick();
  if (opt_.quit_after_seconds > 0 &&
      Now() - start_ns_ >= static_cast<int64_t>(opt_.quit_after_seconds * 1e9) && exit_code_ < 0)
    exit_code_ = 0;
  if (exit_code_ < 0 || exit_code_ == 0) Present(false);
  RedrawAfterFirstFrame();
  // After drawing: a script step sees (and touches) what is on screen now.
  if (script_ && exit_code_ < 0) exit_code_ = script_->Run();
  AfterTurn();
}

int App::Run() {
  if (int rc = Start(); rc != 0) return rc;
  while (exit_code_ < 0) provisioned_ ? Turn() : TurnNotProvisioned();
  nlohmann::json stats = stats_.Json();
  stats["stats"]["first_frame_redraws"] = first_redraws_done_;
  std::printf("%s\n", stats.dump().c_str());
  std::fflush(stdout);
  return exit_code_;
}

int RunApp(const AppOptions& options, base::FileSystem& fs, kiosk_service::Notifier& notifier) {
  App app(options, fs, notifier);
  return app.Run();
}

}  // namespace kiosk_sdl
