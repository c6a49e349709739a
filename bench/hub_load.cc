// The hub's bounded load test (docs/hub.md, "Load"), loopback only. bench/run_hub_load.sh drives
// it in three steps around one `cardhub serve`:
//
//   hub_load prepare --hub-dir DIR --kiosks-dir DIR [--kiosks 200] [--entries 100] [--batches 4]
//       Makes one data directory per simulated kiosk (device key, journal.db with ENTRIES
//       accepted discounts), exports the journal as BATCHES signed .ckjournal batches
//       (batch-1.ckjournal ...) and enrolls every device in the hub's store. Run before the hub.
//   hub_load push --port PORT --kiosks-dir DIR [--kiosks 200] [--batches 4] [--threads 48]
//                 [--timeout 120] [--retries 0]
//       Every kiosk POSTs its batches in order to http://127.0.0.1:PORT/v1/journal over one
//       keep-alive connection; the kiosks are spread over THREADS threads. A transport error (no
//       HTTP answer) is retried up to RETRIES times, as a kiosk would on its next sync (the hub
//       stores by uuid, so a resent batch stores nothing twice); an HTTP error is never retried.
//       Reports requests/s, entries/s, latency percentiles (every attempt), retries and errors.
//       Exit 1 on any error, when the deadline passes, or unless exactly the pushed entries were
//       stored.
//   hub_load verify --hub-dir DIR [--kiosks 200] [--entries 100]
//       Reads the hub's store (hub stopped): exactly KIOSKS*ENTRIES entries, each uuid once, each
//       device holding seqs 1..ENTRIES with acked_seq ENTRIES. Exit 1 otherwise.
//   hub_load get --port PORT --kiosks-dir DIR [--kiosks 200] [--requests 20] [--threads 48]
//                [--timeout 120]
//       Every kiosk sends REQUESTS signed GET /v1/bundle, one after the other over one keep-alive
//       connection (hub_load_get.cc): the smallest signed request. 304 or 404 (no bundle
//       published) is an answer; anything else, or no answer, is an error. Reports requests/s and
//       latency percentiles.
#include "hub_load.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/fs.h"
#include "base/hex.h"
#include "base/status.h"
#include "card/claims.h"
#include "card/crypto.h"
#include "hub/store.h"
#include "journal/device_key.h"
#include "journal/export.h"
#include "journal/journal.h"
#include "protocol/signing.h"

namespace {

using hub_load::KioskDir;
using hub_load::KioskName;
using hub_load::Options;
using Clock = std::chrono::steady_clock;

// 2027-01-13T09:00:00Z: the time of the first journal entry.
constexpr int64_t kEntryTime = 1'799'830'800;

int Usage() {
  std::fprintf(stderr,
               "usage: hub_load prepare --hub-dir DIR --kiosks-dir DIR [--kiosks N] [--entries N] "
               "[--batches N]\n"
               "       hub_load push --port PORT --kiosks-dir DIR [--kiosks N] [--batches N] "
               "[--threads N] [--timeout SECONDS] [--retries N]\n"
               "       hub_load verify --hub-dir DIR [--kiosks N] [--entries N]\n"
               "       hub_load get --port PORT --kiosks-dir DIR [--kiosks N] [--requests N] "
               "[--threads N] [--timeout SECONDS]\n");
  return 2;
}

bool ParseInt(const std::string& text, int lo, int hi, int* out) {
  try {
    size_t used = 0;
    int v = std::stoi(text, &used);
    if (used != text.size() || v < lo || v > hi) return false;
    *out = v;
    return true;
  } catch (...) {
    return false;
  }
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return false;
    std::string value = argv[++i];
    bool ok = true;
    if (flag == "--hub-dir") {
      o->hub_dir = value;
    } else if (flag == "--kiosks-dir") {
      o->kiosks_dir = value;
    } else if (flag == "--port") {
      ok = ParseInt(value, 1, 65535, &o->port);
    } else if (flag == "--kiosks") {
      ok = ParseInt(value, 1, 10000, &o->kiosks);
    } else if (flag == "--entries") {
      ok = ParseInt(value, 1, 100000, &o->entries);
    } else if (flag == "--batches") {
      ok = ParseInt(value, 1, 1000, &o->batches);
    } else if (flag == "--threads") {
      ok = ParseInt(value, 1, 1024, &o->threads);
    } else if (flag == "--retries") {
      ok = ParseInt(value, 0, 10, &o->retries);
    } else if (flag == "--requests") {
      ok = ParseInt(value, 1, 100000, &o->requests);
    } else if (flag == "--timeout") {
      ok = ParseInt(value, 1, 3600, &o->timeout_s);
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "hub_load: bad flag or value: %s %s\n", flag.c_str(), value.c_str());
      return false;
    }
  }
  return true;
}

std::string BatchPath(const std::string& dir, int b) {
  return dir + "/batch-" + std::to_string(b + 1) + ".ckjournal";
}

// Runs fn(0..n-1) on `threads` threads; stops handing out work after the first failure.
bool ParallelFor(int n, int threads, const std::function<base::Status(int)>& fn) {
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::vector<std::thread> pool;
  for (int t = 0; t < std::min(threads, n); ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < n && !failed; i = next++) {
        base::Status st = fn(i);
        if (!st.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          std::fprintf(stderr, "hub_load: %s: %s\n", KioskName(i).c_str(), st.ToString().c_str());
          failed = true;
        }
      }
    });
  }
  for (std::thread& t : pool) t.join();
  return !failed;
}

// One kiosk: device key, journal with `entries` discounts, `batches` signed batches on disk.
base::Status PrepareKiosk(const Options& o, int i) {
  const std::string dir = KioskDir(o, i);
  CK_TRY(base::MakeDirs(dir));
  base::PosixFileSystem fs;
  CK_ASSIGN_OR_RETURN(card::PrivateKey key, journal::LoadOrCreateDeviceKey(fs, dir));
  CK_ASSIGN_OR_RETURN(card::PublicKey pub, key.Public());
  const std::string device_id = base::ToHex(pub.kid());  // 16 hex digits, like a real device id
  base::FakeClock clock(kEntryTime + int64_t{i});
  CK_ASSIGN_OR_RETURN(std::unique_ptr<journal::Journal> j,
                      journal::Journal::Open(dir + "/" + journal::kJournalFile, clock));
  if (j->last_seq() != 0) return base::FailedPrecondition(dir + ": journal is not empty");
  journal::NewEntry e;
  e.kind = journal::Kind::kDiscount;
  e.rid = card::Rid{};
  e.rid->at(0) = static_cast<uint8_t>(i & 0xff);
  e.rid->at(1) = static_cast<uint8_t>((i >> 8) & 0xff);
  e.partner_id = "P-1";
  e.offer_id = "O-1";
  e.purchase_minor = 100000;
  e.discount_minor = 10000;
  e.bundle_seq = 1;
  e.verdict = "VALID";
  e.decision = journal::kAccepted;
  int64_t from = 1;
  for (int b = 0; b < o.batches; ++b) {
    // Batch b holds entries [b*entries/batches, (b+1)*entries/batches).
    const int64_t upto = int64_t{o.entries} * (b + 1) / o.batches;
    while (j->last_seq() < upto) {
      clock.Advance(60);
      CK_TRY(j->Append(e).status());
    }
    if (upto < from) continue;  // more batches than entries: nothing new for this one
    CK_ASSIGN_OR_RETURN(base::Bytes batch,
                        journal::WriteExport(*j, from, device_id, key, clock.NowUnixSeconds()));
    CK_TRY(base::WriteFileAtomic(
        BatchPath(dir, b),
        std::string_view(reinterpret_cast<const char*>(batch.data()), batch.size())));
    from = upto + 1;
  }
  return base::Status::Ok();
}

int Prepare(const Options& o) {
  if (o.hub_dir.empty() || o.kiosks_dir.empty()) return Usage();
  auto t0 = Clock::now();
  int threads = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  if (!ParallelFor(o.kiosks, threads, [&](int i) { return PrepareKiosk(o, i); })) return 1;
  auto t1 = Clock::now();
  // Enrolment through the store, as `cardhub enroll` does it (one process instead of KIOSKS).
  base::Result<std::unique_ptr<hub::HubStore>> store = hub::OpenStore(o.hub_dir, hub::Config{});
  if (!store.ok()) {
    std::fprintf(stderr, "hub_load: %s\n", store.status().ToString().c_str());
    return 1;
  }
  base::SystemClock now;
  for (int i = 0; i < o.kiosks; ++i) {
    base::Result<card::PublicKey> pub =
        card::PublicKey::FromPemFile(KioskDir(o, i) + "/" + journal::kDevicePubFile);
    base::Status st = pub.status();
    if (st.ok()) {
      st =
          (*store)
              ->AddDevice(KioskName(i), base::ToHex(pub->kid()), pub->ToPem(), now.NowUnixSeconds())
              .status();
    }
    if (!st.ok()) {
      std::fprintf(stderr, "hub_load: enrolling %s: %s\n", KioskName(i).c_str(),
                   st.ToString().c_str());
      return 1;
    }
  }
  auto t2 = Clock::now();
  std::printf("prepared %d kiosks x %d entries in %d batches: journals %.1f s, enrolment %.1f s\n",
              o.kiosks, o.entries, o.batches, std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count());
  return 0;
}

struct Kiosk {
  std::string name;
  card::PrivateKey key;
  std::vector<std::string> batches;
  std::vector<int64_t> last_seq;  // of each batch, the acked_seq the hub must answer
};

int Push(const Options& o) {
  if (o.kiosks_dir.empty() || o.port == 0) return Usage();
  std::vector<Kiosk> kiosks;
  int64_t total_entries = 0;
  for (int i = 0; i < o.kiosks; ++i) {
    const std::string dir = KioskDir(o, i);
    base::PosixFileSystem fs;
    base::Result<card::PrivateKey> key = journal::LoadOrCreateDeviceKey(fs, dir);
    if (!key.ok()) {
      std::fprintf(stderr, "hub_load: %s: %s\n", dir.c_str(), key.status().ToString().c_str());
      return 1;
    }
    Kiosk k{KioskName(i), std::move(key).value(), {}, {}};
    for (int b = 0; b < o.batches; ++b) {
      base::Result<std::string> data = base::ReadFile(BatchPath(dir, b), 8u << 20);
      if (!data.ok()) continue;  // a batch with nothing new was not written
      // The batch's last seq, for checking acked_seq: read from the header via CheckExport.
      base::Result<card::PublicKey> pub = k.key.Public();
      base::Result<journal::ExportCheck> check =
          pub.ok() ? journal::CheckExport(base::AsBytes(*data), *pub)
                   : base::Result<journal::ExportCheck>(pub.status());
      if (!check.ok() || !check->ok()) {
        std::fprintf(stderr, "hub_load: %s: batch %d does not check\n", dir.c_str(), b + 1);
        return 1;
      }
      total_entries += check->header.count;
      k.last_seq.push_back(check->header.last_seq);
      k.batches.push_back(std::move(data).value());
    }
    if (k.batches.empty()) {
      std::fprintf(stderr, "hub_load: %s: no batches (run prepare first)\n", dir.c_str());
      return 1;
    }
    kiosks.push_back(std::move(k));
  }

  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(o.timeout_s);
  std::atomic<int> next{0};
  std::atomic<int64_t> ok_requests{0}, errors{0}, retried{0}, stored{0}, duplicates{0};
  std::atomic<bool> timed_out{false};
  std::mutex mu;
  std::vector<double> latencies_ms;  // every request's, successful or not
  std::map<std::string, int> error_kinds;
  auto note_error = [&](const std::string& kind, const std::string& detail) {
    std::lock_guard<std::mutex> lock(mu);
    if (error_kinds[kind]++ < 3) std::fprintf(stderr, "hub_load: %s\n", detail.c_str());
    ++errors;
  };

  auto worker = [&] {
    std::vector<double> mine;
    base::SystemClock wall;
    for (int i = next++; i < static_cast<int>(kiosks.size()); i = next++) {
      const Kiosk& k = kiosks[static_cast<size_t>(i)];
      if (Clock::now() >= deadline) {
        timed_out = true;
        note_error("deadline", k.name + ": not started before the deadline");
        continue;
      }
      httplib::Client cli("127.0.0.1", o.port);
      cli.set_keep_alive(true);
      cli.set_tcp_nodelay(true);  // as the kiosk's libcurl client does
      cli.set_connection_timeout(10, 0);
      // Generous: a request may wait in the hub's queue behind others; that wait is latency.
      cli.set_read_timeout(60, 0);
      cli.set_write_timeout(60, 0);
      for (size_t b = 0; b < k.batches.size(); ++b) {
        const std::string& body = k.batches[b];
        base::Result<std::string> auth = ck_protocol::SignRequest(
            k.key, "POST", "/v1/journal", wall.NowUnixSeconds(), base::AsBytes(body));
        if (!auth.ok()) {
          note_error("sign", k.name + ": signing: " + auth.status().ToString());
          break;
        }
        httplib::Headers headers = {{"Authorization", *auth}};
        auto t0 = Clock::now();
        httplib::Result res = cli.Post("/v1/journal", headers, body, "application/octet-stream");
        auto t1 = Clock::now();
        mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        for (int attempt = 0; !res && attempt < o.retries && Clock::now() < deadline; ++attempt) {
          {
            std::lock_guard<std::mutex> lock(mu);
            if (retried < 3) {
              std::fprintf(stderr, "hub_load: %s batch %zu: transport error %s, retrying\n",
                           k.name.c_str(), b + 1, httplib::to_string(res.error()).c_str());
            }
          }
          ++retried;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          cli.stop();  // a fresh connection
          t0 = Clock::now();
          res = cli.Post("/v1/journal", headers, body, "application/octet-stream");
          t1 = Clock::now();
          mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
        if (!res) {
          note_error("transport:" + httplib::to_string(res.error()),
                     k.name + " batch " + std::to_string(b + 1) +
                         ": transport error: " + httplib::to_string(res.error()) + " after " +
                         std::to_string(static_cast<int64_t>(mine.back())) + " ms");
          break;
        }
        if (res->status != 200) {
          note_error("status:" + std::to_string(res->status),
                     k.name + " batch " + std::to_string(b + 1) + ": HTTP " +
                         std::to_string(res->status) + " " + res->body);
          break;
        }
        nlohmann::json answer = nlohmann::json::parse(res->body, nullptr, false);
        if (answer.is_discarded() || !answer.contains("acked_seq") ||
            answer["acked_seq"].get<int64_t>() != k.last_seq[b]) {
          note_error("acked_seq", k.name + " batch " + std::to_string(b + 1) +
                                      ": unexpected answer " + res->body + " (want acked_seq " +
                                      std::to_string(k.last_seq[b]) + ")");
          break;
        }
        stored += answer.value("stored", int64_t{0});
        duplicates += answer.value("duplicates", int64_t{0});
        ++ok_requests;
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
  };
  std::vector<std::thread> pool;
  const int threads = std::min(o.threads, static_cast<int>(kiosks.size()));
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();

  std::sort(latencies_ms.begin(), latencies_ms.end());
  const double requests = static_cast<double>(latencies_ms.size());
  std::printf("push: %d kiosks, %zu requests (%d batches each), %lld entries, %d client threads\n",
              o.kiosks, latencies_ms.size(), o.batches, static_cast<long long>(total_entries),
              threads);
  std::printf("wall %.2f s: %.1f requests/s, %.0f entries/s (stored %lld, duplicates %lld)\n",
              wall_s, requests / wall_s, static_cast<double>(stored.load()) / wall_s,
              static_cast<long long>(stored.load()), static_cast<long long>(duplicates.load()));
  hub_load::PrintLatency(latencies_ms);
  std::printf("retries: %lld; errors: %lld", static_cast<long long>(retried.load()),
              static_cast<long long>(errors.load()));
  for (const auto& [kind, n] : error_kinds) std::printf("  %s=%d", kind.c_str(), n);
  std::printf("%s\n", timed_out ? "  (deadline passed)" : "");
  // Duplicates only when a retried batch had been stored before its answer was lost.
  const bool ok = errors == 0 && !timed_out && stored == total_entries &&
                  (duplicates == 0 || retried > 0) && ok_requests > 0;
  if (!ok) std::printf("push: FAILED\n");
  return ok ? 0 : 1;
}

int Verify(const Options& o) {
  if (o.hub_dir.empty()) return Usage();
  base::Result<std::unique_ptr<hub::HubStore>> store = hub::OpenStore(o.hub_dir, hub::Config{});
  if (!store.ok()) {
    std::fprintf(stderr, "hub_load: %s\n", store.status().ToString().c_str());
    return 1;
  }
  int64_t count = 0;
  std::set<std::string> uuids;
  std::map<std::string, std::set<int64_t>> seqs;  // device name -> seqs held
  base::Status st = (*store)->ForEachEntry(std::nullopt, [&](const hub::StoredEntry& e) {
    ++count;
    uuids.insert(e.entry.uuid);
    seqs[e.device].insert(e.entry.seq);
    return base::Status::Ok();
  });
  base::Result<std::vector<hub::Device>> devices = (*store)->ListDevices();
  if (!st.ok() || !devices.ok()) {
    std::fprintf(stderr, "hub_load: reading the store failed\n");
    return 1;
  }
  const int64_t want = int64_t{o.kiosks} * o.entries;
  int bad_devices = 0;
  for (const hub::Device& d : *devices) {
    const std::set<int64_t>& s = seqs[d.name];
    bool full =
        static_cast<int64_t>(s.size()) == o.entries && *s.begin() == 1 && *s.rbegin() == o.entries;
    if (!full || d.acked_seq != o.entries) {
      if (++bad_devices <= 5) {
        std::fprintf(stderr, "hub_load: device %s holds %zu entries, acked_seq %lld\n",
                     d.name.c_str(), s.size(), static_cast<long long>(d.acked_seq));
      }
    }
  }
  const bool ok = count == want && static_cast<int64_t>(uuids.size()) == want &&
                  static_cast<int>(devices->size()) == o.kiosks && bad_devices == 0;
  std::printf(
      "verify: stored %lld entries (want %lld), %zu distinct uuids, %zu devices, %d devices not "
      "complete or not acked to %d: %s\n",
      static_cast<long long>(count), static_cast<long long>(want), uuids.size(), devices->size(),
      bad_devices, o.entries, ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  Options o;
  if (!ParseArgs(argc, argv, &o)) return Usage();
  std::string cmd = argv[1];
  if (cmd == "prepare") return Prepare(o);
  if (cmd == "push") return Push(o);
  if (cmd == "verify") return Verify(o);
  if (cmd == "get") return hub_load::Get(o);
  return Usage();
}
