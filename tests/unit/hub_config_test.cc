// The hub's --config file: TOML keys, defaults and errors naming file, line and key.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "hub/store.h"
#include "subprocess.h"

namespace {

std::string ErrorOf(std::string_view text) {
  base::Result<hub::Config> c = hub::ParseConfig(text, "hub.conf");
  if (c.ok()) return "<parsed>";
  EXPECT_EQ(c.status().code(), base::StatusCode::kInvalidArgument);
  return c.status().message();
}

TEST(HubConfigParseTest, EveryKeyAndTheDefaults) {
  base::Result<hub::Config> c = hub::ParseConfig("", "hub.conf");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store, "sqlite");
  EXPECT_EQ(c->postgres_conninfo, "");
  EXPECT_EQ(c->utc_offset_seconds, 3 * 3600);

  c = hub::ParseConfig(
      "# the shared store\n"
      "store = \"postgres\"  # or sqlite\n"
      "postgres_conninfo = \"host=/tmp/pg dbname=cardhub options='-csearch_path=ck'\"\n"
      "utc_offset_minutes = -90\n",
      "hub.conf");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store, "postgres");
  EXPECT_EQ(c->postgres_conninfo, "host=/tmp/pg dbname=cardhub options='-csearch_path=ck'");
  EXPECT_EQ(c->utc_offset_seconds, -90 * 60);

  c = hub::ParseConfig("postgres = \"dbname=x\"\n", "hub.conf");  // the alias
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->postgres_conninfo, "dbname=x");
}

TEST(HubConfigParseTest, ErrorsNameFileLineAndKey) {
  EXPECT_EQ(ErrorOf("store = \"mysql\"\n"),
            "hub.conf:1: key 'store': must be sqlite | postgres, got 'mysql'");
  EXPECT_EQ(ErrorOf("\npostgres_conninfo = \"\"\n"),
            "hub.conf:2: key 'postgres_conninfo': must not be empty");
  EXPECT_EQ(ErrorOf("postgres = \"\"\n"), "hub.conf:1: key 'postgres': must not be empty");
  EXPECT_EQ(ErrorOf("postgres_conninfo = \"a\"\npostgres = \"b\"\n"),
            "hub.conf:2: key 'postgres': is another name for postgres_conninfo: set only one");
  EXPECT_EQ(ErrorOf("utc_offset_minutes = 1441\n"),
            "hub.conf:1: key 'utc_offset_minutes': must be -1440..1440, got 1441");
  EXPECT_EQ(ErrorOf("utc_offset_minutes = \"180\"\n"),
            "hub.conf:1: key 'utc_offset_minutes': must be a whole number -1440..1440, got text "
            "'180'");
  EXPECT_EQ(ErrorOf("store = \"sqlite\"\nlisten = \"0.0.0.0\"\n"),
            "hub.conf:2: unknown key 'listen'");
  EXPECT_EQ(ErrorOf("postgres_conninfo = \"a\\u0001b\"\n"),
            "hub.conf:1: key 'postgres_conninfo': control character in the value");
  const std::string no_equals = ErrorOf("store = \"sqlite\"\nstore postgres\n");
  EXPECT_EQ(no_equals.substr(0, 10), "hub.conf:2") << no_equals;
  const std::string bare = ErrorOf("store = postgres\n");  // the syntax before TOML
  EXPECT_EQ(bare.substr(0, 10), "hub.conf:1") << bare;
  EXPECT_NE(bare.find("double quotes"), std::string::npos) << bare;
}

TEST(HubConfigParseTest, ServeLimitsHaveTheirDefaultsAndKeys) {
  base::Result<hub::Config> c = hub::ParseConfig("", "hub.conf");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const hub::ServeLimits defaults;
  EXPECT_EQ(c->limits.connections, defaults.connections);
  EXPECT_EQ(c->limits.per_ip_connections, defaults.per_ip_connections);
  EXPECT_EQ(c->limits.idle_timeout_seconds, defaults.idle_timeout_seconds);
  EXPECT_EQ(c->limits.connection_memory, defaults.connection_memory);
  EXPECT_EQ(c->limits.listen_backlog, defaults.listen_backlog);
  EXPECT_EQ(c->limits.threads, defaults.threads);
  EXPECT_EQ(c->limits.workers, defaults.workers);
  EXPECT_EQ(defaults.connections, 4096u);
  EXPECT_EQ(defaults.connection_memory, 32u * 1024);

  c = hub::ParseConfig(
      "serve_connections = 10000\n"
      "serve_connections_per_address = 100\n"
      "serve_idle_timeout = \"30s\"\n"
      "serve_connection_memory_kib = 64\n"
      "serve_listen_backlog = 4096\n"
      "serve_threads = 4\n"
      "serve_workers = 32\n",
      "hub.conf");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->limits.connections, 10000u);
  EXPECT_EQ(c->limits.per_ip_connections, 100u);
  EXPECT_EQ(c->limits.idle_timeout_seconds, 30u);
  EXPECT_EQ(c->limits.connection_memory, 64u * 1024);
  EXPECT_EQ(c->limits.listen_backlog, 4096);
  EXPECT_EQ(c->limits.threads, 4u);
  EXPECT_EQ(c->limits.workers, 32u);
  c = hub::ParseConfig("serve_idle_timeout = 5\n", "hub.conf");  // plain seconds
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->limits.idle_timeout_seconds, 5u);
}

TEST(HubConfigParseTest, ServeLimitsOutOfRangeAreRefused) {
  EXPECT_EQ(ErrorOf("serve_connections = 0\n"),
            "hub.conf:1: key 'serve_connections': must be 1..65536, got 0");
  EXPECT_EQ(ErrorOf("serve_connections_per_address = 70000\n"),
            "hub.conf:1: key 'serve_connections_per_address': must be 1..65536, got 70000");
  EXPECT_EQ(ErrorOf("serve_connections = 10\nserve_connections_per_address = 11\n"),
            "hub.conf:2: key 'serve_connections_per_address': must not exceed serve_connections "
            "(10)");
  EXPECT_EQ(ErrorOf("serve_connection_memory_kib = 4\n"),
            "hub.conf:1: key 'serve_connection_memory_kib': must be 8..1024, got 4");
  EXPECT_EQ(ErrorOf("serve_listen_backlog = -1\n"),
            "hub.conf:1: key 'serve_listen_backlog': must be 16..65535, got -1");
  EXPECT_EQ(ErrorOf("serve_threads = 65\n"),
            "hub.conf:1: key 'serve_threads': must be 1..64, got 65");
  EXPECT_EQ(ErrorOf("serve_workers = 0\n"),
            "hub.conf:1: key 'serve_workers': must be 1..256, got 0");
  const std::string idle = ErrorOf("serve_idle_timeout = \"2h\"\n");
  EXPECT_EQ(idle.rfind("hub.conf:1: key 'serve_idle_timeout': ", 0), 0u) << idle;
  EXPECT_EQ(ErrorOf("serve_connections = 1.5\n").rfind("hub.conf:1: key 'serve_connections'", 0),
            0u);
}

TEST(HubConfigParseTest, LoadNamesThePathAndHasASizeLimit) {
  cktest::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.File("hub.conf");
  std::ofstream(path) << "store = \"sqlite\"\nutc_offset_minutes = 2000\n";
  base::Result<hub::Config> c = hub::LoadConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            path + ":2: key 'utc_offset_minutes': must be -1440..1440, got 2000");
  std::ofstream(path) << std::string((1 << 20) + 1, '#');
  c = hub::LoadConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), base::StatusCode::kOutOfRange);
  c = hub::LoadConfig(dir.File("missing.conf"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), base::StatusCode::kNotFound);
}

}  // namespace
