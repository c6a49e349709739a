// .ckjournal exports: batches from the acknowledged seq on, empty batches, the device signature,
// every field through a round trip, hostile batches, and `cardctl journal export | ack | list`
// end to end (docs/journal.md).
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/hex.h"
#include "base/time_format.h"
#include "journal/device_key.h"
#include "journal/export.h"
#include "journal/journal.h"
#include "real_fs.h"
#include "subprocess.h"

namespace {

constexpr int64_t kNow = 1'800'000'000;
const card::Rid kAnna = {0xa1, 0, 0, 0, 0, 0, 0, 0x01};
const card::Rid kBoris = {0xb2, 0xff, 0, 0, 0, 0, 0, 0x02};

// Entries with every field in use: both kinds of member entry, a rejected scan without a rid,
// Cyrillic ids, large amounts.
std::vector<journal::NewEntry> VariedEntries() {
  std::vector<journal::NewEntry> out;
  for (int i = 0; i < 10; ++i) {
    switch (i % 3) {
      case 0:
        out.push_back({.kind = journal::Kind::kDiscount,
                       .rid = i % 2 == 0 ? kAnna : kBoris,
                       .partner_id = "P-КНИГИ",
                       .offer_id = "O-" + std::to_string(i),
                       .purchase_minor = 10'000'000'000 - i,
                       .discount_minor = 750'000'000 + i,
                       .bundle_seq = 40 + i,
                       .verdict = "VALID",
                       .decision = i == 3 ? "LIMIT_REACHED" : journal::kAccepted});
        break;
      case 1:
        out.push_back({.kind = journal::Kind::kCheckin,
                       .rid = kBoris,
                       .event_id = "E-Съезд",
                       .bundle_seq = 40 + i,
                       .verdict = "VALID",
                       .decision = journal::kAccepted});
        break;
      default:
        out.push_back({.kind = journal::Kind::kRejected,
                       .partner_id = "P-КНИГИ",
                       .bundle_seq = 40 + i,
                       .verdict = "NOT_A_MEMBER",
                       .decision = "NOT_A_MEMBER"});
        break;
    }
  }
  return out;
}

card::PublicKey PublicOf(const card::PrivateKey& key) { return key.Public().value(); }

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not in:\n" << text;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

cktest::ProcessResult Cardctl(const std::vector<std::string>& args) {
  return cktest::RunProcess(CK_CARDCTL_PATH, args);
}

// "name: value" from cardctl's output, or "".
std::string Field(const std::string& out, const std::string& name) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ": ", 0) == 0) return line.substr(name.size() + 2);
  }
  return "";
}

class JournalExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto j = journal::Journal::Open(dir_.File(journal::kJournalFile), clock_);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    journal_ = std::move(j).value();
    auto key = journal::LoadOrCreateDeviceKey(cktest::RealFs(), dir_.path());
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    key_.emplace(std::move(key).value());
  }

  void AppendAll(const std::vector<journal::NewEntry>& entries) {
    for (const journal::NewEntry& n : entries) {
      clock_.Advance(7);
      auto e = journal_->Append(n);
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      entries_.push_back(*e);
    }
  }

  base::Bytes Export(int64_t from_seq) {
    auto x = journal::WriteExport(*journal_, from_seq, "kiosk-1", *key_, kNow + 99);
    EXPECT_TRUE(x.ok()) << x.status().ToString();
    return x.ok() ? *x : base::Bytes{};
  }

  journal::ExportCheck Check(const base::Bytes& file) {
    auto c = journal::CheckExport(file, PublicOf(*key_));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : journal::ExportCheck{};
  }

  cktest::TempDir dir_;
  base::FakeClock clock_{kNow};
  std::unique_ptr<journal::Journal> journal_;
  std::optional<card::PrivateKey> key_;
  std::vector<journal::Entry> entries_;
};

TEST_F(JournalExportTest, BatchStartsAfterTheAcknowledgedSeq) {
  AppendAll(VariedEntries());
  ASSERT_TRUE(journal_->Ack(4).ok());
  auto acked = journal_->AckedSeq();
  ASSERT_TRUE(acked.ok());
  base::Bytes file = Export(*acked + 1);
  journal::ExportCheck c = Check(file);
  EXPECT_TRUE(c.ok()) << c.signature_problem << c.problem;
  EXPECT_EQ(c.header.version, journal::kExportVersion);
  EXPECT_EQ(c.header.device_id, "kiosk-1");
  EXPECT_EQ(c.header.created, kNow + 99);
  EXPECT_EQ(c.header.first_seq, 5);
  EXPECT_EQ(c.header.last_seq, 10);
  EXPECT_EQ(c.header.count, 6);
  EXPECT_EQ(c.header.anchor, entries_[3].hash);  // links the batch to the one before
  ASSERT_EQ(c.entries.size(), 6u);
  EXPECT_EQ(c.entries.front().seq, 5);
  EXPECT_EQ(c.signer, PublicOf(*key_).kid());
  // The body is the entries' maps, concatenated, and the header holds its SHA-256.
  base::Bytes body;
  for (size_t i = 4; i < entries_.size(); ++i) {
    base::Bytes enc = journal::EncodeEntry(entries_[i]);
    body.insert(body.end(), enc.begin(), enc.end());
  }
  ASSERT_GE(file.size(), body.size());
  EXPECT_TRUE(
      std::equal(body.begin(), body.end(), file.end() - static_cast<ptrdiff_t>(body.size())));
  journal::Hash h{};
  SHA256(body.data(), body.size(), h.data());
  EXPECT_EQ(c.header.body_sha256, h);
  // Writing an export acknowledges nothing.
  EXPECT_EQ(journal_->AckedSeq().value(), 4);
}

TEST_F(JournalExportTest, FileLayout) {
  AppendAll(VariedEntries());
  base::Bytes file = Export(1);
  ASSERT_GT(file.size(), 12u);
  EXPECT_EQ(std::string(file.begin(), file.begin() + 8), "CKJOURNL");
  const size_t header_len = (size_t{file[8]} << 24) | (size_t{file[9]} << 16) |
                            (size_t{file[10]} << 8) | size_t{file[11]};
  ASSERT_LT(12 + header_len, file.size());
  EXPECT_EQ(file[12], 0xd2);               // tag 18: COSE_Sign1
  EXPECT_EQ(file[13], 0x84);               // [protected, unprotected, payload, signature]
  EXPECT_EQ(file[12 + header_len], 0xb0);  // the first entry: a map of 16 pairs
}

TEST_F(JournalExportTest, EmptyBatch) {
  base::Bytes empty_journal = Export(1);
  journal::ExportCheck c = Check(empty_journal);
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.header.count, 0);
  EXPECT_EQ(c.header.first_seq, 0);
  EXPECT_EQ(c.header.last_seq, 0);
  EXPECT_EQ(c.header.anchor, journal::Hash{});
  EXPECT_TRUE(c.entries.empty());

  AppendAll(VariedEntries());
  ASSERT_TRUE(journal_->Ack(10).ok());
  c = Check(Export(journal_->AckedSeq().value() + 1));
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.header.count, 0);
  EXPECT_TRUE(c.entries.empty());
  EXPECT_TRUE(c.per_partner.empty());
  EXPECT_TRUE(c.per_event.empty());
  EXPECT_EQ(c.rejected_scans, 0);
}

TEST_F(JournalExportTest, WrongDeviceKeyIsNamed) {
  AppendAll(VariedEntries());
  base::Bytes file = Export(1);
  auto other = card::PrivateKey::Generate(card::Alg::kEdDSA);
  ASSERT_TRUE(other.ok());
  const card::PublicKey other_pub = PublicOf(*other);
  auto c = journal::CheckExport(file, other_pub);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->signature_ok);
  EXPECT_FALSE(c->ok());
  EXPECT_TRUE(Contains(c->signature_problem, "not by this device's key"));
  EXPECT_TRUE(Contains(c->signature_problem, base::ToHex(PublicOf(*key_).kid())));
  EXPECT_TRUE(Contains(c->signature_problem, base::ToHex(other_pub.kid())));
  EXPECT_TRUE(c->body_hash_ok);  // the rest is still checked and reported
  EXPECT_EQ(c->first_bad_seq, 0);
  EXPECT_EQ(c->entries.size(), 10u);

  // The same through cardctl.
  const std::string path = dir_.File("x.ckjournal");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
  const std::string other_pem = dir_.File("other.pub.pem");
  std::ofstream(other_pem) << other_pub.ToPem();
  cktest::ProcessResult r = Cardctl({"journal", "verify", path, "--device-pubkey", other_pem});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "signature: BAD: signed by key"));
}

TEST_F(JournalExportTest, Es256DeviceKeyAlsoVerifies) {
  AppendAll(VariedEntries());
  // An ES256 device key: the export format takes either algorithm.
  auto es = card::PrivateKey::Generate(card::Alg::kES256);
  ASSERT_TRUE(es.ok());
  auto x = journal::WriteExport(*journal_, 1, "kiosk-es", *es, kNow);
  ASSERT_TRUE(x.ok());
  auto c = journal::CheckExport(*x, PublicOf(*es));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->ok()) << c->signature_problem;
}

TEST_F(JournalExportTest, EveryFieldRoundTrips) {
  AppendAll(VariedEntries());
  journal::ExportCheck c = Check(Export(1));
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c.entries.size(), entries_.size());
  for (size_t i = 0; i < entries_.size(); ++i) {
    const journal::Entry& a = entries_[i];
    const journal::Entry& b = c.entries[i];
    SCOPED_TRACE("entry " + std::to_string(a.seq));
    EXPECT_EQ(a.seq, b.seq);
    EXPECT_EQ(a.uuid, b.uuid);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.time_utc, b.time_utc);
    EXPECT_EQ(a.mono_ns, b.mono_ns);
    EXPECT_EQ(a.rid, b.rid);
    EXPECT_EQ(a.partner_id, b.partner_id);
    EXPECT_EQ(a.event_id, b.event_id);
    EXPECT_EQ(a.offer_id, b.offer_id);
    EXPECT_EQ(a.purchase_minor, b.purchase_minor);
    EXPECT_EQ(a.discount_minor, b.discount_minor);
    EXPECT_EQ(a.bundle_seq, b.bundle_seq);
    EXPECT_EQ(a.verdict, b.verdict);
    EXPECT_EQ(a.decision, b.decision);
    EXPECT_EQ(a.prev_hash, b.prev_hash);
    EXPECT_EQ(a.hash, b.hash);
  }
  EXPECT_FALSE(c.entries[2].rid.has_value());
  // Totals: discounts at entries 1, 4 (refused), 7, 10; check-ins at 2, 5, 8; rejected 3, 6, 9.
  ASSERT_EQ(c.per_partner.count("P-КНИГИ"), 1u);
  const journal::Totals& p = c.per_partner["P-КНИГИ"];
  EXPECT_EQ(p.discounts, 3);
  EXPECT_EQ(p.refused, 1);
  EXPECT_EQ(p.purchase_minor, int64_t{3} * 10'000'000'000 - (0 + 6 + 9));
  EXPECT_EQ(p.discount_minor, int64_t{3} * 750'000'000 + (0 + 6 + 9));
  EXPECT_EQ(c.per_event["E-Съезд"].checkins, 3);
  EXPECT_EQ(c.rejected_scans, 3);
}

// What Append accepts, an export reads back: the longest id round-trips, a longer one is refused
// at the source instead of making every later batch unreadable.
TEST_F(JournalExportTest, LongestIdsRoundTripAndLongerAreRefusedAtAppend) {
  AppendAll({{.kind = journal::Kind::kRejected,
              .partner_id = std::string(journal::kMaxTextBytes, 'P'),
              .verdict = "EXPIRED",
              .decision = "EXPIRED"}});
  journal::ExportCheck c = Check(Export(1));
  EXPECT_TRUE(c.ok()) << "first bad seq " << c.first_bad_seq << ": " << c.problem;
  base::Result<journal::Entry> longer = journal_->Append({.kind = journal::Kind::kRejected,
                                                          .partner_id = std::string(300, 'P'),
                                                          .verdict = "EXPIRED",
                                                          .decision = "EXPIRED"});
  EXPECT_FALSE(longer.ok());
}

// A batch is checked field by field before its signature is trusted (the hub reads uploads from
// anyone): hostile values must be reported, not trip undefined behaviour. Run in a child process
// so that a sanitizer abort fails this test alone.
base::Bytes HostileBatch(const card::PrivateKey& key, const std::vector<journal::Entry>& entries) {
  base::Bytes body;
  for (const journal::Entry& e : entries) {
    base::Bytes enc = journal::EncodeEntry(e);
    body.insert(body.end(), enc.begin(), enc.end());
  }
  // A genuine empty batch's header, then the hostile body (body hash and count will not match).
  cktest::TempDir dir;
  base::FakeClock clock(kNow);
  auto j = journal::Journal::Open(dir.File("j.db"), clock);
  base::Bytes file = journal::WriteExport(**j, 1, "x", key, kNow).value();
  file.insert(file.end(), body.begin(), body.end());
  return file;
}

void CheckAndExit(const base::Bytes& file, const card::PublicKey& pub) {
  auto c = journal::CheckExport(file, pub);
  std::exit(c.ok() && !c->ok() ? 0 : 1);
}

TEST_F(JournalExportTest, HostileSeqIsReportedWithoutOverflow) {
  journal::Entry e;
  e.seq = std::numeric_limits<int64_t>::max();
  e.uuid = journal::NewUuid();
  e.verdict = e.decision = "EXPIRED";
  e.hash = journal::ComputeHash(e);
  journal::Entry next = e;
  next.prev_hash = e.hash;
  next.hash = journal::ComputeHash(next);
  const base::Bytes file = HostileBatch(*key_, {e, next});
  EXPECT_EXIT(CheckAndExit(file, PublicOf(*key_)), ::testing::ExitedWithCode(0), "");
}

TEST_F(JournalExportTest, HostileAmountsAreReportedWithoutOverflow) {
  std::vector<journal::Entry> entries;
  journal::Hash prev{};
  for (int64_t seq = 1; seq <= 2; ++seq) {
    journal::Entry e;
    e.seq = seq;
    e.uuid = journal::NewUuid();
    e.kind = journal::Kind::kDiscount;
    e.partner_id = "P";
    e.purchase_minor = e.discount_minor = std::numeric_limits<int64_t>::max();
    e.verdict = "VALID";
    e.decision = journal::kAccepted;
    e.prev_hash = prev;
    e.hash = journal::ComputeHash(e);
    prev = e.hash;
    entries.push_back(e);
  }
  const base::Bytes file = HostileBatch(*key_, entries);
  EXPECT_EXIT(CheckAndExit(file, PublicOf(*key_)), ::testing::ExitedWithCode(0), "");
}

// ---------------------------------------------------------------------------------------------
// cardctl journal export / ack / list

// One line of `cardctl journal list`: the entry as JSON.
void ExpectListed(const std::string& line, const journal::Entry& e) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  ASSERT_TRUE(j.is_object()) << line;
  EXPECT_EQ(j["seq"], e.seq);
  EXPECT_EQ(j["uuid"], e.uuid);
  EXPECT_EQ(j["kind"], std::string(journal::KindName(e.kind)));
  EXPECT_EQ(j["time"], e.time_utc);
  EXPECT_EQ(j["time_utc"], base::FormatIso8601Utc(e.time_utc));
  EXPECT_EQ(j["verdict"], e.verdict);
  EXPECT_EQ(j["decision"], e.decision);
  EXPECT_EQ(j["partner_id"], e.partner_id);
  EXPECT_EQ(j["event_id"], e.event_id);
  EXPECT_EQ(j["offer_id"], e.offer_id);
  EXPECT_EQ(j["purchase_minor"], e.purchase_minor);
  EXPECT_EQ(j["discount_minor"], e.discount_minor);
  EXPECT_EQ(j["bundle_seq"], e.bundle_seq);
  EXPECT_EQ(j["hash"], base::ToHex(e.hash));
  if (e.rid) {
    EXPECT_EQ(j["rid"], base::ToHex(*e.rid));
  } else {
    EXPECT_TRUE(j["rid"].is_null());
  }
}

// Ack on a journal of 13 entries acknowledged up to 10: beyond the end is refused (exit 1),
// backwards is a no-op, bad numbers are usage errors.
void ExpectAckRules(const std::string& data) {
  cktest::ProcessResult r = Cardctl({"journal", "ack", "--data-dir", data, "--through", "14"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "ends at 13"));
  r = Cardctl({"journal", "ack", "--data-dir", data, "--through", "5"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Field(r.out, "acked_seq"), "10 (was 10)");
  r = Cardctl({"journal", "ack", "--data-dir", data, "--through", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  r = Cardctl({"journal", "ack", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
}

TEST_F(JournalExportTest, CardctlExportAckListEndToEnd) {
  AppendAll(VariedEntries());
  journal_.reset();  // as a kiosk that is not running (cardctl may also run beside one: WAL)
  const std::string data = dir_.path();
  const std::string pub = dir_.File(journal::kDevicePubFile);

  cktest::ProcessResult r =
      Cardctl({"journal", "export", "--data-dir", data, "--out", dir_.File("1.ckjournal")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Field(r.out, "first_seq"), "1");
  EXPECT_EQ(Field(r.out, "last_seq"), "10");
  EXPECT_EQ(Field(r.out, "count"), "10");
  // The device id is the one the USB receipts carry (DIR/device-id).
  std::string device_id = ReadAll(dir_.File("device-id"));
  while (!device_id.empty() && device_id.back() == '\n') device_id.pop_back();
  EXPECT_EQ(device_id.size(), 16u);
  EXPECT_EQ(Field(r.out, "device"), device_id);
  r = Cardctl({"journal", "verify", dir_.File("1.ckjournal"), "--device-pubkey", pub});
  EXPECT_EQ(r.exit_code, 0) << r.Describe() << r.out;
  EXPECT_EQ(Field(r.out, "device"), device_id);

  // Exporting does not acknowledge: the same batch again.
  r = Cardctl({"journal", "export", "--data-dir", data, "--out", dir_.File("1b.ckjournal")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Field(r.out, "first_seq"), "1");
  EXPECT_EQ(Field(r.out, "count"), "10");

  r = Cardctl({"journal", "ack", "--data-dir", data, "--through", "10"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Field(r.out, "acked_seq"), "10 (was 0)");
  r = Cardctl({"journal", "export", "--data-dir", data, "--out", dir_.File("2.ckjournal")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Field(r.out, "count"), "0");

  {
    auto j = journal::Journal::Open(dir_.File(journal::kJournalFile), clock_);
    ASSERT_TRUE(j.ok());
    journal_ = std::move(j).value();
    AppendAll({VariedEntries()[0], VariedEntries()[1], VariedEntries()[2]});
    journal_.reset();
  }
  r = Cardctl({"journal", "export", "--data-dir", data, "--out", dir_.File("3.ckjournal")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Field(r.out, "first_seq"), "11");
  EXPECT_EQ(Field(r.out, "last_seq"), "13");
  EXPECT_EQ(Field(r.out, "count"), "3");
  auto pub_key = card::PublicKey::FromPem(ReadAll(pub));
  ASSERT_TRUE(pub_key.ok());
  const std::string third = ReadAll(dir_.File("3.ckjournal"));
  auto c = journal::CheckExport(base::AsBytes(third), *pub_key);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->ok());
  EXPECT_EQ(c->header.anchor, entries_[9].hash);

  ExpectAckRules(data);

  // List: one JSON line per entry.
  r = Cardctl({"journal", "list", "--data-dir", data});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  std::istringstream lines(r.out);
  std::string line;
  size_t n = 0;
  while (std::getline(lines, line)) {
    ASSERT_LT(n, entries_.size());
    const journal::Entry& e = entries_[n++];
    ExpectListed(line, e);
  }
  EXPECT_EQ(n, 13u);
  r = Cardctl({"journal", "list", "--data-dir", data, "--from", "11"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3);
  EXPECT_TRUE(Contains(r.out, "\"seq\":11,"));
}

TEST_F(JournalExportTest, CardctlRefusesADataDirWithoutJournal) {
  cktest::TempDir empty;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"journal", "export", "--data-dir", empty.path(), "--out", empty.File("x.ckjournal")},
           {"journal", "ack", "--data-dir", empty.path(), "--through", "1"},
           {"journal", "list", "--data-dir", empty.path()},
           {"journal", "verify", "--data-dir", empty.path()}}) {
    cktest::ProcessResult r = Cardctl(args);
    EXPECT_EQ(r.exit_code, 2) << args[1] << ": " << r.Describe();
    EXPECT_TRUE(Contains(r.err, "no journal"));
  }
  EXPECT_TRUE(std::filesystem::is_empty(empty.path()));  // nothing created
  cktest::ProcessResult r = Cardctl({"journal", "export", "--data-dir", dir_.path()});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "--out"));
  r = Cardctl({"journal"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  r = Cardctl({"journal", "list", "--data-dir", dir_.path(), "--bogus"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
}

}  // namespace
