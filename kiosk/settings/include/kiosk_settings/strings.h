// Every string the kiosk shows comes from a translation file: assets/i18n/<lang>.toml, TOML read
// through ck_config: `"key.name" = "text"` lines (keys with dots quoted, no tables; `\n` in a
// value is a line break; '#' starts a comment).
// Placeholders are `{name}`; Format() replaces the ones it is given and leaves others visible.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace kiosk_settings {

inline constexpr std::string_view kLanguages[] = {"ru", "en", "kk"};  // first is the default

class Strings {
 public:
  // Loads `<dir>/<lang>.toml`. A key defined twice, a line that is not TOML, a value that is not
  // text, invalid UTF-8 or an unknown language is an error naming file and line. Keys missing in
  // `lang` but present in en.toml fall back to English (and are listed by Missing()).
  static base::Result<Strings> Load(const std::string& dir, std::string_view lang);
  // Parses one file's text (tests); `name` is used in messages.
  static base::Result<Strings> Parse(std::string_view text, std::string_view name);

  std::string_view language() const { return language_; }
  // The value, or "[key]" when no file has it (visible, never a crash).
  const std::string& Get(std::string_view key) const;
  bool Has(std::string_view key) const;
  std::string Format(std::string_view key,
                     std::initializer_list<std::pair<std::string_view, std::string>> args) const;
  // The keys of en.toml that `language()` lacks (empty for a complete translation).
  const std::vector<std::string>& Missing() const { return missing_; }
  const std::map<std::string, std::string, std::less<>>& all() const { return values_; }

 private:
  std::string language_;
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> missing_;
  mutable std::string miss_;  // storage for "[key]"
};

// Kopecks -> "1 250,00" (ru, kk) or "1,250.00" (en), no currency sign (the caller adds it).
std::string FormatMoney(int64_t minor, std::string_view lang);
// An amount as it is being typed ("1250,5", digits and one comma) in the same format: "1 250,5"
// (ru, kk) or "1,250.5" (en); "" reads "0". Other text is shown as it is.
std::string FormatTypedAmount(std::string_view typed, std::string_view lang);

}  // namespace kiosk_settings
