#include <array>
#include <string_view>

#include "base/file.h"
#include "config/config_file.h"
#include "hub/store.h"

namespace hub {

base::Result<Config> ParseConfig(std::string_view text, std::string_view source) {
  CK_ASSIGN_OR_RETURN(ck_config::ConfigFile file, ck_config::ConfigFile::Parse(text, source));
  Config c;
  constexpr std::array<std::string_view, 2> kStores = {"sqlite", "postgres"};
  CK_TRY(file.GetEnum("store", kStores, &c.store));
  if (file.Has("postgres_conninfo") && file.Has("postgres")) {
    return file.Error("postgres", "is another name for postgres_conninfo: set only one");
  }
  for (std::string_view key : {"postgres_conninfo", "postgres"}) {  // `postgres` is an alias
    if (!file.Has(key)) continue;
    CK_TRY(file.GetString(key, &c.postgres_conninfo));
    if (c.postgres_conninfo.empty()) return file.Error(key, "must not be empty");
  }
  int64_t minutes = c.utc_offset_seconds / 60;
  CK_TRY(file.GetInt("utc_offset_minutes", -24 * 60, 24 * 60, &minutes));
  c.utc_offset_seconds = minutes * 60;
  CK_TRY(file.Finish());
  return c;
}

base::Result<Config> LoadConfig(const std::string& path) {
  CK_ASSIGN_OR_RETURN(std::string text, ck_config::ReadConfigFile(path));
  return ParseConfig(text, path);
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
