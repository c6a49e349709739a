// Admin page speed (docs/hub.md, "Admin pages"): the Fleet page with KIOSKS kiosks and the
// Partners page over ENTRIES entries, on SQLite, served by an in-process HubServer on loopback
// and fetched with a logged-in session. Prints the server's time per page (the loopback round
// trip of the whole answer; the median of RUNS fetches after one warm-up).
//   fleet_bench --dir DIR [--kiosks 1000] [--entries 5000000] [--runs 5]
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/fs.h"
#include "base/hex.h"
#include "card/crypto.h"
#include "hub/admin_accounts.h"
#include "hub/device_status.h"
#include "hub/server.h"
#include "hub/store.h"
#include "hub_fill.h"
#include "journal/journal.h"

namespace {

using benchfill::kStart;

// Every kiosk's health as the fleet page reads it: `reports` status reports each (the latest is
// shown) and as many contacts, all but a few kiosks with refused scans and a Pi's readings.
base::Status AddHealth(hub::HubStore& store, int reports) {
  CK_ASSIGN_OR_RETURN(std::vector<hub::Device> devices, store.ListDevices());
  for (const hub::Device& d : devices) {
    for (int i = 0; i < reports; ++i) {
      const int64_t at = kStart + (d.id % 48) * 3600 - (reports - i) * 300;
      hub::DeviceStatus s{.device_id = d.id,
                          .received = at,
                          .app_version = "0.1.0",
                          .mode = "shop",
                          .scope_id = "P" + std::to_string(d.id % 50),
                          .registry_seq = 1,
                          .journal_last_seq = d.acked_seq,
                          .kiosk_time_utc = at,
                          .uptime_seconds = 86400 + i * 300,
                          .disk_free_bytes = int64_t{20} << 30,
                          .failed_scans = {{"EXPIRED", d.id % 3}, {"REVOKED", 1 + d.id % 5}},
                          .temperature_celsius = 48.5,
                          .undervoltage = d.id % 17 == 0};
      CK_TRY(store.RecordStatus(s));
      CK_TRY(store.RecordContact({.device_id = d.id,
                                  .time = at,
                                  .what = "journal",
                                  .http_status = 200,
                                  .detail = "seq 1-5000 stored 5000, acked 5000"}));
    }
  }
  return base::Status::Ok();
}

// The median of `runs` fetches of `path` (after one warm-up), in milliseconds.
double Median(httplib::Client& cli, const std::string& cookie, const std::string& path, int runs,
              size_t* bytes) {
  std::vector<double> ms;
  for (int i = 0; i <= runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = cli.Get(path, {{"Cookie", cookie}});
    const double took =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!r || r->status != 200) {
      std::fprintf(stderr, "fleet_bench: GET %s failed\n", path.c_str());
      std::exit(1);
    }
    *bytes = r->body.size();
    if (i > 0) ms.push_back(took);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> a;
  for (int i = 1; i + 1 < argc; i += 2) a[argv[i]] = argv[i + 1];
  if (!a.count("--dir")) {
    std::fprintf(stderr, "usage: fleet_bench --dir DIR [--kiosks N] [--entries N] [--runs N]\n");
    return 2;
  }
  auto num = [&](const char* k, int64_t d) { return a.count(k) ? std::atoll(a[k].c_str()) : d; };
  const std::string dir = a["--dir"];
  const int kiosks = static_cast<int>(num("--kiosks", 1000));
  const int64_t entries = num("--entries", 5'000'000);
  const int runs = static_cast<int>(num("--runs", 5));
  auto store = hub::OpenSqliteStore(dir + "/" + hub::kHubDbFile);
  if (!store.ok()) return std::fprintf(stderr, "%s\n", store.status().ToString().c_str()), 1;
  const auto fill = std::chrono::steady_clock::now();
  // Last contacts spread over 48 hours: kiosks in contact, silent (amber) and silent long (red).
  base::Result<int64_t> filled = benchfill::FillStore(
      **store, kiosks, entries, [](int d) { return kStart + (d % 48) * 3600; });
  if (!filled.ok()) {
    return std::fprintf(stderr, "fleet_bench: %s\n", filled.status().ToString().c_str()), 1;
  }
  if (*filled > 0) {
    if (base::Status st = AddHealth(**store, 10); !st.ok()) {
      return std::fprintf(stderr, "fleet_bench: %s\n", st.ToString().c_str()), 1;
    }
  }
  std::printf(
      "filled %d kiosks, %lld entries, 10 status reports and contacts each, in %.1f s "
      "(not measured)\n",
      kiosks, static_cast<long long>(entries),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - fill).count());
  // A cheap hash for the bench's own account: the login is not what is measured. Kept from an
  // earlier run on the same directory.
  auto acc = hub::MakeAccount("bench", hub::AdminRole::kViewer, "bench password", 1000, kStart);
  if (!acc.ok()) return 1;
  if (base::Status added = hub::AddAccount(dir, *acc);
      !added.ok() && added.code() != base::StatusCode::kAlreadyExists) {
    return std::fprintf(stderr, "fleet_bench: %s\n", added.ToString().c_str()), 1;
  }
  base::SystemClock clock;
  base::PosixFileSystem fs;
  hub::ServeOptions o;
  o.data_dir = dir;
  auto server = hub::HubServer::Start(o, **store, fs, clock);
  if (!server.ok()) return std::fprintf(stderr, "%s\n", server.status().ToString().c_str()), 1;
  httplib::Client cli("127.0.0.1", (*server)->port());
  cli.set_read_timeout(300, 0);
  auto page = cli.Get("/admin/login");
  std::smatch m;
  std::string set = page->get_header_value("Set-Cookie"), body = page->body;
  std::regex_search(set, m, std::regex("ck_login=([0-9a-f]{64})"));
  const std::string login_cookie = "ck_login=" + m[1].str();
  std::regex_search(body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]{64})\""));
  auto r = cli.Post(
      "/admin/login", {{"Cookie", login_cookie}},
      httplib::Params{{"csrf", m[1].str()}, {"user", "bench"}, {"password", "bench password"}});
  set = r->get_header_value("Set-Cookie");
  std::regex_search(set, m, std::regex("ck_session=([0-9a-f]{64})"));
  const std::string cookie = "ck_session=" + m[1].str();
  size_t bytes = 0;
  double fleet = Median(cli, cookie, "/admin/", runs, &bytes);
  std::printf("fleet page, %d kiosks: %.1f ms (%zu bytes)\n", kiosks, fleet, bytes);
  double kiosk = Median(cli, cookie, "/admin/kiosk?name=k7", runs, &bytes);
  std::printf("kiosk page k7 (%lld entries, its contacts and reports): %.1f ms (%zu bytes)\n",
              static_cast<long long>(entries / kiosks), kiosk, bytes);
  double events = Median(cli, cookie, "/admin/events?month=2026-06", runs, &bytes);
  std::printf("events page --month 2026-06 (per hour, per day): %.1f ms (%zu bytes)\n", events,
              bytes);
  double partners = Median(cli, cookie, "/admin/partners?month=2026-06", runs, &bytes);
  std::printf("partners page --month 2026-06 over %lld entries: %.1f ms (%zu bytes)\n",
              static_cast<long long>(entries), partners, bytes);
  return 0;
}
