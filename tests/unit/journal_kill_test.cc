// Power loss, approximated by SIGKILL: a real `kiosk --headless` (CK_KIOSK_PATH) is fed
// scan/amount/confirm triples for a valid card as fast as it takes them and killed at random
// points, hundreds of times, on the same data directory. After every kill the journal must hold
// every entry whose uuid the kiosk printed as accepted, exactly once, with seqs 1..n and a clean
// chain. (An entry may be in the journal without its result printed: killed between the commit
// and the write to stdout. The POS then has no uuid and repeats the sale; the hub settles it.)
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "journal/journal.h"
#include "kiosk_fixture.h"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kKills = 200;
constexpr auto kLineTimeout = std::chrono::milliseconds(15000);

// A kiosk child process with pipes on its stdin and stdout (stderr goes to /dev/null).
class KioskChild {
 public:
  static std::unique_ptr<KioskChild> Spawn(const std::vector<std::string>& args) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0) return nullptr;
    if (::pipe2(out, O_CLOEXEC) != 0) {
      ::close(in[0]);
      ::close(in[1]);
      return nullptr;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> argv_s = cktest::ProgramCommand(CK_KIOSK_PATH);
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    if (rc != 0) {
      ::close(in[1]);
      ::close(out[0]);
      return nullptr;
    }
    return std::unique_ptr<KioskChild>(new KioskChild(pid, in[1], out[0]));
  }

  KioskChild(const KioskChild&) = delete;
  KioskChild& operator=(const KioskChild&) = delete;
  ~KioskChild() {
    Kill();
    ::close(in_);
    ::close(out_);
  }

  bool Write(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(in_, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // The next complete line; false at end of output or after `timeout`.
  bool ReadLine(std::string* line, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      if (size_t nl = buf_.find('\n'); nl != std::string::npos) {
        line->assign(buf_, 0, nl);
        buf_.erase(0, nl + 1);
        return true;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{.fd = out_, .events = POLLIN, .revents = 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return false;
      char chunk[4096];
      const ssize_t n = ::read(out_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

  // SIGKILL and reap. What the kiosk wrote before it died stays readable in the pipe.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

 private:
  KioskChild(pid_t pid, int in, int out) : pid_(pid), in_(in), out_(out) {}
  pid_t pid_;
  int in_, out_;
  std::string buf_;
};

// Ignores SIGPIPE while alive: a write to a kiosk that just died must fail, not kill the test.
class IgnoreSigpipe {
 public:
  IgnoreSigpipe() { old_ = std::signal(SIGPIPE, SIG_IGN); }
  ~IgnoreSigpipe() { std::signal(SIGPIPE, old_); }
  IgnoreSigpipe(const IgnoreSigpipe&) = delete;
  IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

 private:
  void (*old_)(int);
};

struct Observed {
  std::set<std::string> printed;  // uuids of every accepted result printed so far
  int64_t accepted_lines = 0;
};

// Records an output line; false if it is not what a valid card's flow may print.
bool Note(const std::string& line, Observed* seen) {
  json j = json::parse(line, nullptr, false);
  if (!j.is_object() || !j.contains("state") || j.contains("error")) return false;
  if (j["state"] != "result") return true;
  if (j.value("decision", "") != "accepted" || !j.contains("entry_uuid")) return false;
  ++seen->accepted_lines;
  return seen->printed.insert(j["entry_uuid"].get<std::string>()).second;  // never printed twice
}

// The journal after a kill: every printed uuid in it, once; seqs 1..n; a clean chain.
void CheckJournal(const std::string& path, const Observed& seen, int kill, int64_t* entries) {
  base::SystemClock clock;
  auto j = journal::Journal::Open(path, clock);
  ASSERT_TRUE(j.ok()) << "kill " << kill << ": " << j.status().ToString();
  std::set<std::string> in_journal;
  int64_t expected_seq = 1;
  base::Status st = (*j)->ForEach(0, [&](const journal::Entry& e) {
    EXPECT_EQ(e.seq, expected_seq) << "kill " << kill;
    expected_seq = e.seq + 1;
    EXPECT_TRUE(in_journal.insert(e.uuid).second) << "kill " << kill << ": " << e.uuid << " twice";
    EXPECT_EQ(e.decision, "accepted") << "kill " << kill << ", seq " << e.seq;
    return base::Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  *entries = expected_seq - 1;
  for (const std::string& uuid : seen.printed) {
    ASSERT_EQ(in_journal.count(uuid), 1u)
        << "kill " << kill << ": printed " << uuid << " as accepted but it is not in the journal";
  }
  auto report = (*j)->VerifyChain();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->first_bad_seq, 0) << "kill " << kill << ": " << report->problem;
}

TEST(JournalKillTest, EveryPrintedAcceptanceSurvivesSigkill) {
  IgnoreSigpipe ignore_sigpipe;
  // The real clock: a restarted kiosk must never see time before its journal's last entry.
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  kiosktest::KioskFixture fx(now);
  kiosktest::RegistrySpec spec;
  spec.created = now - kiosktest::kDay;
  spec.not_after = now + 30 * kiosktest::kDay;
  spec.members = {{"M-1"}};
  spec.partners = {kiosktest::MakePartner()};
  spec.offers = {kiosktest::PercentOffer("O-5", 500)};  // no caps: every sale is accepted
  ASSERT_TRUE(fx.WriteRegistry(spec));
  const std::string triple = json{{"cmd", "scan"}, {"text", fx.Card({.member_id = "M-1"})}}.dump() +
                             "\n{\"cmd\":\"amount\",\"minor\":10000}\n{\"cmd\":\"confirm\"}\n";
  const std::vector<std::string> args = {"--headless", "--data-dir", fx.data_dir(),      "--mode",
                                         "shop",       "--partner",  kiosktest::kPartner};

  const uint32_t seed = static_cast<uint32_t>(now);
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  Observed seen;
  int kills = 0, mid_batch = 0, at_start = 0;
  int64_t entries = 0;
  const auto start = Clock::now();
  while (kills < kKills) {
    std::unique_ptr<KioskChild> kiosk = KioskChild::Spawn(args);
    ASSERT_NE(kiosk, nullptr);
    const int mode = static_cast<int>(rng() % 8);
    if (mode == 0) {  // during start-up (opening the journal, the registry, the device key)
      ++at_start;
    } else {
      std::string line;
      ASSERT_TRUE(kiosk->ReadLine(&line, kLineTimeout)) << "no idle screen";
      ASSERT_TRUE(Note(line, &seen)) << line;
      // Queue a batch of sales, read until a random number of acceptances, then kill while the
      // kiosk is still working through the rest (sometimes right after a confirm was written).
      const int batch = 1 + static_cast<int>(rng() % 8);
      const int kill_after = static_cast<int>(rng() % static_cast<uint32_t>(batch + 1));
      std::string input;
      for (int i = 0; i < batch; ++i) input += triple;
      ASSERT_TRUE(kiosk->Write(input));
      for (int accepted = 0; accepted < kill_after;) {
        ASSERT_TRUE(kiosk->ReadLine(&line, kLineTimeout)) << "kiosk stopped answering";
        const int64_t before = seen.accepted_lines;
        ASSERT_TRUE(Note(line, &seen)) << line;
        accepted += static_cast<int>(seen.accepted_lines - before);
      }
      if (kill_after < batch) ++mid_batch;
    }
    kiosk->Kill();
    ++kills;
    // Everything the kiosk printed before it died counts, read or not.
    std::string line;
    while (kiosk->ReadLine(&line, std::chrono::milliseconds(1000))) {
      ASSERT_TRUE(Note(line, &seen)) << line;
    }
    CheckJournal(fx.journal_path(), seen, kills, &entries);
    if (HasFatalFailure()) return;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "[ INFO     ] %d kills (%d at start-up, %d mid-batch), %zu acceptances printed, %lld "
      "entries in the journal, %.1f s\n",
      kills, at_start, mid_batch, seen.printed.size(), static_cast<long long>(entries), seconds);
  EXPECT_GT(seen.printed.size(), static_cast<size_t>(kKills));
}

}  // namespace
