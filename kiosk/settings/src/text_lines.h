// Line helpers for the kiosk's line-based text: the script language (script.cc) and the
// kiosk-state.conf written before the config files became TOML (config.cc). Every other file the
// kiosk reads (kiosk.conf, theme.conf, the translations) is TOML, through ck_config. Private to
// ck_kiosk_settings.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "base/text.h"
#include "base/utf8.h"
#include "config/config_file.h"

namespace kiosk_settings::lines {

// Text files the app reads are small; anything larger is a mistake (or a hostile stick).
inline base::Result<std::string> ReadTextFile(const std::string& path) {
  return ck_config::ReadConfigFile(path, ck_config::kMaxFileBytes);
}

// "demo.script:7: "
inline std::string Where(std::string_view source, int line) {
  return std::string(source) + ":" + std::to_string(line) + ": ";
}

// A line quoted in an error message, shortened so that a binary file does not flood the log.
inline std::string Quote(std::string_view s) { return ck_config::QuoteForMessage(s); }

// Calls `fn(line_no, line)` for each line that is neither blank nor a comment ('#'), with the line
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

}  // namespace kiosk_settings::lines
