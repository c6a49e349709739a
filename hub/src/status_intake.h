// POST /v1/status on the hub: the kiosk's report (protocol/status_report.h) as the stored
// DeviceStatus, and the short text of a contact (hub/device_status.h). Internal to ck_hub.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "http_server.h"
#include "hub/device_status.h"
#include "hub/store.h"
#include "protocol/status_report.h"

namespace hub {

// A contact's detail keeps at most this many bytes (cut at a UTF-8 character's start).
inline constexpr size_t kMaxContactDetail = 200;

DeviceStatus ToDeviceStatus(const ck_protocol::StatusReport& report, int64_t device_id,
                            int64_t received);

// `text` cut to kMaxContactDetail bytes.
std::string ContactDetail(std::string_view text);

// The "message" of a JSON error body ({"error": ..., "message": ...}), or "" when it has none.
std::string ErrorMessageOf(std::string_view body);

// Which contacts are written to the store (ServeOptions::record_contacts and
// contact_interval_seconds): every refusal; an answered request (2xx, 304) at most once per device
// and kind of request per interval, so a kiosk catching up in a burst of batches costs one write,
// not one per batch. Thread-safe (the server's workers share it).
class ContactLog {
 public:
  ContactLog(HubStore& store, bool enabled, int64_t interval_seconds)
      : store_(store), enabled_(enabled), interval_(interval_seconds) {}
  // Writes `c` unless the rule above leaves it out; a store failure is not the request's.
  void Record(const Contact& c);

 private:
  HubStore& store_;
  const bool enabled_;
  const int64_t interval_;
  std::mutex mu_;
  std::map<std::pair<int64_t, std::string>, int64_t> last_;  // (device, what) -> time written
};

// Records one authenticated request as a Contact when it goes out of scope: what the hub answered
// and `detail` (for a refusal, its message unless set). A failure to record it is not the
// request's: the request is answered as it was.
class ContactNote {
 public:
  ContactNote(ContactLog& log, int64_t now, const Device& device, const char* what,
              const http::Response& res)
      : log_(log), now_(now), device_id_(device.id), what_(what), res_(res) {}
  ContactNote(const ContactNote&) = delete;
  ContactNote& operator=(const ContactNote&) = delete;
  ~ContactNote();

  std::string detail;

 private:
  ContactLog& log_;
  const int64_t now_;
  const int64_t device_id_;
  const char* what_;
  const http::Response& res_;
};

}  // namespace hub
