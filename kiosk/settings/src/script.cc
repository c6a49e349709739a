#include "kiosk_settings/script.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "base/fs.h"
#include "text_lines.h"

namespace kiosk_settings {
namespace {

constexpr std::array<std::string_view, 15> kStates = {
    "idle",         "result",  "amount",       "confirm",         "admin",
    "pin",          "set-pin", "admin-select", "not_provisioned", "void-confirm",
    "void_confirm", "recent",  "recent-admin", "admin-key",       "admin-language"};

// A state, or a result screen by its code: "result-VALID", "result-EXPIRED", "result-accepted".
bool IsWaitableState(std::string_view state) {
  if (std::find(kStates.begin(), kStates.end(), state) != kStates.end()) return true;
  constexpr std::string_view kResult = "result-";
  if (state.size() <= kResult.size() || state.substr(0, kResult.size()) != kResult) return false;
  for (char c : state.substr(kResult.size()))
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')) return false;
  return true;
}
constexpr double kDefaultWaitSeconds = 10;
constexpr double kMaxPauseSeconds = 3600;                   // wait, sleep
constexpr double kMaxAdvanceSeconds = 100.0 * 365 * 86400;  // a century of fake time
constexpr int kMaxCoordinate = 100'000;
constexpr int kMaxGapMs = 10'000;  // typed

struct Line {
  std::string_view source;
  int number = 0;
  std::string_view command;
  std::string_view args;  // trimmed, may be empty

  base::Status Error(const std::string& why) const {
    return base::InvalidArgument(lines::Where(source, number) + std::string(command) + ": " + why);
  }
};

// Splits off the first space-separated word of `*rest`.
std::string_view NextWord(std::string_view* rest) {
  const size_t end = std::min(rest->find_first_of(" \t"), rest->size());
  std::string_view word = rest->substr(0, end);
  *rest = base::TrimBlanks(rest->substr(end));
  return word;
}

base::Result<double> Seconds(const Line& l, std::string_view text, double max) {
  double v = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), v, std::chars_format::fixed);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    return l.Error("expected seconds, got " + lines::Quote(text));
  }
  if (v < 0 || v > max) {
    return l.Error("seconds must be 0.." + std::to_string(static_cast<int64_t>(max)) + ", got " +
                   std::string(text));
  }
  return v;
}

base::Result<int> Coordinate(const Line& l, std::string_view text) {
  int v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < 0 ||
      v > kMaxCoordinate) {
    return l.Error("expected a pixel coordinate 0.." + std::to_string(kMaxCoordinate) + ", got " +
                   lines::Quote(text));
  }
  return v;
}

base::Result<int> GapMs(const Line& l, std::string_view text) {
  int v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < 0 ||
      v > kMaxGapMs) {
    return l.Error("expected milliseconds between keys 0.." + std::to_string(kMaxGapMs) + ", got " +
                   lines::Quote(text));
  }
  return v;
}

// typed MS TEXT
base::Status ParseTyped(const Line& l, ScriptCommand* c) {
  std::string_view rest = l.args;
  const std::string_view gap = NextWord(&rest);
  if (rest.empty()) return l.Error("expected MS TEXT, got " + lines::Quote(l.args));
  c->op = ScriptOp::kTyped;
  CK_ASSIGN_OR_RETURN(c->gap_ms, GapMs(l, gap));
  c->text = std::string(rest);
  return base::Status::Ok();
}

bool IsFileNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

// scan-file: the first line of the file, which is the card's text.
base::Result<std::string> FirstLineOf(const Line& l, const std::string& base_dir) {
  std::string path(l.args);
  if (!path.starts_with('/') && !base_dir.empty()) path = base_dir + "/" + path;
  base::Result<std::string> text = lines::ReadTextFile(path);
  if (!text.ok()) return l.Error(text.status().message());
  std::string_view first = std::string_view(*text).substr(0, text->find('\n'));
  if (first.ends_with('\r')) first.remove_suffix(1);
  if (first.empty()) return l.Error(path + ": the first line is empty");
  return std::string(first);
}

// The argument forms shared by several commands.
base::Status NeedText(const Line& l, std::string_view what = "text") {
  return l.args.empty() ? l.Error("missing " + std::string(what)) : base::Status::Ok();
}
base::Status NeedWord(const Line& l, std::string_view what) {
  if (l.args.empty()) return l.Error("missing " + std::string(what));
  if (l.args.find_first_of(" \t") != std::string_view::npos) {
    return l.Error("expected one " + std::string(what) + ", got " + lines::Quote(l.args));
  }
  return base::Status::Ok();
}

base::Result<ScriptCommand> ParseCommand(const Line& l, const std::string& base_dir) {
  ScriptCommand c;
  c.line = l.number;
  c.text = std::string(l.args);
  const std::string_view cmd = l.command;
  if (cmd == "scan" || cmd == "type" || cmd == "expect") {
    CK_TRY(NeedText(l));
    c.op = cmd == "scan" ? ScriptOp::kScan : cmd == "type" ? ScriptOp::kType : ScriptOp::kExpect;
  } else if (cmd == "scan-file") {
    CK_TRY(NeedText(l, "path"));
    c.op = ScriptOp::kScan;
    CK_ASSIGN_OR_RETURN(c.text, FirstLineOf(l, base_dir));
  } else if (cmd == "key") {  // SDL names may have spaces ("Keypad Enter")
    CK_TRY(NeedText(l, "key name"));
    c.op = ScriptOp::kKey;
  } else if (cmd == "press") {
    CK_TRY(NeedWord(l, "button id"));
    c.op = ScriptOp::kPress;
  } else if (cmd == "screenshot") {
    CK_TRY(NeedWord(l, "name"));
    // The name becomes NAME.png in the screenshot directory: no path of any kind.
    if (l.args.front() == '.' || !std::all_of(l.args.begin(), l.args.end(), IsFileNameChar)) {
      return l.Error("a name is letters, digits, '_', '-' and '.', got " + lines::Quote(l.args));
    }
    c.op = ScriptOp::kScreenshot;
  } else if (cmd == "typed") {
    CK_TRY(ParseTyped(l, &c));
  } else if (cmd == "tap") {
    std::string_view rest = l.args;
    const std::string_view x = NextWord(&rest), y = NextWord(&rest);
    if (y.empty() || !rest.empty()) return l.Error("expected X Y, got " + lines::Quote(l.args));
    c.op = ScriptOp::kTap;
    CK_ASSIGN_OR_RETURN(c.x, Coordinate(l, x));
    CK_ASSIGN_OR_RETURN(c.y, Coordinate(l, y));
    c.text.clear();
  } else if (cmd == "wait") {
    std::string_view rest = l.args;
    const std::string_view state = NextWord(&rest), seconds = NextWord(&rest);
    if (state.empty() || !rest.empty()) {
      return l.Error("expected STATE [SECONDS], got " + lines::Quote(l.args));
    }
    if (!IsWaitableState(state)) {
      return l.Error(
          "unknown state " + lines::Quote(state) +
          " (idle, result, result-CODE, amount, confirm, admin, pin, set-pin, "
          "admin-select, admin-key, admin-language, void-confirm, recent, recent-admin)");
    }
    c.op = ScriptOp::kWait;
    c.text = std::string(state);
    c.seconds = kDefaultWaitSeconds;
    if (!seconds.empty()) {
      CK_ASSIGN_OR_RETURN(c.seconds, Seconds(l, seconds, kMaxPauseSeconds));
    }
  } else if (cmd == "wait-text") {
    std::string_view rest = l.args;
    const std::string_view seconds = NextWord(&rest);
    if (seconds.empty() || rest.empty()) {
      return l.Error("expected SECONDS TEXT, got " + lines::Quote(l.args));
    }
    c.op = ScriptOp::kWaitText;
    CK_ASSIGN_OR_RETURN(c.seconds, Seconds(l, seconds, kMaxPauseSeconds));
    c.text = std::string(rest);
  } else if (cmd == "sleep" || cmd == "advance") {
    c.op = cmd == "sleep" ? ScriptOp::kSleep : ScriptOp::kAdvance;
    CK_ASSIGN_OR_RETURN(c.seconds,
                        Seconds(l, l.args, cmd == "sleep" ? kMaxPauseSeconds : kMaxAdvanceSeconds));
    c.text.clear();
  } else if (cmd == "quit") {
    if (!l.args.empty()) return l.Error("takes no argument, got " + lines::Quote(l.args));
    c.op = ScriptOp::kQuit;
  } else {
    return base::InvalidArgument(lines::Where(l.source, l.number) + "unknown command " +
                                 lines::Quote(cmd));
  }
  return c;
}

}  // namespace

base::Result<std::vector<ScriptCommand>> ParseScript(std::string_view text, std::string_view source,
                                                     const std::string& base_dir) {
  std::vector<ScriptCommand> commands;
  CK_TRY(lines::ForEachLine(text, source, [&](int line_no, std::string_view line) -> base::Status {
    const bool control = std::any_of(line.begin(), line.end(), [](char ch) {
      const auto u = static_cast<unsigned char>(ch);
      return (u < 0x20 && ch != '\t') || u == 0x7f;
    });
    if (control) {
      return base::InvalidArgument(lines::Where(source, line_no) + "control character in the line");
    }
    Line l{source, line_no, {}, line};
    l.command = NextWord(&l.args);
    CK_ASSIGN_OR_RETURN(ScriptCommand c, ParseCommand(l, base_dir));
    commands.push_back(std::move(c));
    return base::Status::Ok();
  }));
  return commands;
}

base::Result<std::vector<ScriptCommand>> LoadScript(const std::string& path) {
  CK_ASSIGN_OR_RETURN(std::string text, lines::ReadTextFile(path));
  return ParseScript(text, path, base::DirName(path));
}

}  // namespace kiosk_settings
