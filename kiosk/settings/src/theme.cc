#include "kiosk_settings/theme.h"

#include <sys/stat.h>

#include <array>
#include <string>

#include "config/config_file.h"

namespace kiosk_settings {
namespace {

constexpr size_t kMaxNameBytes = 64;

struct ColorKey {
  std::string_view key;
  Rgb Theme::*field;
};

constexpr std::array<ColorKey, 8> kColorKeys = {{
    {"background", &Theme::background},
    {"panel", &Theme::panel},
    {"text", &Theme::text},
    {"muted", &Theme::muted},
    {"accent", &Theme::accent},
    {"valid", &Theme::valid},
    {"invalid", &Theme::invalid},
    {"warning", &Theme::warning},
}};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads `key` (absent: the default stays) as a colour, the error at its line.
base::Status GetColor(ck_config::ConfigFile& file, std::string_view key, Rgb* out) {
  if (!file.Has(key)) return base::Status::Ok();
  std::string text;
  CK_TRY(file.GetString(key, &text));
  base::Result<Rgb> color = ParseColor(text);
  if (!color.ok()) return file.Error(key, color.status().message());
  *out = *color;
  return base::Status::Ok();
}

}  // namespace

base::Result<Rgb> ParseColor(std::string_view text) {
  if (text.size() == 7 && text[0] == '#') {
    std::array<int, 6> d{};
    bool ok = true;
    for (size_t i = 0; i < d.size(); ++i) {
      d[i] = HexDigit(text[i + 1]);
      ok = ok && d[i] >= 0;
    }
    if (ok) {
      return Rgb{static_cast<uint8_t>(d[0] * 16 + d[1]), static_cast<uint8_t>(d[2] * 16 + d[3]),
                 static_cast<uint8_t>(d[4] * 16 + d[5])};
    }
  }
  return base::InvalidArgument("a colour is #RRGGBB, got " + ck_config::QuoteForMessage(text));
}

base::Result<Theme> ParseTheme(std::string_view text, std::string_view source) {
  CK_ASSIGN_OR_RETURN(ck_config::ConfigFile file, ck_config::ConfigFile::Parse(text, source));
  Theme theme;
  if (file.Has("name")) {
    CK_TRY(file.GetString("name", &theme.name));
    if (theme.name.empty() || theme.name.size() > kMaxNameBytes) {
      return file.Error("name", "must be 1.." + std::to_string(kMaxNameBytes) + " bytes");
    }
  }
  for (const ColorKey& c : kColorKeys) CK_TRY(GetColor(file, c.key, &(theme.*c.field)));
  CK_TRY(file.Finish());
  return theme;
}

base::Result<Theme> LoadTheme(const std::string& dir) {
  const std::string path = dir + "/theme.conf";
  CK_ASSIGN_OR_RETURN(std::string text, ck_config::ReadConfigFile(path));
  CK_ASSIGN_OR_RETURN(Theme theme, ParseTheme(text, path));
  const std::string logo = dir + "/logo.png";
  struct stat st {};
  if (::stat(logo.c_str(), &st) == 0 && S_ISREG(st.st_mode)) theme.logo_path = logo;
  return theme;
}

}  // namespace kiosk_settings
