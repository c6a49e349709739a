// The SDL app as a device: the bundle key it waits for (the not-provisioned screen), what it
// tells the service manager (systemd), the redraws after the first frame.
#include <algorithm>
#include <cstdio>
#include <string_view>

#include "app_internal.h"

namespace kiosk_sdl {
namespace {

constexpr int64_t kFirstRedrawGapNs = 500 * kMs;

}  // namespace

// The bundle key (`trust`): true once it is read; else why not in setup_.problem ("" when the
// file is not there at all).
bool App::TryTrust() {
  base::Status st = wiring_->LoadTrust(cfg_.trust);
  setup_.problem = st.ok() || st.code() == base::StatusCode::kNotFound ? "" : st.message();
  return st.ok();
}

// Not provisioned: the screen says what is missing; the key is looked for once a second (the
// idle rate), and the kiosk starts serving as soon as it can be read. Only quitting is taken.
void App::TurnNotProvisioned() {
  SDL_Event ev;
  int timeout = 1000 - static_cast<int>(SDL_GetTicks64() % 1000);
  if (script_ && !script_->done()) timeout = std::min(timeout, script_->TimeoutMs());
  if (const int watchdog = health_.TimeoutMs(Now()); watchdog >= 0)
    timeout = std::min(timeout, watchdog);
  if (const int redraw = FirstRedrawTimeoutMs(); redraw >= 0) timeout = std::min(timeout, redraw);
  if (SDL_WaitEventTimeout(&ev, std::max(0, timeout)) != 0) {
    do {
      if (ev.type == SDL_QUIT) exit_code_ = 0;
      if (ev.type == SDL_WINDOWEVENT) Handle(ev);
    } while (exit_code_ < 0 && SDL_PollEvent(&ev) != 0);
  }
  if (opt_.quit_after_seconds > 0 &&
      Now() - start_ns_ >= static_cast<int64_t>(opt_.quit_after_seconds * 1e9) && exit_code_ < 0)
    exit_code_ = 0;
  const std::string before = setup_.problem;
  if (TryTrust()) {
    std::fprintf(stderr, "kiosk: bundle key %s read: starting\n", cfg_.trust.c_str());
    provisioned_ = true;
    StartParts();
  } else if (setup_.problem != before) {
    std::fprintf(stderr, "kiosk: not provisioned: %s\n",
                 setup_.problem.empty() ? "no bundle key" : setup_.problem.c_str());
  }
  if (exit_code_ <= 0) Present(false);
  RedrawAfterFirstFrame();
  if (script_ && exit_code_ < 0) exit_code_ = script_->Run();
  AfterTurn();
}

// evdev_keys: on the console (KMSDRM) SDL reads the keyboards itself, on the UI thread, and
// stamps each key when the UI gets round to it; a slow redraw then splits a scanner's burst. Read
// on their own thread with the kernel's times instead (grabbed: SDL no longer sees them).
void App::StartEvdevKeys() {
  if (!ReadsEvdevKeys(cfg_.evdev_keys, SDL_GetCurrentVideoDriver())) return;
  evdev_ = std::make_unique<kiosk_keys::EvdevKeyboards>("/dev/input", kiosk_keys::LibevdevOpener(),
                                                        evdev_queue_);
  if (base::Status st = evdev_->Start(); !st.ok()) {
    std::fprintf(stderr, "kiosk: keys: not reading keyboards through evdev (%s): SDL reads them\n",
                 st.message().c_str());
    evdev_.reset();
    return;
  }
  std::fprintf(stderr, "kiosk: keys: keyboards and scanners read through evdev from /dev/input\n");
}

// On a virtio GPU (and some KMS drivers) the first page flip after the mode is set does not reach
// the screen: without a redraw the first screen would appear only when something changes (the
// clock, up to a minute later). So the first frame is drawn again at once and once more later.
void App::ScheduleFirstRedraws() {
  // Only there: on X11 or Wayland the compositor shows the first frame, and extra swaps right
  // after it would only hold up the next real draw.
  if (!IsConsoleVideo(SDL_GetCurrentVideoDriver())) return;
  first_redraws_ = 2;
  first_redraw_ns_ = Now();
}

int App::FirstRedrawTimeoutMs() const {
  if (first_redraws_ <= 0) return -1;
  return static_cast<int>(std::max<int64_t>(0, (first_redraw_ns_ - Now()) / kMs + 1));
}

void App::RedrawAfterFirstFrame() {
  if (first_redraws_ <= 0 || Now() < first_redraw_ns_ || exit_code_ > 0) return;
  --first_redraws_;
  first_redraw_ns_ = Now() + kFirstRedrawGapNs;
  redrawing_first_ = true;
  Present(true);
  redrawing_first_ = false;
  ++first_redraws_done_;
}

// The service manager hears that the loop went round (the watchdog) and what the kiosk does.
void App::AfterTurn() {
  health_.Alive(Now());
  health_.SetStatus(ServiceStatus());
}

std::string App::ServiceStatus() const {
  if (!provisioned_) return "not provisioned: waiting for the bundle key at " + cfg_.trust;
  if (admin_->active()) return "admin menu open";
  const kiosk::Mode mode = wiring_->session_config().mode;
  std::string s = mode == kiosk::Mode::kShop ? "serving: shop, partner " + cfg_.partner
                                             : "serving: event " + cfg_.event;
  s += status_.has_registry ? ", registry #" + std::to_string(status_.registry_seq)
                            : ", no registry";
  return s;
}

}  // namespace kiosk_sdl
