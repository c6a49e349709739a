#include "protocol/status_report.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/utf8.h"

namespace ck_protocol {
namespace {

using json = nlohmann::json;

constexpr char kWhat[] = "status report: ";

base::Status Bad(const std::string& field, const std::string& why, const json& got) {
  std::string shown = got.dump(-1, ' ', false, json::error_handler_t::replace);
  if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
  return base::InvalidArgument(std::string(kWhat) + "field '" + field + "' must be " + why +
                               ", got " + shown);
}

// An integer in [lo, hi].
base::Result<int64_t> Integer(const json& v, const std::string& field, int64_t lo, int64_t hi) {
  const std::string range = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!v.is_number_integer()) return Bad(field, range, v);
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi)) {
    return Bad(field, range, v);
  }
  const int64_t n = v.get<int64_t>();
  if (n < lo || n > hi) return Bad(field, range, v);
  return n;
}

bool IsReason(const std::string& s) {
  if (s.empty() || s.size() > kMaxStatusText) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// Printable text of at most kMaxStatusText bytes (empty allowed when `may_be_empty`).
base::Result<std::string> Text(const json& v, const std::string& field, bool may_be_empty) {
  const std::string why = std::string(may_be_empty ? "" : "non-empty ") + "text of at most " +
                          std::to_string(kMaxStatusText) + " bytes, no control characters";
  if (!v.is_string()) return Bad(field, why, v);
  const std::string s = v.get<std::string>();
  if ((s.empty() && !may_be_empty) || s.size() > kMaxStatusText || !base::IsValidUtf8(s)) {
    return Bad(field, why, v);
  }
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return Bad(field, why, v);
  }
  return s;
}

base::Status ReadFailedScans(const json& v, StatusReport* r) {
  const std::string why = "an object of at most " + std::to_string(kMaxFailedScanReasons) +
                          " reason codes (A-Z, 0-9, _) to counts";
  if (!v.is_object() || v.size() > kMaxFailedScanReasons) return Bad("failed_scans", why, v);
  for (const auto& [reason, count] : v.items()) {
    if (!IsReason(reason)) return Bad("failed_scans", why, json(reason));
    CK_ASSIGN_OR_RETURN(int64_t n, Integer(count, "failed_scans." + reason, 0, int64_t{1} << 40));
    r->failed_scans.emplace_back(reason, n);
  }
  return base::Status::Ok();
}

constexpr int64_t kMaxInt = int64_t{1} << 53;  // exact in every JSON reader

// One field of the report into `r`; unknown names are refused.
base::Status ReadField(const std::string& key, const json& v, StatusReport* r) {
  if (key == "format") return base::Status::Ok();  // read first
  if (key == "app_version") {
    CK_ASSIGN_OR_RETURN(r->app_version, Text(v, key, false));
  } else if (key == "mode") {
    if (!v.is_string() || (v != "shop" && v != "event" && v != "")) {
      return Bad(key, "\"shop\", \"event\" or \"\" (not known)", v);
    }
    r->mode = v.get<std::string>();
  } else if (key == "scope_id") {
    CK_ASSIGN_OR_RETURN(r->scope_id, Text(v, key, true));
  } else if (key == "registry_seq") {
    CK_ASSIGN_OR_RETURN(r->registry_seq, Integer(v, key, 0, kMaxInt));
  } else if (key == "journal_last_seq") {
    CK_ASSIGN_OR_RETURN(r->journal_last_seq, Integer(v, key, 0, kMaxInt));
  } else if (key == "kiosk_time_utc") {
    CK_ASSIGN_OR_RETURN(r->kiosk_time_utc, Integer(v, key, 0, kMaxInt));
  } else if (key == "uptime_seconds") {
    CK_ASSIGN_OR_RETURN(r->uptime_seconds, Integer(v, key, 0, kMaxInt));
  } else if (key == "disk_free_bytes") {
    CK_ASSIGN_OR_RETURN(r->disk_free_bytes, Integer(v, key, 0, kMaxInt));
  } else if (key == "clock_corrections") {
    CK_ASSIGN_OR_RETURN(r->clock_corrections, Integer(v, key, 0, kMaxInt));
  } else if (key == "failed_scans") {
    return ReadFailedScans(v, r);
  } else if (key == "temperature_celsius") {
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < -100 ||
        v.get<double>() > 200) {
      return Bad(key, "a number from -100 to 200", v);
    }
    r->temperature_celsius = v.get<double>();
  } else if (key == "undervoltage") {
    if (!v.is_boolean()) return Bad(key, "true or false", v);
    r->undervoltage = v.get<bool>();
  } else {
    return base::InvalidArgument(std::string(kWhat) + "unknown field '" + key.substr(0, 64) +
                                 "' (format 1 has app_version, mode, scope_id, registry_seq, "
                                 "journal_last_seq, kiosk_time_utc, uptime_seconds, "
                                 "disk_free_bytes, clock_corrections, failed_scans, "
                                 "temperature_celsius, undervoltage)");
  }
  return base::Status::Ok();
}

}  // namespace

std::string EncodeStatusReport(const StatusReport& r) {
  json j = {{"format", kStatusFormat},
            {"app_version", r.app_version},
            {"mode", r.mode},
            {"scope_id", r.scope_id},
            {"registry_seq", r.registry_seq},
            {"journal_last_seq", r.journal_last_seq},
            {"kiosk_time_utc", r.kiosk_time_utc},
            {"clock_corrections", r.clock_corrections}};
  if (r.uptime_seconds) j["uptime_seconds"] = *r.uptime_seconds;
  if (r.disk_free_bytes) j["disk_free_bytes"] = *r.disk_free_bytes;
  if (!r.failed_scans.empty()) {
    json scans = json::object();
    for (const auto& [reason, count] : r.failed_scans) scans[reason] = count;
    j["failed_scans"] = scans;
  }
  if (r.temperature_celsius) j["temperature_celsius"] = *r.temperature_celsius;
  if (r.undervoltage) j["undervoltage"] = *r.undervoltage;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

base::Result<StatusReport> ParseStatusReport(std::string_view body) {
  if (body.size() > kMaxStatusBody) {
    return base::OutOfRange(std::string(kWhat) + "body of " + std::to_string(body.size()) +
                            " bytes; at most " + std::to_string(kMaxStatusBody) + " are read");
  }
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return base::InvalidArgument(std::string(kWhat) +
                                 (j.is_discarded() ? "not JSON" : "not a JSON object") +
                                 "; expected {\"format\": 1, ...}");
  }
  auto format = j.find("format");
  if (format == j.end()) {
    return base::InvalidArgument(std::string(kWhat) + "no 'format' field; this hub reads format " +
                                 std::to_string(kStatusFormat));
  }
  if (!format->is_number_integer() || *format != kStatusFormat) {
    return base::InvalidArgument(std::string(kWhat) + "format " + format->dump() +
                                 " is unknown; this hub reads format " +
                                 std::to_string(kStatusFormat));
  }
  StatusReport r;
  for (const auto& [key, value] : j.items()) CK_TRY(ReadField(key, value, &r));
  for (const char* required :
       {"app_version", "mode", "scope_id", "registry_seq", "journal_last_seq", "kiosk_time_utc"}) {
    if (!j.contains(required)) {
      return base::InvalidArgument(std::string(kWhat) + "field '" + required + "' is missing");
    }
  }
  return r;
}

}  // namespace ck_protocol
