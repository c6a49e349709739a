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
#include "hub/admin_accounts.h"
#include "hub/server.h"
#include "hub/store.h"
#include "hub_fill.h"
#include "journal/journal.h"

namespace {

using benchfill::kStart;

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
  std::printf("filled %d kiosks, %lld entries in %.1f s (not measured)\n", kiosks,
              static_cast<long long>(entries),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - fill).count());
  // A cheap hash for the bench's own account: the login is not what is measured.
  auto acc = hub::MakeAccount("bench", hub::AdminRole::kViewer, "bench password", 1000, kStart);
  if (!acc.ok() || !hub::AddAccount(dir, *acc).ok()) return 1;
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
  double partners = Median(cli, cookie, "/admin/partners?month=2026-06", runs, &bytes);
  std::printf("partners page --month 2026-06 over %lld entries: %.1f ms (%zu bytes)\n",
              static_cast<long long>(entries), partners, bytes);
  return 0;
}
