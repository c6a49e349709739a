#include "kiosk_settings/theme.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <map>

#include "key_value.h"

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

bool IsThemeKey(std::string_view key) {
  return key == "name" || std::any_of(kColorKeys.begin(), kColorKeys.end(),
                                      [key](const ColorKey& c) { return c.key == key; });
}

// `key` is one IsThemeKey() accepts.
base::Status ApplyKey(std::string_view key, std::string_view value, Theme& theme) {
  if (key == "name") {
    if (value.empty() || value.size() > kMaxNameBytes) {
      return base::InvalidArgument("must be 1.." + std::to_string(kMaxNameBytes) + " bytes");
    }
    theme.name = std::string(value);
    return base::Status::Ok();
  }
  for (const ColorKey& c : kColorKeys) {
    if (c.key == key) {
      CK_ASSIGN_OR_RETURN(theme.*c.field, ParseColor(value));
    }
  }
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
  return base::InvalidArgument("a colour is #RRGGBB, got " + kv::Quote(text));
}

base::Result<Theme> ParseTheme(std::string_view text, std::string_view source) {
  Theme theme;
  std::map<std::string, int, std::less<>> seen;  // key -> line it was set on
  CK_TRY(kv::ForEachLine(text, source, [&](int line_no, std::string_view line) -> base::Status {
    CK_ASSIGN_OR_RETURN(kv::KeyValue kv, kv::SplitKeyValue(line, source, line_no));
    if (!IsThemeKey(kv.key)) {
      return base::InvalidArgument(kv::Where(source, line_no) + "unknown key '" +
                                   std::string(kv.key) + "'");
    }
    const std::string where = kv::Where(source, line_no) + "key '" + std::string(kv.key) + "': ";
    const auto [it, inserted] = seen.emplace(kv.key, line_no);
    if (!inserted) {
      return base::InvalidArgument(where + "repeated (first set on line " +
                                   std::to_string(it->second) + ")");
    }
    base::Status st = ApplyKey(kv.key, kv.value, theme);
    if (!st.ok()) return base::InvalidArgument(where + st.message());
    return base::Status::Ok();
  }));
  return theme;
}

base::Result<Theme> LoadTheme(const std::string& dir) {
  const std::string path = dir + "/theme.conf";
  CK_ASSIGN_OR_RETURN(std::string text, kv::ReadTextFile(path));
  CK_ASSIGN_OR_RETURN(Theme theme, ParseTheme(text, path));
  const std::string logo = dir + "/logo.png";
  struct stat st {};
  if (::stat(logo.c_str(), &st) == 0 && S_ISREG(st.st_mode)) theme.logo_path = logo;
  return theme;
}

}  // namespace kiosk_settings
