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
#include "hub/server.h"
#include "hub/store.h"
#include "journal/journal.h"

namespace {

constexpr int64_t kStart = 1'767'225'600;  // 2026-01-01T00:00:00Z
constexpr int64_t kYear = 365 * 86400;

std::vector<journal::Entry> Chain(int device, int64_t n, int64_t step) {
  std::vector<journal::Entry> out;
  journal::Hash prev{};
  for (int64_t seq = 1; seq <= n; ++seq) {
    journal::Entry e;
    e.seq = seq;
    e.uuid = journal::NewUuid();
    e.kind = journal::Kind::kDiscount;
    e.time_utc = kStart + seq * step + device;
    e.rid =
        card::Rid{static_cast<uint8_t>(device),  static_cast<uint8_t>(seq & 0xff), 0, 0, 0, 0, 0,
                  static_cast<uint8_t>(seq % 97)};
    e.partner_id = "P" + std::to_string(device % 50);
    e.offer_id = "O" + std::to_string(seq % 3);
    e.purchase_minor = 100000 + seq % 1000;
    e.discount_minor = 10000;
    e.bundle_seq = 1;
    e.verdict = "VALID";
    e.decision = journal::kAccepted;
    e.prev_hash = prev;
    e.hash = journal::ComputeHash(e);
    prev = e.hash;
    out.push_back(std::move(e));
  }
  return out;
}

base::Status Fill(hub::HubStore& store, int kiosks, int64_t total) {
  const int64_t per = std::max<int64_t>(1, total / kiosks);
  for (int d = 0; d < kiosks; ++d) {
    CK_ASSIGN_OR_RETURN(card::PrivateKey key, card::PrivateKey::Generate(card::Alg::kEdDSA));
    CK_ASSIGN_OR_RETURN(card::PublicKey pub, key.Public());
    CK_ASSIGN_OR_RETURN(
        hub::Device dev,
        store.AddDevice("k" + std::to_string(d), base::ToHex(pub.kid()), pub.ToPem(), kStart));
    std::vector<journal::Entry> chain = Chain(d, per, kYear / per);
    for (size_t i = 0; i < chain.size(); i += 10000) {
      std::vector<journal::Entry> batch(
          chain.begin() + static_cast<ptrdiff_t>(i),
          chain.begin() + static_cast<ptrdiff_t>(std::min(chain.size(), i + 10000)));
      CK_TRY(store.PutEntries(dev.id, batch, kStart + (d % 48) * 3600).status());
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
  if (base::Status st = Fill(**store, kiosks, entries); !st.ok()) {
    return std::fprintf(stderr, "fleet_bench: %s\n", st.ToString().c_str()), 1;
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
