// The device-health tables' SQL (statuses, contacts; hub/device_status.h), one text for SQLite and
// PostgreSQL: the placeholders are "$1, $2, ..." (SQLite numbers "$N" parameters by their first
// appearance, so they are bound in the same order on both). Each backend creates the tables with
// its own column types (sqlite_store.cc, postgres_health.cc). Internal to ck_hub.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"
#include "hub/device_status.h"

namespace hub {

// A query parameter: NULL, an integer or a text.
using SqlValue = std::variant<std::monostate, int64_t, std::string>;

// Parameters, in order: the DeviceStatus's columns (StatusParams).
inline constexpr char kInsertStatusSql[] =
    "INSERT INTO statuses(device_id, received, format, app_version, mode, scope_id, registry_seq, "
    "journal_last_seq, kiosk_time_utc, uptime_seconds, disk_free_bytes, clock_corrections, "
    "failed_scans, temperature_millicelsius, undervoltage) VALUES($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9, $10, $11, $12, $13, $14, $15)";
// Parameters: device_id, rows kept. Deletes nothing while the device has no more than that.
inline constexpr char kPruneStatusesSql[] =
    "DELETE FROM statuses WHERE device_id = $1 AND id <= (SELECT id FROM statuses WHERE "
    "device_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)";
// The selected columns, in StatusParams order (read by ReadStatus).
#define CK_STATUS_COLUMNS                                                                  \
  "s.device_id, s.received, s.format, s.app_version, s.mode, s.scope_id, s.registry_seq, " \
  "s.journal_last_seq, s.kiosk_time_utc, s.uptime_seconds, s.disk_free_bytes, "            \
  "s.clock_corrections, s.failed_scans, s.temperature_millicelsius, s.undervoltage "
// The newest row of every device: one index lookup (statuses_by_device) per device.
inline constexpr char kLatestStatusesSql[] =
    "SELECT " CK_STATUS_COLUMNS
    "FROM devices d JOIN statuses s ON s.id = (SELECT id FROM statuses WHERE device_id = d.id "
    "ORDER BY id DESC LIMIT 1) ORDER BY d.id";
// Parameters: device_id, limit.
inline constexpr char kStatusesSql[] =
    "SELECT " CK_STATUS_COLUMNS
    "FROM statuses s WHERE s.device_id = $1 ORDER BY s.id DESC LIMIT $2";
#undef CK_STATUS_COLUMNS

// Parameters: device_id, time, what, http_status, detail.
inline constexpr char kInsertContactSql[] =
    "INSERT INTO contacts(device_id, time, what, http_status, detail) VALUES($1, $2, $3, $4, $5)";
inline constexpr char kPruneContactsSql[] =
    "DELETE FROM contacts WHERE device_id = $1 AND id <= (SELECT id FROM contacts WHERE "
    "device_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)";
// Parameters: device_id, limit. Columns: device_id, time, what, http_status, detail.
inline constexpr char kContactsSql[] =
    "SELECT device_id, time, what, http_status, detail FROM contacts WHERE device_id = $1 ORDER BY "
    "id DESC LIMIT $2";

std::vector<SqlValue> StatusParams(const DeviceStatus& s);
std::vector<SqlValue> ContactParams(const Contact& c);

// failed_scans as stored: a JSON array of [reason, count] pairs, in the report's order.
std::string EncodeFailedScans(const std::vector<std::pair<std::string, int64_t>>& scans);
// kDataLoss for a text EncodeFailedScans did not write.
base::Result<std::vector<std::pair<std::string, int64_t>>> DecodeFailedScans(std::string_view text);

// A status row (columns as selected above) through `row`: Int(col), Text(col), IsNull(col).
template <typename Row>
base::Result<DeviceStatus> ReadStatus(const Row& row) {
  DeviceStatus s;
  s.device_id = row.Int(0);
  s.received = row.Int(1);
  s.format = static_cast<int>(row.Int(2));
  s.app_version = row.Text(3);
  s.mode = row.Text(4);
  s.scope_id = row.Text(5);
  s.registry_seq = row.Int(6);
  s.journal_last_seq = row.Int(7);
  s.kiosk_time_utc = row.Int(8);
  s.uptime_seconds = row.Int(9);
  s.disk_free_bytes = row.Int(10);
  s.clock_corrections = row.Int(11);
  CK_ASSIGN_OR_RETURN(s.failed_scans, DecodeFailedScans(row.Text(12)));
  if (!row.IsNull(13)) s.temperature_celsius = static_cast<double>(row.Int(13)) / 1000.0;
  if (!row.IsNull(14)) s.undervoltage = row.Int(14) != 0;
  return s;
}

template <typename Row>
Contact ReadContact(const Row& row) {
  return {.device_id = row.Int(0),
          .time = row.Int(1),
          .what = row.Text(2),
          .http_status = static_cast<int>(row.Int(3)),
          .detail = row.Text(4)};
}

}  // namespace hub
