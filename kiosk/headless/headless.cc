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
  if (s.admin_card) j["admin_card"] = true;  // refused here: ADMIN_CARD_NOT_HERE or its verdict
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
  if (s.manual_count > 0) j["manual_count"] = s.manual_count;
  if (s.manual) j["manual"] = true;
  if (!s.entry_uuid.empty()) {
    j["entry_uuid"] = s.entry_uuid;
    j["entry_seq"] = s.entry_seq;
  }
  if (s.voidable) j["voidable"] = true;
  if (!s.void_uuid.empty()) {
    j["void_uuid"] = s.void_uuid;
    j["void_kind"] = s.void_kind;
    j["void_seq"] = s.void_seq;
    j["void_time"] = s.void_time;
    j["actor"] = s.actor;
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

nlohmann::json RecentJson(const RecentEntry& r) {
  nlohmann::json j = {{"seq", r.seq},
                      {"uuid", r.uuid},
                      {"time", r.time_utc},
                      {"kind", r.kind},
                      {"decision", r.decision}};
  if (!r.partner_id.empty()) j["partner_id"] = r.partner_id;
  if (!r.event_id.empty()) j["event_id"] = r.event_id;
  if (!r.offer_id.empty()) j["offer_id"] = r.offer_id;
  if (r.kind == "discount") {
    j["purchase_minor"] = r.purchase_minor;
    j["discount_minor"] = r.discount_minor;
  }
  if (r.cashback_minor > 0) j["cashback_minor"] = r.cashback_minor;
  if (!r.member.empty()) j["member"] = r.member;
  j["status"] = !r.voided_by.empty() ? "voided" : r.decision == "accepted" ? "accepted" : "refused";
  if (!r.voided_by.empty()) {
    j["voided_by"] = r.voided_by;
    j["voided_at"] = r.voided_at;
  }
  j["void"] = r.cashier_void.empty() ? "cashier" : r.admin_void.empty() ? "admin" : "no";
  return j;
}

// {"cmd":"recent"[,"limit":N]}: the last transactions into `extra`, or why not into `error`.
void Recent(Session& session, const nlohmann::json& cmd, nlohmann::json& extra,
            std::string& error) {
  int64_t limit = 20;
  if (cmd.contains("limit")) {
    if (!cmd["limit"].is_number_integer() || cmd["limit"].get<int64_t>() < 1 ||
        cmd["limit"].get<int64_t>() > 100) {
      error = "BAD_COMMAND: limit must be a whole number 1..100";
      return;
    }
    limit = cmd["limit"].get<int64_t>();
  }
  base::Result<std::vector<RecentEntry>> r = session.Recent(static_cast<int>(limit));
  if (!r.ok()) {
    error = "JOURNAL_ERROR: " + r.status().message();
    return;
  }
  extra["recent"] = nlohmann::json::array();
  for (const RecentEntry& e : *r) extra["recent"].push_back(RecentJson(e));
}

// The corrections: void, undo, manual_count, recent. False when `name` is none of them.
bool DispatchCorrection(Session& session, const std::string& name, const nlohmann::json& cmd,
                        nlohmann::json& extra, std::string& error) {
  const bool busy =
      session.screen().state == State::kAmountEntry || session.screen().state == State::kConfirm;
  if (name == "recent") {
    Recent(session, cmd, extra, error);
    return true;
  }
  if (name != "void" && name != "undo" && name != "manual_count") return false;
  if (busy) {
    error = "BUSY: a customer is being served: confirm or cancel first";
    return true;
  }
  if (name == "void") {
    if (!cmd.contains("entry_uuid") || !cmd["entry_uuid"].is_string()) {
      error = "BAD_COMMAND: void needs \"entry_uuid\" (a string: the entry_uuid of a result)";
      return true;
    }
    session.StartVoid(cmd["entry_uuid"].get<std::string>(), Actor::kCashier);
  } else if (session.config_mode() != Mode::kEvent) {
    error = "BAD_COMMAND: " + name + " is for an event desk (--mode event)";
    return true;
  } else if (name == "undo") {
    session.UndoLastCheckin(Actor::kCashier);
  } else {
    session.ManualCount();
  }
  const Screen& s = session.screen();
  if (s.state == State::kResult && s.outcome != Outcome::kValid && s.outcome != Outcome::kVoided)
    error = s.decision + ": " + s.message;
  return true;
}

// Acts on the command object `cmd` (ParseCommand said yes to it).
Done Dispatch(Session& session, const nlohmann::json& cmd, base::FakeClock* fake,
              nlohmann::json& extra, std::string& error) {
  const std::string name = cmd["cmd"].get<std::string>();
  if (DispatchCorrection(session, name, cmd, extra, error)) return Done::kShown;
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
    nlohmann::json extra = nlohmann::json::object();
    std::string error;
    const Done done = Dispatch(session, cmd, fake, extra, error);
    if (done == Done::kQuit) {
      Emit(out, screen(session.screen()));
      break;
    }
    if (done == Done::kUnknown) {
      EmitError(out, session.screen(),
                "BAD_COMMAND: unknown command or missing field: " + cmd["cmd"].get<std::string>());
      continue;
    }
    nlohmann::json j = screen(session.screen());
    j.update(extra);
    if (!error.empty()) j["error"] = error;
    Emit(out, j);
  }
  return 0;
}

}  // namespace kiosk
