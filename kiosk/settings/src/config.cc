#include "kiosk_settings/config.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <map>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "config/config_file.h"
#include "kiosk_settings/strings.h"
#include "text_lines.h"

namespace kiosk_settings {
namespace {

enum class Kind : uint8_t {
  kText,       // any text, may be empty
  kNonEmpty,   // a path that must be given
  kShortId,    // an id of at most 64 bytes (may be empty)
  kUrl,        // empty, or http(s)://...
  kChoice,     // one of `choices`
  kNumber,     // a whole number in min..max
  kMillis,     // a duration: whole milliseconds in min..max, or a text such as "4s"
  kSeconds,    // a duration: whole seconds in min..max, or a text such as "5min"
  kBool,       // true | false
  kUtcOffset,  // +HH:MM | -HH:MM
};

using Field = std::variant<std::string AppConfig::*, int AppConfig::*, int64_t AppConfig::*,
                           bool AppConfig::*>;

constexpr std::array<std::string_view, 2> kModes = {"shop", "event"};
constexpr std::array<std::string_view, 2> kStalePolicies = {"warn", "refuse"};
constexpr std::array<std::string_view, 3> kAutoOnOff = {"auto", "on", "off"};
constexpr std::array<std::string_view, 4> kRenderers = {"auto", "opengles2", "opengl", "software"};
constexpr size_t kMaxIdBytes = 64;
constexpr int64_t kMaxUtcOffset = int64_t{14} * 3600;

struct KeySpec {
  std::string_view key;
  Field field;
  Kind kind;
  std::string_view help;  // the comment above the key in DefaultConfigText()
  int64_t min = 0, max = 0;
  std::span<const std::string_view> choices = {};
};

// Every key of the file, in the order DefaultConfigText() prints them.
// Long: one table row per key (a row is data, not logic); split, the order would be in two places.
const std::array<KeySpec, 32>& Keys() {
  static const std::array<KeySpec, 32> kKeys = {{
      {"data_dir", &AppConfig::data_dir, Kind::kNonEmpty,
       "Where the registry, the journal, the device key and the admin PIN are kept."},
      {"mode", &AppConfig::mode, Kind::kChoice,
       "shop: discounts at a partner's till; event: check-in at an event's door.", 0, 0, kModes},
      {"partner", &AppConfig::partner, Kind::kShortId,
       "Shop mode: the partner id whose offers apply here."},
      {"event", &AppConfig::event, Kind::kShortId, "Event mode: the event id to check in for."},
      {"capacity", &AppConfig::capacity, Kind::kNumber,
       "Event mode: how many people the event takes, when its entry in the registry does not\n"
       "say; 0 = no limit. 0..1000000.",
       0, 1000000},
      {"camera", &AppConfig::camera, Kind::kText,
       "The camera: /dev/videoN, a directory of recorded frames or a .y4m file; empty = none\n"
       "(hand scanner only)."},
      {"camera_width", &AppConfig::camera_width, Kind::kNumber, "Camera frame width, 160..4096.",
       160, 4096},
      {"camera_height", &AppConfig::camera_height, Kind::kNumber, "Camera frame height, 120..4096.",
       120, 4096},
      {"camera_fps", &AppConfig::camera_fps, Kind::kNumber, "Camera frames per second, 1..120.", 1,
       120},
      {"scanner_device", &AppConfig::scanner_device, Kind::kText,
       "A keyboard-wedge hand scanner: /dev/input/eventN; empty = none."},
      {"evdev_keys", &AppConfig::evdev_keys, Kind::kChoice,
       "Read every keyboard and keyboard-wedge scanner under /dev/input on a thread of its own,\n"
       "with the kernel's key times (US keymap): auto (on when drawing on the console through\n"
       "KMSDRM, as the device runs), on or off (keys come through SDL).",
       0, 0, kAutoOnOff},
      {"usb_mount_dir", &AppConfig::usb_mount_dir, Kind::kNonEmpty,
       "Where USB sticks are mounted (registry bundles in, journal out)."},
      {"usb_watch", &AppConfig::usb_watch, Kind::kBool,
       "Watch usb_mount_dir: a stick plugged in gets the newest signed bundle on it applied and\n"
       "this device's journal written to it, without the admin menu (needs trust). true or false."},
      {"language", &AppConfig::language, Kind::kChoice, "Screen language: ru, en or kk.", 0, 0,
       kLanguages},
      {"currency", &AppConfig::currency, Kind::kNonEmpty,
       "The currency sign shown after every amount, e.g. \"₽\" or \"₸\" (the number format\n"
       "follows the language)."},
      {"assets_dir", &AppConfig::assets_dir, Kind::kText,
       "Translations and the default theme; empty = the directory installed with the program."},
      {"theme", &AppConfig::theme, Kind::kText,
       "A directory with theme.conf (and logo.png); empty = the theme in assets_dir."},
      {"result_timeout_ms", &AppConfig::result_timeout_ms, Kind::kMillis,
       "How long a result stays on screen, in milliseconds, 500..60000 (or a text such as \"4s\").",
       500, 60000},
      {"entry_timeout_ms", &AppConfig::entry_timeout_ms, Kind::kMillis,
       "How long an amount, PIN or admin screen waits for input before going back to idle,\n"
       "in milliseconds, 5000..3600000 (or a text such as \"2min\").",
       5000, 3600000},
      {"utc_offset", &AppConfig::utc_offset_seconds, Kind::kUtcOffset,
       "Local time as an offset from UTC, +HH:MM or -HH:MM (offer hours, event days)."},
      {"stale_registry", &AppConfig::stale_registry, Kind::kChoice,
       "When the registry is out of date: warn (check cards, show a warning) or refuse.", 0, 0,
       kStalePolicies},
      {"sound_volume", &AppConfig::sound_volume, Kind::kNumber,
       "Sound volume, 0..100 (0 = silent).", 0, 100},
      {"fullscreen", &AppConfig::fullscreen, Kind::kBool, "Full screen: true or false."},
      {"renderer", &AppConfig::renderer, Kind::kChoice,
       "How the screen is drawn: auto (OpenGL ES 2 on the console through KMSDRM, as the device\n"
       "runs; SDL's own choice on a desktop), opengles2, opengl or software. Without a GPU\n"
       "driver the kiosk says so and draws in software.",
       0, 0, kRenderers},
      {"window_width", &AppConfig::window_width, Kind::kNumber,
       "Window width when not full screen (and for screenshots), 320..7680.", 320, 7680},
      {"window_height", &AppConfig::window_height, Kind::kNumber,
       "Window height when not full screen, 240..4320.", 240, 4320},
      {"hub", &AppConfig::hub, Kind::kUrl,
       "The hub for network sync, https://...; empty = USB sync only."},
      {"hub_cert", &AppConfig::hub_cert, Kind::kText,
       "The CA or certificate file the hub's TLS certificate must match."},
      {"trust", &AppConfig::trust, Kind::kText,
       "The public key (PEM) that registry bundles must be signed with."},
      {"sync_interval", &AppConfig::sync_interval_seconds, Kind::kSeconds,
       "Seconds between network syncs, 10..86400 (or a text such as \"5min\").", 10, 86400},
      {"void_window", &AppConfig::void_window_seconds, Kind::kSeconds,
       "How long after a discount or check-in the cashier may void it on this device, in\n"
       "seconds, 60..86400 (or a text such as \"15min\"); later only the admin may.",
       60, 86400},
      {"admin_card_pin", &AppConfig::admin_card_pin, Kind::kBool,
       "A signed admin card scanned here opens the admin PIN screen (true) rather than the\n"
       "admin menu itself (false). true or false."},
  }};
  return kKeys;
}

const KeySpec* FindKey(std::string_view key) {
  for (const KeySpec& spec : Keys()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

// The reason a text value is refused for `spec`, or "".
std::string CheckText(const KeySpec& spec, std::string_view value) {
  switch (spec.kind) {
    case Kind::kNonEmpty:
      return value.empty() ? "must not be empty" : "";
    case Kind::kShortId:
      return value.size() > kMaxIdBytes ? "at most " + std::to_string(kMaxIdBytes) + " bytes" : "";
    case Kind::kUrl:  // the sync client checks the rest (host, http:// only to loopback)
      if (value.empty() || value.starts_with("https://") || value.starts_with("http://")) return "";
      return "must be an https:// URL or empty, got " + ck_config::QuoteForMessage(value);
    default:
      return "";
  }
}

void StoreNumber(const KeySpec& spec, int64_t v, AppConfig& config) {
  if (const auto* f = std::get_if<int AppConfig::*>(&spec.field)) {
    config.*(*f) = static_cast<int>(v);  // in range: every int key's max fits an int
  } else {
    config.*std::get<int64_t AppConfig::*>(spec.field) = v;
  }
}

// Reads `spec`'s key from `file` (if the file sets it) into `config`.
base::Status Read(const KeySpec& spec, ck_config::ConfigFile& file, AppConfig& config) {
  if (!file.Has(spec.key)) return base::Status::Ok();
  switch (spec.kind) {
    case Kind::kText:
    case Kind::kNonEmpty:
    case Kind::kShortId:
    case Kind::kUrl: {
      std::string value;
      CK_TRY(file.GetString(spec.key, &value));
      if (std::string why = CheckText(spec, value); !why.empty()) return file.Error(spec.key, why);
      config.*std::get<std::string AppConfig::*>(spec.field) = std::move(value);
      return base::Status::Ok();
    }
    case Kind::kChoice:
      return file.GetEnum(spec.key, spec.choices,
                          &(config.*std::get<std::string AppConfig::*>(spec.field)));
    case Kind::kNumber:
    case Kind::kMillis:
    case Kind::kSeconds: {
      int64_t v = 0;
      const auto unit = spec.kind == Kind::kMillis ? ck_config::TimeUnit::kMilliseconds
                                                   : ck_config::TimeUnit::kSeconds;
      CK_TRY(spec.kind == Kind::kNumber ? file.GetInt(spec.key, spec.min, spec.max, &v)
                                        : file.GetDuration(spec.key, unit, spec.min, spec.max, &v));
      StoreNumber(spec, v, config);
      return base::Status::Ok();
    }
    case Kind::kBool:
      return file.GetBool(spec.key, &(config.*std::get<bool AppConfig::*>(spec.field)));
    case Kind::kUtcOffset: {
      std::string value;
      CK_TRY(file.GetString(spec.key, &value));
      base::Result<int64_t> offset = ParseUtcOffset(value);
      if (!offset.ok()) return file.Error(spec.key, offset.status().message());
      config.*std::get<int64_t AppConfig::*>(spec.field) = *offset;
      return base::Status::Ok();
    }
  }
  return file.Error(spec.key, "unsupported key");
}

// Parses `text` over `config`; `named` (if not null) gets the keys the file sets, in Keys() order.
base::Status ParseInto(std::string_view text, std::string_view source, AppConfig& config,
                       std::vector<const KeySpec*>* named) {
  CK_ASSIGN_OR_RETURN(ck_config::ConfigFile file, ck_config::ConfigFile::Parse(text, source));
  for (const KeySpec& spec : Keys()) {
    if (named != nullptr && file.Has(spec.key)) named->push_back(&spec);
    CK_TRY(Read(spec, file, config));
  }
  return file.Finish();  // unknown keys
}

// A value in the text form of ParseConfigValues() (strings as they are, numbers in decimal).
std::string FormatValue(const KeySpec& spec, const AppConfig& config) {
  if (spec.kind == Kind::kUtcOffset) {
    return FormatUtcOffset(config.*std::get<int64_t AppConfig::*>(spec.field));
  }
  return std::visit(
      [&config](auto member) -> std::string {
        const auto& v = config.*member;
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else {
          return std::to_string(v);
        }
      },
      spec.field);
}

// Writes `value` (in FormatValue()'s text form) for `spec` in TOML syntax.
base::Status WriteValue(const KeySpec& spec, std::string_view value, ck_config::ConfigWriter& w) {
  switch (spec.kind) {
    case Kind::kNumber:
    case Kind::kMillis:
    case Kind::kSeconds: {
      int64_t v = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
        return base::InvalidArgument("key '" + std::string(spec.key) +
                                     "': not a whole number: " + ck_config::QuoteForMessage(value));
      }
      w.Int(spec.key, v);
      return base::Status::Ok();
    }
    case Kind::kBool:
      if (value != "true" && value != "false") {
        return base::InvalidArgument("key '" + std::string(spec.key) +
                                     "': not true or false: " + ck_config::QuoteForMessage(value));
      }
      w.Bool(spec.key, value == "true");
      return base::Status::Ok();
    default:
      w.String(spec.key, value);
      return base::Status::Ok();
  }
}

bool IsLegacyKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// A trimmed `key = value` line of the old syntax into `values` (the value trimmed, one pair of
// double quotes around it removed). An error for anything else.
base::Status AddLegacyLine(std::string_view line, std::map<std::string, std::string>& values) {
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) return base::InvalidArgument("not key = value");
  const std::string_view key = base::TrimBlanks(line.substr(0, eq));
  std::string_view value = base::TrimBlanks(line.substr(eq + 1));
  if (key.empty() || !std::all_of(key.begin(), key.end(), IsLegacyKeyChar)) {
    return base::InvalidArgument("bad key");
  }
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  if (base::HasControlChars(value)) return base::InvalidArgument("control character");
  if (!values.emplace(key, value).second) return base::InvalidArgument("repeated key");
  return base::Status::Ok();
}

// A kiosk-state.conf written before the config files became TOML (`key = value` lines, text
// unquoted), as TOML: read line by line and written back with FormatConfigValues(), so that
// ParseInto() checks it like any other. nullopt if `text` is not in the old syntax either.
std::optional<std::string> LegacyAsToml(std::string_view text) {
  std::map<std::string, std::string> values;
  const base::Status st = lines::ForEachLine(
      text, "",
      [&values](int /*line_no*/, std::string_view line) { return AddLegacyLine(line, values); });
  if (!st.ok()) return std::nullopt;
  base::Result<std::string> toml = FormatConfigValues(values, "");
  if (!toml.ok()) return std::nullopt;
  return *std::move(toml);
}

}  // namespace

base::Result<int64_t> ParseUtcOffset(std::string_view text) {
  auto digit = [&text](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  const bool shape = text.size() == 6 && (text[0] == '+' || text[0] == '-') && digit(1) &&
                     digit(2) && text[3] == ':' && digit(4) && digit(5);
  if (shape) {
    const int hours = (text[1] - '0') * 10 + (text[2] - '0');
    const int minutes = (text[4] - '0') * 10 + (text[5] - '0');
    const int64_t seconds = int64_t{hours} * 3600 + int64_t{minutes} * 60;
    if (minutes < 60 && seconds <= kMaxUtcOffset) return text[0] == '-' ? -seconds : seconds;
  }
  return base::InvalidArgument("must be +HH:MM or -HH:MM within -14:00..+14:00, got " +
                               ck_config::QuoteForMessage(text));
}

std::string FormatUtcOffset(int64_t seconds) {
  const int64_t minutes = (seconds < 0 ? -seconds : seconds) / 60;
  const auto two = [](int64_t v) { return std::string(v < 10 ? "0" : "") + std::to_string(v); };
  return std::string(seconds < 0 ? "-" : "+") + two(minutes / 60) + ":" + two(minutes % 60);
}

base::Result<AppConfig> ParseAppConfig(std::string_view text, std::string_view source) {
  AppConfig config;
  CK_TRY(ParseInto(text, source, config, nullptr));
  return config;
}

base::Result<AppConfig> LoadAppConfig(const std::string& path) {
  CK_ASSIGN_OR_RETURN(std::string text, ck_config::ReadConfigFile(path));
  return ParseAppConfig(text, path);
}

base::Result<std::map<std::string, std::string>> ParseConfigValues(std::string_view text,
                                                                   std::string_view source) {
  AppConfig config;
  std::vector<const KeySpec*> named;
  base::Status st = ParseInto(text, source, config, &named);
  if (!st.ok()) {
    // A file kept from before TOML: read once in the old syntax (the next save writes TOML).
    const std::optional<std::string> toml = LegacyAsToml(text);
    if (!toml.has_value()) return st;
    named.clear();
    CK_TRY(ParseInto(*toml, source, config, &named));
  }
  std::map<std::string, std::string> values;
  for (const KeySpec* spec : named) values.emplace(spec->key, FormatValue(*spec, config));
  return values;
}

base::Result<std::string> FormatConfigValues(const std::map<std::string, std::string>& values,
                                             std::string_view comment) {
  ck_config::ConfigWriter w;
  if (!comment.empty()) w.Comment(comment);
  for (const auto& [key, value] : values) {
    const KeySpec* spec = FindKey(key);
    if (spec == nullptr) return base::InvalidArgument("unknown key '" + key + "'");
    CK_TRY(WriteValue(*spec, value, w));
  }
  CK_TRY(ParseAppConfig(w.text(), "the values to write").status());  // ranges, choices, ids
  return w.text();
}

std::string DefaultConfigText() {
  const AppConfig defaults;
  ck_config::ConfigWriter w;
  w.Comment(
      "cardkiosk kiosk configuration (docs/kiosk-app.md), in TOML: key = value, text in double\n"
      "quotes, '#' starts a comment. Every key is optional: the values below are the defaults.\n"
      "Command-line flags override this file.");
  for (const KeySpec& spec : Keys()) {
    w.BlankLine();
    w.Comment(spec.help);
    base::Status st = WriteValue(spec, FormatValue(spec, defaults), w);
    assert(st.ok());  // the defaults are well formed
    (void)st;
  }
  return w.text();
}

}  // namespace kiosk_settings
