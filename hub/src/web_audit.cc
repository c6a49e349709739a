#include "web_audit.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/file.h"

namespace hub::web {

base::Status AuditLog::Append(const AuditRecord& r) {
  nlohmann::json j = {{"time", r.time},     {"user", r.user},     {"address", r.address},
                      {"action", r.action}, {"detail", r.detail}, {"outcome", r.outcome}};
  const std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  base::UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) return base::IoError(path_, errno);
  CK_TRY(base::WriteAll(fd.get(), line, path_));
  if (::fsync(fd.get()) != 0) return base::IoError(path_, errno);
  return base::Status::Ok();
}

base::Result<std::vector<AuditRecord>> AuditLog::Newest(size_t limit) {
  std::string text;
  {
    std::lock_guard<std::mutex> lock(mu_);
    base::Result<std::string> all = base::ReadFile(path_, size_t{256} << 20);
    if (!all.ok()) {
      if (all.status().code() == base::StatusCode::kNotFound) return std::vector<AuditRecord>{};
      return all.status();
    }
    text = std::move(all).value();
  }
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    lines.emplace_back(text.data() + pos, nl - pos);
    pos = nl + 1;
  }
  std::vector<AuditRecord> out;
  for (auto it = lines.rbegin(); it != lines.rend() && out.size() < limit; ++it) {
    nlohmann::json j = nlohmann::json::parse(*it, nullptr, false);
    if (!j.is_object()) continue;
    out.push_back(AuditRecord{.time = j.value("time", int64_t{0}),
                              .user = j.value("user", ""),
                              .address = j.value("address", ""),
                              .action = j.value("action", ""),
                              .detail = j.value("detail", ""),
                              .outcome = j.value("outcome", "")});
  }
  return out;
}

}  // namespace hub::web
