#include <cstdlib>

#include "base/file.h"
#include "hub/store.h"

namespace hub {
namespace {

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

base::Result<Config> LoadConfig(const std::string& path) {
  CK_ASSIGN_OR_RETURN(std::string text, base::ReadFile(path, 1 << 20));
  Config c;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = Trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (eq == std::string::npos) return base::InvalidArgument(where + "expected key = value");
    std::string key = Trim(line.substr(0, eq)), value = Trim(line.substr(eq + 1));
    if (key == "store") {
      if (value != "sqlite" && value != "postgres") {
        return base::InvalidArgument(where + "store must be sqlite or postgres");
      }
      c.store = value;
    } else if (key == "postgres_conninfo" || key == "postgres") {
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      if (value.empty()) return base::InvalidArgument(where + key + " must not be empty");
      c.postgres_conninfo = value;
    } else if (key == "utc_offset_minutes") {
      char* end = nullptr;
      long long v = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || v < -24 * 60 || v > 24 * 60) {
        return base::InvalidArgument(where + "utc_offset_minutes must be minutes in [-1440, 1440]");
      }
      c.utc_offset_seconds = static_cast<int64_t>(v) * 60;
    } else {
      return base::InvalidArgument(where + "unknown key '" + key + "'");
    }
  }
  return c;
}

base::Result<std::unique_ptr<HubStore>> OpenStore(const std::string& data_dir,
                                                  const Config& config) {
  if (config.store == "postgres") {
    if (config.postgres_conninfo.empty()) {
      return base::InvalidArgument(
          "store = postgres needs postgres_conninfo = \"host=... dbname=... user=...\" in the "
          "config");
    }
    // The data directory still holds the published bundle files and registry.db.
    CK_TRY(base::MakeDirs(data_dir, 0700));
    return OpenPostgresStore(config.postgres_conninfo);
  }
  CK_TRY(base::MakeDirs(data_dir, 0700));
  return OpenSqliteStore(data_dir + "/" + kHubDbFile);
}

}  // namespace hub
