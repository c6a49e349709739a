// POST /v1/status (docs/hub-protocol.md, "(wire format)"): what a kiosk reports of itself after
// each sync, as JSON. The one encoder (the kiosk's client) and the one strict reader (the hub).
//
//   {"format": 1, "app_version": "1.4.0", "mode": "event", "scope_id": "E-1",
//    "registry_seq": 12, "journal_last_seq": 340, "kiosk_time_utc": 1799830800,
//    "uptime_seconds": 86400, "disk_free_bytes": 25769803776, "clock_corrections": 0,
//    "failed_scans": {"REVOKED": 3, "EXPIRED": 1}, "temperature_celsius": 51.6,
//    "undervoltage": false}
//
// uptime_seconds, disk_free_bytes, temperature_celsius and undervoltage are left out when the
// kiosk cannot read them; failed_scans and clock_corrections may be left out when zero.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace ck_protocol {

inline constexpr char kStatusPath[] = "/v1/status";
inline constexpr int kStatusFormat = 1;
// The largest body the hub reads (413 beyond).
inline constexpr size_t kMaxStatusBody = 16 * 1024;
inline constexpr size_t kMaxFailedScanReasons = 64;
inline constexpr size_t kMaxStatusText = 64;  // app_version, scope_id, a reason

struct StatusReport {
  std::string app_version;
  std::string mode;  // "shop" | "event" | "" (not known: a `cardctl sync` of an empty journal)
  std::string scope_id;
  int64_t registry_seq = 0;
  int64_t journal_last_seq = 0;
  int64_t kiosk_time_utc = 0;
  std::optional<int64_t> uptime_seconds;
  std::optional<int64_t> disk_free_bytes;
  int64_t clock_corrections = 0;
  // Refused scans by reason code (A-Z, 0-9, '_'), since the last report the hub accepted.
  std::vector<std::pair<std::string, int64_t>> failed_scans;
  std::optional<double> temperature_celsius;
  std::optional<bool> undervoltage;
};

// The JSON body (format kStatusFormat), failed_scans in the order given.
std::string EncodeStatusReport(const StatusReport& report);

// Strict: a JSON object of at most kMaxStatusBody bytes with "format": 1 and only the fields above,
// each of its type and range. kInvalidArgument naming the field, what it holds and what is
// accepted ("status report: field 'mode' must be \"shop\", \"event\" or \"\" (not known), got
// \"bar\""); an unknown
// format is named ("status report format 2 is unknown; this hub reads format 1"); kOutOfRange
// for a body above kMaxStatusBody.
base::Result<StatusReport> ParseStatusReport(std::string_view body);

}  // namespace ck_protocol
