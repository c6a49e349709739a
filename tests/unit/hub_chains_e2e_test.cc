// A kiosk whose journal was lost, end to end through the real programs: the kiosk refuses to go
// on, an admin starts a new chain (`cardctl journal new-chain`), and the new chain reaches the
// hub by network (`cardctl sync`) or by stick (`cardctl journal export`, `cardhub import`). The
// hub then holds both chains, the report counts both and `cardhub flags` shows the new one with
// where the old one ended. On both store backends.
#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <string>
#include <vector>

#include "hub_fixture.h"
#include "journal/journal.h"
#include "subprocess.h"

namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class HubChainsE2eTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx_.UseBackend(GetParam()));
    kiosk_ = fx_.NewKiosk("k1");
    ASSERT_FALSE(kiosk_.empty());
    ASSERT_TRUE(fx_.Enroll(kiosk_, "k1"));
    ASSERT_TRUE(fx_.PublishBundle(1));
  }

  cktest::ProcessResult Cardctl(const std::vector<std::string>& args) {
    return cktest::RunProcess(CK_CARDCTL_PATH, args);
  }
  cktest::ProcessResult Sync() {
    return Cardctl({"sync", "--data-dir", kiosk_, "--hub", fx_.hub().base_url()});
  }
  // Removes journal.db and its side files, as a failing card or a careless hand would.
  void LoseJournal() {
    ASSERT_EQ(::unlink((kiosk_ + "/" + journal::kJournalFile).c_str()), 0);
    (void)::unlink((kiosk_ + "/" + journal::kJournalFile + "-wal").c_str());
    (void)::unlink((kiosk_ + "/" + journal::kJournalFile + "-shm").c_str());
  }
  // The admin's decision: refused while nothing is lost, taken after.
  void NewChain() {
    cktest::ProcessResult r = Cardctl({"journal", "new-chain", "--data-dir", kiosk_, "--confirm"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }
  // What the hub shows afterwards: both chains' entries, both counted, the new chain flagged.
  void ExpectBothChainsHeld(const std::string& old_id, int64_t old_last) {
    cktest::ProcessResult e = fx_.Cardhub({"entries", "--data-dir", fx_.hub_dir()});
    ASSERT_EQ(e.exit_code, 0) << e.Describe();
    size_t lines = 0;
    for (char c : e.out) lines += c == '\n' ? 1 : 0;
    EXPECT_EQ(lines, 5u) << e.out;
    cktest::ProcessResult r = fx_.Cardhub(
        {"report", "--data-dir", fx_.hub_dir(), "--from", "2020-01-01", "--to", "2030-12-31"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_TRUE(Has(r.out, "\r\nP-1;Shop;5;5000,00;500,00;0,00\r\n")) << r.out;
    cktest::ProcessResult f = fx_.Cardhub({"flags", "--data-dir", fx_.hub_dir()});
    ASSERT_EQ(f.exit_code, 0) << f.Describe();
    EXPECT_TRUE(Has(f.out, "new_chain device=k1 chain=2 journal=" + fx_.JournalId(kiosk_)))
        << f.out;
    EXPECT_TRUE(Has(f.out, "previous_journal=" + old_id +
                               " reason=new journal chain: previous chain ended at seq " +
                               std::to_string(old_last)))
        << f.out;
  }

  hubtest::HubFixture fx_;
  std::string kiosk_;
};

TEST_P(HubChainsE2eTest, NewChainAfterALostJournalGoesUpBySync) {
  ASSERT_TRUE(fx_.StartHub());
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 3));
  cktest::ProcessResult r = Sync();
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Has(r.out, "journal: pushed entries 1..3, hub acknowledged 3")) << r.out;
  const std::string old_id = fx_.JournalId(kiosk_);
  LoseJournal();
  r = Sync();
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Has(r.err, "journal.db is missing")) << r.Describe();
  NewChain();
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 2));
  r = Sync();
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  // Acknowledged per chain: the new chain's 2, not the old chain's 3.
  EXPECT_TRUE(Has(r.out,
                  "journal: pushed entries 1..2, hub acknowledged 2 (stored 2, "
                  "duplicates 0)"))
      << r.out;
  ExpectBothChainsHeld(old_id, 3);
  r = Sync();
  EXPECT_TRUE(Has(r.out, "journal: nothing to send (acknowledged through 2)")) << r.out;
}

TEST_P(HubChainsE2eTest, NewChainAfterALostJournalComesByStick) {
  // Entries dated a few days before the hub's (real) clock: import refuses the future.
  fx_.clock().Set(static_cast<int64_t>(std::time(nullptr)) - 3 * 86400);
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 3));
  const std::string first = fx_.root() + "/first.ckjournal";
  cktest::ProcessResult r = Cardctl({"journal", "export", "--data-dir", kiosk_, "--out", first});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  r = fx_.Cardhub({"import", "--data-dir", fx_.hub_dir(), first});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const std::string old_id = fx_.JournalId(kiosk_);
  LoseJournal();
  NewChain();
  ASSERT_TRUE(fx_.AppendDiscounts(kiosk_, 2));
  const std::string second = fx_.root() + "/second.ckjournal";
  r = Cardctl({"journal", "export", "--data-dir", kiosk_, "--out", second});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  r = fx_.Cardhub({"import", "--data-dir", fx_.hub_dir(), second, first});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Has(r.out,
                  "second.ckjournal: device k1: seqs 1-2: stored 2, already held 0 "
                  "(held through seq 2)"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "first.ckjournal: device k1: seqs 1-3: stored 0, already held 3"))
      << r.out;
  ExpectBothChainsHeld(old_id, 3);
}

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }
INSTANTIATE_TEST_SUITE_P(Backends, HubChainsE2eTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
