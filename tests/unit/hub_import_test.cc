// `cardhub import`: .ckjournal files collected by stick, taken through the path POST /v1/journal
// uses (hub/intake.h): one line per file, idempotent, and every kind of bad file refused with its
// reason and nothing stored from it. On both store backends.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "hub/intake.h"
#include "hub_fixture.h"
#include "journal/ack.h"
#include "journal/export.h"
#include "journal/journal.h"
#include "subprocess.h"

namespace {

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not in:\n" << text;
}

class HubImportTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx_.UseBackend(GetParam()));
    // Entries dated a few days before the hub's (real) clock: import refuses the future.
    fx_.clock().Set(static_cast<int64_t>(std::time(nullptr)) - 3 * 86400);
    k1_ = fx_.NewKiosk("k1");
    k2_ = fx_.NewKiosk("k2");
    ASSERT_TRUE(fx_.Enroll(k1_, "k1"));
    ASSERT_TRUE(fx_.Enroll(k2_, "k2"));
  }

  std::string Save(const std::string& name, const base::Bytes& file) {
    const std::string path = fx_.root() + "/" + name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(file.data()),
               static_cast<std::streamsize>(file.size()));
    return path;
  }

  cktest::ProcessResult Import(const std::vector<std::string>& files) {
    std::vector<std::string> args = {"import", "--data-dir", fx_.hub_dir()};
    args.insert(args.end(), files.begin(), files.end());
    return fx_.Cardhub(args);
  }

  size_t Entries() {
    cktest::ProcessResult r = fx_.Cardhub({"entries", "--data-dir", fx_.hub_dir()});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return Lines(r.out).size();
  }

  // A file whose import must be refused with `why`, storing nothing.
  void ExpectRefused(const std::string& path, const std::string& why) {
    const size_t before = Entries();
    cktest::ProcessResult r = Import({path});
    EXPECT_EQ(r.exit_code, 1) << r.Describe();
    EXPECT_TRUE(Contains(r.out, path + ": refused: "));
    EXPECT_TRUE(Contains(r.out, why));
    EXPECT_TRUE(Contains(r.out, "nothing stored from it"));
    EXPECT_EQ(Entries(), before);
  }

  hubtest::HubFixture fx_;
  std::string k1_, k2_;
};

TEST_P(HubImportTest, SticksAreStoredOnceAndTwiceChangesNothing) {
  ASSERT_TRUE(fx_.AppendDiscounts(k1_, 5));
  ASSERT_TRUE(fx_.AppendCheckins(k2_, 3));
  const std::string a = Save("a.ckjournal", fx_.ExportBatch(k1_, 1));
  const std::string b = Save("b.ckjournal", fx_.ExportBatch(k2_, 1));
  cktest::ProcessResult r = Import({a, b});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0], a + ": device k1: seqs 1-5: stored 5, already held 0 (held through seq 5)");
  EXPECT_EQ(lines[1], b + ": device k2: seqs 1-3: stored 3, already held 0 (held through seq 3)");
  EXPECT_EQ(Entries(), 8u);

  r = Import({a, b});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, a + ": device k1: seqs 1-5: stored 0, already held 5"));
  EXPECT_EQ(Entries(), 8u);

  // The next stick repeats what was not acknowledged, and adds to it.
  ASSERT_TRUE(fx_.AppendDiscounts(k1_, 2));
  r = Import({Save("a2.ckjournal", fx_.ExportBatch(k1_, 1))});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "seqs 1-7: stored 2, already held 5 (held through seq 7)"));
  EXPECT_EQ(Entries(), 10u);
  cktest::ProcessResult d = fx_.Cardhub({"entries", "--data-dir", fx_.hub_dir(), "--device", "k1"});
  EXPECT_EQ(Lines(d.out).size(), 7u);
}

TEST_P(HubImportTest, BadFilesAreRefusedWithTheirReason) {
  ASSERT_TRUE(fx_.AppendDiscounts(k1_, 4));
  const base::Bytes good = fx_.ExportBatch(k1_, 1);

  std::string k3 = fx_.NewKiosk("k3");  // never enrolled
  ASSERT_TRUE(fx_.AppendDiscounts(k3, 1));
  ExpectRefused(Save("unknown.ckjournal", fx_.ExportBatch(k3, 1)), "unknown device");

  base::Bytes edited = good;
  edited[edited.size() - 50] ^= 0x01;
  ExpectRefused(Save("edited.ckjournal", edited), "batch body does not match its signed hash");

  base::Bytes truncated(good.begin(), good.end() - 30);
  ExpectRefused(Save("truncated.ckjournal", truncated), "does not match its signed hash");

  ExpectRefused(Save("junk.ckjournal", base::Bytes{'h', 'e', 'l', 'l', 'o'}),
                "not a cardkiosk journal export");

  // Re-signed by another key: the file's entries under a key the hub never enrolled.
  auto check = journal::CheckExport(good, fx_.DeviceKey(k1_).Public().value());
  ASSERT_TRUE(check.ok());
  auto other = card::PrivateKey::Generate(card::Alg::kEdDSA);
  ASSERT_TRUE(other.ok());
  base::Bytes body;
  for (const journal::Entry& e : check->entries) {
    base::Bytes enc = journal::EncodeEntry(e);
    body.insert(body.end(), enc.begin(), enc.end());
  }
  auto resigned = journal::SealExport(check->header, body, *other);
  ASSERT_TRUE(resigned.ok());
  ExpectRefused(Save("resigned.ckjournal", *resigned), "unknown device");

  // 2 GB (sparse): refused before it is read.
  const std::string big = fx_.root() + "/big.ckjournal";
  { std::ofstream(big, std::ios::binary) << "CKJOURNL"; }
  ASSERT_EQ(::truncate(big.c_str(), off_t{2} << 30), 0);
  ExpectRefused(big, "too large for a journal export");

  // Nothing of the above was stored; the good file still goes in.
  cktest::ProcessResult r = Import({Save("good.ckjournal", good)});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Entries(), 4u);
}

TEST_P(HubImportTest, WithdrawnDeviceIsRefused) {
  ASSERT_TRUE(fx_.AppendDiscounts(k2_, 2));
  const std::string f = Save("k2.ckjournal", fx_.ExportBatch(k2_, 1));
  cktest::ProcessResult w = fx_.Cardhub({"withdraw", "--data-dir", fx_.hub_dir(), "--name", "k2"});
  ASSERT_EQ(w.exit_code, 0) << w.Describe();
  ExpectRefused(f, "device 'k2' is withdrawn");
}

TEST_P(HubImportTest, OverlapWithOtherContentIsAConflictAndFlagged) {
  ASSERT_TRUE(fx_.AppendDiscounts(k1_, 3));
  ASSERT_EQ(Import({Save("first.ckjournal", fx_.ExportBatch(k1_, 1))}).exit_code, 0);
  const std::string old_id = fx_.JournalId(k1_);
  // The kiosk's journal replaced (same key, other entries from seq 1) claiming the old id.
  ASSERT_EQ(::unlink((k1_ + "/" + journal::kJournalFile).c_str()), 0);
  (void)::unlink((k1_ + "/" + journal::kJournalFile + "-wal").c_str());
  (void)::unlink((k1_ + "/" + journal::kJournalFile + "-shm").c_str());
  ASSERT_TRUE(fx_.AppendCheckins(k1_, 2));
  ASSERT_TRUE(fx_.SetJournalId(k1_, old_id));
  ExpectRefused(Save("second.ckjournal", fx_.ExportBatch(k1_, 1)),
                "device k1: conflict at seq 1: the hub holds another entry");
  cktest::ProcessResult f = fx_.Cardhub({"flags", "--data-dir", fx_.hub_dir()});
  EXPECT_TRUE(Contains(f.out, "conflict device=k1 seq=1"));
}

// By stick: a replaced journal (a new journal id) is a new chain, stored beside the first and
// flagged; each chain is acknowledged on its own.
TEST_P(HubImportTest, NewJournalChainIsStoredAndFlagged) {
  ASSERT_TRUE(fx_.AppendDiscounts(k1_, 3));
  const std::string first = Save("first.ckjournal", fx_.ExportBatch(k1_, 1));
  ASSERT_EQ(Import({first}).exit_code, 0);
  ASSERT_EQ(::unlink((k1_ + "/" + journal::kJournalFile).c_str()), 0);
  (void)::unlink((k1_ + "/" + journal::kJournalFile + "-wal").c_str());
  (void)::unlink((k1_ + "/" + journal::kJournalFile + "-shm").c_str());
  ASSERT_TRUE(fx_.AppendCheckins(k1_, 2));
  cktest::ProcessResult r = Import({Save("second.ckjournal", fx_.ExportBatch(k1_, 1)), first});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out,
                       "second.ckjournal: device k1: seqs 1-2: stored 2, already held 0 "
                       "(held through seq 2)"));
  EXPECT_TRUE(Contains(r.out,
                       "first.ckjournal: device k1: seqs 1-3: stored 0, already held 3 "
                       "(held through seq 3)"));
  cktest::ProcessResult f = fx_.Cardhub({"flags", "--data-dir", fx_.hub_dir()});
  EXPECT_TRUE(Contains(f.out, "new_chain device=k1 chain=2 journal=" + fx_.JournalId(k1_)));
  EXPECT_TRUE(Contains(f.out, "reason=new journal chain: previous chain ended at seq 3"));
}

TEST_P(HubImportTest, FromTheFutureIsRefused) {
  fx_.clock().Set(static_cast<int64_t>(std::time(nullptr)) + 30 * 86400);
  ASSERT_TRUE(fx_.AppendDiscounts(k1_, 2));
  ExpectRefused(Save("future.ckjournal", fx_.ExportBatch(k1_, 1)), "from the future");
}

TEST_P(HubImportTest, UsageAndUnreadableFiles) {
  cktest::ProcessResult r = fx_.Cardhub({"import", "--data-dir", fx_.hub_dir()});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  ASSERT_TRUE(fx_.AppendDiscounts(k1_, 1));
  const std::string good = Save("good.ckjournal", fx_.ExportBatch(k1_, 1));
  r = Import({fx_.root() + "/missing.ckjournal", good});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "missing.ckjournal: cannot read: "));
  EXPECT_TRUE(Contains(r.out, good + ": device k1: seqs 1-1: stored 1"));
}

// After an import the office writes acks for the next stick, signed by the bundle key the kiosks
// pin, each tied to the device's entry at the acked seq.
TEST_P(HubImportTest, AcksForTheNextStick) {
  ASSERT_TRUE(fx_.AppendDiscounts(k1_, 3));
  const base::Bytes batch = fx_.ExportBatch(k1_, 1);
  ASSERT_EQ(Import({Save("k1.ckjournal", batch)}).exit_code, 0);
  const std::string key_pem = fx_.root() + "/bundle.key.pem";
  std::ofstream(key_pem) << fx_.bundle_key().ToPem().value();
  const std::string out = fx_.root() + "/stick";
  ASSERT_EQ(::mkdir(out.c_str(), 0755), 0);
  cktest::ProcessResult r =
      fx_.Cardhub({"acks", "--data-dir", fx_.hub_dir(), "--bundle-key", key_pem, "--out-dir", out});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const card::Kid kid = fx_.DeviceKey(k1_).Public().value().kid();
  const std::string path = out + "/" + journal::AckFileName(kid);
  EXPECT_TRUE(Contains(r.out, path + ": device k1 acknowledged through seq 3"));
  EXPECT_FALSE(Contains(r.out, "device k2"));  // nothing held of k2: no ack
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ack = journal::ReadAck(base::AsBytes(bytes), fx_.bundle_key().Public().value());
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  EXPECT_EQ(ack->seq, 3);
  EXPECT_EQ(ack->device_kid, kid);
  auto check = journal::CheckExport(batch, fx_.DeviceKey(k1_).Public().value());
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(ack->entry_hash, check->entries.back().hash);
}

INSTANTIATE_TEST_SUITE_P(Backends, HubImportTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// The enrolled keys are parsed once and kept: each device still gets its own key, a key enrolled
// anew under the same name is the new one, and a key that does not parse is refused every time.
TEST(DeviceKeyTest, EachDeviceGetsItsOwnKeyAndAnUnreadableOneIsRefusedEveryTime) {
  std::vector<hub::Device> devices;
  for (int i = 0; i < 3; ++i) {
    base::Result<card::PrivateKey> key = card::PrivateKey::Generate(card::Alg::kEdDSA);
    ASSERT_TRUE(key.ok());
    base::Result<card::PublicKey> pub = key->Public();
    ASSERT_TRUE(pub.ok());
    devices.push_back(hub::Device{.name = "k1", .pubkey_pem = pub->ToPem()});
  }
  for (int round = 0; round < 2; ++round) {
    for (const hub::Device& d : devices) {
      base::Result<card::PublicKey> got = hub::DeviceKey(d);
      ASSERT_TRUE(got.ok()) << got.status().message();
      base::Result<card::PublicKey> want = card::PublicKey::FromPem(d.pubkey_pem);
      ASSERT_TRUE(want.ok());
      EXPECT_EQ(got->kid(), want->kid()) << "round " << round;
    }
  }
  hub::Device broken{.name = "k2", .pubkey_pem = devices[0].pubkey_pem.substr(0, 40)};
  EXPECT_FALSE(hub::DeviceKey(broken).ok());
  EXPECT_FALSE(hub::DeviceKey(broken).ok());
}

}  // namespace
