// A bundle apply killed (SIGKILL) at many points: bundle_apply_child applies seq 2 (a full bundle,
// or a delta) over seq 1 and kills itself just before mutating operation K (a file operation, or
// for a delta a write, sync or delete of SQLite's on the registry and its journal). Whatever K,
// the registry left behind (its journal played back, as the device's next open does) opens,
// passes quick_check and is seq 1 or seq 2; a normal apply of seq 2 then succeeds and cleans up.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <string>

#include "base/clock.h"
#include "base/fs.h"
#include "base/hex.h"
#include "bundle/importer.h"
#include "bundle_fixture.h"
#include "real_fs.h"
#include "registry/state.h"
#include "sqlite/db.h"
#include "subprocess.h"

namespace {

using cktest::kFixtureNow;

// Members in the seq-2 bundle: about 16 bytes of registry each, written in 128 KiB appends, so
// about 70 mutating operations per apply. Each run of the child takes a few tens of ms under ASan.
constexpr size_t kMembers = 500'000;
constexpr int kKillPoints = 50;  // at least, spread over [1, total], first and last included
constexpr uint32_t kSeed = 20270115;

// The bundles and the seq-1 registry, built once for the suite.
struct KillCorpus {
  cktest::ScratchDir dir;
  cktest::BundleFactory factory{dir.File("build")};
  std::string seq2, trusted_pem, golden = dir.File("golden");
  base::Bytes expected[2];  // registry.db of seq 1 and of seq 2, byte for byte
  // The delta case: seq 1 with kMembers members, and a delta to a seq 2 with 1,000 of them
  // suspended; registry.db before and after it.
  std::string delta12, golden_delta = dir.File("golden-delta");
  base::Bytes expected_delta[2];

  KillCorpus() {
    auto b1 = factory.Build({.seq = 1});
    auto b2 = factory.Build({.seq = 2, .extra_members = kMembers, .seed = 2});
    EXPECT_TRUE(b1.ok()) << b1.status().ToString();
    EXPECT_TRUE(b2.ok()) << b2.status().ToString();
    if (!b1.ok() || !b2.ok()) return;
    seq2 = b2->path;
    trusted_pem = factory.WriteTrustedKeyPem();
    cktest::MakeDir(golden);
    base::FakeClock clock(kFixtureNow);
    bundle::Importer importer(cktest::RealFs(), clock, golden, factory.trusted());
    EXPECT_TRUE(importer.Apply(b1->path).ok());
    expected[0] = cktest::ReadBytes(importer.registry_path());
    const std::string golden2 = dir.File("golden2");
    cktest::MakeDir(golden2);
    bundle::Importer importer2(cktest::RealFs(), clock, golden2, factory.trusted());
    EXPECT_TRUE(importer2.Apply(b2->path).ok());
    expected[1] = cktest::ReadBytes(importer2.registry_path());
    BuildDeltaCase(clock);
  }

  void BuildDeltaCase(const base::Clock& clock) {
    const cktest::BundleSpec from{
        .seq = 1, .extra_members = kMembers, .seed = 2, .file_name = "dseq1.ckbundle"};
    cktest::BundleSpec to = from;
    to.seq = 2;
    to.edit = [](registry::RegistryContents* c) {
      for (size_t i = 0; i < c->members.size(); i += c->members.size() / 1000)
        c->members[i].state = card::MemberState::kSuspended;
    };
    auto b1 = factory.Build(from);
    auto d = factory.BuildDelta(from, to);
    EXPECT_TRUE(b1.ok() && d.ok());
    if (!b1.ok() || !d.ok()) return;
    delta12 = d->path;
    cktest::MakeDir(golden_delta);
    bundle::Importer importer(cktest::RealFs(), clock, golden_delta, factory.trusted());
    EXPECT_TRUE(importer.Apply(b1->path).ok());
    expected_delta[0] = cktest::ReadBytes(importer.registry_path());
    // The state of seq 1 recorded, as after a delta: each child skips reading the registry.
    auto db = sqlite::Db::Open(importer.registry_path(), sqlite::Db::Mode::kReadOnly);
    ASSERT_TRUE(db.ok());
    auto digest = registry::ComputeStateDigest(*db);
    ASSERT_TRUE(digest.ok());
    EXPECT_TRUE(cktest::WriteText(golden_delta + "/" + bundle::kStateFile,
                                  "1 " + std::to_string(from.created) + " " +
                                      std::to_string(expected_delta[0].size()) + " " +
                                      base::ToHex(*digest) + "\n"));
    const std::string after = dir.File("golden-delta2");
    cktest::MakeDir(after);
    EXPECT_TRUE(cktest::WriteBytes(after + "/registry.db", expected_delta[0]));
    bundle::Importer importer2(cktest::RealFs(), clock, after, factory.trusted());
    EXPECT_TRUE(importer2.Apply(delta12).ok());
    expected_delta[1] = cktest::ReadBytes(importer2.registry_path());
  }
};

class BundleKillTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { corpus_ = new KillCorpus(); }
  static void TearDownTestSuite() {
    delete corpus_;
    corpus_ = nullptr;
  }

  BundleKillTest()
      : data_(dir_.File("data")),
        seq2_(corpus_->seq2),
        trusted_pem_(corpus_->trusted_pem),
        golden_(corpus_->golden),
        clock_(kFixtureNow) {}

  void SetUp() override { ASSERT_FALSE(seq2_.empty()) << "the bundles were not built"; }

  void ResetDataDir() {
    std::error_code ec;
    std::filesystem::remove_all(data_, ec);
    cktest::MakeDir(data_);
    cktest::CopyFile((delta_ ? corpus_->golden_delta : golden_) + "/registry.db",
                     data_ + "/registry.db");
    if (delta_) {
      cktest::CopyFile(corpus_->golden_delta + "/" + bundle::kStateFile,
                       data_ + "/" + bundle::kStateFile);
    }
  }

  const std::string& Bundle() const { return delta_ ? corpus_->delta12 : seq2_; }
  const base::Bytes& Expected(int64_t seq) const {
    return (delta_ ? corpus_->expected_delta : corpus_->expected)[seq - 1];
  }

  cktest::ProcessResult RunChild(int64_t kill_at) {
    return cktest::RunProcess(
        CK_BUNDLE_CHILD_PATH,
        {data_, trusted_pem_, Bundle(), std::to_string(kill_at), std::to_string(kFixtureNow)},
        {.timeout = std::chrono::milliseconds(60'000)});
  }

  // Kills the child at many operations; after each, the registry is seq 1 or seq 2, whole, and a
  // normal apply finishes the job.
  void KillLoop();

  // The "ops N" line of the child's output, or -1.
  static int64_t OpsOf(const std::string& out) {
    const size_t at = out.find("ops ");
    return at == std::string::npos ? -1 : std::stoll(out.substr(at + 4));
  }

  // 1 and `total`, and random distinct points in between (fixed seed) up to kKillPoints.
  static std::set<int64_t> KillPoints(int64_t total) {
    std::set<int64_t> points = {1, total};
    std::mt19937 rng(kSeed);
    std::uniform_int_distribution<int64_t> pick(1, total);
    while (static_cast<int>(points.size()) < std::min<int64_t>(kKillPoints, total)) {
      points.insert(pick(rng));
    }
    return points;
  }

  static KillCorpus* corpus_;
  bool delta_ = false;  // apply the delta instead of the full seq-2 bundle
  cktest::ScratchDir dir_;
  std::string data_, seq2_, trusted_pem_, golden_;
  base::FakeClock clock_;
};

KillCorpus* BundleKillTest::corpus_ = nullptr;

TEST_F(BundleKillTest, ChildWithoutAKillPointAppliesAndCountsItsOperations) {
  ResetDataDir();
  cktest::ProcessResult r = RunChild(-1);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out.rfind("applied 2\n", 0), 0u) << r.out;
  EXPECT_GT(OpsOf(r.out), 0) << r.out;
  EXPECT_EQ(cktest::InspectDataDir(data_).seq, 2);
}

void BundleKillTest::KillLoop() {
  ResetDataDir();
  cktest::ProcessResult counting = RunChild(-1);
  ASSERT_EQ(counting.exit_code, 0) << counting.Describe();
  const int64_t total = OpsOf(counting.out);
  ASSERT_GE(total, kKillPoints) << "too few operations per apply; raise kMembers";

  std::set<int64_t> points = KillPoints(total);
  points.insert(total + 1);  // past the end: the child must finish normally
  int killed = 0, kept_old = 0, installed_new = 0, left_incoming = 0, left_journal = 0;
  for (int64_t k : points) {
    ResetDataDir();
    cktest::ProcessResult r = RunChild(k);
    SCOPED_TRACE("kill at op " + std::to_string(k) + " of " + std::to_string(total) + ": " +
                 r.Describe() + " " + r.out);
    ASSERT_FALSE(r.timed_out);
    if (k <= total) {
      EXPECT_EQ(r.term_signal, SIGKILL);
      ++killed;
    } else {
      EXPECT_EQ(r.exit_code, 0);
      EXPECT_EQ(r.out.rfind("applied 2\n", 0), 0u);
    }
    const cktest::RegistryState s = cktest::InspectDataDir(data_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(s.seq == 1 || s.seq == 2) << s.ToString();
    EXPECT_TRUE(cktest::ReadBytes(data_ + "/registry.db") == Expected(s.seq))
        << "registry.db says seq " << s.seq << " but is not that registry byte for byte";
    (s.seq == 1 ? kept_old : installed_new)++;
    if (s.incoming_exists) ++left_incoming;
    if (s.journal_existed) ++left_journal;

    // A normal apply afterwards: seq 2 goes in (or is already in, and can be reinstalled).
    bundle::Importer importer(cktest::RealFs(), clock_, data_, corpus_->factory.trusted());
    base::Result<bundle::ApplyReport> again = importer.Apply(Bundle());
    if (s.seq == 1) {
      EXPECT_TRUE(again.ok()) << again.status().ToString();
    } else if (delta_) {
      ASSERT_FALSE(again.ok());
      EXPECT_TRUE(cktest::Contains(again.status().message(), "already applied"));
    } else {
      ASSERT_FALSE(again.ok());
      EXPECT_TRUE(cktest::Contains(again.status().message(), "already applied"));
      again = importer.Apply(seq2_, {.reinstall_same_seq = true});
      EXPECT_TRUE(again.ok()) << again.status().ToString();
    }
    const cktest::RegistryState after = cktest::InspectDataDir(data_);
    EXPECT_TRUE(after.ok()) << after.ToString();
    EXPECT_EQ(after.seq, 2);
    EXPECT_FALSE(after.incoming_exists);
  }
  std::printf(
      "kill test: %d ops per apply, %d kill points (+1 past the end): %d kept seq 1, "
      "%d had seq 2, %d left an incoming file, %d a journal to play back\n",
      static_cast<int>(total), killed, kept_old, installed_new, left_incoming, left_journal);
  EXPECT_GE(killed, kKillPoints);
  EXPECT_GT(kept_old, 0);
  EXPECT_GT(installed_new, 1);  // the kill at the final directory sync, and the run past the end
  // A full apply writes a new file beside the registry; a delta changes the registry in place,
  // and a kill before its commit leaves the journal that puts the old one back.
  EXPECT_GT(delta_ ? left_journal : left_incoming, 0);
  if (delta_) {
    EXPECT_EQ(left_incoming, 0);
  }
}

TEST_F(BundleKillTest, KilledAtAnyOperationLeavesSeq1OrSeq2) { KillLoop(); }

TEST_F(BundleKillTest, KilledAtAnyOperationOfADeltaApplyLeavesSeq1OrSeq2) {
  ASSERT_FALSE(corpus_->delta12.empty()) << "the delta was not built";
  delta_ = true;
  KillLoop();
}

}  // namespace
