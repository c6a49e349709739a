// A union's branding: <theme dir>/theme.conf (TOML through ck_config, like kiosk.conf: colours as
// text "#RRGGBB", the name as text) and an optional logo.png beside it. Unknown keys, bad colours
// and TOML errors are errors "FILE:LINE: key 'K': why"; missing keys keep the defaults below
// (which meet WCAG AA contrast for white text).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kiosk_settings {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

struct Theme {
  std::string name = "cardkiosk";    // name
  Rgb background{0x1E, 0x2A, 0x3A};  // background: idle and admin screens
  Rgb panel{0x2C, 0x3E, 0x55};       // panel: status bar, keypad
  Rgb text{0xFF, 0xFF, 0xFF};        // text
  Rgb muted{0xB8, 0xC4, 0xD2};       // muted: secondary text
  Rgb accent{0x2F, 0x80, 0xED};      // accent: buttons, aiming frame
  Rgb valid{0x1B, 0x7F, 0x3B};       // valid: accepted result (green)
  Rgb invalid{0xB0, 0x1C, 0x1C};     // invalid: refused card (red)
  Rgb warning{0x9A, 0x5B, 0x00};     // warning: device could not decide, stale registry (amber)
  std::string logo_path;             // set by Load when logo.png exists in the theme dir
};

base::Result<Theme> ParseTheme(std::string_view text, std::string_view source);
// Loads <dir>/theme.conf (required) and notes <dir>/logo.png if present.
base::Result<Theme> LoadTheme(const std::string& dir);
base::Result<Rgb> ParseColor(std::string_view text);  // "#1B7F3B"

}  // namespace kiosk_settings
