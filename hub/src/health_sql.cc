#include "health_sql.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace hub {

std::vector<SqlValue> StatusParams(const DeviceStatus& s) {
  std::vector<SqlValue> p{s.device_id,
                          s.received,
                          int64_t{s.format},
                          s.app_version,
                          s.mode,
                          s.scope_id,
                          s.registry_seq,
                          s.journal_last_seq,
                          s.kiosk_time_utc,
                          s.uptime_seconds,
                          s.disk_free_bytes,
                          s.clock_corrections,
                          EncodeFailedScans(s.failed_scans)};
  if (s.temperature_celsius) {
    p.emplace_back(static_cast<int64_t>(std::llround(*s.temperature_celsius * 1000.0)));
  } else {
    p.emplace_back(std::monostate());
  }
  if (s.undervoltage) {
    p.emplace_back(int64_t{*s.undervoltage ? 1 : 0});
  } else {
    p.emplace_back(std::monostate());
  }
  return p;
}

std::vector<SqlValue> ContactParams(const Contact& c) {
  return {c.device_id, c.time, c.what, int64_t{c.http_status}, c.detail};
}

std::string EncodeFailedScans(const std::vector<std::pair<std::string, int64_t>>& scans) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& [reason, count] : scans) a.push_back(nlohmann::json::array({reason, count}));
  return a.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

base::Result<std::vector<std::pair<std::string, int64_t>>> DecodeFailedScans(
    std::string_view text) {
  nlohmann::json a = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto bad = [] { return base::DataLoss("stored failed_scans is not a list of [reason, count]"); };
  if (!a.is_array()) return bad();
  std::vector<std::pair<std::string, int64_t>> out;
  for (const nlohmann::json& pair : a) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() ||
        !pair[1].is_number_integer()) {
      return bad();
    }
    out.emplace_back(pair[0].get<std::string>(), pair[1].get<int64_t>());
  }
  return out;
}

}  // namespace hub
