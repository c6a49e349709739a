// The summaries kept at intake (hub/summaries.h): every sum the admin pages and `cardhub report`
// ask for is the same from the summaries as from the entries (SumQuery::scan), over a data set
// with voids (in the batch of the entry, in a later one, twice, and before the entry they cancel),
// refused repeats, manual counts, refused discounts and entries without a rid, for UTC offsets of
// whole hours, of half and quarter hours, west of UTC, and one the summaries cannot serve (+7
// minutes, read from the entries); a database an older hub made builds its summaries on open.
// On SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "base/fs.h"
#include "hub/report.h"
#include "hub/store.h"
#include "hub/summaries.h"
#include "hub_fixture.h"
#include "journal/journal.h"
#include "subprocess.h"

namespace {

constexpr int64_t kJan = 1'798'761'600;  // 2027-01-01T00:00:00Z
constexpr int64_t kOffsets[] = {0, 180 * 60, 330 * 60, -300 * 60, 345 * 60, 7 * 60};

// A chain built entry by entry: seqs, uuids `tag`-seq and links filled in.
class ChainBuilder {
 public:
  explicit ChainBuilder(std::string tag) : tag_(std::move(tag)) {}

  journal::Entry& Add(journal::Kind kind, int64_t time, const std::string& decision) {
    journal::Entry e;
    e.seq = static_cast<int64_t>(entries_.size()) + 1;
    e.uuid = tag_ + "-" + std::to_string(e.seq);
    e.kind = kind;
    e.time_utc = time;
    e.verdict = "VALID";
    e.decision = decision;
    entries_.push_back(e);
    return entries_.back();
  }
  // An accepted discount of partner P-1's offer O-1.
  journal::Entry& Discount(int64_t time, int64_t purchase_minor, int64_t discount_minor) {
    journal::Entry& d = Add(journal::Kind::kDiscount, time, journal::kAccepted);
    d.partner_id = "P-1";
    d.offer_id = "O-1";
    d.purchase_minor = purchase_minor;
    d.discount_minor = discount_minor;
    return d;
  }
  void Void(const std::string& uuid, int64_t time) {
    Add(journal::Kind::kVoid, time, journal::kAccepted).ref_uuid = uuid;
  }
  // The chain, hashed, in batches of `per`.
  std::vector<std::vector<journal::Entry>> Batches(size_t per) {
    journal::Hash prev{};
    for (journal::Entry& e : entries_) {
      e.prev_hash = prev;
      e.hash = journal::ComputeHash(e);
      prev = e.hash;
    }
    std::vector<std::vector<journal::Entry>> out;
    for (size_t i = 0; i < entries_.size(); i += per) {
      out.emplace_back(
          entries_.begin() + static_cast<ptrdiff_t>(i),
          entries_.begin() + static_cast<ptrdiff_t>(std::min(entries_.size(), i + per)));
    }
    return out;
  }
  const std::string& tag() const { return tag_; }

 private:
  std::string tag_;
  std::vector<journal::Entry> entries_;
};

// Discounts, check-ins (accepted, refused as repeats, some without a rid), manual counts and
// refused discounts over January and February 2027, an odd step apart (every quarter-hour and
// minute of the hour comes up), plus entries on each offset's month and day boundaries; every
// eleventh entry voided a few entries later, some twice.
void Fill(ChainBuilder& c, int device, int n) {
  std::vector<int64_t> times;
  for (int i = 0; i < n; ++i) times.push_back(kJan - 86400 + device * 61 + int64_t{i} * 8887);
  for (int64_t off : kOffsets) {
    for (int64_t at : {kJan, kJan + 31 * 86400, kJan + 59 * 86400, kJan + 10 * 86400}) {
      for (int64_t d : {-1, 0, 1, 899, 900}) times.push_back(at - off + d);
    }
  }
  int i = 0;
  for (int64_t t : times) {
    ++i;
    const card::Rid rid{static_cast<uint8_t>(i % 5), 1, 2, 3, 4, 5, 6, 7};
    const std::string event = "E-" + std::to_string(i % 2 + 1);
    switch (i % 10) {
      case 6:
      case 7: {
        journal::Entry& e = c.Add(journal::Kind::kCheckin, t, journal::kAccepted);
        e.event_id = event;
        if (i % 13 != 0) e.rid = rid;
        break;
      }
      case 8:
        c.Add(journal::Kind::kCheckin, t, hub::kAlreadyCheckedIn).event_id = event;
        c.Add(journal::Kind::kCheckin, t, hub::kAlreadyCheckedIn).rid = rid;
        break;
      case 9:
        c.Add(journal::Kind::kManualCount, t, journal::kAccepted).event_id = event;
        break;
      default: {
        journal::Entry& e =
            c.Add(journal::Kind::kDiscount, t, i % 17 == 0 ? "CAP_REACHED" : journal::kAccepted);
        e.partner_id = "P-" + std::to_string(i % 3 + device);
        e.offer_id = "O-" + std::to_string(i % 4);
        e.rid = rid;
        e.purchase_minor = 1000 + i;
        if (i % 7 == 0) {
          e.cashback_minor = 30 + i;
        } else {
          e.discount_minor = 100 + i;
        }
      }
    }
    if (i % 11 == 0 && i > 5) {
      const std::string ref = c.tag() + "-" + std::to_string(i - 4);
      c.Void(ref, t + 60);
      if (i % 22 == 0) c.Void(ref, t + 61);
    }
  }
}

// The rows by scope and detail in byte order (a PostgreSQL collation may order the entries' rows
// otherwise; the callers sort them).
std::string Text(std::vector<hub::SumRow> rows) {
  std::sort(rows.begin(), rows.end(), [](const hub::SumRow& x, const hub::SumRow& y) {
    return std::tie(x.scope_id, x.detail) < std::tie(y.scope_id, y.detail);
  });
  std::string out;
  for (const hub::SumRow& r : rows) {
    out += r.scope_id + "|" + r.detail + " n=" + std::to_string(r.count) +
           " p=" + std::to_string(r.purchase_minor) + " d=" + std::to_string(r.discount_minor) +
           " c=" + std::to_string(r.cashback_minor) + " m=" + std::to_string(r.members) + "\n";
  }
  return out;
}

class HubSummariesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      ASSERT_TRUE(pg_.Create());
    }
    Open();
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
  int64_t Enroll(const std::string& name, const std::string& kid) {
    base::Result<hub::Device> d = store_->AddDevice(name, kid, "PEM", 100);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->id : 0;
  }
  void Put(int64_t device, const std::string& journal_id,
           const std::vector<journal::Entry>& batch) {
    base::Result<hub::PutResult> r = store_->PutEntries(device, journal_id, batch, 500);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  // Two kiosks' chains in batches of 37, the first with a void of an entry its second chain
  // brings later (journal J2: the uuid is held once per device, whatever the chain) and a
  // discount voided twice in two batches.
  void FillStore() {
    const int64_t k1 = Enroll("k1", "0000000000000001"), k2 = Enroll("k2", "0000000000000002");
    ChainBuilder a("a"), b("b"), late("late");
    Fill(a, 0, 500);
    a.Void("late-2", kJan + 40 * 86400);
    // A discount voided twice, the second void in a batch of its own (below).
    const std::string twice_uuid = a.Discount(kJan + 20 * 86400 + 450, 7000, 700).uuid;
    a.Void(twice_uuid, kJan + 41 * 86400);
    a.Void(twice_uuid, kJan + 41 * 86400);
    Fill(b, 1, 400);
    for (int64_t day : {35, 36}) late.Discount(kJan + day * 86400, 5000, 500);
    std::vector<std::vector<journal::Entry>> batches = a.Batches(37);
    batches.push_back({batches.back().back()});
    batches[batches.size() - 2].pop_back();
    for (const auto& batch : batches) Put(k1, "", batch);
    for (const auto& batch : b.Batches(37)) Put(k2, "", batch);
    std::vector<std::vector<journal::Entry>> l = late.Batches(10);
    Put(k1, "J2", l[0]);
  }

  std::vector<hub::SumRow> Sum(hub::SumQuery q) {
    std::vector<hub::SumRow> rows;
    base::Status st = store_->SumEntries(q, [&rows](const hub::SumRow& r) {
      rows.push_back(r);
      return base::Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return rows;
  }

  // Every query shape over both months and each offset: the summaries' rows equal the entries'.
  // Returns how many the summaries answered.
  int CompareAll() {
    int served = 0;
    for (int64_t off : kOffsets) {
      for (const char* month : {"2027-01", "2027-02"}) {
        base::Result<hub::ReportPeriod> p = hub::MonthPeriod(month, off);
        EXPECT_TRUE(p.ok());
        for (journal::Kind kind :
             {journal::Kind::kDiscount, journal::Kind::kCheckin, journal::Kind::kManualCount}) {
          for (hub::SumDetail detail : {hub::SumDetail::kNone, hub::SumDetail::kOffer,
                                        hub::SumDetail::kDay, hub::SumDetail::kHour}) {
            for (int flags = 0; flags < 8; ++flags) {
              hub::SumQuery q{.from = p->from,
                              .to = p->to,
                              .kind = kind,
                              .detail = detail,
                              .utc_offset_seconds = off,
                              .voided = (flags & 1) != 0,
                              .repeats = (flags & 2) != 0,
                              .members = (flags & 4) != 0};
              served += hub::SummariesServe(q) ? 1 : 0;
              std::vector<hub::SumRow> got = Sum(q);
              q.scan = true;
              std::vector<hub::SumRow> want = Sum(q);
              if (!q.members) {  // not wanted: the entries' sums still count them
                for (hub::SumRow& r : got) r.members = 0;
                for (hub::SumRow& r : want) r.members = 0;
              }
              EXPECT_EQ(Text(got), Text(want))
                  << month << " offset " << off << " kind " << journal::KindName(kind) << " detail "
                  << static_cast<int>(detail) << " flags " << flags;
            }
          }
        }
      }
    }
    return served;
  }

  void MakeOlder() {
    store_.reset();
    hubtest::ExecOnHubDatabase(GetParam(), dir_.path(), pg_,
                               {"DROP TABLE entry_sums", "DROP TABLE entry_members"});
  }

  cktest::TempDir dir_;
  hubtest::PgTestSchema pg_;
  std::unique_ptr<hub::HubStore> store_;
};

TEST_P(HubSummariesTest, EveryPageQueryEqualsTheEntriesSums) {
  FillStore();
  // The +7 minute offset's months are not whole quarter-hours: read from the entries. The other
  // five serve most shapes.
  EXPECT_GT(CompareAll(), 5 * 2 * 3 * 4);
  base::Result<hub::ReportPeriod> odd = hub::MonthPeriod("2027-02", 7 * 60);
  EXPECT_FALSE(hub::SummariesServe(
      {.from = odd->from, .to = odd->to, .detail = hub::SumDetail::kOffer, .members = false}));
  base::Result<hub::ReportPeriod> india = hub::MonthPeriod("2027-02", 330 * 60);
  EXPECT_TRUE(hub::SummariesServe({.from = india->from,
                                   .to = india->to,
                                   .detail = hub::SumDetail::kHour,
                                   .utc_offset_seconds = 330 * 60,
                                   .members = false}));
}

TEST_P(HubSummariesTest, AnOlderDatabaseBuildsItsSummariesOnOpen) {
  FillStore();
  MakeOlder();
  Open();
  CompareAll();
  // And keeps them from then on: one more batch is summed at intake.
  ChainBuilder c("c");
  Fill(c, 2, 60);
  const int64_t k3 = Enroll("k3", "0000000000000003");
  for (const auto& batch : c.Batches(20)) Put(k3, "", batch);
  CompareAll();
}

// What a user sees: a discount voided in a later batch leaves the month's sums and counts as a
// void; a member checked in twice is one unique member, and a repeat refused is counted apart.
TEST_P(HubSummariesTest, VoidInALaterBatchMovesTheDiscountToTheVoids) {
  const int64_t k1 = Enroll("k1", "0000000000000001");
  ChainBuilder c("v");
  const int64_t t = kJan + 5 * 86400 + 3600;
  for (int i = 0; i < 2; ++i) c.Discount(t + i, 10000, 1000);
  for (const char* decision : {journal::kAccepted, journal::kAccepted, hub::kAlreadyCheckedIn}) {
    journal::Entry& e = c.Add(journal::Kind::kCheckin, t + 10, decision);
    e.event_id = "E-1";
    e.rid = card::Rid{1, 2, 3, 4, 5, 6, 7, 8};
  }
  c.Void("v-1", t + 20);
  std::vector<std::vector<journal::Entry>> batches = c.Batches(5);
  ASSERT_EQ(batches.size(), 2u);
  Put(k1, "", batches[0]);
  base::Result<hub::ReportPeriod> p = hub::MonthPeriod("2027-01", 180 * 60);
  base::PosixFileSystem fs;
  const hub::SettlementParts parts{.voids = true};
  base::Result<hub::Settlement> before =
      hub::BuildSettlement(*store_, fs, dir_.path(), *p, hub::ReportBy::kOffer, 10800, parts);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->partners.size(), 1u);
  EXPECT_EQ(before->partners[0].count, 2);
  EXPECT_EQ(before->partners[0].discount_minor, 2000);
  Put(k1, "", batches[1]);
  base::Result<hub::Settlement> after =
      hub::BuildSettlement(*store_, fs, dir_.path(), *p, hub::ReportBy::kOffer, 10800, parts);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->partners.size(), 1u);
  EXPECT_EQ(after->partners[0].count, 1);
  EXPECT_EQ(after->partners[0].purchase_minor, 10000);
  EXPECT_EQ(after->partners[0].discount_minor, 1000);
  EXPECT_EQ(after->partners[0].voids, 1);
  ASSERT_EQ(after->events.size(), 1u);
  EXPECT_EQ(after->events[0].count, 2);
  EXPECT_EQ(after->events[0].members, 1);
  std::vector<hub::SumRow> repeats = Sum({.from = p->from,
                                          .to = p->to,
                                          .kind = journal::Kind::kCheckin,
                                          .repeats = true,
                                          .members = false});
  ASSERT_EQ(repeats.size(), 1u);
  EXPECT_EQ(repeats[0].count, 1);
}

// A kiosk resends a batch that overlaps what the hub holds and brings a void of an entry stored
// before: the held entries are not summed twice and the void moves its entry once; the whole chain
// resent changes nothing.
TEST_P(HubSummariesTest, OverlappingResentBatchesAreSummedOnce) {
  const int64_t k1 = Enroll("k1", "0000000000000001");
  ChainBuilder c("r");
  const int64_t t = kJan + 3 * 86400 + 7200;
  for (int i = 0; i < 4; ++i) c.Discount(t + i * 60, 10000, 1000);
  c.Void("r-1", t + 600);
  std::vector<journal::Entry> all = c.Batches(10)[0];
  base::Result<hub::ReportPeriod> p = hub::MonthPeriod("2027-01", 180 * 60);
  const hub::SumQuery settled{.from = p->from, .to = p->to, .members = false};
  hub::SumQuery voided = settled;
  voided.voided = true;
  Put(k1, "", {all.begin(), all.begin() + 3});
  Put(k1, "", {all.begin() + 1, all.end()});
  for (int resend = 0; resend < 2; ++resend) {
    std::vector<hub::SumRow> s = Sum(settled), v = Sum(voided);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].count, 3) << "resend " << resend;
    EXPECT_EQ(s[0].discount_minor, 3000);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].count, 1);
    CompareAll();
    Put(k1, "", all);
  }
}

// A batch the hub refuses (a seq it holds, with other content) leaves the sums as they were.
TEST_P(HubSummariesTest, RefusedBatchLeavesTheSumsAsTheyWere) {
  FillStore();
  base::Result<hub::ReportPeriod> p = hub::MonthPeriod("2027-01", 0);
  const hub::SumQuery q{.from = p->from, .to = p->to, .detail = hub::SumDetail::kDay};
  const std::string before = Text(Sum(q));
  ChainBuilder c("x");
  Fill(c, 0, 40);
  base::Result<std::optional<hub::Device>> k1 = store_->FindDeviceByName("k1");
  ASSERT_TRUE(k1.ok() && k1->has_value());
  base::Result<hub::PutResult> r = store_->PutEntries((*k1)->id, "", c.Batches(40)[0], 600);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kAlreadyExists) << r.status().ToString();
  EXPECT_EQ(Text(Sum(q)), before);
  CompareAll();
}

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }
INSTANTIATE_TEST_SUITE_P(Backends, HubSummariesTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
