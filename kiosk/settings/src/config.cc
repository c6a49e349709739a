#include "kiosk_settings/config.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <span>
#include <variant>

#include "key_value.h"
#include "kiosk_settings/strings.h"

namespace kiosk_settings {
namespace {

enum class Kind : uint8_t {
  kText,       // any text, may be empty
  kNonEmpty,   // a path that must be given
  kShortId,    // an id of at most 64 bytes (may be empty)
  kUrl,        // empty, or http(s)://...
  kChoice,     // one of `choices`
  kNumber,     // a whole number in min..max
  kBool,       // true | false
  kUtcOffset,  // +HH:MM | -HH:MM
};

using Field = std::variant<std::string AppConfig::*, int AppConfig::*, int64_t AppConfig::*,
                           bool AppConfig::*>;

constexpr std::array<std::string_view, 2> kModes = {"shop", "event"};
constexpr std::array<std::string_view, 2> kStalePolicies = {"warn", "refuse"};
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
const std::array<KeySpec, 26>& Keys() {
  static const std::array<KeySpec, 26> kKeys = {{
      {"data_dir", &AppConfig::data_dir, Kind::kNonEmpty,
       "Where the registry, the journal, the device key and the admin PIN are kept."},
      {"mode", &AppConfig::mode, Kind::kChoice,
       "shop: discounts at a partner's till; event: check-in at an event's door.", 0, 0, kModes},
      {"partner", &AppConfig::partner, Kind::kShortId,
       "Shop mode: the partner id whose offers apply here."},
      {"event", &AppConfig::event, Kind::kShortId, "Event mode: the event id to check in for."},
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
      {"usb_mount_dir", &AppConfig::usb_mount_dir, Kind::kNonEmpty,
       "Where USB sticks are mounted (registry bundles in, journal out)."},
      {"usb_watch", &AppConfig::usb_watch, Kind::kBool,
       "Watch usb_mount_dir: a stick plugged in gets the newest signed bundle on it applied and\n"
       "this device's journal written to it, without the admin menu (needs trust). true or false."},
      {"language", &AppConfig::language, Kind::kChoice, "Screen language: ru, en or kk.", 0, 0,
       kLanguages},
      {"assets_dir", &AppConfig::assets_dir, Kind::kText,
       "Translations and the default theme; empty = the directory installed with the program."},
      {"theme", &AppConfig::theme, Kind::kText,
       "A directory with theme.conf (and logo.png); empty = the theme in assets_dir."},
      {"result_timeout_ms", &AppConfig::result_timeout_ms, Kind::kNumber,
       "How long a result stays on screen, in milliseconds, 500..60000.", 500, 60000},
      {"entry_timeout_ms", &AppConfig::entry_timeout_ms, Kind::kNumber,
       "How long an amount, PIN or admin screen waits for input before going back to idle,\n"
       "in milliseconds, 5000..3600000.",
       5000, 3600000},
      {"utc_offset", &AppConfig::utc_offset_seconds, Kind::kUtcOffset,
       "Local time as an offset from UTC, +HH:MM or -HH:MM (offer hours, event days)."},
      {"stale_registry", &AppConfig::stale_registry, Kind::kChoice,
       "When the registry is out of date: warn (check cards, show a warning) or refuse.", 0, 0,
       kStalePolicies},
      {"sound_volume", &AppConfig::sound_volume, Kind::kNumber,
       "Sound volume, 0..100 (0 = silent).", 0, 100},
      {"fullscreen", &AppConfig::fullscreen, Kind::kBool, "Full screen: true or false."},
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
      {"sync_interval", &AppConfig::sync_interval_seconds, Kind::kNumber,
       "Seconds between network syncs, 10..86400.", 10, 86400},
  }};
  return kKeys;
}

const KeySpec* FindKey(std::string_view key) {
  for (const KeySpec& spec : Keys()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

bool ParseInt64(std::string_view text, int64_t* out) {
  if (text.starts_with('+')) text.remove_prefix(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

std::string JoinChoices(std::span<const std::string_view> choices) {
  std::string out;
  for (std::string_view c : choices) out += (out.empty() ? "" : " | ") + std::string(c);
  return out;
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
      return "must be an https:// URL or empty, got " + kv::Quote(value);
    case Kind::kChoice:
      if (std::find(spec.choices.begin(), spec.choices.end(), value) != spec.choices.end()) {
        return "";
      }
      return "must be " + JoinChoices(spec.choices) + ", got " + kv::Quote(value);
    default:
      return "";
  }
}

// Checks `value` for `spec` and stores it; returns the reason it is refused, or "".
std::string Apply(const KeySpec& spec, std::string_view value, AppConfig& config) {
  switch (spec.kind) {
    case Kind::kText:
    case Kind::kNonEmpty:
    case Kind::kShortId:
    case Kind::kUrl:
    case Kind::kChoice: {
      std::string why = CheckText(spec, value);
      if (why.empty()) config.*std::get<std::string AppConfig::*>(spec.field) = std::string(value);
      return why;
    }
    case Kind::kNumber: {
      int64_t v = 0;
      const std::string range = std::to_string(spec.min) + ".." + std::to_string(spec.max);
      if (!ParseInt64(value, &v))
        return "must be a whole number " + range + ", got " + kv::Quote(value);
      if (v < spec.min || v > spec.max) return "must be " + range + ", got " + std::to_string(v);
      if (const auto* f = std::get_if<int AppConfig::*>(&spec.field)) {
        config.*(*f) = static_cast<int>(v);  // in range: every int key's max fits an int
      } else {
        config.*std::get<int64_t AppConfig::*>(spec.field) = v;
      }
      return "";
    }
    case Kind::kBool:
      if (value != "true" && value != "false")
        return "must be true or false, got " + kv::Quote(value);
      config.*std::get<bool AppConfig::*>(spec.field) = value == "true";
      return "";
    case Kind::kUtcOffset: {
      base::Result<int64_t> offset = ParseUtcOffset(value);
      if (!offset.ok()) return offset.status().message();
      config.*std::get<int64_t AppConfig::*>(spec.field) = *offset;
      return "";
    }
  }
  return "unsupported key";
}

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
                               kv::Quote(text));
}

std::string FormatUtcOffset(int64_t seconds) {
  const int64_t minutes = (seconds < 0 ? -seconds : seconds) / 60;
  const auto two = [](int64_t v) { return std::string(v < 10 ? "0" : "") + std::to_string(v); };
  return std::string(seconds < 0 ? "-" : "+") + two(minutes / 60) + ":" + two(minutes % 60);
}

base::Result<AppConfig> ParseAppConfig(std::string_view text, std::string_view source) {
  AppConfig config;
  std::map<std::string, int, std::less<>> seen;  // key -> line it was set on
  CK_TRY(kv::ForEachLine(text, source, [&](int line_no, std::string_view line) -> base::Status {
    CK_ASSIGN_OR_RETURN(kv::KeyValue kv, kv::SplitKeyValue(line, source, line_no));
    const std::string where = kv::Where(source, line_no);
    const KeySpec* spec = FindKey(kv.key);
    if (spec == nullptr)
      return base::InvalidArgument(where + "unknown key '" + std::string(kv.key) + "'");
    const auto [it, inserted] = seen.emplace(kv.key, line_no);
    if (!inserted) {
      return base::InvalidArgument(where + "key '" + std::string(kv.key) +
                                   "': repeated (first set on line " + std::to_string(it->second) +
                                   ")");
    }
    const std::string why = Apply(*spec, kv.value, config);
    if (!why.empty())
      return base::InvalidArgument(where + "key '" + std::string(kv.key) + "': " + why);
    return base::Status::Ok();
  }));
  return config;
}

base::Result<AppConfig> LoadAppConfig(const std::string& path) {
  CK_ASSIGN_OR_RETURN(std::string text, kv::ReadTextFile(path));
  return ParseAppConfig(text, path);
}

std::string DefaultConfigText() {
  const AppConfig defaults;
  std::string out =
      "# cardkiosk kiosk configuration (docs/kiosk-app.md).\n"
      "# `key = value` lines, '#' starts a comment line. Every key is optional: the values below\n"
      "# are the defaults. Command-line flags override this file.\n";
  for (const KeySpec& spec : Keys()) {
    out += "\n# ";
    for (char c : spec.help) out += c == '\n' ? std::string("\n# ") : std::string(1, c);
    const std::string value = FormatValue(spec, defaults);
    out += '\n';
    out += spec.key;
    out += " =";
    if (!value.empty()) {
      out += ' ';
      out += value;
    }
    out += '\n';
  }
  return out;
}

}  // namespace kiosk_settings
