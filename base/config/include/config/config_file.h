// Configuration files of every program (kiosk.conf, kiosk-state.conf, the kiosk's theme.conf and
// translations, the hub's config): TOML (https://toml.io, v1.0), read with toml++ and checked key
// by key.
//
// Why TOML: one documented syntax instead of several hand-written `key = value` dialects, with
// quoting, escapes, comments and types (text, whole numbers, true/false) that editors and other
// tools already know. Why toml++: Debian packages it (libtomlplusplus-dev), it is well kept and
// tested against the TOML test suite, and its errors carry the line, which every message here
// needs. toml++ (and its exceptions) stay inside this module: the API below is Status-based.
//
// Only top-level `key = value` pairs are used: a [table], a dotted key or an array is refused as
// an unknown key or a wrong type. Every error reads "FILE:LINE: key 'K': why" (or "FILE:LINE:
// why" for a line that is not TOML), code InvalidArgument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ck_config {

// Config files are small; anything larger is a mistake (or a hostile stick).
inline constexpr size_t kMaxFileBytes = size_t{1} << 20;

// Reads `path`, refusing a file over `max_bytes` with OutOfRange ("PATH: larger than the 1 MiB
// limit for this file"). A missing file is NotFound with the path in the message.
base::Result<std::string> ReadConfigFile(const std::string& path, size_t max_bytes = kMaxFileBytes);

// The unit a duration key counts in when it is given as a plain whole number.
enum class TimeUnit : uint8_t { kMilliseconds, kSeconds, kMinutes };

// A parsed config file. Each getter reads one key: an absent key leaves `*out` unchanged and is
// OK; a key of the wrong type or out of range is an error at the key's line. Values given as text
// may not hold control characters (NUL included, also through escapes such as "\u0000").
// Finish() refuses every key no getter asked for. Not thread-safe; movable, not copyable.
class ConfigFile {
 public:
  // Parses `text`; `source` names the file in messages ("kiosk.conf" or its path). A NUL byte,
  // text that is not UTF-8 or not TOML is refused here.
  static base::Result<ConfigFile> Parse(std::string_view text, std::string_view source);

  ConfigFile(ConfigFile&&) noexcept;
  ConfigFile& operator=(ConfigFile&&) noexcept;
  ~ConfigFile();

  // True if the file sets `key` (whether or not a getter read it yet).
  bool Has(std::string_view key) const;

  // "text" (may be empty).
  base::Status GetString(std::string_view key, std::string* out);
  // A whole number in min..max.
  base::Status GetInt(std::string_view key, int64_t min, int64_t max, int64_t* out);
  // true | false.
  base::Status GetBool(std::string_view key, bool* out);
  // A text that is one of `choices`.
  base::Status GetEnum(std::string_view key, std::span<const std::string_view> choices,
                       std::string* out);
  // A whole number of `unit`, or a text with a unit: "1500ms", "90s", "5min", "2h". The result
  // counts `unit` and must be in min..max (and a whole number of `unit`).
  base::Status GetDuration(std::string_view key, TimeUnit unit, int64_t min, int64_t max,
                           int64_t* out);

  // Every key of the file with its text value, in file order, each marked read: for files whose
  // keys are data rather than settings (the translations). Every value must be text without
  // control characters, except line breaks ("\n") when `allow_line_breaks`; any other value (a
  // number, a [table], an array) is an error at its line.
  struct TextEntry {
    std::string key;
    std::string value;
    int64_t line = 0;
  };
  base::Result<std::vector<TextEntry>> AllText(bool allow_line_breaks);

  // "FILE:LINE: key 'K': why" at `key`'s line (for checks a caller makes on a value it read).
  base::Status Error(std::string_view key, std::string_view why) const;
  // The first key (in file order) that no getter read: "FILE:LINE: unknown key 'K'".
  base::Status Finish() const;

 private:
  struct Impl;
  explicit ConfigFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes a config file: comments, and keys with values in TOML syntax that ConfigFile reads back.
class ConfigWriter {
 public:
  // "# text" (each line of a multi-line text gets its own '#').
  void Comment(std::string_view text);
  void BlankLine() { out_ += '\n'; }
  void String(std::string_view key, std::string_view value);
  void Int(std::string_view key, int64_t value);
  void Bool(std::string_view key, bool value);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// `value` as a TOML basic string: "..." with quotes, backslashes and control characters escaped;
// other UTF-8 text is kept as it is.
std::string QuoteString(std::string_view value);

// A value quoted in an error message, shortened (at a whole UTF-8 character) so that a binary
// file does not flood the log: 'abc...'.
std::string QuoteForMessage(std::string_view value);

}  // namespace ck_config
