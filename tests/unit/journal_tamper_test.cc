// Tampering with journal.db (through raw SQL, triggers dropped first) and with .ckjournal exports:
// each edit must be named by its first bad seq, by Journal::VerifyChain / journal::CheckExport and
// by `cardctl journal verify` (exit 1). Also what cannot be seen from the file alone: a removed
// tail, or a chain rewritten from some entry on (docs/journal.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/fs.h"
#include "base/hex.h"
#include "journal/chain.h"
#include "journal/device_key.h"
#include "journal/export.h"
#include "journal/journal.h"
#include "real_fs.h"
#include "sqlite/db.h"
#include "subprocess.h"

namespace {

constexpr int64_t kNow = 1'800'000'000;
const card::Rid kAnna = {1, 1, 1, 1, 1, 1, 1, 1};
const card::Rid kBoris = {2, 2, 2, 2, 2, 2, 2, 2};
const card::Rid kVera = {3, 3, 3, 3, 3, 3, 3, 3};

journal::NewEntry Discount(const std::string& partner, const card::Rid& rid, int64_t purchase,
                           int64_t discount, const std::string& decision = journal::kAccepted) {
  return {.kind = journal::Kind::kDiscount,
          .rid = rid,
          .partner_id = partner,
          .offer_id = "O-" + partner,
          .purchase_minor = purchase,
          .discount_minor = discount,
          .bundle_seq = 4,
          .verdict = "VALID",
          .decision = decision};
}

journal::NewEntry Checkin(const card::Rid& rid, const std::string& decision = journal::kAccepted) {
  return {.kind = journal::Kind::kCheckin,
          .rid = rid,
          .event_id = "E-CONF",
          .bundle_seq = 4,
          .verdict = "VALID",
          .decision = decision};
}

journal::NewEntry Rejected(const std::string& verdict) {
  return {.kind = journal::Kind::kRejected,
          .partner_id = "P-BOOKS",
          .bundle_seq = 4,
          .verdict = verdict,
          .decision = verdict};
}

// Ten entries with known totals: P-BOOKS 3 discounts (420 of 6000) and 1 refused; P-CAFE 1
// discount (50 of 500); E-CONF 2 check-ins and 1 refused; 2 rejected scans.
std::vector<journal::NewEntry> TenEntries() {
  return {Discount("P-BOOKS", kAnna, 1000, 70),
          Checkin(kAnna),
          Rejected("EXPIRED"),
          Discount("P-BOOKS", kBoris, 2000, 140),
          Discount("P-BOOKS", kAnna, 5000, 0, "LIMIT_REACHED"),
          Checkin(kBoris),
          Discount("P-CAFE", kVera, 500, 50),
          Checkin(kVera, "NOT_REGISTERED"),
          Rejected("BAD_SIGNATURE"),
          Discount("P-BOOKS", kVera, 3000, 210)};
}

void WriteAll(const std::string& path, const base::Bytes& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not in:\n" << text;
}

cktest::ProcessResult Cardctl(const std::vector<std::string>& args) {
  return cktest::RunProcess(CK_CARDCTL_PATH, args);
}

class JournalTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto j = journal::Journal::Open(db_path(), clock_);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    for (const journal::NewEntry& n : TenEntries()) {
      clock_.Advance(30);
      auto e = (*j)->Append(n);
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      entries_.push_back(*e);
    }
  }

  std::string db_path() const { return dir_.File(journal::kJournalFile); }

  // Raw SQL on the file, with the append-only triggers dropped first (as an attacker would).
  void Tamper(const std::string& sql) {
    auto db = sqlite::Db::Open(db_path(), sqlite::Db::Mode::kReadWrite);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(db->Exec("DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete; "
                         "DROP TRIGGER entries_append_only")
                    .ok());
    base::Status st = db->Exec(sql);
    ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
    ASSERT_TRUE(db->Close().ok());
  }

  journal::ChainReport Verify() {
    auto j = journal::Journal::Open(db_path(), clock_);
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    if (!j.ok()) return {};
    auto report = (*j)->VerifyChain();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : journal::ChainReport{};
  }

  // The chain check and `cardctl journal verify --data-dir` must both name `seq`.
  void ExpectFirstBad(int64_t seq, const std::string& why) {
    journal::ChainReport report = Verify();
    EXPECT_EQ(report.first_bad_seq, seq) << report.problem;
    EXPECT_TRUE(Contains(report.problem, why));
    cktest::ProcessResult r = Cardctl({"journal", "verify", "--data-dir", dir_.path()});
    EXPECT_EQ(r.exit_code, 1) << r.Describe();
    EXPECT_TRUE(Contains(r.out, "first bad seq " + std::to_string(seq) + ":"));
  }

  cktest::TempDir dir_;
  base::FakeClock clock_{kNow};
  std::vector<journal::Entry> entries_;
};

TEST_F(JournalTamperTest, CleanJournalVerifies) {
  journal::ChainReport report = Verify();
  EXPECT_EQ(report.entries, 10);
  EXPECT_EQ(report.first_bad_seq, 0);
  cktest::ProcessResult r = Cardctl({"journal", "verify", "--data-dir", dir_.path()});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "entries: 10"));
  EXPECT_TRUE(Contains(r.out, "chain: OK"));
}

TEST_F(JournalTamperTest, EditedFieldIsNamed) {
  Tamper("UPDATE entries SET discount_minor = discount_minor + 100 WHERE seq = 5");
  ExpectFirstBad(5, "edited");
}

TEST_F(JournalTamperTest, EditedFirstEntryIsNamed) {
  Tamper("UPDATE entries SET time_utc = time_utc - 3600 WHERE seq = 1");
  ExpectFirstBad(1, "edited");
}

TEST_F(JournalTamperTest, DeletedEntryIsNamed) {
  Tamper("DELETE FROM entries WHERE seq = 5");
  ExpectFirstBad(5, "missing");
}

TEST_F(JournalTamperTest, DeletedFirstEntryIsNamed) {
  Tamper("DELETE FROM entries WHERE seq = 1");
  ExpectFirstBad(1, "missing");
}

TEST_F(JournalTamperTest, SwappedEntriesAreNamed) {
  // The contents of rows 4 and 5 change places; the seq column stays where it was.
  Tamper(
      "CREATE TEMP TABLE t AS SELECT * FROM entries WHERE seq IN (4, 5);"
      "DELETE FROM entries WHERE seq IN (4, 5);"
      "INSERT INTO entries SELECT 9 - seq, uuid, kind, time_utc, mono_ns, rid, partner_id, "
      "event_id,"
      " offer_id, purchase_minor, discount_minor, bundle_seq, verdict, decision, prev_hash, hash,"
      " cashback_minor, ref_uuid, actor, clock_before_utc FROM t;");
  ExpectFirstBad(4, "does not link");
}

TEST_F(JournalTamperTest, EditWithRecomputedHashNamesTheNextEntry) {
  journal::Entry e = entries_[4];
  e.discount_minor += 100;
  e.hash = journal::ComputeHash(e);
  Tamper("UPDATE entries SET discount_minor = " + std::to_string(e.discount_minor) + ", hash = x'" +
         base::ToHex(e.hash) + "' WHERE seq = 5");
  ExpectFirstBad(6, "does not link");
}

// A row that cannot be read back as an entry (a kind or rid no kiosk writes) is tampering too:
// the chain check must name it like any other bad entry rather than give up with an error.
TEST_F(JournalTamperTest, UnreadableRowIsNamed) {
  Tamper("UPDATE entries SET kind = 'refund' WHERE seq = 5");
  ExpectFirstBad(5, "");
}

TEST_F(JournalTamperTest, ShortRidIsNamed) {
  Tamper("UPDATE entries SET rid = x'0102' WHERE seq = 5");
  ExpectFirstBad(5, "");
}

// What the file alone cannot show (docs/journal.md): a chain rewritten from entry 5 to the end is
// consistent. An export collected before it still holds the original hashes and gives it away.
TEST_F(JournalTamperTest, RewrittenTailIsOnlySeenAgainstAnEarlierExport) {
  auto key = journal::LoadOrCreateDeviceKey(cktest::RealFs(), dir_.path());
  ASSERT_TRUE(key.ok());
  base::Bytes before;
  {
    auto j = journal::Journal::Open(db_path(), clock_);
    ASSERT_TRUE(j.ok());
    auto x = journal::WriteExport(**j, 1, "dev", *key, kNow);
    ASSERT_TRUE(x.ok());
    before = *x;
  }
  std::string sql;
  journal::Hash prev = entries_[3].hash;
  for (size_t i = 4; i < entries_.size(); ++i) {
    journal::Entry e = entries_[i];
    if (i == 4) e.discount_minor += 100;
    e.prev_hash = prev;
    e.hash = journal::ComputeHash(e);
    prev = e.hash;
    sql += "UPDATE entries SET discount_minor = " + std::to_string(e.discount_minor) +
           ", prev_hash = x'" + base::ToHex(e.prev_hash) + "', hash = x'" + base::ToHex(e.hash) +
           "' WHERE seq = " + std::to_string(e.seq) + ";";
  }
  Tamper(sql);
  EXPECT_EQ(Verify().first_bad_seq, 0);  // undetectable from the file alone
  auto pub = key->Public();
  ASSERT_TRUE(pub.ok());
  auto old_batch = journal::CheckExport(before, *pub);
  ASSERT_TRUE(old_batch.ok());
  ASSERT_TRUE(old_batch->ok());
  auto j = journal::Journal::Open(db_path(), clock_);
  ASSERT_TRUE(j.ok());
  int64_t first_differing = 0;
  ASSERT_TRUE((*j)->ForEach(1,
                            [&](const journal::Entry& e) {
                              const auto i = static_cast<size_t>(e.seq - 1);
                              if (first_differing == 0 && old_batch->entries[i].hash != e.hash) {
                                first_differing = e.seq;
                              }
                              return base::Status::Ok();
                            })
                  .ok());
  EXPECT_EQ(first_differing, 5);
}

// A removed tail leaves a consistent chain; cardctl sees it only when an acknowledgement recorded
// beside the entries points past the new end.
TEST_F(JournalTamperTest, RemovedTailIsOnlySeenAgainstAnAck) {
  Tamper("DELETE FROM entries WHERE seq >= 9");
  EXPECT_EQ(Verify().first_bad_seq, 0);
  cktest::ProcessResult r = Cardctl({"journal", "verify", "--data-dir", dir_.path()});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();

  cktest::TempDir acked_dir;
  {
    auto j = journal::Journal::Open(acked_dir.File(journal::kJournalFile), clock_);
    ASSERT_TRUE(j.ok());
    for (const journal::NewEntry& n : TenEntries()) ASSERT_TRUE((*j)->Append(n).ok());
    ASSERT_TRUE((*j)->Ack(10).ok());
  }
  auto db = sqlite::Db::Open(acked_dir.File(journal::kJournalFile), sqlite::Db::Mode::kReadWrite);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq >= 9").ok());
  ASSERT_TRUE(db->Close().ok());
  r = Cardctl({"journal", "verify", "--data-dir", acked_dir.path()});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "first bad seq 9:"));
  EXPECT_TRUE(Contains(r.out, "acknowledged"));
}

TEST_F(JournalTamperTest, CardctlRefusesADirectoryWithoutJournal) {
  cktest::TempDir empty;
  cktest::ProcessResult r = Cardctl({"journal", "verify", "--data-dir", empty.path()});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "no journal"));
  EXPECT_FALSE(std::filesystem::exists(empty.File(journal::kJournalFile)));
}

// A lost journal: `cardctl journal new-chain` starts the next chain only with --confirm, only
// where journal.db is missing, and records the lost journal's id and last seq from the marker.
TEST_F(JournalTamperTest, NewChainFollowsTheLostJournal) {
  base::PosixFileSystem fs;
  std::string old_id;
  {
    auto j = journal::Journal::Open(db_path(), clock_);
    ASSERT_TRUE(j.ok());
    old_id = (*j)->identity().journal_id;
  }
  ASSERT_TRUE(journal::WriteChainMarker(fs, dir_.path(), {old_id, 10}).ok());
  cktest::ProcessResult r =
      Cardctl({"journal", "new-chain", "--data-dir", dir_.path(), "--confirm"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();  // journal.db is still there: evidence
  EXPECT_TRUE(Contains(r.err, "exists"));
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path() + suffix);
  r = Cardctl({"journal", "new-chain", "--data-dir", dir_.path()});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "--confirm"));
  EXPECT_FALSE(std::filesystem::exists(db_path()));
  r = Cardctl({"journal", "new-chain", "--data-dir", dir_.path(), "--confirm"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "previous_journal_id: " + old_id));
  EXPECT_TRUE(Contains(r.out, "previous_last_seq: 10"));
  auto j = journal::Journal::Open(db_path(), clock_);
  ASSERT_TRUE(j.ok());
  EXPECT_NE((*j)->identity().journal_id, old_id);
  EXPECT_EQ((*j)->identity().previous_journal_id, old_id);
  EXPECT_EQ((*j)->identity().previous_last_seq, 10);
  EXPECT_EQ((*j)->last_seq(), 0);
  auto marker = journal::ReadChainMarker(fs, dir_.path());
  ASSERT_TRUE(marker.ok() && marker->has_value());
  EXPECT_EQ((*marker)->journal_id, (*j)->identity().journal_id);
  EXPECT_EQ((*marker)->last_seq, 0);
}

// ---------------------------------------------------------------------------------------------
// Exports

class ExportTamperTest : public JournalTamperTest {
 protected:
  void SetUp() override {
    JournalTamperTest::SetUp();
    if (HasFatalFailure()) return;
    auto key = journal::LoadOrCreateDeviceKey(cktest::RealFs(), dir_.path());
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    auto pub = key->Public();
    ASSERT_TRUE(pub.ok());
    pub_ = *pub;
    auto j = journal::Journal::Open(db_path(), clock_);
    ASSERT_TRUE(j.ok());
    auto x = journal::WriteExport(**j, 1, "kiosk-7", *key, kNow + 1000);
    ASSERT_TRUE(x.ok()) << x.status().ToString();
    file_ = *x;
    ASSERT_GT(file_.size(), 12u);
    const size_t header_len = (size_t{file_[8]} << 24) | (size_t{file_[9]} << 16) |
                              (size_t{file_[10]} << 8) | size_t{file_[11]};
    size_t at = 12 + header_len;
    body_start_ = at;
    for (const journal::Entry& e : entries_) {
      const size_t n = journal::EncodeEntry(e).size();
      spans_.push_back({at, n});
      at += n;
    }
    ASSERT_EQ(at, file_.size());  // the body is the entries, concatenated
  }

  base::Bytes EntryBytes(size_t i) const {
    return base::Bytes(file_.begin() + static_cast<ptrdiff_t>(spans_[i].first),
                       file_.begin() + static_cast<ptrdiff_t>(spans_[i].first + spans_[i].second));
  }

  journal::ExportCheck Check(const base::Bytes& file) {
    auto c = journal::CheckExport(file, pub_.value());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : journal::ExportCheck{};
  }

  // `cardctl journal verify` on `file`: exit code and output.
  cktest::ProcessResult CardctlVerify(const base::Bytes& file) {
    const std::string path = dir_.File("batch.ckjournal");
    WriteAll(path, file);
    return Cardctl(
        {"journal", "verify", path, "--device-pubkey", dir_.File(journal::kDevicePubFile)});
  }

  void ExpectCardctlNames(const base::Bytes& file, int64_t seq) {
    cktest::ProcessResult r = CardctlVerify(file);
    EXPECT_EQ(r.exit_code, 1) << r.Describe();
    EXPECT_TRUE(Contains(r.out, "first bad seq " + std::to_string(seq)));
    EXPECT_TRUE(Contains(r.out, "result: BAD"));
  }

  std::optional<card::PublicKey> pub_;
  base::Bytes file_;
  size_t body_start_ = 0;
  std::vector<std::pair<size_t, size_t>> spans_;  // offset and size of each entry
};

TEST_F(ExportTamperTest, CleanExportVerifiesWithTotals) {
  journal::ExportCheck c = Check(file_);
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.entries.size(), 10u);
  cktest::ProcessResult r = CardctlVerify(file_);
  ASSERT_EQ(r.exit_code, 0) << r.Describe() << r.out;
  EXPECT_TRUE(Contains(r.out, "device: kiosk-7\n"));
  EXPECT_TRUE(Contains(r.out, "seq: 1-10\n"));
  EXPECT_TRUE(Contains(r.out, "signature: OK\n"));
  EXPECT_TRUE(Contains(r.out, "body hash: OK\n"));
  EXPECT_TRUE(Contains(r.out, "entries: OK"));
  EXPECT_TRUE(Contains(
      r.out, "partner P-BOOKS: discounts 3, discount_minor 420, purchase_minor 6000, refused 1\n"));
  EXPECT_TRUE(Contains(
      r.out, "partner P-CAFE: discounts 1, discount_minor 50, purchase_minor 500, refused 0\n"));
  EXPECT_TRUE(Contains(r.out, "event E-CONF: checkins 2, refused 1\n"));
  EXPECT_TRUE(Contains(r.out, "rejected scans: 2\n"));
  EXPECT_TRUE(Contains(r.out, "result: OK\n"));
}

TEST_F(ExportTamperTest, FlippedByteInAnEntryIsNamed) {
  base::Bytes bad = file_;
  const std::string& uuid = entries_[4].uuid;
  auto it = std::search(bad.begin() + static_cast<ptrdiff_t>(body_start_), bad.end(), uuid.begin(),
                        uuid.end());
  ASSERT_NE(it, bad.end());
  *it ^= 0x01;  // still a valid text string, so the entry parses and its hash is what fails
  journal::ExportCheck c = Check(bad);
  EXPECT_TRUE(c.signature_ok);
  EXPECT_FALSE(c.body_hash_ok);
  EXPECT_EQ(c.first_bad_seq, 5);
  EXPECT_TRUE(Contains(c.problem, "edited"));
  ExpectCardctlNames(bad, 5);
  EXPECT_TRUE(Contains(CardctlVerify(bad).out, "body hash: BAD"));
}

TEST_F(ExportTamperTest, GarbledEntryIsNamed) {
  base::Bytes bad = file_;
  bad[spans_[4].first] = 0xff;  // a CBOR "break" where entry 5's map starts
  journal::ExportCheck c = Check(bad);
  EXPECT_FALSE(c.body_hash_ok);
  EXPECT_EQ(c.first_bad_seq, 5);
  EXPECT_TRUE(Contains(c.problem, "unreadable"));
  ExpectCardctlNames(bad, 5);
}

TEST_F(ExportTamperTest, DeletedEntryIsNamed) {
  base::Bytes bad = file_;
  bad.erase(bad.begin() + static_cast<ptrdiff_t>(spans_[4].first),
            bad.begin() + static_cast<ptrdiff_t>(spans_[4].first + spans_[4].second));
  journal::ExportCheck c = Check(bad);
  EXPECT_TRUE(c.signature_ok);
  EXPECT_FALSE(c.body_hash_ok);
  EXPECT_EQ(c.first_bad_seq, 5);
  EXPECT_EQ(c.entries.size(), 9u);
  ExpectCardctlNames(bad, 5);
}

TEST_F(ExportTamperTest, ReorderedEntriesAreNamed) {
  base::Bytes bad(file_.begin(), file_.begin() + static_cast<ptrdiff_t>(spans_[3].first));
  base::Bytes fourth = EntryBytes(3), fifth = EntryBytes(4);
  bad.insert(bad.end(), fifth.begin(), fifth.end());
  bad.insert(bad.end(), fourth.begin(), fourth.end());
  bad.insert(bad.end(), file_.begin() + static_cast<ptrdiff_t>(spans_[5].first), file_.end());
  ASSERT_EQ(bad.size(), file_.size());
  journal::ExportCheck c = Check(bad);
  EXPECT_TRUE(c.signature_ok);
  EXPECT_FALSE(c.body_hash_ok);
  EXPECT_EQ(c.first_bad_seq, 4);
  ExpectCardctlNames(bad, 4);
}

TEST_F(ExportTamperTest, RemovedLastEntryIsFlagged) {
  base::Bytes bad(file_.begin(), file_.begin() + static_cast<ptrdiff_t>(spans_[9].first));
  journal::ExportCheck c = Check(bad);
  EXPECT_TRUE(c.signature_ok);
  EXPECT_FALSE(c.body_hash_ok);  // the signed header holds the hash of all ten
  EXPECT_EQ(c.first_bad_seq, 10);
  EXPECT_TRUE(Contains(c.problem, "should hold 10 entries"));
  ExpectCardctlNames(bad, 10);
}

TEST_F(ExportTamperTest, ChangedHeaderCountBreaksTheSignature) {
  base::Bytes bad = file_;
  // In the signed header: key 7 (count = 10), then key 8 and a 32-byte string (body hash).
  const base::Bytes pattern = {0x07, 0x0a, 0x08, 0x58, 0x20};
  auto it = std::search(bad.begin(), bad.begin() + static_cast<ptrdiff_t>(body_start_),
                        pattern.begin(), pattern.end());
  ASSERT_NE(it, bad.begin() + static_cast<ptrdiff_t>(body_start_));
  *(it + 1) = 0x0b;
  journal::ExportCheck c = Check(bad);
  EXPECT_FALSE(c.signature_ok);
  EXPECT_TRUE(Contains(c.signature_problem, "does not verify"));
  EXPECT_EQ(c.header.count, 11);
  EXPECT_FALSE(c.ok());
  cktest::ProcessResult r = CardctlVerify(bad);
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "signature: BAD"));
}

TEST_F(ExportTamperTest, ChangedSignatureIsFlagged) {
  base::Bytes bad = file_;
  bad[body_start_ - 1] ^= 0x80;  // the COSE_Sign1 ends with the signature
  journal::ExportCheck c = Check(bad);
  EXPECT_FALSE(c.signature_ok);
  EXPECT_TRUE(c.body_hash_ok);
  EXPECT_EQ(c.first_bad_seq, 0);
  cktest::ProcessResult r = CardctlVerify(bad);
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "signature: BAD"));
}

// Every single-bit change anywhere in the file is caught, and none crashes the checker.
TEST_F(ExportTamperTest, EveryFlippedBitIsCaught) {
  for (size_t i = 0; i < file_.size(); ++i) {
    base::Bytes bad = file_;
    bad[i] ^= static_cast<uint8_t>(1u << (i % 8));
    auto c = journal::CheckExport(bad, pub_.value());
    EXPECT_TRUE(!c.ok() || !c->ok()) << "flip at byte " << i << " went unnoticed";
  }
}

TEST_F(ExportTamperTest, NotAnExport) {
  const base::Bytes junk = {'C', 'K', 'B', 'U', 'N', 'D', 'L', 'E', 0, 0, 0, 1, 0xa0};
  EXPECT_FALSE(journal::CheckExport(junk, pub_.value()).ok());
  cktest::ProcessResult r = CardctlVerify(junk);
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "not a cardkiosk journal export"));
  r = Cardctl({"journal", "verify", dir_.File("missing.ckjournal"), "--device-pubkey",
               dir_.File(journal::kDevicePubFile)});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  r = Cardctl({"journal", "verify", dir_.File("missing.ckjournal")});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "--device-pubkey"));
}

}  // namespace
