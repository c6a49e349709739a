// Finding keyboard-like input devices (scanners among them) under /dev/input/by-id.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "base/file.h"
#include "scanner/keyboard_wedge.h"

namespace scanner {
namespace {

constexpr std::string_view kKbdSuffix = "-event-kbd";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "usb-Honeywell_Imaging_1900-event-kbd" -> "Honeywell Imaging 1900".
std::string NameFromById(std::string_view entry) {
  entry.remove_suffix(kKbdSuffix.size());
  for (std::string_view bus : {"usb-", "bluetooth-", "platform-"}) {
    if (entry.starts_with(bus)) entry.remove_prefix(bus.size());
  }
  std::string name(entry);
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

// The kernel's name for the device the by-id link points at ("../event7"), or "".
std::string SysfsName(const std::string& link, const std::string& sysfs_input_dir) {
  char target[256];
  const ssize_t n = ::readlink(link.c_str(), target, sizeof(target) - 1);
  if (n <= 0) return "";
  std::string_view t(target, static_cast<size_t>(n));
  if (size_t slash = t.rfind('/'); slash != std::string_view::npos) t.remove_prefix(slash + 1);
  base::Result<std::string> name =
      base::ReadFile(sysfs_input_dir + "/" + std::string(t) + "/device/name", 4096);
  if (!name.ok()) return "";
  std::string s = std::move(name).value();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

bool LooksLikeScanner(std::string_view name) {
  static constexpr std::string_view kHints[] = {"barcode",    "bar code",
                                                "scanner",    "qr",
                                                "honeywell",  "hand held products",
                                                "metrologic", "symbol",
                                                "zebra",      "datalogic",
                                                "newland",    "netum",
                                                "zebex",      "opticon",
                                                "cipherlab",  "socket mobile",
                                                "inateck",    "eyoyo"};
  const std::string lower = Lower(name);
  return std::any_of(std::begin(kHints), std::end(kHints), [&lower](std::string_view hint) {
    return lower.find(hint) != std::string::npos;
  });
}

base::Result<std::vector<InputDeviceInfo>> ListKeyboardDevices(const std::string& by_id_dir,
                                                               const std::string& sysfs_input_dir) {
  std::vector<InputDeviceInfo> out;
  DIR* dir = ::opendir(by_id_dir.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return out;  // no input devices with ids (none plugged in)
    return base::IoError("listing " + by_id_dir, errno);
  }
  while (const dirent* e = ::readdir(dir)) {
    const std::string_view entry = e->d_name;
    if (entry.size() <= kKbdSuffix.size() || !entry.ends_with(kKbdSuffix)) continue;
    InputDeviceInfo info;
    info.path = by_id_dir + "/" + std::string(entry);
    info.name = SysfsName(info.path, sysfs_input_dir);
    if (info.name.empty()) info.name = NameFromById(entry);
    info.looks_like_scanner = LooksLikeScanner(info.name) || LooksLikeScanner(entry);
    out.push_back(std::move(info));
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end(),
            [](const InputDeviceInfo& a, const InputDeviceInfo& b) { return a.path < b.path; });
  return out;
}

}  // namespace scanner
