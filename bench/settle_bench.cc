// Settlement speed (docs/settlement.md, "Speed"): `cardhub import` of STICKS .ckjournal files of
// ENTRIES entries each (one kiosk per stick) into a fresh SQLite hub, and `cardhub report --month`
// over a store of REPORT_ENTRIES entries spread over twelve months, on SQLite and, with
// --postgres CONNINFO, on PostgreSQL. Times only the import and the report (the fixtures are made
// first); prints one line per figure.
//   settle_bench --dir DIR [--sticks 100] [--entries 10000] [--report-entries 5000000]
//                [--postgres CONNINFO] [--skip-import] [--skip-report]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/hex.h"
#include "hub/import.h"
#include "hub/report.h"
#include "hub/store.h"
#include "hub_fill.h"
#include "journal/export.h"
#include "journal/journal.h"

namespace {

using benchfill::kStart;
using benchfill::kYear;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The process's CPU time so far (user + system), seconds: on a shared machine the wall time is
// mostly the wait for a core.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

base::Status BenchImport(const std::string& dir, int sticks, int64_t entries) {
  CK_ASSIGN_OR_RETURN(auto store, hub::OpenSqliteStore(dir + "/import-hub.db"));
  std::vector<std::string> files;
  for (int d = 0; d < sticks; ++d) {
    CK_ASSIGN_OR_RETURN(card::PrivateKey key, card::PrivateKey::Generate(card::Alg::kEdDSA));
    CK_ASSIGN_OR_RETURN(card::PublicKey pub, key.Public());
    CK_TRY(store->AddDevice("k" + std::to_string(d), base::ToHex(pub.kid()), pub.ToPem(), kStart)
               .status());
    std::vector<journal::Entry> chain = benchfill::MakeChain(d, entries, 60);
    base::Bytes body;
    for (const journal::Entry& e : chain) {
      base::Bytes enc = journal::EncodeEntry(e);
      body.insert(body.end(), enc.begin(), enc.end());
    }
    journal::ExportHeader h{.device_id = "dev" + std::to_string(d),
                            .created = kStart + entries * 60 + 3600,
                            .first_seq = 1,
                            .last_seq = entries,
                            .count = entries,
                            .journal_id = journal::NewUuid()};
    CK_ASSIGN_OR_RETURN(base::Bytes file, journal::SealExport(h, body, key));
    files.push_back(dir + "/stick" + std::to_string(d) + ".ckjournal");
    CK_TRY(base::WriteFileAtomic(files.back(), base::AsChars(file), 0644));
  }
  base::PosixFileSystem fs;
  std::FILE* devnull = std::fopen("/dev/null", "w");
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = CpuSeconds();
  hub::ImportTally tally = hub::ImportFiles(*store, fs, files, kStart + 2 * kYear, devnull);
  const double took = Seconds(t0), cpu = CpuSeconds() - cpu0;
  std::fclose(devnull);
  if (tally.ExitStatus() != 0) return base::Internal("import refused a file");
  std::printf("import sqlite: %d sticks x %lld entries: %.2f s (%.0f entries/s), cpu %.2f s\n",
              sticks, static_cast<long long>(entries), took,
              static_cast<double>(sticks * entries) / took, cpu);
  return base::Status::Ok();
}

// REPORT_ENTRIES entries, 100 kiosks, spread evenly over 2026, stored through the ledger in
// batches of 10,000; then the report for June 2026, by partner and by day.
base::Status BenchReport(const std::string& name, hub::HubStore& store, int64_t total) {
  const int kiosks = 100;
  const int64_t per = total / kiosks;
  const auto fill = std::chrono::steady_clock::now();
  CK_ASSIGN_OR_RETURN(int64_t filled,
                      benchfill::FillStore(store, kiosks, total, [](int) { return kStart; }));
  std::printf("report %s: %lld entries, %lld filled now in %.1f s (not measured)\n", name.c_str(),
              static_cast<long long>(per * kiosks), static_cast<long long>(filled), Seconds(fill));
  base::PosixFileSystem fs;
  CK_ASSIGN_OR_RETURN(hub::ReportPeriod june, hub::MonthPeriod("2026-06", 3 * 3600));
  for (hub::ReportBy by : {hub::ReportBy::kPartner, hub::ReportBy::kDay}) {
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = CpuSeconds();
    CK_ASSIGN_OR_RETURN(hub::Settlement s,
                        hub::BuildSettlement(store, fs, "/nonexistent", june, by, 3 * 3600));
    const std::string csv = hub::SettlementCsv(s);
    int64_t count = 0;
    for (const hub::ReportLine& l : s.partners) count += l.count;
    std::printf(
        "report %s --month 2026-06 --by %s: %.2f s, cpu %.2f s (%zu partner rows, %lld "
        "discounts, %zu bytes of CSV)\n",
        name.c_str(), by == hub::ReportBy::kDay ? "day" : "partner", Seconds(t0),
        CpuSeconds() - cpu0, s.partners.size(), static_cast<long long>(count), csv.size());
    std::fflush(stdout);
  }
  return base::Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--skip-import" || k == "--skip-report") {
      a[k] = "1";
    } else if (i + 1 < argc) {
      a[k] = argv[++i];
    }
  }
  if (!a.count("--dir")) {
    std::fprintf(stderr,
                 "usage: settle_bench --dir DIR [--sticks N] [--entries N] "
                 "[--report-entries N] [--postgres CONNINFO] [--skip-import] "
                 "[--skip-report]\n");
    return 2;
  }
  const std::string dir = a["--dir"];
  auto num = [&](const char* k, int64_t d) { return a.count(k) ? std::atoll(a[k].c_str()) : d; };
  base::Status st;
  if (!a.count("--skip-import")) {
    st = BenchImport(dir, static_cast<int>(num("--sticks", 100)), num("--entries", 10000));
  }
  if (st.ok() && !a.count("--skip-report")) {
    const int64_t total = num("--report-entries", 5'000'000);
    auto sqlite = hub::OpenSqliteStore(dir + "/report-hub.db");
    st = sqlite.ok() ? BenchReport("sqlite", **sqlite, total) : sqlite.status();
    if (st.ok() && a.count("--postgres")) {
      auto pg = hub::OpenPostgresStore(a["--postgres"]);
      st = pg.ok() ? BenchReport("postgres", **pg, total) : pg.status();
    }
  }
  if (!st.ok()) {
    std::fprintf(stderr, "settle_bench: %s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
