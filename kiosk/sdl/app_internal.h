// The SDL app's one object, shared by app.cc (start-up, the loop, drawing) and app_input.cc (what
// touches, keys and scans do). Owns the window, the drawing, the sound, the admin flow and the
// wiring of the real parts; UI thread only (other threads reach it through wake events).
#pragma once

#include <SDL2/SDL.h>

#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "app.h"
#include "kiosk_admin/admin_flow.h"
#include "kiosk_admin/device_choices.h"
#include "kiosk_keys/evdev_keyboards.h"
#include "kiosk_keys/key_event.h"
#include "kiosk_scan_input/scan_inputs.h"
#include "kiosk_settings/admin_pin.h"
#include "kiosk_settings/theme.h"
#include "kiosk_stats/run_stats.h"
#include "kiosk_ui/view.h"
#include "kiosk_wiring/wiring.h"
#include "renderer.h"
#include "script_driver.h"
#include "sound.h"
#include "window.h"

namespace kiosk_sdl {

inline constexpr int kExitStartup = 2;
inline constexpr int64_t kMs = 1'000'000;

class App final : public ScriptHost {
 public:
  App(const AppOptions& options, base::FileSystem& fs, kiosk_service::Notifier& notifier)
      : opt_(options),
        cfg_(options.config),
        fs_(fs),
        health_(notifier),
        choices_(fs, options.config.data_dir) {}
  ~App() override;
  int Run();

  // ScriptHost
  const kiosk_ui::View& drawn_view() const override { return view_; }
  bool drawn() const override { return drawn_; }
  const std::string& drawn_state() const override { return drawn_state_; }
  bool InputSettling() const override;
  bool InputIdle() override;
  base::FakeClock* fake_clock() override { return wiring_->fake_clock(); }
  void Screenshot(const std::string& name) override { Present(true, name); }
  int64_t NowNs() const override { return Now(); }
  bool Working() const override { return admin_ && admin_->checking(); }

 private:
  // app.cc: start-up
  int StartupError(const std::string& why);
  int Start();
  int LoadSettings();
  int OpenParts();
  int OpenScreen();
  void StartParts();
  bool TryTrust();
  void TurnNotProvisioned();
  std::string AssetsDir() const;
  kiosk::Config SessionConfig() const;
  void RebuildSession();
  void RefreshStatus();
  // app.cc: the loop and drawing
  void Turn();
  void TakeInputs();
  void AfterTick();
  kiosk_ui::Model MakeModel() const;
  std::string StateName() const;
  void Present(bool force, const std::string& shot = "");
  void WriteScreenshot(const std::string& name);
  void PrintScreenLine(int64_t t0, int64_t t1);
  void AfterTurn();
  std::string ServiceStatus() const;
  void StartEvdevKeys();
  void ScheduleFirstRedraws();
  int FirstRedrawTimeoutMs() const;
  void RedrawAfterFirstFrame();
  int NextTimeoutMs();
  int64_t Now() const { return sys_.MonotonicNanos(); }
  bool PreviewShown() const;

  // app_input.cc
  void Handle(const SDL_Event& ev);
  void HandleKey(const SDL_KeyboardEvent& key);
  void PushInput(kiosk_scan_input::InputEvent e);
  void TimeEvents();
  int64_t EventNs(uint32_t timestamp) const;
  void HandleAction(const kiosk_scan_input::InputAction& a);
  void HandleKeyAction(const std::string& name);
  void HandleKeySym(SDL_Keycode sym, int64_t t_ns, bool repeat);
  void HandleEvdevKey(const kiosk_keys::KeyEvent& key);
  void HandleTouch(int x, int y);
  void HandleButton(const std::string& id);
  void HandleTyped(const std::string& text);
  void HandleScan(const std::string& text, int64_t capture_ns);
  void KeypadKey(const std::string& key);
  void Ok();
  void Back();
  void AfterSession(kiosk::State before);
  // app_admin_card.cc: an admin card scanned where a member card is not taken (amount, confirm,
  // the admin screens), and what a scanned admin card does after the session decided.
  void HandleAdminCardScan(const std::string& text, kiosk::State before);
  void AfterAdminCard();
  // The last transactions (AppScreen::kRecent): opened by the cashier from the idle screen or by
  // the admin from the menu; a row voids its entry (the session's void_confirm screen).
  bool HandleCorrection(const std::string& id);
  void OpenRecent(bool admin);
  void ConfirmClock();
  void Apply(const kiosk_admin::AdminEffects& effects);
  void StartPinCheck();
  void FinishPinCheck();
  void StartUsbJob(bool do_export);
  void FinishUsbJob();
  void TakeUsbNews();
  kiosk::Session& session() { return wiring_->session(); }
  const kiosk::Session& session() const { return wiring_->session(); }
  void Wake() const;

  AppOptions opt_;
  kiosk_settings::AppConfig cfg_;
  base::FileSystem& fs_;
  kiosk_service::ServiceHealth health_;
  base::SystemClock sys_;
  kiosk_admin::DeviceChoices choices_;
  std::optional<kiosk_settings::Strings> strings_;  // until the admin flow takes them
  kiosk_settings::Theme theme_;
  std::optional<ScriptDriver> script_;

  // Declared in the order they must go: the window last, the wiring's threads (which wake the
  // window's event queue) before it.
  std::unique_ptr<KioskWindow> window_;
  std::unique_ptr<Renderer> gfx_;
  std::unique_ptr<Sound> sound_;
  uint32_t wake_event_ = 0;
  std::unique_ptr<kiosk_wiring::Wiring> wiring_;
  // Keys read from evdev on their own thread (evdev_keys), waiting for the UI thread; the reader
  // goes before its queue.
  kiosk_keys::KeyQueue evdev_queue_{[this] { Wake(); }};
  std::unique_ptr<kiosk_keys::EvdevKeyboards> evdev_;
  std::optional<kiosk_settings::AdminPin> pin_;  // uses the wiring's clock
  std::optional<kiosk_admin::AdminFlow> admin_;
  // The admin PIN's PBKDF2 on a thread of its own (it wakes the loop when done); destroyed before
  // the window it wakes.
  std::future<base::Result<bool>> pin_check_;

  std::vector<uint8_t> preview_pixels_;
  bool preview_dirty_ = false;
  int64_t last_preview_ns_ = 0;

  uint64_t event_base_ticks_ = 0;  // SDL_GetTicks64() and Now() read together (TimeEvents)
  int64_t event_base_ns_ = 0;
  std::string amount_;  // the amount being typed
  bool recent_open_ = false, recent_admin_ = false;
  std::vector<kiosk::RecentEntry> recent_;
  int recent_page_ = 0;
  int64_t app_activity_ns_ = 0;
  kiosk_ui::Status status_;
  std::string banner_;  // what the USB watcher did, on the idle screen for a while
  bool banner_error_ = false;
  int64_t banner_until_ns_ = 0;

  // What was drawn last, for change detection, screenshots and script checks.
  kiosk_ui::View view_;
  bool drawn_ = false;
  std::string drawn_state_;        // StateName() when view_ was drawn
  int64_t screen_changed_ns_ = 0;  // when a view with another name was first drawn
  kiosk_stats::RunStats stats_;
  int64_t pending_capture_ns_ = 0;
  std::string last_scan_text_;  // a camera scan waiting for its verdict to be drawn
  int64_t start_ns_ = 0;
  int exit_code_ = -1;
  // False while the bundle key (`trust`) is missing or unusable: the not-provisioned screen is
  // shown, the key looked for every second, and the inputs, USB and sync wait for it.
  bool provisioned_ = true;
  kiosk_ui::Setup setup_;
  int first_redraws_ = 0;  // forced redraws of the first frame still to come
  int64_t first_redraw_ns_ = 0;
  bool redrawing_first_ = false;
  int first_redraws_done_ = 0;
};

}  // namespace kiosk_sdl
