#include "durable_append.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "journal/entry_columns.h"
#include "sqlite/db.h"

namespace bench {
namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "decision_bench: %s\n", why.c_str());
  std::exit(2);
}

void Check(const base::Status& st, const char* what) {
  if (!st.ok()) Die(std::string(what) + ": " + st.ToString());
}

template <typename T>
T Check(base::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// The baseline: INSERT of a ready row through a connection opened as the journal opens its file.
// The uuids are made beforehand and the hash is not computed: only SQLite and the disk are timed.
class BareInsert {
 public:
  BareInsert(const std::string& journal_path, const journal::Entry& row, size_t n)
      : path_(std::filesystem::path(journal_path).parent_path().string() + "/bare.db"), row_(row) {
    RemoveDb(path_);
    {  // a consistent copy of the journal as it is now (the open journal keeps writing its own)
      sqlite::Db src = Check(sqlite::Db::Open(journal_path, sqlite::Db::Mode::kReadOnly), "copy");
      Check(src.Exec("VACUUM INTO '" + path_ + "'"), "copying the journal");
    }
    db_ = Check(sqlite::Db::Open(path_, sqlite::Db::Mode::kReadWrite), "opening the copy");
    Check(db_.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=2000"),
          "pragmas");
    sqlite::Stmt last = Check(db_.Prepare("SELECT max(seq) FROM entries"), "max seq");
    (void)Check(last.Step(), "max seq");
    row_.seq = last.Int(0);
    for (size_t i = 0; i < n; ++i) uuids_.push_back(journal::NewUuid());
    insert_ = Check(db_.Prepare("INSERT INTO entries(" + journal::EntryColumnNames() + ") VALUES(" +
                                journal::EntryPlaceholders() + ")"),
                    "prepare");
  }
  ~BareInsert() {
    insert_ = sqlite::Stmt();
    (void)db_.Close();
    RemoveDb(path_);
  }
  void operator()() {
    ++row_.seq;
    row_.uuid = uuids_[next_++];
    journal::BindEntryColumns(insert_, 1, row_);
    Check(insert_.Run(), "bare insert");
  }

 private:
  std::string path_;
  journal::Entry row_;
  std::vector<std::string> uuids_;
  size_t next_ = 0;
  sqlite::Db db_;
  sqlite::Stmt insert_;
};

struct Stats {
  double median_us = 0, p99_us = 0;
};

Stats Summarize(std::vector<double> ns) {
  std::sort(ns.begin(), ns.end());
  const size_t p99 = std::min(ns.size() - 1, (ns.size() * 99 + 99) / 100 - 1);
  return {ns[ns.size() / 2] / 1000.0, ns[p99] / 1000.0};
}

template <typename F>
double TimeNs(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void BenchAppends(const std::string& journal_path, journal::Journal& j, const journal::NewEntry& n,
                  size_t appends) {
  // The bare row: what Append writes for `n` (its time and hash do not change the cost).
  journal::Entry row = Check(j.Append(n), "append");
  BareInsert bare(journal_path, row, appends);
  std::vector<double> journal_ns, bare_ns, diff_ns;
  // Strictly alternating, one of each, the first of the pair taking turns (a commit right after
  // the other file's may wait for the same disk): both see the same disk and machine state, and
  // each pair's difference is what the journal adds to that insert.
  auto append = [&] {
    base::Status st;
    journal_ns.push_back(TimeNs([&] { st = j.Append(n).status(); }));
    Check(st, "append");
  };
  for (size_t i = 0; i < appends; ++i) {
    if (i % 2 == 0) append();
    bare_ns.push_back(TimeNs(bare));
    if (i % 2 == 1) append();
    diff_ns.push_back(journal_ns.back() - bare_ns.back());
  }
  const Stats a = Summarize(journal_ns), b = Summarize(bare_ns);
  std::printf(
      "durable append (WAL, synchronous=FULL): median %8.1f us  p99 %8.1f us  (%zu appends, "
      "target median <= 1000 us)\n",
      a.median_us, a.p99_us, journal_ns.size());
  std::printf(
      "bare durable insert, same schema:       median %8.1f us  p99 %8.1f us  (alternating)\n",
      b.median_us, b.p99_us);
  std::printf(
      "Journal::Append above the bare insert: median of the paired differences %.1f us, "
      "difference of the medians %.1f us\n",
      Summarize(diff_ns).median_us, a.median_us - b.median_us);
}

}  // namespace bench
