// kiosk::Device::Open and the journal it keeps: a new device starts a chain and names it in
// DIR/journal.id; a device whose journal.db went missing or was swapped does not start a new chain
// silently but refuses to open until an admin starts one (journal::StartNewChain), which records
// the journal it follows. Real files, real SQLite.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "base/fs.h"
#include "journal/chain.h"
#include "journal/device_key.h"
#include "kiosk/device.h"
#include "kiosk_fixture.h"

namespace kiosk {
namespace {

journal::NewEntry Rejected() {
  return {.kind = journal::Kind::kRejected, .verdict = "MALFORMED", .decision = "MALFORMED"};
}

class DeviceJournalTest : public ::testing::Test {
 protected:
  // Opens the device, appends `n` entries, closes it: the journal this device had.
  std::string RunWithEntries(int n) {
    base::Result<Device> d = fx_.OpenDevice();
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    if (!d.ok()) return "";
    for (int i = 0; i < n; ++i) EXPECT_TRUE(d->journal->Append(Rejected()).ok());
    return d->journal->identity().journal_id;
  }
  void RemoveJournalFiles() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(fx_.journal_path() + suffix);
    }
  }

  kiosktest::KioskFixture fx_;
  base::PosixFileSystem fs_;
};

TEST_F(DeviceJournalTest, NewDeviceStartsAChainAndNamesItInTheMarker) {
  const std::string id = RunWithEntries(3);
  ASSERT_EQ(id.size(), 36u);
  // The marker is brought up to date at the next start, not per entry.
  base::Result<Device> again = fx_.OpenDevice();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto marker = journal::ReadChainMarker(fs_, fx_.data_dir());
  ASSERT_TRUE(marker.ok()) << marker.status().ToString();
  ASSERT_TRUE(marker->has_value());
  EXPECT_EQ((*marker)->journal_id, id);
  EXPECT_EQ((*marker)->last_seq, 3);
  EXPECT_TRUE(again->journal->identity().previous_journal_id.empty());
}

TEST_F(DeviceJournalTest, MissingJournalAfterOneExistedIsAnAlarmNotANewChain) {
  const std::string id = RunWithEntries(2);
  ASSERT_TRUE(fx_.OpenDevice().ok());  // marker: seq 2
  RemoveJournalFiles();
  base::Result<Device> d = fx_.OpenDevice();
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), base::StatusCode::kDataLoss);
  EXPECT_NE(d.status().message().find("journal.db is missing"), std::string::npos)
      << d.status().ToString();
  EXPECT_NE(d.status().message().find("an admin must start a new journal"), std::string::npos);
  EXPECT_NE(d.status().message().find(id), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(fx_.journal_path())) << "no new chain was started";
}

TEST_F(DeviceJournalTest, AKeyMadeBeforeTheFirstStartIsNotALostJournal) {
  // `cardctl device pubkey` makes the key to enroll the device before the kiosk ever ran.
  ASSERT_TRUE(journal::LoadOrCreateDeviceKey(fs_, fx_.data_dir()).ok());
  base::Result<Device> d = fx_.OpenDevice();
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->journal->last_seq(), 0);
  EXPECT_TRUE(std::filesystem::exists(fx_.DataFile(journal::kChainMarkerFile)));
}

TEST_F(DeviceJournalTest, JournalOfAnotherChainInItsPlaceIsRefused) {
  RunWithEntries(2);
  RemoveJournalFiles();
  {  // another journal (another device's, or one made by hand) copied in
    base::FakeClock clock(kiosktest::kNow);
    auto other = journal::Journal::Open(fx_.journal_path(), clock);
    ASSERT_TRUE(other.ok());
  }
  base::Result<Device> d = fx_.OpenDevice();
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), base::StatusCode::kDataLoss);
  EXPECT_NE(d.status().message().find("not this device's"), std::string::npos)
      << d.status().ToString();
}

TEST_F(DeviceJournalTest, NewChainRecordsTheJournalItFollows) {
  const std::string old_id = RunWithEntries(4);
  ASSERT_TRUE(fx_.OpenDevice().ok());  // marker: seq 4
  // Refused while journal.db is there: it is evidence, the admin moves it aside first.
  auto refused = journal::StartNewChain(fs_, fx_.data_dir(), fx_.clock());
  EXPECT_EQ(refused.status().code(), base::StatusCode::kAlreadyExists);
  RemoveJournalFiles();
  auto started = journal::StartNewChain(fs_, fx_.data_dir(), fx_.clock());
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_NE(started->journal_id, old_id);
  EXPECT_EQ(started->previous_journal_id, old_id);
  EXPECT_EQ(started->previous_last_seq, 4);
  base::Result<Device> d = fx_.OpenDevice();
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->journal->identity().journal_id, started->journal_id);
  EXPECT_EQ(d->journal->identity().previous_journal_id, old_id);
  EXPECT_EQ(d->journal->identity().previous_last_seq, 4);
  auto e = d->journal->Append(Rejected());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->seq, 1);
}

TEST_F(DeviceJournalTest, UnreadableMarkerIsRefused) {
  RunWithEntries(1);
  ASSERT_TRUE(
      base::WriteFileAtomic(fs_, fx_.DataFile(journal::kChainMarkerFile), "garbage\n").ok());
  base::Result<Device> d = fx_.OpenDevice();
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), base::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace kiosk
