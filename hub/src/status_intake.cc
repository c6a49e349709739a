#include "status_intake.h"

#include <nlohmann/json.hpp>

namespace hub {

DeviceStatus ToDeviceStatus(const ck_protocol::StatusReport& r, int64_t device_id,
                            int64_t received) {
  DeviceStatus s;
  s.device_id = device_id;
  s.received = received;
  s.format = ck_protocol::kStatusFormat;
  s.app_version = r.app_version;
  s.mode = r.mode;
  s.scope_id = r.scope_id;
  s.registry_seq = r.registry_seq;
  s.journal_last_seq = r.journal_last_seq;
  s.kiosk_time_utc = r.kiosk_time_utc;
  s.uptime_seconds = r.uptime_seconds.value_or(-1);
  s.disk_free_bytes = r.disk_free_bytes.value_or(-1);
  s.clock_corrections = r.clock_corrections;
  s.failed_scans = r.failed_scans;
  s.temperature_celsius = r.temperature_celsius;
  s.undervoltage = r.undervoltage;
  return s;
}

std::string ContactDetail(std::string_view text) {
  if (text.size() <= kMaxContactDetail) return std::string(text);
  size_t end = kMaxContactDetail;
  // Back to the start of a character: continuation bytes are 10xxxxxx.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string ErrorMessageOf(std::string_view body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return "";
  auto m = j.find("message");
  return m != j.end() && m->is_string() ? m->get<std::string>() : "";
}

void ContactLog::Record(const Contact& c) {
  if (!enabled_) return;
  const bool answered = (c.http_status >= 200 && c.http_status < 300) || c.http_status == 304;
  if (answered && interval_ > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, fresh] = last_.try_emplace({c.device_id, c.what}, c.time);
    if (!fresh && c.time - it->second < interval_) return;
    it->second = c.time;
  }
  (void)store_.RecordContact(c);
}

ContactNote::~ContactNote() {
  try {
    std::string text = detail;
    if (text.empty() && res_.status >= 400 && res_.body_data) {
      text = ErrorMessageOf(
          std::string_view(*res_.body_data).substr(res_.body_offset, res_.body_size));
    }
    log_.Record({.device_id = device_id_,
                 .time = now_,
                 .what = what_,
                 .http_status = res_.status,
                 .detail = ContactDetail(text)});
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): never out of a destructor
  }
}

}  // namespace hub
