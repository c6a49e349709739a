// .ckjournal format 2 (docs/journal.md): the header carries the device's kid, its public key and
// the journal id; format-1 files still read; other versions are refused; an office checks a file
// with the key it carries (`cardctl journal verify FILE`) and lists it (`cardctl journal show`).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/hex.h"
#include "card/cbor.h"
#include "card/cose.h"
#include "journal/device_key.h"
#include "journal/export.h"
#include "journal/journal.h"
#include "real_fs.h"
#include "subprocess.h"

namespace {

constexpr int64_t kNow = 1'800'000'000;

cktest::ProcessResult Cardctl(const std::vector<std::string>& args) {
  return cktest::RunProcess(CK_CARDCTL_PATH, args);
}

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not in:\n" << text;
}

// The number of pairs and the version in a file's signed header map.
std::pair<uint64_t, int64_t> HeaderShape(const base::Bytes& file) {
  const size_t len = (size_t{file[8]} << 24) | (size_t{file[9]} << 16) | (size_t{file[10]} << 8) |
                     size_t{file[11]};
  card::Sign1View view;
  const card::CoseRules rules{.cbor = {.max_depth = 2, .allow_indefinite = false},
                              .require_sign1_tag = true,
                              .allow_cwt_tag = false,
                              .allow_unprotected_headers = false,
                              .kid_size = 8};
  EXPECT_TRUE(card::ParseSign1(base::ByteSpan(file).subspan(12, len), rules, &view).ok());
  card::CborReader r(view.payload, {.max_depth = 1, .allow_indefinite = false});
  uint64_t pairs = 0, key = 0;
  int64_t version = 0;
  EXPECT_TRUE(r.EnterMap(&pairs).ok());
  EXPECT_TRUE(r.ReadUint(&key).ok());
  EXPECT_TRUE(r.ReadInt(&version).ok());
  return {pairs, version};
}

class JournalExportFormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto j = journal::Journal::Open(dir_.File(journal::kJournalFile), clock_);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    journal_ = std::move(j).value();
    journal_id_ = journal_->identity().journal_id;
    auto key = journal::LoadOrCreateDeviceKey(cktest::RealFs(), dir_.path());
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    key_.emplace(std::move(key).value());
    for (int i = 0; i < 3; ++i) {
      clock_.Advance(60);
      auto e = journal_->Append({.kind = journal::Kind::kDiscount,
                                 .rid = card::Rid{1, 2, 3, 4, 5, 6, 7, static_cast<uint8_t>(i)},
                                 .partner_id = "P-1",
                                 .offer_id = "O-1",
                                 .purchase_minor = 100000,
                                 .discount_minor = 10000,
                                 .bundle_seq = 3,
                                 .verdict = "VALID",
                                 .decision = journal::kAccepted});
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      entries_.push_back(*e);
    }
  }

  card::PublicKey Pub() const { return key_->Public().value(); }

  // The journal's entries as a file of the given header version, signed by `key`.
  base::Bytes Seal(int64_t version, const card::PrivateKey& key) {
    journal::ExportHeader h;
    h.version = version;
    h.device_id = "kiosk-1";
    h.created = kNow;
    h.first_seq = 1;
    h.last_seq = 3;
    h.count = 3;
    h.journal_id = journal_id_;
    base::Bytes body;
    for (const journal::Entry& e : entries_) {
      base::Bytes enc = journal::EncodeEntry(e);
      body.insert(body.end(), enc.begin(), enc.end());
    }
    auto file = journal::SealExport(h, body, key);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? *file : base::Bytes{};
  }

  std::string Save(const std::string& name, const base::Bytes& file) {
    const std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(file.data()),
               static_cast<std::streamsize>(file.size()));
    return path;
  }

  cktest::TempDir dir_;
  base::FakeClock clock_{kNow};
  std::unique_ptr<journal::Journal> journal_;
  std::optional<card::PrivateKey> key_;
  std::vector<journal::Entry> entries_;
  std::string journal_id_;
};

TEST_F(JournalExportFormatTest, Format2CarriesKeyAndJournalId) {
  auto file = journal::WriteExport(*journal_, 1, "kiosk-1", *key_, kNow);
  ASSERT_TRUE(file.ok());
  auto c = journal::CheckExport(*file, Pub());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->ok()) << c->signature_problem << c->problem;
  EXPECT_EQ(c->header.version, 2);
  EXPECT_EQ(c->header.device_kid, Pub().kid());
  EXPECT_EQ(c->header.device_spki, Pub().spki_der());
  EXPECT_EQ(c->header.journal_id, journal_->identity().journal_id);
  EXPECT_FALSE(c->header.journal_id.empty());
  auto peek = journal::PeekExport(*file);
  ASSERT_TRUE(peek.ok());
  EXPECT_EQ(peek->signer, Pub().kid());
  EXPECT_EQ(peek->header.last_seq, 3);
}

// A format-1 reader demands exactly 8 header fields and version 1: a format-2 header has 11 and
// version 2, so such a reader refuses it.
TEST_F(JournalExportFormatTest, Format2HeaderIsNotAFormat1Header) {
  EXPECT_EQ(HeaderShape(Seal(2, *key_)), (std::pair<uint64_t, int64_t>{11, 2}));
  EXPECT_EQ(HeaderShape(Seal(1, *key_)), (std::pair<uint64_t, int64_t>{8, 1}));
}

TEST_F(JournalExportFormatTest, Format1StillReads) {
  auto c = journal::CheckExport(Seal(1, *key_), Pub());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->ok()) << c->signature_problem << c->problem;
  EXPECT_EQ(c->header.version, 1);
  EXPECT_TRUE(c->header.journal_id.empty());
  EXPECT_TRUE(c->header.device_spki.empty());
  EXPECT_EQ(c->entries.size(), 3u);
  // It carries no key: checking it without one says what to give.
  auto self = journal::CheckExportWithItsKey(Seal(1, *key_));
  EXPECT_EQ(self.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(self.status().message(), "carries no device key"));
}

TEST_F(JournalExportFormatTest, UnknownVersionIsRefusedByName) {
  auto c = journal::CheckExport(Seal(3, *key_), Pub());
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Contains(c.status().message(), "export format version 3"));
  EXPECT_TRUE(Contains(c.status().message(), "knows 1 and 2"));
}

TEST_F(JournalExportFormatTest, ItsOwnKeyVerifiesAndNamesTheSigner) {
  auto c = journal::CheckExportWithItsKey(Seal(2, *key_));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->ok());
  EXPECT_EQ(c->signer, Pub().kid());
  // Re-signed by another key, the file carries that key: it verifies as that key's file, and the
  // signer is not the device's (the hub checks against enrolled keys only).
  auto other = card::PrivateKey::Generate(card::Alg::kEdDSA);
  ASSERT_TRUE(other.ok());
  auto resigned = journal::CheckExportWithItsKey(Seal(2, *other));
  ASSERT_TRUE(resigned.ok());
  EXPECT_NE(resigned->signer, Pub().kid());
  auto against_device = journal::CheckExport(Seal(2, *other), Pub());
  ASSERT_TRUE(against_device.ok());
  EXPECT_FALSE(against_device->signature_ok);
}

TEST_F(JournalExportFormatTest, EditedBodyFailsWithItsOwnKey) {
  base::Bytes file = Seal(2, *key_);
  file[file.size() - 40] ^= 1;
  auto c = journal::CheckExportWithItsKey(file);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->ok());
  EXPECT_FALSE(c->body_hash_ok);
}

TEST_F(JournalExportFormatTest, CardctlVerifyAndShowWithoutAKeyFile) {
  journal_.reset();
  cktest::ProcessResult r =
      Cardctl({"journal", "export", "--data-dir", dir_.path(), "--out", dir_.File("j.ckjournal")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  r = Cardctl({"journal", "verify", dir_.File("j.ckjournal")});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "device key: the one the file carries"));
  EXPECT_TRUE(Contains(r.out, "result: OK"));
  EXPECT_TRUE(Contains(r.out, "signed by: " + base::ToHex(Pub().kid())));

  r = Cardctl({"journal", "show", dir_.File("j.ckjournal")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  std::istringstream lines(r.out);
  std::string line;
  size_t n = 0;
  while (std::getline(lines, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    ASSERT_LT(n, entries_.size());
    EXPECT_EQ(j["seq"], entries_[n].seq);
    EXPECT_EQ(j["uuid"], entries_[n].uuid);
    EXPECT_EQ(j["purchase_minor"], 100000);
    ++n;
  }
  EXPECT_EQ(n, 3u);

  // A format-1 file needs the key file; with it, it verifies and shows.
  const std::string v1 = Save("v1.ckjournal", Seal(1, *key_));
  r = Cardctl({"journal", "verify", v1});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "--device-pubkey"));
  r = Cardctl({"journal", "show", v1, "--device-pubkey", dir_.File(journal::kDevicePubFile)});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3);

  // An edited file is listed (what it claims) and refused.
  base::Bytes edited = Seal(2, *key_);
  edited[edited.size() - 40] ^= 1;
  r = Cardctl({"journal", "show", Save("bad.ckjournal", edited)});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "does not verify"));
  r = Cardctl({"journal", "show", dir_.File("missing.ckjournal")});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
}

}  // namespace
