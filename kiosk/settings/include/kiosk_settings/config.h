// The kiosk app's configuration file (docs/kiosk-app.md): TOML `key = value` lines (text in double
// quotes), '#' comments, UTF-8, read through ck_config (config/config_file.h says why TOML). Every
// key has a default; an unknown key, a repeated key, a value of the wrong type or out of range, a
// control character in a value or a line that is not TOML is an error naming the file, the line
// and the key. Command-line flags override the file. Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kiosk_settings {

struct AppConfig {
  std::string data_dir = "/var/lib/cardkiosk";  // data_dir
  std::string mode = "shop";                    // mode: shop | event
  std::string partner;                          // partner: id (shop mode)
  std::string event;                            // event: id (event mode)
  int capacity = 0;    // capacity: people the event takes when its registry entry says none; 0 none
  std::string camera;  // camera: /dev/videoN | DIR | FILE.y4m | "" (none)
  int camera_width = 640;      // camera_width: 160..4096
  int camera_height = 480;     // camera_height: 120..4096
  int camera_fps = 30;         // camera_fps: 1..120
  std::string scanner_device;  // scanner_device: /dev/input/eventN (keyboard wedge), "" none
  // evdev_keys: auto (on when drawing on the console, KMSDRM) | on | off: every keyboard and
  // keyboard-wedge scanner read from /dev/input on a thread of its own
  std::string evdev_keys = "auto";
  std::string usb_mount_dir = "/media";  // usb_mount_dir
  bool usb_watch = true;         // usb_watch: sticks plugged in are handled without the admin menu
  std::string language = "ru";   // language: ru | en | kk
  std::string currency = "₽";  // currency: the sign after amounts (₽, ₸, ...)
  std::string assets_dir;        // assets_dir: "" = the directory installed with the binary
  std::string theme;  // theme: a directory with theme.conf (and logo.png); "" = assets/theme
  int64_t result_timeout_ms = 4000;                // result_timeout_ms: 500..60000
  int64_t entry_timeout_ms = 120000;               // entry_timeout_ms: 5000..3600000
  int64_t utc_offset_seconds = int64_t{3} * 3600;  // utc_offset: +HH:MM | -HH:MM, within +-14:00
  std::string stale_registry = "warn";             // stale_registry: warn | refuse
  int sound_volume = 60;                           // sound_volume: 0..100 (0 = silent)
  bool fullscreen = true;                          // fullscreen: true | false
  // renderer: auto (opengles2 on the console, KMSDRM; SDL's choice elsewhere) | opengles2 |
  // opengl | software
  std::string renderer = "auto";
  int window_width = 800;               // window_width: 320..7680 (windowed, screenshots)
  int window_height = 480;              // window_height: 240..4320
  int64_t idle_dim_seconds = 0;         // not used yet
  std::string hub;                      // hub: https://... (network sync), "" = USB only
  std::string hub_cert;                 // hub_cert: CA/cert file for the hub
  std::string trust;                    // trust: bundle signing public key (PEM) for imports
  int64_t sync_interval_seconds = 300;  // sync_interval: 10..86400
  int64_t void_window_seconds = 900;    // void_window: 60..86400, the cashier's time to void
  bool admin_card_pin = false;  // admin_card_pin: an admin card opens the PIN screen, not the menu

  bool operator==(const AppConfig&) const = default;
};

// Parses the text of a config file. `source` names it in messages ("kiosk.conf"); an error reads
// "kiosk.conf:7: key 'sound_volume': must be 0..100, got 140" (InvalidArgument).
base::Result<AppConfig> ParseAppConfig(std::string_view text, std::string_view source);
// Reads and parses `path` (a missing file is NotFound with the path in the message; over 1 MiB is
// OutOfRange).
base::Result<AppConfig> LoadAppConfig(const std::string& path);

// Files in the config's syntax that set only some keys (DATA_DIR/kiosk-state.conf: what the admin
// chose in the menu), as key -> value text: strings as they are, numbers in decimal, true/false,
// utc_offset as +HH:MM. ParseConfigValues checks every key as ParseAppConfig does and returns the
// keys the file sets; FormatConfigValues writes them (`comment` on top, may be empty) in TOML
// that ParseConfigValues reads back, and refuses an unknown key or a value the config would refuse.
// ParseConfigValues also reads a file kept from before the config files became TOML (`key = value`
// with text unquoted: what kiosk-state.conf used to hold), with the same checks.
base::Result<std::map<std::string, std::string>> ParseConfigValues(std::string_view text,
                                                                   std::string_view source);
base::Result<std::string> FormatConfigValues(const std::map<std::string, std::string>& values,
                                             std::string_view comment);
// The documented defaults as a config file, every key commented with its meaning (for
// `kiosk --print-config` and docs): parsing it back gives AppConfig{}.
std::string DefaultConfigText();

// "+03:00" -> 10800; nullopt-like error for anything else (shared with the command line).
base::Result<int64_t> ParseUtcOffset(std::string_view text);
// 10800 -> "+03:00" (the form ParseUtcOffset reads back).
std::string FormatUtcOffset(int64_t seconds);

}  // namespace kiosk_settings
