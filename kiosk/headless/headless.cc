#include "headless.h"

#include <nlohmann/json.hpp>
#include <string>

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
  }
  if (!s.offer_id.empty()) {
    j["offer_id"] = s.offer_id;
    j["offer_title"] = s.offer_title;
  }
  if (s.cap_limit > 0) {
    j["cap_used"] = s.cap_used;
    j["cap_limit"] = s.cap_limit;
  }
  if (s.attendance > 0) j["attendance"] = s.attendance;
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

}  // namespace

int RunHeadless(const std::function<Session&()>& current, std::istream& in, std::FILE* out,
                base::FakeClock* fake, const std::function<void(nlohmann::json&)>& decorate) {
  auto screen = [&](const Screen& s) {
    nlohmann::json j = ScreenJson(s);
    if (decorate) decorate(j);
    return j;
  };
  Emit(out, screen(current().screen()));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Session& session = current();
    nlohmann::json cmd = nlohmann::json::parse(line, nullptr, false);
    if (cmd.is_discarded() || !cmd.is_object() || !cmd.contains("cmd") || !cmd["cmd"].is_string()) {
      EmitError(out, session.screen(), "BAD_COMMAND: expected a JSON object with \"cmd\"");
      continue;
    }
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
      break;
    } else {
      EmitError(out, session.screen(), "BAD_COMMAND: unknown command or missing field: " + name);
      continue;
    }
    Emit(out, screen(session.screen()));
  }
  return 0;
}

}  // namespace kiosk
