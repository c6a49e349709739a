// The hub's rules (hub::Ledger) over both table implementations (SQLite and PostgreSQL), the
// tables' own contract, and the one mapping of a journal entry to SQL columns.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "hub/ledger.h"
#include "hub/report.h"
#include "hub/summaries.h"
#include "hub/tables.h"
#include "hub_fixture.h"
#include "journal/entry_columns.h"
#include "journal/journal.h"
#include "sqlite/db.h"
#include "subprocess.h"

namespace {

journal::Entry MakeEntry(int64_t seq, const std::string& uuid) {
  journal::Entry e;
  e.seq = seq;
  e.uuid = uuid;
  e.kind = journal::Kind::kDiscount;
  e.time_utc = hubtest::kEntryTime + seq;
  e.mono_ns = 123456789 + seq;
  e.rid = card::Rid{1, 2, 3, 4, 5, 6, 7, 8};
  e.partner_id = "P-1";
  e.offer_id = "O-1";
  e.purchase_minor = 1000;
  e.discount_minor = 100;
  e.bundle_seq = 7;
  e.verdict = "VALID";
  e.decision = journal::kAccepted;
  for (size_t i = 0; seq > 1 && i < e.prev_hash.size(); ++i) {  // seq 1: the chain's start
    e.prev_hash[i] = static_cast<uint8_t>(static_cast<size_t>(seq) + i);
  }
  e.hash = journal::ComputeHash(e);
  return e;
}

// Entries first_seq, first_seq + 1, ... with these uuids, each linked to the one before; the first
// is anchored at `anchor` (the chain's start for seq 1 by default).
std::vector<journal::Entry> Chain(int64_t first_seq, const std::vector<std::string>& uuids,
                                  std::optional<journal::Hash> anchor = std::nullopt) {
  std::vector<journal::Entry> out;
  for (const std::string& uuid : uuids) {
    journal::Entry e = MakeEntry(first_seq + static_cast<int64_t>(out.size()), uuid);
    if (!out.empty()) {
      e.prev_hash = out.back().hash;
    } else if (anchor) {
      e.prev_hash = *anchor;
    }
    e.hash = journal::ComputeHash(e);
    out.push_back(e);
  }
  return out;
}

// Forwards every row operation to the real tables, except those a test replaces.
class HookedRows final : public hub::TableRows {
 public:
  HookedRows(hub::TableRows& real, bool hide_devices, bool fail_acked,
             const std::function<void()>* after_range = nullptr)
      : real_(real),
        hide_devices_(hide_devices),
        fail_acked_(fail_acked),
        after_range_(after_range) {}

  base::Result<std::optional<hub::Device>> DeviceByName(const std::string& name) override {
    if (hide_devices_) return std::optional<hub::Device>();
    return real_.DeviceByName(name);
  }
  base::Result<std::optional<hub::Device>> DeviceByKid(const std::string& kid) override {
    if (hide_devices_) return std::optional<hub::Device>();
    return real_.DeviceByKid(kid);
  }
  base::Result<std::optional<hub::Device>> DeviceById(int64_t id, bool lock) override {
    return real_.DeviceById(id, lock);
  }
  base::Result<std::vector<hub::Device>> Devices() override { return real_.Devices(); }
  base::Result<hub::Device> InsertDevice(const std::string& name, const std::string& kid,
                                         const std::string& pem, int64_t enrolled) override {
    return real_.InsertDevice(name, kid, pem, enrolled);
  }
  base::Result<int64_t> SetWithdrawn(const std::string& name) override {
    return real_.SetWithdrawn(name);
  }
  base::Status SetLastContact(int64_t id, int64_t now) override {
    return real_.SetLastContact(id, now);
  }
  base::Status SetAckedSeq(int64_t id, int64_t acked, int64_t now) override {
    if (fail_acked_) return base::Internal("injected failure");
    return real_.SetAckedSeq(id, acked, now);
  }
  base::Result<bool> InsertEntry(int64_t id, int64_t chain, const journal::Entry& e,
                                 int64_t received) override {
    return real_.InsertEntry(id, chain, e, received);
  }
  base::Status ScanSeqsAbove(int64_t id, int64_t chain, int64_t after,
                             const std::function<bool(int64_t)>& more) override {
    return real_.ScanSeqsAbove(id, chain, after, more);
  }
  base::Status ScanEntries(
      const hub::EntryScan& which,
      const std::function<base::Status(const hub::StoredEntry&)>& fn) override {
    return real_.ScanEntries(which, fn);
  }
  base::Status ScanEntriesInRange(
      int64_t id, int64_t chain, int64_t from, int64_t to,
      const std::function<base::Status(const hub::StoredEntry&)>& fn) override {
    return real_.ScanEntriesInRange(id, chain, from, to, fn);
  }
  base::Result<std::optional<journal::Entry>> EntryWithUuid(int64_t id,
                                                            const std::string& uuid) override {
    return real_.EntryWithUuid(id, uuid);
  }
  base::Status SumEntries(const hub::SumQuery& q,
                          const std::function<base::Status(const hub::SumRow&)>& fn) override {
    return real_.SumEntries(q, fn);
  }
  base::Result<std::map<std::string, int64_t>> CountVoidsOf(
      int64_t id, const std::vector<std::string_view>& uuids) override {
    return real_.CountVoidsOf(id, uuids);
  }
  base::Status AddToSummaries(const hub::SummaryDeltas& d) override {
    return real_.AddToSummaries(d);
  }
  base::Status SumSummaryRange(const hub::SumQuery& q, const hub::SummaryRange& r,
                               const std::function<base::Status(const hub::SumRow&)>& fn) override {
    base::Status st = real_.SumSummaryRange(q, r, fn);
    if (after_range_ != nullptr && *after_range_) (*after_range_)();
    return st;
  }
  base::Status CountMembers(const hub::SumQuery& q,
                            const std::function<base::Status(const hub::SumRow&)>& fn) override {
    return real_.CountMembers(q, fn);
  }
  base::Result<hub::DeviceTail> LastEntry(int64_t id, int64_t chain, int64_t at_most) override {
    return real_.LastEntry(id, chain, at_most);
  }
  base::Result<std::vector<hub::JournalChain>> ChainsOf(int64_t id) override {
    return real_.ChainsOf(id);
  }
  base::Result<std::vector<hub::JournalChain>> AllChains() override { return real_.AllChains(); }
  base::Status InsertChain(const hub::JournalChain& c) override { return real_.InsertChain(c); }
  base::Status UpdateChain(int64_t id, int64_t chain, const std::string& journal_id,
                           int64_t acked) override {
    return real_.UpdateChain(id, chain, journal_id, acked);
  }
  base::Status InsertConflict(const hub::Conflict& c) override { return real_.InsertConflict(c); }
  base::Result<std::vector<hub::Conflict>> Conflicts() override { return real_.Conflicts(); }
  base::Status LockBundles() override { return real_.LockBundles(); }
  base::Result<std::optional<hub::BundleRecord>> LatestBundle() override {
    return real_.LatestBundle();
  }
  base::Status InsertBundle(const hub::BundleRecord& b) override { return real_.InsertBundle(b); }
  base::Status InsertStatus(const hub::DeviceStatus& s, int64_t keep) override {
    return real_.InsertStatus(s, keep);
  }
  base::Result<std::vector<hub::DeviceStatus>> LatestStatuses() override {
    return real_.LatestStatuses();
  }
  base::Result<std::vector<hub::DeviceStatus>> Statuses(int64_t id, int64_t limit) override {
    return real_.Statuses(id, limit);
  }
  base::Status InsertContact(const hub::Contact& c, int64_t keep) override {
    return real_.InsertContact(c, keep);
  }
  base::Result<std::vector<hub::Contact>> Contacts(int64_t id, int64_t limit) override {
    return real_.Contacts(id, limit);
  }

 private:
  hub::TableRows& real_;
  const bool hide_devices_, fail_acked_;
  const std::function<void()>* after_range_;  // called after each summary range is read
};

// Real tables seen through HookedRows.
class HookedTables final : public hub::HubTables {
 public:
  HookedTables(hub::HubTables& real, bool hide_devices, bool fail_acked)
      : real_(real), hide_devices_(hide_devices), fail_acked_(fail_acked) {}
  base::Status Run(const std::function<base::Status(hub::TableRows&)>& fn) override {
    return real_.Run([&](hub::TableRows& t) { return Hooked(t, fn); });
  }
  base::Status InTransaction(const std::function<base::Status(hub::TableRows&)>& fn) override {
    return real_.InTransaction([&](hub::TableRows& t) { return Hooked(t, fn); });
  }
  base::Status InSnapshot(const std::function<base::Status(hub::TableRows&)>& fn) override {
    return real_.InSnapshot([&](hub::TableRows& t) { return Hooked(t, fn); });
  }

 private:
  base::Status Hooked(hub::TableRows& t,
                      const std::function<base::Status(hub::TableRows&)>& fn) const {
    HookedRows rows(t, hide_devices_, fail_acked_, &after_range);
    return fn(rows);
  }
  hub::HubTables& real_;
  const bool hide_devices_, fail_acked_;

 public:
  std::function<void()> after_range;  // see HookedRows
};

// A Ledger over a fresh SQLite file or PostgreSQL schema (GetParam()).
class LedgerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    base::Result<std::unique_ptr<hub::HubTables>> t = OpenTables();
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    tables_ = std::move(t).value();
  }
  void TearDown() override { tables_.reset(); }  // disconnects before the schema is dropped

  base::Result<std::unique_ptr<hub::HubTables>> OpenTables() {
    if (GetParam() == "postgres") {
      if (pg_.conninfo().empty() && !pg_.Create()) return base::Unavailable("no test database");
      return hub::OpenPostgresTables(pg_.conninfo());
    }
    return hub::OpenSqliteTables(dir_.File("hub.db"));
  }
  // tables_ (not owned), through hooks when asked.
  std::unique_ptr<hub::HubTables> MakeLedgerTables(bool hide_devices = false,
                                                   bool fail_acked = false) {
    return std::make_unique<HookedTables>(*tables_, hide_devices, fail_acked);
  }
  // A ledger over tables_, through hooks when asked.
  std::unique_ptr<hub::Ledger> MakeLedger(bool hide_devices = false, bool fail_acked = false) {
    return std::make_unique<hub::Ledger>(MakeLedgerTables(hide_devices, fail_acked));
  }
  int64_t AddDevice(hub::HubStore& s, const std::string& name, const std::string& kid) {
    base::Result<hub::Device> d = s.AddDevice(name, kid, "PEM", 100);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->id : 0;
  }
  std::vector<hub::StoredEntry> All(hub::HubStore& s) {
    std::vector<hub::StoredEntry> out;
    EXPECT_TRUE(s.ForEachEntry(std::nullopt, [&](const hub::StoredEntry& se) {
                   out.push_back(se);
                   return base::Status::Ok();
                 }).ok());
    return out;
  }

  cktest::TempDir dir_;
  hubtest::PgTestSchema pg_;
  std::unique_ptr<hub::HubTables> tables_;
};

TEST_P(LedgerTest, DuplicateEnrolmentNamesWhatIsTaken) {
  std::unique_ptr<hub::Ledger> ledger = MakeLedger();
  AddDevice(*ledger, "k1", "0000000000000001");
  base::Status by_name = ledger->AddDevice("k1", "0000000000000002", "PEM", 1).status();
  EXPECT_EQ(by_name.code(), base::StatusCode::kAlreadyExists);
  EXPECT_EQ(by_name.message(), "a device named 'k1' is already enrolled");
  base::Status by_kid = ledger->AddDevice("k2", "0000000000000001", "PEM", 1).status();
  EXPECT_EQ(by_kid.code(), base::StatusCode::kAlreadyExists);
  EXPECT_EQ(by_kid.message(), "this key (kid 0000000000000001) is already enrolled as 'k1'");
}

// Another hub instance enrols the name between the checks and the insert: the tables refuse it
// with kAlreadyExists and the ledger says so.
TEST_P(LedgerTest, EnrolmentRacedByAnotherInstanceIsRefused) {
  AddDevice(*MakeLedger(), "k1", "0000000000000001");
  std::unique_ptr<hub::Ledger> blind = MakeLedger(/*hide_devices=*/true);
  for (const auto& [name, kid] : {std::pair<std::string, std::string>{"k1", "0000000000000002"},
                                  {"k2", "0000000000000001"}}) {
    base::Status st = blind->AddDevice(name, kid, "PEM", 1).status();
    EXPECT_EQ(st.code(), base::StatusCode::kAlreadyExists) << st.ToString();
    EXPECT_EQ(st.message(),
              "the name '" + name + "' or the key (kid " + kid + ") is already enrolled");
  }
  base::Result<std::vector<hub::Device>> all = MakeLedger()->ListDevices();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

TEST_P(LedgerTest, WithdrawnDeviceKeepsItsRowAndEntries) {
  std::unique_ptr<hub::Ledger> ledger = MakeLedger();
  int64_t id = AddDevice(*ledger, "k1", "0000000000000001");
  ASSERT_TRUE(ledger->PutEntries(id, {MakeEntry(1, "u1")}, 5).ok());
  ASSERT_TRUE(ledger->WithdrawDevice("k1").ok());
  base::Status unknown = ledger->WithdrawDevice("nope");
  EXPECT_EQ(unknown.code(), base::StatusCode::kNotFound);
  EXPECT_EQ(unknown.message(), "no device named 'nope'");
  base::Result<std::optional<hub::Device>> d = ledger->FindDeviceByName("k1");
  ASSERT_TRUE(d.ok() && d->has_value());
  EXPECT_TRUE((*d)->withdrawn);
  EXPECT_EQ((*d)->acked_seq, 1);
  EXPECT_EQ(All(*ledger).size(), 1u);
  // Its name and key stay taken.
  EXPECT_EQ(ledger->AddDevice("k1", "0000000000000009", "PEM", 1).status().code(),
            base::StatusCode::kAlreadyExists);
}

TEST_P(LedgerTest, BatchForAnUnknownDeviceIsNotFound) {
  std::unique_ptr<hub::Ledger> ledger = MakeLedger();
  base::Result<hub::PutResult> r = ledger->PutEntries(999, {MakeEntry(1, "u1")}, 5);
  EXPECT_EQ(r.status().code(), base::StatusCode::kNotFound);
  EXPECT_EQ(ledger->AckedSeq(999).status().code(), base::StatusCode::kNotFound);
  EXPECT_TRUE(All(*ledger).empty());
}

// A batch is one transaction: when a later step fails, none of its entries stay.
TEST_P(LedgerTest, FailedBatchStoresNothing) {
  std::unique_ptr<hub::Ledger> ledger = MakeLedger();
  int64_t id = AddDevice(*ledger, "k1", "0000000000000001");
  std::unique_ptr<hub::Ledger> failing = MakeLedger(false, /*fail_acked=*/true);
  base::Result<hub::PutResult> r = failing->PutEntries(id, Chain(1, {"u1", "u2"}), 5);
  EXPECT_EQ(r.status().code(), base::StatusCode::kInternal);
  EXPECT_TRUE(All(*ledger).empty());
  EXPECT_EQ(ledger->AckedSeq(id).value(), 0);
  r = ledger->PutEntries(id, Chain(1, {"u1", "u2"}), 6);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stored, 2);
  EXPECT_EQ(r->acked_seq, 2);
}

// acked_seq walks over entries held above the recorded value (stored before batches were checked
// for gaps) and the batch records the contact time.
TEST_P(LedgerTest, AckedWalkCountsEachSeqOnce) {
  std::unique_ptr<hub::Ledger> ledger = MakeLedger();
  int64_t id = AddDevice(*ledger, "k1", "0000000000000001");
  std::vector<journal::Entry> chain = Chain(1, {"a", "c", "d", "e"});
  // Seq 2 and 4 already in the tables, as an older hub that did not check for gaps stored them.
  ASSERT_TRUE(tables_
                  ->Run([&](hub::TableRows& t) -> base::Status {
                    for (const journal::Entry& e : {chain[1], chain[3]}) {
                      CK_TRY(t.InsertEntry(id, 1, e, 1).status());
                    }
                    return base::Status::Ok();
                  })
                  .ok());
  base::Result<hub::PutResult> r = ledger->PutEntries(id, {chain[0], chain[1]}, 77);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stored, 1);
  EXPECT_EQ(r->duplicates, 1);
  EXPECT_EQ(r->acked_seq, 2);
  base::Result<std::optional<hub::Device>> d = ledger->FindDeviceByName("k1");
  ASSERT_TRUE(d.ok() && d->has_value());
  EXPECT_EQ((*d)->acked_seq, 2);
  EXPECT_EQ((*d)->last_contact, 77);
  r = ledger->PutEntries(id, {chain[2]}, 78);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->acked_seq, 4);
  ASSERT_TRUE(ledger->TouchDevice(id, 80).ok());
  EXPECT_EQ((*ledger->FindDeviceByKid("0000000000000001"))->last_contact, 80);
}

// ---- a batch checked against what the hub holds (issue: anchors, rewritten seqs, repeats) ------

// The refusal's code and message, nothing stored (the hub still holds `held` entries, acked
// `acked`), and the conflicts recorded so far.
std::vector<hub::Conflict> ExpectRefused(hub::Ledger& ledger, const base::Result<hub::PutResult>& r,
                                         base::StatusCode code, const std::string& message,
                                         size_t held, int64_t acked) {
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_EQ(r.status().message(), message);
  size_t n = 0;
  EXPECT_TRUE(ledger
                  .ForEachEntry(std::nullopt,
                                [&n](const hub::StoredEntry&) {
                                  ++n;
                                  return base::Status::Ok();
                                })
                  .ok());
  EXPECT_EQ(n, held);
  base::Result<std::optional<hub::Device>> d = ledger.FindDeviceByName("k1");
  EXPECT_TRUE(d.ok() && d->has_value());
  EXPECT_EQ(d.ok() && d->has_value() ? (*d)->acked_seq : -1, acked);
  base::Result<std::vector<hub::Conflict>> c = ledger.ListConflicts();
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : std::vector<hub::Conflict>();
}

constexpr char kNothingStored[] = "; nothing of the batch was stored and the device is flagged";

TEST_P(LedgerTest, MadeUpAnchorIsAConflictAndFlagged) {
  std::unique_ptr<hub::Ledger> ledger = MakeLedger();
  int64_t id = AddDevice(*ledger, "k1", "0000000000000001");
  std::vector<journal::Entry> chain = Chain(1, {"u1", "u2", "u3"});
  ASSERT_TRUE(ledger->PutEntries(id, {chain[0], chain[1]}, 5).ok());
  journal::Hash made_up{};
  made_up.fill(0xab);
  std::vector<hub::Conflict> c =
      ExpectRefused(*ledger, ledger->PutEntries(id, Chain(3, {"u3", "u4"}, made_up), 6),
                    base::StatusCode::kAlreadyExists,
                    std::string("conflict at seq 3: the anchor is not the hash of the entry the "
                                "hub holds at seq 2") +
                        kNothingStored,
                    2, 2);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].device, "k1");
  EXPECT_EQ(c[0].device_id, id);
  EXPECT_EQ(c[0].seq, 3);
  EXPECT_EQ(c[0].uuid, "u3");
  EXPECT_EQ(c[0].received, 6);
  EXPECT_EQ(c[0].reason, "the anchor is not the hash of the entry the hub holds at seq 2");
  // Seq 1 must start the chain.
  int64_t id2 = AddDevice(*ledger, "k2", "0000000000000002");
  base::Status st = ledger->PutEntries(id2, Chain(1, {"v1"}, made_up), 7).status();
  EXPECT_EQ(st.message(),
            std::string("conflict at seq 1: the anchor of seq 1 is not the chain's start") +
                kNothingStored);
  // The real continuation is taken.
  base::Result<hub::PutResult> r = ledger->PutEntries(id, {chain[2]}, 8);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->acked_seq, 3);
  EXPECT_EQ(ledger->ListConflicts()->size(), 2u);
}

// Seq 2..3 rewritten with new uuids (anchored right at seq 1): refused, the hub still holds one
// entry per seq.
TEST_P(LedgerTest, RewrittenSeqsWithNewUuidsAreAConflict) {
  std::unique_ptr<hub::Ledger> ledger = MakeLedger();
  int64_t id = AddDevice(*ledger, "k1", "0000000000000001");
  std::vector<journal::Entry> chain = Chain(1, {"u1", "u2", "u3"});
  ASSERT_TRUE(ledger->PutEntries(id, chain, 5).ok());
  std::vector<hub::Conflict> c = ExpectRefused(
      *ledger, ledger->PutEntries(id, Chain(2, {"x2", "x3", "x4"}, chain[0].hash), 6),
      base::StatusCode::kAlreadyExists,
      std::string("conflict at seq 2: the hub holds another entry (uuid u2) at this seq") +
          kNothingStored,
      3, 3);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].uuid, "x2");
  std::set<int64_t> seqs;
  for (const hub::StoredEntry& se : All(*ledger)) EXPECT_TRUE(seqs.insert(se.entry.seq).second);
}

// A uuid twice in one batch is refused whole (it used to count as a duplicate, so stored +
// duplicates acknowledged an entry never stored); not a conflict with what the hub holds.
TEST_P(LedgerTest, UuidRepeatedWithinABatchIsRefused) {
  std::unique_ptr<hub::Ledger> ledger = MakeLedger();
  int64_t id = AddDevice(*ledger, "k1", "0000000000000001");
  std::vector<hub::Conflict> c =
      ExpectRefused(*ledger, ledger->PutEntries(id, Chain(1, {"u1", "u2", "u1"}), 5),
                    base::StatusCode::kInvalidArgument,
                    "uuid u1 appears twice in the batch (seq 1 and seq 3)", 0, 0);
  EXPECT_TRUE(c.empty());
  std::vector<journal::Entry> twice = Chain(1, {"u1", "u2"});
  twice[1].seq = 1;
  twice[1].hash = journal::ComputeHash(twice[1]);
  EXPECT_EQ(ledger->PutEntries(id, twice, 5).status().message(),
            "the batch's seqs are not consecutive: seq 1 follows seq 1");
  std::vector<journal::Entry> unlinked = {MakeEntry(1, "u1"), MakeEntry(2, "u2")};
  EXPECT_EQ(ledger->PutEntries(id, unlinked, 5).status().message(),
            "entry seq 2 does not link to the entry before it");
  EXPECT_TRUE(All(*ledger).empty());
}

// The same uuid with other content: at its own seq, or at a new seq after the held ones.
TEST_P(LedgerTest, SameUuidWithOtherContentIsAConflict) {
  std::unique_ptr<hub::Ledger> ledger = MakeLedger();
  int64_t id = AddDevice(*ledger, "k1", "0000000000000001");
  std::vector<journal::Entry> chain = Chain(1, {"u1", "u2"});
  ASSERT_TRUE(ledger->PutEntries(id, chain, 5).ok());
  journal::Entry edited = chain[1];
  edited.discount_minor = 999;
  edited.hash = journal::ComputeHash(edited);
  ExpectRefused(
      *ledger, ledger->PutEntries(id, {edited}, 6), base::StatusCode::kAlreadyExists,
      std::string("conflict at seq 2: uuid u2 is held with other content") + kNothingStored, 2, 2);
  std::vector<hub::Conflict> c =
      ExpectRefused(*ledger, ledger->PutEntries(id, Chain(3, {"u3", "u1"}, chain[1].hash), 7),
                    base::StatusCode::kAlreadyExists,
                    std::string("conflict at seq 4: uuid u1 is held at seq 1 with other content") +
                        kNothingStored,
                    2, 2);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[1].seq, 4);
  EXPECT_EQ(c[1].uuid, "u1");
  // The same content again is a duplicate, acknowledged.
  base::Result<hub::PutResult> r = ledger->PutEntries(id, chain, 8);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stored, 0);
  EXPECT_EQ(r->duplicates, 2);
  EXPECT_EQ(r->acked_seq, 2);
}

TEST_P(LedgerTest, GapIsRefused) {
  std::unique_ptr<hub::Ledger> ledger = MakeLedger();
  int64_t id = AddDevice(*ledger, "k1", "0000000000000001");
  std::vector<journal::Entry> chain = Chain(1, {"u1", "u2", "u3"});
  ASSERT_TRUE(ledger->PutEntries(id, {chain[0]}, 5).ok());
  std::vector<hub::Conflict> c = ExpectRefused(
      *ledger, ledger->PutEntries(id, {chain[2]}, 6), base::StatusCode::kFailedPrecondition,
      "gap: the hub holds this device's entries through seq 1 and the batch starts "
      "at seq 3; send from seq 2",
      1, 1);
  EXPECT_TRUE(c.empty());
  base::Result<hub::PutResult> r = ledger->PutEntries(id, {chain[1], chain[2]}, 7);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->acked_seq, 3);
  EXPECT_EQ(r->stored + r->duplicates, 2);
}

// Every column comes back as it was stored: the one mapping of journal/entry_columns.h, in both
// backends' SQL.
TEST_P(LedgerTest, EntriesComeBackColumnForColumn) {
  std::unique_ptr<hub::Ledger> ledger = MakeLedger();
  int64_t id = AddDevice(*ledger, "k1", "0000000000000001");
  journal::Entry with_rid = MakeEntry(1, "u1");
  journal::Entry checkin = MakeEntry(2, "u2");
  checkin.prev_hash = with_rid.hash;
  checkin.kind = journal::Kind::kCheckin;
  checkin.partner_id.clear();
  checkin.event_id = "E-1 \"quoted\", 'x'";
  checkin.rid.reset();
  checkin.purchase_minor = 0;
  checkin.discount_minor = 0;
  checkin.decision = "refused-cap";
  checkin.hash = journal::ComputeHash(checkin);
  journal::Entry v = MakeEntry(3, "u3");  // format 2: a void with every format-2 field set
  v.prev_hash = checkin.hash;
  v.kind = journal::Kind::kVoid;
  v.ref_uuid = "u1";
  v.actor = "admin-card:0042";
  v.cashback_minor = 1234;
  v.clock_before_utc = 1'700'000'000;
  v.hash = journal::ComputeHash(v);
  ASSERT_TRUE(ledger->PutEntries(id, {with_rid, checkin, v}, 42).ok());
  std::vector<hub::StoredEntry> all = All(*ledger);
  ASSERT_EQ(all.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const journal::Entry& want = i == 0 ? with_rid : i == 1 ? checkin : v;
    EXPECT_EQ(all[i].device, "k1");
    EXPECT_EQ(all[i].received, 42);
    EXPECT_EQ(journal::EncodeEntry(all[i].entry), journal::EncodeEntry(want)) << i;
    EXPECT_EQ(journal::ComputeHash(all[i].entry), want.hash) << i;
  }
  EXPECT_FALSE(all[1].entry.rid.has_value());
  EXPECT_EQ(all[2].entry.actor, "admin-card:0042");
  EXPECT_EQ(journal::EntryFormat(all[2].entry), 2);
}

TEST_P(LedgerTest, BundleSeqOnlyMovesForward) {
  std::unique_ptr<hub::Ledger> ledger = MakeLedger();
  EXPECT_TRUE(hub::CheckBundleSeqIsNew(std::nullopt, 1).ok());
  ASSERT_TRUE(ledger->AddBundle({4, "bundles/seq4.ckbundle", 10, 1}).ok());
  base::Status st = ledger->AddBundle({4, "x", 1, 1});
  EXPECT_EQ(st.code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "bundle seq 4 is not above the published seq 4");
  EXPECT_EQ(hub::CheckBundleSeqIsNew(*ledger->LatestBundle(), 3).message(),
            "bundle seq 3 is not above the published seq 4");
  EXPECT_TRUE(hub::CheckBundleSeqIsNew(*ledger->LatestBundle(), 5).ok());
  base::Result<std::optional<hub::BundleRecord>> latest = ledger->LatestBundle();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->file, "bundles/seq4.ckbundle");
  EXPECT_EQ((*latest)->size, 10);
}

// Two hub instances (two connections) publishing the same seqs at once: each seq is published
// once, and the loser is told its seq is not above the published one (the check and the insert
// are one step), never a raw unique violation.
TEST_P(LedgerTest, ConcurrentPublishersEachSeqOnce) {
  base::Result<std::unique_ptr<hub::HubTables>> other_tables = OpenTables();
  ASSERT_TRUE(other_tables.ok()) << other_tables.status().ToString();
  hub::Ledger mine(MakeLedgerTables());
  hub::Ledger other(std::move(other_tables).value());
  std::atomic<int> published{0};
  std::atomic<int> unexpected{0};
  auto publish = [&](hub::Ledger* ledger) {
    for (int64_t seq = 1; seq <= 30; ++seq) {
      base::Status st = ledger->AddBundle({seq, "bundles/x", 1, seq});
      if (st.ok()) {
        ++published;
      } else if (st.code() != base::StatusCode::kFailedPrecondition) {
        ++unexpected;
        ADD_FAILURE() << st.ToString();
      }
    }
  };
  std::thread t1(publish, &mine);
  std::thread t2(publish, &other);
  t1.join();
  t2.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(published.load(), 30);
  EXPECT_EQ((*mine.LatestBundle())->seq, 30);
}

// The tables themselves: an entry is held once per (device, uuid); seqs come distinct and in
// order, and the scan stops when asked; a taken name or kid is kAlreadyExists.
TEST_P(LedgerTest, TablesHoldAnEntryOncePerDeviceAndUuid) {
  int64_t id = AddDevice(*MakeLedger(), "k1", "0000000000000001");
  std::vector<bool> fresh;
  std::vector<int64_t> above3, until5;
  base::Status st = tables_->InTransaction([&](hub::TableRows& t) -> base::Status {
    fresh.clear();
    above3.clear();
    until5.clear();
    for (const auto& [seq, uuid] : std::vector<std::pair<int64_t, std::string>>{
             {5, "u5"}, {3, "u3"}, {3, "u3"}, {3, "u3b"}, {9, "u9"}}) {
      CK_ASSIGN_OR_RETURN(bool inserted, t.InsertEntry(id, 1, MakeEntry(seq, uuid), 1));
      fresh.push_back(inserted);
    }
    CK_TRY(t.ScanSeqsAbove(id, 1, 3, [&](int64_t s) {
      above3.push_back(s);
      return true;
    }));
    return t.ScanSeqsAbove(id, 1, 0, [&](int64_t s) {
      until5.push_back(s);
      return s < 5;
    });
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(fresh, (std::vector<bool>{true, true, false, true, true}));
  EXPECT_EQ(above3, (std::vector<int64_t>{5, 9}));
  EXPECT_EQ(until5, (std::vector<int64_t>{3, 5}));
  for (const auto& [name, kid] : {std::pair<std::string, std::string>{"k1", "00000000000000ff"},
                                  {"k2", "0000000000000001"}}) {
    base::Status taken = tables_->Run(
        [&](hub::TableRows& t) { return t.InsertDevice(name, kid, "PEM", 1).status(); });
    EXPECT_EQ(taken.code(), base::StatusCode::kAlreadyExists) << taken.ToString();
  }
  base::Result<int64_t> withdrawn = base::Internal("not run");
  ASSERT_TRUE(tables_
                  ->Run([&](hub::TableRows& t) -> base::Status {
                    withdrawn = t.SetWithdrawn("nope");
                    return withdrawn.status();
                  })
                  .ok());
  EXPECT_EQ(*withdrawn, 0);
}

// A page's sums are read from the summaries in several queries (a range each); another instance
// commits a batch between them: the answer is the database as it was at the first query, not
// part of the batch, and the next answer has all of it.
TEST_P(LedgerTest, SummariesAreReadFromOneSnapshot) {
  auto hooked = std::make_unique<HookedTables>(*tables_, false, false);
  HookedTables* hooks = hooked.get();
  hub::Ledger ledger(std::move(hooked));
  const int64_t id = AddDevice(ledger, "k1", "0000000000000001");
  std::vector<journal::Entry> first = Chain(1, {"s1"});
  ASSERT_TRUE(ledger.PutEntries(id, "", first, 10).ok());
  // January 2027 at +05:30: from 2026-12-31T18:30Z, in quarter-hours, hours and days.
  base::Result<hub::ReportPeriod> p = hub::MonthPeriod("2027-01", 330 * 60);
  ASSERT_TRUE(p.ok());
  const hub::SumQuery q{
      .from = p->from, .to = p->to, .utc_offset_seconds = 330 * 60, .members = false};
  ASSERT_TRUE(hub::SummariesServe(q));
  ASSERT_GT(hub::PlanSummaryRanges(q).size(), 2u);
  // The other instance's batch: one discount in the month's first quarter-hour, one in its middle,
  // one in its last.
  std::vector<journal::Entry> later = Chain(2, {"s2", "s3", "s4"}, first.back().hash);
  const int64_t times[] = {p->from + 600, hubtest::kEntryTime + 3600, p->to - 600};
  journal::Hash prev = first.back().hash;
  for (size_t i = 0; i < later.size(); ++i) {
    later[i].time_utc = times[i];
    later[i].prev_hash = prev;
    later[i].hash = journal::ComputeHash(later[i]);
    prev = later[i].hash;
  }
  base::Result<std::unique_ptr<hub::HubTables>> other_tables = OpenTables();
  ASSERT_TRUE(other_tables.ok()) << other_tables.status().ToString();
  hub::Ledger other(std::move(other_tables).value());
  bool committed = false;
  hooks->after_range = [&] {
    if (committed) return;
    committed = true;
    base::Result<hub::PutResult> put = other.PutEntries(id, "", later, 20);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
  };
  auto count = [&] {
    int64_t n = 0;
    EXPECT_TRUE(ledger
                    .SumEntries(q,
                                [&n](const hub::SumRow& r) {
                                  n += r.count;
                                  return base::Status::Ok();
                                })
                    .ok());
    return n;
  };
  EXPECT_EQ(count(), 1);
  EXPECT_TRUE(committed);
  EXPECT_EQ(count(), 4);
}

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Backends, LedgerTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

// The column table names journal.db's entry columns in their order, and the hub's entries table
// holds the same ones plus device_id and received.
TEST(EntryColumnsTest, MatchTheJournalAndHubTables) {
  cktest::TempDir dir;
  base::FakeClock clock;
  ASSERT_TRUE(journal::Journal::Open(dir.File("journal.db"), clock).ok());
  ASSERT_TRUE(hub::OpenSqliteTables(dir.File("hub.db")).ok());
  auto columns = [](const std::string& path) {
    std::vector<std::string> out;
    base::Result<sqlite::Db> db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly);
    EXPECT_TRUE(db.ok());
    if (!db.ok()) return out;
    base::Result<sqlite::Stmt> st = db->Prepare("SELECT name FROM pragma_table_info('entries')");
    EXPECT_TRUE(st.ok());
    while (st.ok() && st->Step().value() == sqlite::Stmt::StepResult::kRow) {
      out.push_back(st->Text(0));
    }
    return out;
  };
  std::vector<std::string> names;
  for (const journal::EntryColumn& c : journal::EntryColumns()) names.emplace_back(c.name);
  EXPECT_EQ(columns(dir.File("journal.db")), names);
  std::set<std::string> hub_names(names.begin(), names.end());
  hub_names.insert({"device_id", "received", "chain"});  // the hub's own columns
  std::vector<std::string> hub_cols = columns(dir.File("hub.db"));
  EXPECT_EQ(std::set<std::string>(hub_cols.begin(), hub_cols.end()), hub_names);
  EXPECT_EQ(hub_cols.size(), hub_names.size());
  EXPECT_EQ(journal::EntryColumnNames("e.").substr(0, 13), "e.seq, e.uuid");
}

// Values read back through the table: a NULL rid is no member, a rid of another length is refused.
TEST(EntryColumnsTest, SettersRefuseWhatNoEntryHolds) {
  const auto& cols = journal::EntryColumns();
  const journal::EntryColumn& rid = cols[5];
  ASSERT_EQ(rid.name, "rid");
  journal::Entry e = MakeEntry(1, "u");
  ASSERT_TRUE(rid.set(journal::ColumnValue(), &e).ok());
  EXPECT_FALSE(e.rid.has_value());
  uint8_t three[3] = {1, 2, 3};
  EXPECT_EQ(rid.set(base::ByteSpan(three, 3), &e).code(), base::StatusCode::kDataLoss);
  EXPECT_EQ(cols[2].set(std::string_view("refund"), &e).code(), base::StatusCode::kInvalidArgument);
  for (const journal::EntryColumn& c : cols) {
    journal::Entry copy;
    journal::Entry from = MakeEntry(3, "u3");
    ASSERT_TRUE(c.set(c.get(from), &copy).ok()) << c.name;
  }
}

}  // namespace
