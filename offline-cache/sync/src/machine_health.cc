#include "sync/machine_health.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

namespace ck_sync {
namespace {

std::optional<std::string> ReadSmall(base::FileSystem& fs, const std::string& path) {
  base::Result<std::string> text = base::ReadFile(fs, path, 4096);
  if (!text.ok() || text->empty()) return std::nullopt;
  return std::move(text).value();
}

// The leading number of `text` (strtod/strtoll rules); nullopt when there is none.
std::optional<double> LeadingNumber(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || errno != 0) return std::nullopt;
  return v;
}

}  // namespace

MachineHealth ReadMachineHealth(base::FileSystem& fs, const std::string& system_root) {
  const std::string root =
      system_root.empty() || system_root.back() == '/' ? system_root : system_root + "/";
  MachineHealth h;
  if (auto up = ReadSmall(fs, root + "proc/uptime")) {
    if (auto v = LeadingNumber(*up); v && *v >= 0) h.uptime_seconds = static_cast<int64_t>(*v);
  }
  const std::optional<std::string> model =
      ReadSmall(fs, root + "sys/firmware/devicetree/base/model");
  if (!model || model->find("Raspberry Pi") == std::string::npos) return h;
  if (auto t = ReadSmall(fs, root + "sys/class/thermal/thermal_zone0/temp")) {
    if (auto v = LeadingNumber(*t); v && *v > -100000 && *v < 200000) {
      h.temperature_celsius = *v / 1000.0;
    }
  }
  if (auto t = ReadSmall(fs, root + "sys/devices/platform/soc/soc:firmware/get_throttled")) {
    char* end = nullptr;
    const unsigned long long flags = std::strtoull(t->c_str(), &end, 16);
    if (end != t->c_str()) h.undervoltage = (flags & 0x10001ULL) != 0;
  }
  return h;
}

std::optional<int64_t> FreeBytes(const std::string& dir) {
  struct statvfs s {};
  if (statvfs(dir.c_str(), &s) != 0) return std::nullopt;
  return static_cast<int64_t>(s.f_bavail) * static_cast<int64_t>(s.f_frsize);
}

}  // namespace ck_sync
