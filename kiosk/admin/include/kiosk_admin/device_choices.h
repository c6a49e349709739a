// What the admin chose in the kiosk's menu (mode, partner or event, language), kept across
// restarts in <data_dir>/kiosk-state.conf in the config file's syntax (TOML). Only the keys the
// admin chose are in the file: values from the config file or the command line are never frozen
// into it. Not thread-safe (the UI thread's).
#pragma once

#include <map>
#include <string>

#include "base/fs.h"
#include "base/status.h"
#include "kiosk/session.h"
#include "kiosk_settings/config.h"

namespace kiosk_admin {

inline constexpr char kDeviceChoicesFile[] = "kiosk-state.conf";

class DeviceChoices {
 public:
  // `fs` must outlive this object.
  DeviceChoices(base::FileSystem& fs, std::string data_dir);

  // Reads the file. A missing file is no choice (Ok); an unreadable or invalid one is an error
  // and leaves no choice (the caller says it is ignored).
  [[nodiscard]] base::Status Load();
  // Writes the choices (atomically), the keys in alphabetical order.
  [[nodiscard]] base::Status Save() const;

  // Puts the choices over `config`: mode, partner and event unless the command line fixed the
  // mode (`mode_fixed`), the language unless it fixed the language.
  void ApplyTo(kiosk_settings::AppConfig* config, bool mode_fixed, bool language_fixed) const;

  // The partner (shop) or event chosen for this device, and with it the mode.
  void Choose(kiosk::Mode mode, const std::string& id);
  void ChooseLanguage(const std::string& language);

  const std::map<std::string, std::string>& values() const { return values_; }
  const std::string& path() const { return path_; }

 private:
  base::FileSystem& fs_;
  std::string path_;
  std::map<std::string, std::string> values_;  // key -> value, only what was chosen
};

}  // namespace kiosk_admin
