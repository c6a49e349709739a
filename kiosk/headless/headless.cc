#include "headless.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/text.h"

namespace kiosk {
namespace {

nlohmann::json ScreenJson(const Screen& s) {
  nlohmann::json j;
  j["state"] = std::string(StateName(s.state));
  if (!s.verdict.empty()) j["verdict"] = s.verdict;
  if (!s.decision.empty()) j["decision"] = s.decision;
  if (!s.message.empty()) j["message"] = s.message;
  if (!s.name.empty()) j["name"] = s.name;
  if (!s.number_masked.empty()) j["number"] = s.number_masked;
  if (s.state == State::kResult || s.state == State::kConfirm || s.purchase_minor > 0) {
    j["purchase_minor"] = s.purchase_minor;
    j["discount_minor"] = s.discount_minor;
    j["total_minor"] = s.total_minor;
    if (s.cashback_minor > 0) j["cashback_minor"] = s.cashback_minor;  // a cashback offer
  }
  if (!s.offer_id.empty()) {
    j["offer_id"] = s.offer_id;
    j["offer_title"] = s.offer_title;
  }
  if (s.cap_limit > 0) {
    j["cap_used"] = s.cap_used;
    j["cap_limit"] = s.cap_limit;
  }
  if (s.clip != rules::DiscountClip::kNone) {
    j["discount_limit"] = s.clip == rules::DiscountClip::kMaxDiscount ? "max_discount" : "cap_left";
    j["discount_limit_minor"] = s.clip_minor;
  }
  if (s.attendance > 0) j["attendance"] = s.attendance;
  if (s.capacity > 0) j["capacity"] = s.capacity;
  if (s.first_entry > 0) j["first_entry"] = s.first_entry;
  if (s.entry_number > 0) j["entry_number"] = s.entry_number;
  if (!s.entry_uuid.empty()) {
    j["entry_uuid"] = s.entry_uuid;
    j["entry_seq"] = s.entry_seq;
  }
  j["registry_seq"] = s.registry_seq;
  if (s.registry_stale) j["registry_stale"] = true;
  return j;
}

void Emit(std::FILE* out, const nlohmann::json& j) {
  const std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fprintf(out, "%s\n", line.c_str());
  std::fflush(out);  // a POS integration reads line by line
}

void EmitError(std::FILE* out, const Screen& s, const std::string& why) {
  nlohmann::json j = ScreenJson(s);
  j["error"] = why;
  Emit(out, j);
}

// Longest input line (bytes before the newline): a scan's QR text is at most 1024 bytes
// (docs/card-format.md), six times that when every byte is \u-escaped, and room to spare.
constexpr size_t kMaxLineBytes = 16 * 1024;

enum class LineRead { kLine, kTooLong, kEnd };

// Reads one line of `in` into `line` without its '\n'. A line longer than kMaxLineBytes is read
// to its end and dropped (never held in memory): kTooLong. kEnd when `in` has no more bytes.
LineRead ReadLine(std::istream& in, std::string& line) {
  line.clear();
  std::streambuf* buf = in.rdbuf();
  if (buf == nullptr) return LineRead::kEnd;
  bool too_long = false;
  for (int c = buf->sbumpc();; c = buf->sbumpc()) {
    if (c == std::char_traits<char>::eof()) {
      if (!too_long && line.empty()) return LineRead::kEnd;
      break;
    }
    if (c == '\n') break;
    if (line.size() == kMaxLineBytes) too_long = true;
    if (!too_long) line.push_back(static_cast<char>(c));
  }
  if (too_long) line.clear();
  return too_long ? LineRead::kTooLong : LineRead::kLine;
}

// Parses `line` into `cmd`. Returns why it is not a command object ("" when it is one). A key
// repeated within an object refuses the whole line: nlohmann keeps the last value silently.
std::string ParseCommand(const std::string& line, nlohmann::json& cmd) {
  using nlohmann::json;
  if (base::TrimBlanks(line).empty()) return "empty line";
  if (line.find('\0') != std::string::npos) return "NUL byte in the line";
  std::vector<std::set<std::string>> keys;  // one set per object being read
  std::optional<std::string> repeated;
  auto watch = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      keys.emplace_back();
    } else if (event == json::parse_event_t::object_end && !keys.empty()) {
      keys.pop_back();
    } else if (event == json::parse_event_t::key && !keys.empty() && !repeated) {
      std::string key = parsed.get<std::string>();
      if (!keys.back().insert(key).second) repeated = std::move(key);
    }
    return true;
  };
  cmd = json::parse(line, watch, /*allow_exceptions=*/false);
  if (cmd.is_discarded()) return "not JSON in UTF-8";
  if (repeated) return "repeated key \"" + *repeated + "\"";
  if (!cmd.is_object() || !cmd.contains("cmd") || !cmd["cmd"].is_string()) {
    return "expected a JSON object with \"cmd\"";
  }
  return "";
}

enum class Done { kShown, kQuit, kUnknown };

// Acts on the command object `cmd` (ParseCommand said yes to it).
Done Dispatch(Session& session, const nlohmann::json& cmd, base::FakeClock* fake) {
  const std::string name = cmd["cmd"].get<std::string>();
  if (name == "scan" && cmd.contains("text") && cmd["text"].is_string()) {
    session.Scan(cmd["text"].get<std::string>());
  } else if (name == "amount" && cmd.contains("minor") && cmd["minor"].is_number_integer()) {
    session.Amount(cmd["minor"].get<int64_t>());
  } else if (name == "confirm") {
    session.Confirm();
  } else if (name == "cancel") {
    session.Cancel();
  } else if (name == "tick") {
    session.Tick();
  } else if (name == "status") {
    // just report the screen
  } else if (name == "advance" && fake != nullptr && cmd.contains("seconds") &&
             cmd["seconds"].is_number_integer()) {
    fake->Advance(cmd["seconds"].get<int64_t>());
    session.Tick();
  } else if (name == "quit") {
    return Done::kQuit;
  } else {
    return Done::kUnknown;
  }
  return Done::kShown;
}

}  // namespace

int RunHeadless(const std::function<Session&()>& current, std::istream& in, std::FILE* out,
                base::FakeClock* fake, const std::function<void(nlohmann::json&)>& decorate) {
  auto screen = [&](const Screen& s) {
    nlohmann::json j = ScreenJson(s);
    if (decorate) decorate(j);
    return j;
  };
  Emit(out, screen(current().screen()));
  // Every line read gets exactly one line back; "quit" gets the screen, then the output ends.
  std::string line;
  for (LineRead read = ReadLine(in, line); read != LineRead::kEnd; read = ReadLine(in, line)) {
    Session& session = current();
    nlohmann::json cmd;
    const std::string bad = read == LineRead::kTooLong
                                ? "line longer than " + std::to_string(kMaxLineBytes) + " bytes"
                                : ParseCommand(line, cmd);
    if (!bad.empty()) {
      EmitError(out, session.screen(), "BAD_COMMAND: " + bad);
      continue;
    }
    const Done done = Dispatch(session, cmd, fake);
    if (done == Done::kQuit) {
      Emit(out, screen(session.screen()));
      break;
    }
    if (done == Done::kUnknown) {
      EmitError(out, session.screen(),
                "BAD_COMMAND: unknown command or missing field: " + cmd["cmd"].get<std::string>());
      continue;
    }
    Emit(out, screen(session.screen()));
  }
  return 0;
}

}  // namespace kiosk
