#include "kiosk_admin/device_choices.h"

#include "base/fs.h"

namespace kiosk_admin {
namespace {

constexpr size_t kMaxFileBytes = 64 * 1024;

}  // namespace

DeviceChoices::DeviceChoices(base::FileSystem& fs, std::string data_dir)
    : fs_(fs), path_(std::move(data_dir) + "/" + kDeviceChoicesFile) {}

base::Status DeviceChoices::Load() {
  values_.clear();
  base::Result<std::string> text = base::ReadFile(fs_, path_, kMaxFileBytes);
  if (!text.ok()) {
    if (text.status().code() == base::StatusCode::kNotFound) return base::Status::Ok();
    return text.status();
  }
  // Same syntax and checks as the config file; of the keys the file sets, only the admin's choices
  // are taken.
  CK_ASSIGN_OR_RETURN(auto set, kiosk_settings::ParseConfigValues(*text, path_));
  for (const char* key : {"mode", "partner", "event", "language"}) {
    if (auto it = set.find(key); it != set.end()) values_[key] = it->second;
  }
  return base::Status::Ok();
}

base::Status DeviceChoices::Save() const {
  CK_ASSIGN_OR_RETURN(std::string text,
                      kiosk_settings::FormatConfigValues(
                          values_, "Chosen in the kiosk's admin menu; overrides the config file."));
  return base::WriteFileAtomic(fs_, path_, text);
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
