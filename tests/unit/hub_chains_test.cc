// A device's journal chains on the hub (hub/ledger.h): each journal id is its own chain of seqs,
// anchors and acknowledgements; a new one is flagged with where the one before it ended; a batch
// without an id is the first chain's; a uuid is stored once per device whatever the chain; and a
// database an older hub made (entries without a chain) opens with those entries as chain 1. On
// SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "hub/store.h"
#include "hub_fixture.h"
#include "journal/journal.h"
#include "subprocess.h"

namespace {

// Seqs from..to of one journal's chain: uuid `tag`-seq, linked from the chain's start; `tag` also
// changes the content, so two journals' seq 1 differ.
std::vector<journal::Entry> Entries(const std::string& tag, int64_t from, int64_t to) {
  std::vector<journal::Entry> out;
  journal::Hash prev{};
  for (int64_t seq = 1; seq <= to; ++seq) {
    journal::Entry e;
    e.seq = seq;
    e.uuid = tag + "-" + std::to_string(seq);
    e.kind = journal::Kind::kDiscount;
    e.time_utc = hubtest::kEntryTime + seq;
    e.partner_id = "P-1";
    e.offer_id = "O-" + tag;
    e.purchase_minor = 1000;
    e.discount_minor = 100;
    e.verdict = "VALID";
    e.decision = journal::kAccepted;
    e.prev_hash = prev;
    e.hash = journal::ComputeHash(e);
    prev = e.hash;
    if (seq >= from) out.push_back(e);
  }
  return out;
}

class HubChainsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      ASSERT_TRUE(pg_.Create());
    }
    Open();
    base::Result<hub::Device> d = store_->AddDevice("k1", "0000000000000001", "PEM", 100);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    id_ = d->id;
  }
  void TearDown() override { store_.reset(); }  // disconnects before the schema is dropped

  void Open() {
    store_.reset();
    hub::Config config;
    config.store = GetParam();
    config.postgres_conninfo = pg_.conninfo();
    base::Result<std::unique_ptr<hub::HubStore>> s = hub::OpenStore(dir_.path(), config);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  hub::PutResult Put(const std::string& journal_id, const std::vector<journal::Entry>& batch,
                     int64_t now = 500) {
    base::Result<hub::PutResult> r = store_->PutEntries(id_, journal_id, batch, now);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : hub::PutResult{};
  }
  std::vector<hub::JournalChain> Chains() {
    base::Result<std::vector<hub::JournalChain>> c = store_->ListChains();
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : std::vector<hub::JournalChain>{};
  }
  size_t EntryCount() {
    size_t n = 0;
    EXPECT_TRUE(store_
                    ->ForEachEntry(id_,
                                   [&n](const hub::StoredEntry&) {
                                     ++n;
                                     return base::Status::Ok();
                                   })
                    .ok());
    return n;
  }
  int64_t DeviceAcked() { return store_->AckedSeq(id_).value(); }

  // What an older hub's database looked like: no chains table, no entries.chain.
  void MakeOlder() {
    store_.reset();
    hubtest::ExecOnHubDatabase(GetParam(), dir_.path(), pg_,
                               {"DROP INDEX entries_by_chain",
                                "ALTER TABLE entries DROP COLUMN chain", "DROP TABLE chains"});
  }

  cktest::TempDir dir_;
  hubtest::PgTestSchema pg_;
  std::unique_ptr<hub::HubStore> store_;
  int64_t id_ = 0;
};

TEST_P(HubChainsTest, NewJournalIsANewChainLinkedAndFlagged) {
  EXPECT_EQ(Put("J1", Entries("a", 1, 5)).acked_seq, 5);
  hub::PutResult r = Put("J2", Entries("b", 1, 3), 600);
  EXPECT_EQ(r.stored, 3);
  EXPECT_EQ(r.acked_seq, 3);
  EXPECT_EQ(r.chain, 2);
  EXPECT_TRUE(r.new_chain);
  std::vector<hub::JournalChain> c = Chains();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].journal_id, "J1");
  EXPECT_EQ(c[0].acked_seq, 5);
  EXPECT_EQ(c[1].device, "k1");
  EXPECT_EQ(c[1].chain, 2);
  EXPECT_EQ(c[1].journal_id, "J2");
  EXPECT_EQ(c[1].started, 600);
  EXPECT_EQ(c[1].previous_journal_id, "J1");
  EXPECT_EQ(c[1].previous_last_seq, 5);
  EXPECT_EQ(DeviceAcked(), 3);  // the newest chain's
  EXPECT_EQ(store_->LastEntry(id_, journal::kMaxSeq)->last_seq, 3);
  // The old chain goes on on its own: its seqs, its anchor, its acknowledgement.
  r = Put("J1", Entries("a", 4, 7));
  EXPECT_EQ(r.duplicates, 2);
  EXPECT_EQ(r.stored, 2);
  EXPECT_EQ(r.acked_seq, 7);
  EXPECT_FALSE(r.new_chain);
  EXPECT_EQ(DeviceAcked(), 3);
  EXPECT_EQ(Put("J2", Entries("b", 1, 4)).acked_seq, 4);
  EXPECT_EQ(DeviceAcked(), 4);
  EXPECT_EQ(EntryCount(), 11u);
  EXPECT_TRUE(store_->ListConflicts()->empty());
}

TEST_P(HubChainsTest, BatchesWithoutAJournalIdAreTheFirstChain) {
  EXPECT_EQ(Put("", Entries("a", 1, 3)).chain, 1);
  // The kiosk upgraded: its first batch with an id continues the chain and names it.
  hub::PutResult r = Put("J1", Entries("a", 3, 5));
  EXPECT_EQ(r.chain, 1);
  EXPECT_FALSE(r.new_chain);
  EXPECT_EQ(r.acked_seq, 5);
  EXPECT_EQ(Put("", Entries("a", 6, 6)).acked_seq, 6);
  std::vector<hub::JournalChain> c = Chains();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].journal_id, "J1");
  // Without an id, another journal's seq 1 is a rewritten first chain: a conflict.
  EXPECT_EQ(store_->PutEntries(id_, "", Entries("x", 1, 2), 500).status().code(),
            base::StatusCode::kAlreadyExists);
}

TEST_P(HubChainsTest, UnnamedFirstChainAndAnotherSeqOneIsANewChain) {
  Put("", Entries("a", 1, 3));
  hub::PutResult r = Put("J2", Entries("b", 1, 2));
  EXPECT_TRUE(r.new_chain);
  std::vector<hub::JournalChain> c = Chains();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].journal_id, "");
  EXPECT_EQ(c[1].previous_journal_id, "");
  EXPECT_EQ(c[1].previous_last_seq, 3);
  // The first chain's own id still names it later (it was held without one).
  EXPECT_EQ(Put("J1", Entries("a", 1, 4)).chain, 1);
  EXPECT_EQ(Chains()[0].journal_id, "J1");
}

TEST_P(HubChainsTest, NewChainStartsAtSeqOneAndUuidsAreStoredOnce) {
  Put("J1", Entries("a", 1, 3));
  base::Status gap = store_->PutEntries(id_, "J2", Entries("b", 2, 3), 500).status();
  EXPECT_EQ(gap.code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(gap.message(),
            "gap: the hub holds no entry of journal J2 (a new journal chain of this device) and "
            "the batch starts at seq 2; send from seq 1");
  // A new chain whose entry repeats a uuid the device holds in another chain: a conflict.
  std::vector<journal::Entry> b = Entries("b", 1, 2);
  b[1].uuid = "a-2";
  b[1].hash = journal::ComputeHash(b[1]);
  base::Status st = store_->PutEntries(id_, "J2", b, 500).status();
  EXPECT_EQ(st.code(), base::StatusCode::kAlreadyExists) << st.ToString();
  EXPECT_EQ(Chains().size(), 1u);
  EXPECT_EQ(EntryCount(), 3u);
  ASSERT_EQ(store_->ListConflicts()->size(), 1u);
  EXPECT_NE(store_->ListConflicts()->front().reason.find("(journal J2)"), std::string::npos);
}

// An empty batch (the kiosk's probe) names no chain: an unknown id is at 0 and nothing is made.
TEST_P(HubChainsTest, EmptyBatchAnswersItsChainAndMakesNone) {
  Put("J1", Entries("a", 1, 3));
  EXPECT_EQ(Put("J1", {}).acked_seq, 3);
  EXPECT_EQ(Put("J9", {}).acked_seq, 0);
  EXPECT_EQ(Chains().size(), 1u);
}

// A database from before chains: its entries and acked seq become each device's chain 1, which
// the kiosk's next batch (with its journal id) continues.
TEST_P(HubChainsTest, OlderDatabaseOpensWithItsEntriesAsTheFirstChain) {
  Put("", Entries("a", 1, 3), 450);
  MakeOlder();
  Open();
  std::vector<hub::JournalChain> c = Chains();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].chain, 1);
  EXPECT_EQ(c[0].journal_id, "");
  EXPECT_EQ(c[0].acked_seq, 3);
  EXPECT_EQ(c[0].started, 450);
  hub::PutResult r = Put("J1", Entries("a", 2, 4));
  EXPECT_EQ(r.chain, 1);
  EXPECT_EQ(r.acked_seq, 4);
  EXPECT_EQ(r.duplicates, 2);
  EXPECT_TRUE(Put("J2", Entries("b", 1, 1)).new_chain);
  EXPECT_EQ(EntryCount(), 5u);
}

// The entries of one kind, read by one query (the clock corrections of `cardhub flags`): only
// that kind, of every device and chain, by device, chain, seq.
TEST_P(HubChainsTest, EntriesOfOneKind) {
  auto with_corrections = [](const std::string& tag, int64_t n) {
    std::vector<journal::Entry> v = Entries(tag, 1, n);
    journal::Hash prev{};
    for (journal::Entry& e : v) {
      if (e.seq % 2 == 0) {
        e.kind = journal::Kind::kClockCorrection;
        e.partner_id.clear();
        e.offer_id.clear();
        e.purchase_minor = e.discount_minor = 0;
        e.actor = "admin";
        e.clock_before_utc = e.time_utc - 3600;
      }
      e.prev_hash = prev;
      e.hash = journal::ComputeHash(e);
      prev = e.hash;
    }
    return v;
  };
  Put("J1", with_corrections("a", 4));
  Put("J2", with_corrections("b", 2));
  std::vector<std::string> seen;
  ASSERT_TRUE(store_
                  ->ForEachEntryOfKind(journal::Kind::kClockCorrection,
                                       [&](const hub::StoredEntry& se) {
                                         seen.push_back(se.device + " " + se.entry.uuid + " " +
                                                        se.entry.actor);
                                         return base::Status::Ok();
                                       })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"k1 a-2 admin", "k1 a-4 admin", "k1 b-2 admin"}));
}

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }
INSTANTIATE_TEST_SUITE_P(Backends, HubChainsTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
