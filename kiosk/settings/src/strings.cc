#include "kiosk_settings/strings.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "config/config_file.h"

namespace kiosk_settings {
namespace {

constexpr std::string_view kReferenceLanguage = "en";  // the file every key is defined in

// "assets/i18n/ru.toml" -> "ru".
std::string_view Stem(std::string_view name) {
  if (const size_t slash = name.rfind('/'); slash != std::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  if (name.ends_with(".toml")) name.remove_suffix(5);
  return name;
}

bool IsLanguage(std::string_view lang) {
  return std::find(std::begin(kLanguages), std::end(kLanguages), lang) != std::end(kLanguages);
}

base::Result<Strings> LoadFile(const std::string& dir, std::string_view lang) {
  const std::string path = dir + "/" + std::string(lang) + ".toml";
  CK_ASSIGN_OR_RETURN(std::string text, ck_config::ReadConfigFile(path));
  return Strings::Parse(text, path);
}

}  // namespace

base::Result<Strings> Strings::Parse(std::string_view text, std::string_view name) {
  CK_ASSIGN_OR_RETURN(ck_config::ConfigFile file, ck_config::ConfigFile::Parse(text, name));
  CK_ASSIGN_OR_RETURN(std::vector<ck_config::ConfigFile::TextEntry> entries,
                      file.AllText(/*allow_line_breaks=*/true));
  Strings s;
  s.language_ = std::string(Stem(name));
  for (ck_config::ConfigFile::TextEntry& e : entries) s.values_.emplace(e.key, std::move(e.value));
  return s;
}

base::Result<Strings> Strings::Load(const std::string& dir, std::string_view lang) {
  if (!IsLanguage(lang)) {
    return base::InvalidArgument(dir + ": unknown language '" + std::string(lang) +
                                 "' (ru, en or kk)");
  }
  CK_ASSIGN_OR_RETURN(Strings s, LoadFile(dir, lang));
  s.language_ = std::string(lang);
  if (lang == kReferenceLanguage) return s;
  // A translation that lags behind en.toml still shows every screen, partly in English.
  CK_ASSIGN_OR_RETURN(Strings en, LoadFile(dir, kReferenceLanguage));
  for (auto& [key, value] : en.values_) {
    if (s.values_.emplace(key, value).second) s.missing_.push_back(key);
  }
  return s;
}

const std::string& Strings::Get(std::string_view key) const {
  if (auto it = values_.find(key); it != values_.end()) return it->second;
  miss_.assign(1, '[');  // by append: GCC 12's -Wrestrict misfires on "[" + std::string at -O3
  miss_.append(key);
  miss_ += ']';
  return miss_;
}

bool Strings::Has(std::string_view key) const { return values_.find(key) != values_.end(); }

std::string Strings::Format(
    std::string_view key,
    std::initializer_list<std::pair<std::string_view, std::string>> args) const {
  const std::string& pattern = Get(key);
  std::string out;
  out.reserve(pattern.size());
  size_t pos = 0;
  // One pass over the pattern: text substituted in (a member's name, say) is never scanned for
  // placeholders itself.
  while (pos < pattern.size()) {
    const size_t open = pattern.find('{', pos);
    const size_t close = open == std::string::npos ? open : pattern.find('}', open + 1);
    if (close == std::string::npos) break;
    out.append(pattern, pos, open - pos);
    const std::string_view name = std::string_view(pattern).substr(open + 1, close - open - 1);
    const auto arg =
        std::find_if(args.begin(), args.end(), [name](const auto& a) { return a.first == name; });
    if (arg != args.end()) {
      out += arg->second;
    } else {
      out.append(pattern, open, close - open + 1);  // left visible: a missing argument shows
    }
    pos = close + 1;
  }
  if (pos < pattern.size()) out.append(pattern, pos);
  return out;
}

std::string FormatTypedAmount(std::string_view typed, std::string_view lang) {
  if (typed.empty()) return "0";
  const size_t comma = typed.find_first_of(",.");
  const std::string_view units = typed.substr(0, comma);
  if (!std::all_of(units.begin(), units.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::string(typed);
  const bool english = lang == "en";
  std::string out;
  for (size_t i = 0; i < units.size(); ++i) {
    if (i > 0 && (units.size() - i) % 3 == 0) out += english ? ',' : ' ';
    out += units[i];
  }
  if (comma != std::string_view::npos) {
    out += english ? '.' : ',';
    out += typed.substr(comma + 1);
  }
  return out;
}

std::string FormatMoney(int64_t minor, std::string_view lang) {
  const bool english = lang == "en";
  // Unsigned magnitude: -INT64_MIN does not fit an int64_t.
  const uint64_t magnitude =
      minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  const std::string units = std::to_string(magnitude / 100);
  const uint64_t cents = magnitude % 100;
  std::string out = minor < 0 ? "-" : "";
  for (size_t i = 0; i < units.size(); ++i) {
    if (i > 0 && (units.size() - i) % 3 == 0) out += english ? ',' : ' ';
    out += units[i];
  }
  out += english ? '.' : ',';
  out += static_cast<char>('0' + cents / 10);
  out += static_cast<char>('0' + cents % 10);
  return out;
}

}  // namespace kiosk_settings
