// What a kiosk reports of itself with its syncs (POST /v1/status, docs/hub-protocol.md), and the
// hub's record of each contact with a kiosk: what the fleet page (/admin/) shows per device.
//
// Stored by the HubStore (hub/store.h) on SQLite and PostgreSQL alike:
//   RecordStatus(status)              keeps every report (the latest is the device's state)
//   LatestStatuses()                  the newest report of every device, one query
//   StatusHistory(device_id, limit)   newest first
//   RecordContact(contact)            every authenticated request, with its outcome
//   ListContacts(device_id, limit)    newest first
// Both are bounded: the newest kStatusesKept reports and kContactsKept contacts of each device are
// kept, older ones are deleted as new ones arrive.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hub {

inline constexpr int64_t kStatusesKept = 1000;  // per device
inline constexpr int64_t kContactsKept = 1000;  // per device

struct DeviceStatus {
  int64_t device_id = 0;
  int64_t received = 0;  // the hub's time, Unix seconds
  int format = 1;        // the report's format (docs/hub-protocol.md)
  std::string app_version;
  std::string mode;      // "shop" | "event"
  std::string scope_id;  // the partner_id or event_id the kiosk serves
  int64_t registry_seq = 0;
  int64_t journal_last_seq = 0;
  int64_t kiosk_time_utc = 0;     // the kiosk's clock when it sent the report
  int64_t uptime_seconds = -1;    // -1: not reported
  int64_t disk_free_bytes = -1;   // of the kiosk's data directory; -1: not reported
  int64_t clock_corrections = 0;  // clock_correction entries in its journal
  // Refused scans by reason code (e.g. "REVOKED", "EXPIRED"), since its previous report.
  std::vector<std::pair<std::string, int64_t>> failed_scans;
  std::optional<double> temperature_celsius;  // where the device can read it (a Raspberry Pi)
  std::optional<bool> undervoltage;           // Raspberry Pi: under-voltage now or since boot
};

// One authenticated request of a device.
struct Contact {
  int64_t device_id = 0;
  int64_t time = 0;     // the hub's time, Unix seconds
  std::string what;     // "bundle" | "journal" | "status"
  int http_status = 0;  // what the hub answered
  std::string detail;   // e.g. "seq 12-40 stored 29", "304", "delta 41-42"
};

}  // namespace hub
