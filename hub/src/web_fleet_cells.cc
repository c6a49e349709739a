#include "web_fleet_cells.h"

#include <cstdio>

namespace hub::web {

std::string StateOf(const Device& d, int64_t now) {
  if (d.withdrawn) return "withdrawn";
  if (d.last_contact == 0) return "never";
  if (now - d.last_contact > kRedSeconds) return "red";
  if (now - d.last_contact > kAmberSeconds) return "amber";
  return "ok";
}

int StateRank(const std::string& s) {
  if (s == "red") return 0;
  if (s == "amber") return 1;
  if (s == "never") return 2;
  if (s == "ok") return 3;
  return 4;
}

std::string Td(const std::string& text, const char* cls) {
  return std::string("<td") + (cls ? std::string(" class=\"") + cls + "\"" : "") + ">" + text +
         "</td>";
}

std::string Int(int64_t v) { return std::to_string(v); }

std::string ModeCell(const DeviceStatus& s) {
  if (s.mode.empty()) return kDash;
  return Html(s.mode) + (s.scope_id.empty() ? "" : " " + Html(s.scope_id));
}

std::string FailedCell(const AdminWeb::Ctx& c, const DeviceStatus* s) {
  if (s == nullptr) return kDash;
  if (s->failed_scans.empty()) return Html(c.t("none"));
  std::string out;
  for (const auto& [reason, n] : s->failed_scans) {
    out += (out.empty() ? "" : ", ") + Html(reason) + " " + Int(n);
  }
  return out;
}

std::string BytesCell(int64_t bytes) {
  if (bytes < 0) return kDash;
  char buf[32];
  if (bytes >= 1'000'000'000) {
    std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(bytes) / 1e9);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f MB", static_cast<double>(bytes) / 1e6);
  }
  return buf;
}

std::string UptimeCell(int64_t seconds) {
  if (seconds < 0) return kDash;
  const int64_t d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;
  if (d > 0) return Int(d) + " d " + Int(h) + " h";
  return Int(h) + " h " + Int(m) + " min";
}

std::string PiCell(const AdminWeb::Ctx& c, const DeviceStatus* s) {
  if (s == nullptr || (!s->temperature_celsius && !s->undervoltage)) return kDash;
  std::string out;
  if (s->temperature_celsius) {
    char buf[32];
    std::snprintf(buf, sizeof buf,
                  "%.1f \xC2\xB0"
                  "C",
                  *s->temperature_celsius);
    out = buf;
  }
  if (s->undervoltage) {
    out += (out.empty() ? "" : ", ") +
           Html(c.t(*s->undervoltage ? "fleet.undervoltage" : "fleet.power_ok"));
  }
  return out;
}

}  // namespace hub::web
