// The fullscreen kiosk app (docs/kiosk-app.md): SDL2 window, touch/mouse/keyboard, keyboard-wedge
// scanners, a camera, sound; the same kiosk::Session as `kiosk --headless` decides.
#pragma once

#include <string>

#include "base/fs.h"
#include "kiosk_service/service_notify.h"
#include "kiosk_settings/config.h"

namespace kiosk_sdl {

struct AppOptions {
  kiosk_settings::AppConfig config;
  std::string screenshot_dir;  // a PNG each time the screen changes
  std::string script_path;     // scripted input (kiosk_settings/script.h)
  double quit_after_seconds = 0;
  std::string fake_clock;  // ISO-8601: time stands still unless the script advances it
  std::string version;
  // Set when the command line chose these: the admin menu's saved choice does not override them.
  bool mode_fixed = false;
  bool language_fixed = false;
};

// Runs until the window is closed, the script quits or quit_after passes. Exit status: 0, 2 for a
// start-up problem (printed, and sent as STATUS=), 3 for a failed script step. `fs` (the real
// filesystem, owned by main()) is used by every part that writes the data directory or a USB
// stick; `notifier` (owned by main()) hears READY=1 once the first frame is on screen, WATCHDOG=1
// from every turn of the UI loop and STATUS= lines.
int RunApp(const AppOptions& options, base::FileSystem& fs, kiosk_service::Notifier& notifier);

}  // namespace kiosk_sdl
