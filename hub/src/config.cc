#include <array>
#include <string_view>

#include "base/file.h"
#include "config/config_file.h"
#include "hub/store.h"

namespace hub {
namespace {

// One ServeLimits field from its key: absent keeps the default, out of range is refused.
template <typename T>
base::Status GetLimit(ck_config::ConfigFile& file, std::string_view key, int64_t min, int64_t max,
                      int64_t scale, T* out) {
  int64_t v = static_cast<int64_t>(*out) / scale;
  CK_TRY(file.GetInt(key, min, max, &v));
  *out = static_cast<T>(v * scale);
  return base::Status::Ok();
}

// The serve_* keys (docs/hub.md, "Limits").
base::Status GetServeLimits(ck_config::ConfigFile& file, ServeLimits* l) {
  CK_TRY(GetLimit(file, "serve_connections", 1, 65536, 1, &l->connections));
  CK_TRY(GetLimit(file, "serve_connections_per_address", 1, 65536, 1, &l->per_ip_connections));
  if (l->per_ip_connections > l->connections)
    return file.Error("serve_connections_per_address",
                      "must not exceed serve_connections (" + std::to_string(l->connections) + ")");
  int64_t idle = l->idle_timeout_seconds;
  CK_TRY(file.GetDuration("serve_idle_timeout", ck_config::TimeUnit::kSeconds, 1, 3600, &idle));
  l->idle_timeout_seconds = static_cast<unsigned>(idle);
  CK_TRY(GetLimit(file, "serve_connection_memory_kib", 8, 1024, 1024, &l->connection_memory));
  CK_TRY(GetLimit(file, "serve_listen_backlog", 16, 65535, 1, &l->listen_backlog));
  CK_TRY(GetLimit(file, "serve_threads", 1, 64, 1, &l->threads));
  CK_TRY(GetLimit(file, "serve_workers", 1, 256, 1, &l->workers));
  return base::Status::Ok();
}

}  // namespace

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
  CK_TRY(GetServeLimits(file, &c.limits));
  CK_TRY(file.GetBool("record_contacts", &c.record_contacts));
  CK_TRY(file.GetInt("contact_interval_seconds", 0, 3600, &c.contact_interval_seconds));
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
