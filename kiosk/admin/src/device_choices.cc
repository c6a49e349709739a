#include "kiosk_admin/device_choices.h"

#include <algorithm>
#include <sstream>

#include "base/file.h"

namespace kiosk_admin {
namespace {

constexpr size_t kMaxFileBytes = 64 * 1024;

// The keys the file names (a line `key = value`, not a comment), blanks removed.
std::vector<std::string> KeysIn(const std::string& text) {
  std::vector<std::string> keys;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos || line.find('#') == line.find_first_not_of(" \t")) continue;
    std::string key = line.substr(0, eq);
    key.erase(std::remove_if(key.begin(), key.end(), [](char c) { return c == ' ' || c == '\t'; }),
              key.end());
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace

DeviceChoices::DeviceChoices(std::string data_dir)
    : path_(std::move(data_dir) + "/" + kDeviceChoicesFile) {}

base::Status DeviceChoices::Load() {
  values_.clear();
  base::Result<std::string> text = base::ReadFile(path_, kMaxFileBytes);
  if (!text.ok()) {
    if (text.status().code() == base::StatusCode::kNotFound) return base::Status::Ok();
    return text.status();
  }
  // Same syntax and checks as the config file; only the keys the file names are taken.
  base::Result<kiosk_settings::AppConfig> st = kiosk_settings::ParseAppConfig(*text, path_);
  if (!st.ok()) return st.status();
  for (const std::string& key : KeysIn(*text)) {
    if (key == "mode") values_["mode"] = st->mode;
    if (key == "partner") values_["partner"] = st->partner;
    if (key == "event") values_["event"] = st->event;
    if (key == "language") values_["language"] = st->language;
  }
  return base::Status::Ok();
}

base::Status DeviceChoices::Save() const {
  std::string text = "# Chosen in the kiosk's admin menu; overrides the config file.\n";
  for (const auto& [key, value] : values_) text += key + " = " + value + "\n";
  return base::WriteFileAtomic(path_, text);
}

void DeviceChoices::ApplyTo(kiosk_settings::AppConfig* config, bool mode_fixed,
                            bool language_fixed) const {
  auto take = [this](const char* key, std::string* out) {
    auto it = values_.find(key);
    if (it != values_.end()) *out = it->second;
  };
  if (!mode_fixed) {
    take("mode", &config->mode);
    take("partner", &config->partner);
    take("event", &config->event);
  }
  if (!language_fixed) take("language", &config->language);
}

void DeviceChoices::Choose(kiosk::Mode mode, const std::string& id) {
  const bool shop = mode == kiosk::Mode::kShop;
  values_[shop ? "partner" : "event"] = id;
  values_["mode"] = shop ? "shop" : "event";
}

void DeviceChoices::ChooseLanguage(const std::string& language) { values_["language"] = language; }

}  // namespace kiosk_admin
