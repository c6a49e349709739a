// The line format of the translation files and theme.conf (kiosk.conf is TOML, through ck_config):
// UTF-8 text, `key = value` lines, '#' starting a comment line, blank lines ignored. Private to
// ck_kiosk_settings.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "base/text.h"
#include "base/utf8.h"
#include "config/config_file.h"

namespace kiosk_settings::kv {

// Text files the app reads are small; anything larger is a mistake (or a hostile stick).
inline base::Result<std::string> ReadTextFile(const std::string& path) {
  return ck_config::ReadConfigFile(path, ck_config::kMaxFileBytes);
}

// "kiosk.conf:7: "
inline std::string Where(std::string_view source, int line) {
  return std::string(source) + ":" + std::to_string(line) + ": ";
}

// A line quoted in an error message, shortened so that a binary file does not flood the log.
inline std::string Quote(std::string_view s) { return ck_config::QuoteForMessage(s); }

// Calls `fn(line_no, line)` for each line that is neither blank nor a comment, with the line
// trimmed. A UTF-8 byte order mark (some editors add one) is skipped. Stops at the first error.
template <typename Fn>
base::Status ForEachLine(std::string_view text, std::string_view source, Fn&& fn) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  int line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!base::IsValidUtf8(raw)) return base::InvalidArgument(Where(source, line_no) + "not UTF-8");
    std::string_view line = base::TrimBlanks(raw);
    if (line.empty() || line.front() == '#') continue;
    CK_TRY(fn(line_no, line));
  }
  return base::Status::Ok();
}

struct KeyValue {
  std::string_view key;
  std::string_view value;
};

inline bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Splits a trimmed `key = value` line. The value is trimmed; one pair of double quotes around it
// is removed (so that a value can keep leading or trailing spaces). Control characters are refused.
inline base::Result<KeyValue> SplitKeyValue(std::string_view line, std::string_view source,
                                            int line_no) {
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) {
    return base::InvalidArgument(Where(source, line_no) + "expected 'key = value', got " +
                                 Quote(line));
  }
  KeyValue kv{base::TrimBlanks(line.substr(0, eq)), base::TrimBlanks(line.substr(eq + 1))};
  if (kv.key.empty()) {
    return base::InvalidArgument(Where(source, line_no) + "missing key before '=' in " +
                                 Quote(line));
  }
  for (char c : kv.key) {
    if (!IsKeyChar(c)) {
      return base::InvalidArgument(Where(source, line_no) + "bad key " + Quote(kv.key) +
                                   " (letters, digits, '.', '_' and '-' only)");
    }
  }
  if (kv.value.size() >= 2 && kv.value.front() == '"' && kv.value.back() == '"') {
    kv.value = kv.value.substr(1, kv.value.size() - 2);
  }
  if (base::HasControlChars(kv.value)) {
    return base::InvalidArgument(Where(source, line_no) + "key '" + std::string(kv.key) +
                                 "': control character in the value");
  }
  return kv;
}

}  // namespace kiosk_settings::kv
