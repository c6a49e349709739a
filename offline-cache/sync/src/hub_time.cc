#include "sync/hub_time.h"

#include <curl/curl.h>

#include <charconv>

#include "base/text.h"

namespace ck_sync {

std::optional<int64_t> ParseHttpDate(std::string_view value) {
  const std::string text(base::TrimBlanks(value));
  if (text.empty() || text.find('\0') != std::string::npos) return std::nullopt;
  // libcurl's parser of the HTTP date forms (the one it uses for cookies and If-Modified-Since).
  const time_t t = curl_getdate(text.c_str(), nullptr);
  if (t <= 0) return std::nullopt;
  return static_cast<int64_t>(t);
}

base::Result<int64_t> ReadHubTime(base::FileSystem& fs, const std::string& data_dir) {
  const std::string path = data_dir + "/" + kHubTimeFile;
  base::Result<std::string> text = base::ReadFile(fs, path, 64);
  if (!text.ok() && text.status().code() == base::StatusCode::kNotFound) return int64_t{0};
  if (!text.ok()) return text.status().WithContext("reading the hub's time");
  const std::string_view digits = base::TrimBlanks(*text);
  int64_t t = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), t);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || t < 0)
    return base::DataLoss(path + " is corrupt: expected Unix seconds (remove the file: the next " +
                          "sync writes it again)");
  return t;
}

base::Status WriteHubTime(base::FileSystem& fs, const std::string& data_dir, int64_t unix_seconds) {
  return base::WriteFileAtomic(fs, data_dir + "/" + kHubTimeFile,
                               std::to_string(unix_seconds) + "\n", 0644);
}

}  // namespace ck_sync
