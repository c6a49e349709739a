// What a kiosk reads of its machine for the status report (docs/hub-protocol.md, POST /v1/status):
// uptime, free disk space and, on a Raspberry Pi, the SoC temperature and under-voltage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/fs.h"

namespace ck_sync {

// What the machine says of itself under `system_root` ("/" on a kiosk): seconds since boot from
// proc/uptime; for a Raspberry Pi (sys/firmware/devicetree/base/model names one), the SoC
// temperature (sys/class/thermal/thermal_zone0/temp) and the firmware's under-voltage flags, now
// or since boot (sys/devices/platform/soc/soc:firmware/get_throttled, bits 0 and 16). Each is
// nullopt when it cannot be read.
struct MachineHealth {
  std::optional<int64_t> uptime_seconds;
  std::optional<double> temperature_celsius;
  std::optional<bool> undervoltage;
};
MachineHealth ReadMachineHealth(base::FileSystem& fs, const std::string& system_root);

// Free bytes for an unprivileged writer on the file system of `dir`; nullopt when unknown.
std::optional<int64_t> FreeBytes(const std::string& dir);

}  // namespace ck_sync
