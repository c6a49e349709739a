// Delta bundles (manifest version 2): the manifest, the change records, building, and applying
// onto exactly the named state, with every refusal leaving the registry in use untouched.
#include <gtest/gtest.h>

#include <string>

#include "base/clock.h"
#include "base/fs.h"
#include "base/hex.h"
#include "bundle/delta.h"
#include "bundle/format.h"
#include "bundle/importer.h"
#include "bundle/manifest.h"
#include "bundle/path.h"
#include "bundle_fixture.h"
#include "card/rid.h"
#include "real_fs.h"
#include "registry/changes.h"
#include "registry/state.h"
#include "sqlite/db.h"

namespace {

using cktest::BundleSpec;
using cktest::Contains;
using cktest::kFixtureNow;

// Every row of every table, encoded: two registries hold the same content exactly when their
// dumps are equal.
base::Bytes Dump(const std::string& path) {
  base::Bytes out;
  base::Result<sqlite::Db> db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly);
  if (!db.ok()) {
    ADD_FAILURE() << db.status().ToString();
    return out;
  }
  registry::Row row;
  for (const registry::TableSpec& t : registry::StateTables()) {
    base::Result<registry::RowCursor> cur = registry::RowCursor::Open(*db, t);
    if (!cur.ok()) {
      ADD_FAILURE() << cur.status().ToString();
      return out;
    }
    for (;;) {
      base::Result<bool> more = cur->Next(&row);
      if (!more.ok() || !*more) break;
      for (const registry::Value& v : row) registry::EncodeValue(v, &out);
    }
    out.push_back(0xff);
  }
  return out;
}

registry::StateDigest DigestOf(const std::string& path) {
  base::Result<sqlite::Db> db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly);
  if (!db.ok()) return {};
  base::Result<registry::StateDigest> d = registry::ComputeStateDigest(*db);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : registry::StateDigest{};
}

registry::StateDigest RecordedDigest(const std::string& path) {
  base::Result<sqlite::Db> db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly);
  if (!db.ok()) return {};
  base::Result<std::optional<registry::StateDigest>> d = registry::ReadRecordedStateDigest(*db);
  EXPECT_TRUE(d.ok() && d->has_value()) << (d.ok() ? "no record" : d.status().ToString());
  return d.ok() && d->has_value() ? **d : registry::StateDigest{};
}

// Seq 2: the suspended member reinstated, one member revoked, one gone, one new, an offer changed,
// an event's capacity set, a roster row removed.
void EditForSeq2(registry::RegistryContents* c) {
  ASSERT_GE(c->members.size(), 4u);
  c->members[0].state = card::MemberState::kRevoked;
  c->members[1].min_serial = 7;
  c->members.erase(c->members.begin() + 2);
  registry::MemberRecord added{.rid = card::ComputeRid(cktest::FixtureStatusSecret(), "M-NEW")};
  c->members.insert(std::lower_bound(c->members.begin(), c->members.end(), added,
                                     [](const auto& a, const auto& b) { return a.rid < b.rid; }),
                    added);
  ASSERT_FALSE(c->offers.empty());
  c->offers[0].value += 50;
  c->offers[0].title = "changed";
  ASSERT_FALSE(c->events.empty());
  c->events[0].capacity = 123;
  ASSERT_FALSE(c->roster.empty());
  c->roster.pop_back();
}

class BundleDeltaTest : public ::testing::Test {
 protected:
  BundleDeltaTest() : factory_(dir_.File("build")), data_(dir_.File("data")), clock_(kFixtureNow) {
    cktest::MakeDir(data_);
  }

  BundleSpec Seq(int64_t seq) const {
    BundleSpec s{.seq = seq, .extra_members = 300, .seed = 7};
    if (seq >= 2) s.edit = EditForSeq2;
    if (seq >= 3) {
      s.edit = [](registry::RegistryContents* c) {
        EditForSeq2(c);
        c->members[3].state = card::MemberState::kSuspended;
        c->partners[0].city = "Tver";
      };
    }
    return s;
  }
  std::string Full(int64_t seq) {
    auto b = factory_.Build(Seq(seq));
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? b->path : "";
  }
  std::string Delta(int64_t from, int64_t to) {
    auto b = factory_.BuildDelta(Seq(from), Seq(to));
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? b->path : "";
  }
  base::Result<bundle::ApplyReport> Apply(const std::string& path, const std::string& dir = "",
                                          const bundle::ApplyOptions& options = {}) {
    const std::string d = dir.empty() ? data_ : dir;
    cktest::MakeDir(d);
    bundle::Importer importer(cktest::RealFs(), clock_, d, factory_.trusted());
    return importer.Apply(path, options);
  }
  std::string Registry(const std::string& dir = "") const {
    return (dir.empty() ? data_ : dir) + "/registry.db";
  }
  // The refusal leaves the registry in use as it was, byte for byte, and no incoming file.
  void ExpectRefusedUntouched(const std::string& delta, std::string_view why) {
    const base::Bytes before = cktest::ReadBytes(Registry());
    base::Result<bundle::ApplyReport> r = Apply(delta);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), base::StatusCode::kFailedPrecondition) << r.status().ToString();
    EXPECT_TRUE(Contains(r.status().message(), why));
    EXPECT_TRUE(cktest::ReadBytes(Registry()) == before);
    EXPECT_FALSE(cktest::InspectDataDir(data_).incoming_exists);
  }

  cktest::ScratchDir dir_;
  cktest::BundleFactory factory_;
  std::string data_;
  base::FakeClock clock_;
};

TEST(DeltaManifest, RoundTripsAndNamesItsBase) {
  bundle::Manifest m{.version = bundle::kDeltaFormatVersion,
                     .seq = 9,
                     .created = 100,
                     .not_after = 200,
                     .issuer = "X",
                     .content_size = 5,
                     .base_seq = 8};
  m.base_state[0] = 1;
  m.target_state[31] = 2;
  bundle::Manifest back;
  ASSERT_TRUE(bundle::ParseManifestPayload(bundle::EncodeManifestPayload(m), &back).ok());
  EXPECT_TRUE(back.is_delta());
  EXPECT_EQ(back.base_seq, 8);
  EXPECT_EQ(back.base_state, m.base_state);
  EXPECT_EQ(back.target_state, m.target_state);
}

TEST(DeltaManifest, VersionAndFieldsMustAgree) {
  bundle::Manifest m{.version = bundle::kDeltaFormatVersion,
                     .seq = 9,
                     .created = 100,
                     .not_after = 200,
                     .base_seq = 8};
  base::Bytes v2 = bundle::EncodeManifestPayload(m);
  // The same eleven fields claiming version 1: refused (a version-1 manifest has eight).
  base::Bytes claims_v1 = v2;
  ASSERT_EQ(claims_v1[2], 0x02);  // {1: 2, ...}: map head, key 1, value 2
  claims_v1[2] = 0x01;
  bundle::Manifest out;
  base::Status st = bundle::ParseManifestPayload(claims_v1, &out);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.message(), "format version 1 has 8 fields, found 11"));
  // Eight fields claiming version 2: refused.
  m.version = 1;
  base::Bytes claims_v2 = bundle::EncodeManifestPayload(m);
  claims_v2[2] = 0x02;
  st = bundle::ParseManifestPayload(claims_v2, &out);
  EXPECT_TRUE(Contains(st.message(), "format version 2 has 11 fields, found 8"));
  // A base seq at or above the seq: refused.
  m.version = bundle::kDeltaFormatVersion;
  m.base_seq = 9;
  st = bundle::ParseManifestPayload(bundle::EncodeManifestPayload(m), &out);
  EXPECT_TRUE(Contains(st.message(), "base seq must be at least 1 and below its seq"));
  m.version = 3;
  st = bundle::ParseManifestPayload(bundle::EncodeManifestPayload(m), &out);
  EXPECT_TRUE(Contains(st.message(), "this device reads versions 1 and 2"));
}

TEST(DeltaRecords, ValuesRoundTrip) {
  using T = registry::Value::Type;
  const std::vector<registry::Value> values = {{T::kNull},
                                               {T::kInt, 0},
                                               {T::kInt, -1},
                                               {T::kInt, INT64_MIN},
                                               {T::kInt, INT64_MAX},
                                               {T::kText, 0, ""},
                                               {T::kText, 0, "Тверь"},
                                               {T::kBlob, 0, std::string(300, '\x01')}};
  base::Bytes enc;
  for (const auto& v : values) registry::EncodeValue(v, &enc);
  registry::ValueReader r(enc);
  for (const auto& v : values) {
    registry::Value got;
    ASSERT_TRUE(r.ReadValue(&got).ok());
    EXPECT_EQ(got, v) << registry::ValueToString(v);
  }
  EXPECT_TRUE(r.AtEnd());
}

TEST(DeltaRecords, MalformedRecordsAreRefusedSayingWhere) {
  for (const base::Bytes& bad :
       {base::Bytes{}, base::Bytes{0x09, 0x01}, base::Bytes{0x02, 0x07},
        base::Bytes{0x06, 0x03, 0x02, 0x00, 0x03, 0x00, 0xff},
        base::Bytes{0x02, 0x01, 0x03, 0x05, 0x01}, base::Bytes{0xff, 0x00}}) {
    base::Result<registry::ChangeSummary> s = registry::ScanRecords(bad);
    EXPECT_FALSE(s.ok()) << base::ToHex(bad);
    if (!s.ok()) {
      EXPECT_TRUE(Contains(s.status().message(), "delta records:"));
    }
  }
  base::Result<registry::ChangeSummary> empty = registry::ScanRecords(base::Bytes{0xff});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->total(), 0);
}

TEST_F(BundleDeltaTest, DeltaOntoItsBaseGivesTheFullBundlesContent) {
  ASSERT_TRUE(Apply(Full(1)).ok());
  const std::string delta = Delta(1, 2);
  base::Result<bundle::ApplyReport> r = Apply(delta);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->previous_seq, 1);
  EXPECT_EQ(r->manifest.seq, 2);
  const std::string full_dir = dir_.File("full");
  ASSERT_TRUE(Apply(Full(2), full_dir).ok());
  EXPECT_TRUE(Dump(Registry()) == Dump(Registry(full_dir)));
  EXPECT_EQ(DigestOf(Registry()), DigestOf(Registry(full_dir)));
  EXPECT_EQ(DigestOf(Registry()), r->manifest.target_state);
  const cktest::RegistryState s = cktest::InspectDataDir(data_);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(s.seq, 2);
  EXPECT_FALSE(s.incoming_exists);
}

TEST_F(BundleDeltaTest, DeltaCarriesOnlyTheChanges) {
  auto d = factory_.BuildDelta(Seq(1), Seq(2));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  std::string records_path = dir_.File("records");
  {
    auto in = cktest::RealFs().OpenSequential(d->path);
    ASSERT_TRUE(in.ok());
    auto h = bundle::ReadHeader(**in, &factory_.trusted());
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    auto out = cktest::RealFs().OpenWritable(records_path, 0600);
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE(bundle::ExtractContent(**in, h->manifest, **out, 1 << 20).ok());
    ASSERT_TRUE((*out)->Close().ok());
  }
  base::Bytes records = cktest::ReadBytes(records_path);
  auto summary = registry::ScanRecords(records);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  const registry::TableChanges& members = summary->tables[2];
  EXPECT_EQ(members.removed, 1);
  EXPECT_EQ(members.added, 1);
  EXPECT_EQ(members.changed, 2);
  EXPECT_EQ(summary->tables[4].changed, 1);  // offers
  EXPECT_EQ(summary->tables[5].changed, 1);  // events
  EXPECT_EQ(summary->tables[6].removed, 1);  // roster
  EXPECT_EQ(summary->tables[0].changed, 2);  // meta: the seq and the recorded state digest
  EXPECT_EQ(summary->total(), 9) << summary->ToString();
}

TEST_F(BundleDeltaTest, ChainOfDeltasAppliesInOrder) {
  ASSERT_TRUE(Apply(Full(1)).ok());
  ASSERT_TRUE(Apply(Delta(1, 2)).ok());
  // The state of seq 2 was recorded: the next delta's base is checked without a full read.
  base::Result<std::string> state =
      base::ReadFile(cktest::RealFs(), data_ + "/" + bundle::kStateFile, 256);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->rfind("2 ", 0), 0u) << *state;
  ASSERT_TRUE(Apply(Delta(2, 3)).ok());
  const std::string full_dir = dir_.File("full");
  ASSERT_TRUE(Apply(Full(3), full_dir).ok());
  EXPECT_TRUE(Dump(Registry()) == Dump(Registry(full_dir)));
}

// The builder records the registry's state digest in it (meta state_digest, outside the state),
// so the first delta after a full apply checks its base without reading every row; the delta
// carries that row's new value, so the next one finds it too.
TEST_F(BundleDeltaTest, FirstDeltaAfterAFullApplyUsesTheRecordedState) {
  ASSERT_TRUE(Apply(Full(1)).ok());
  EXPECT_EQ(RecordedDigest(Registry()), DigestOf(Registry()));
  base::Result<bundle::ApplyReport> r = Apply(Delta(1, 2));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(RecordedDigest(Registry()), r->manifest.target_state);
  EXPECT_EQ(DigestOf(Registry()), r->manifest.target_state);
}

// The record is what the base is checked against: one naming another state refuses the delta.
TEST_F(BundleDeltaTest, RecordedStateOfAnotherRegistryRefusesTheDelta) {
  ASSERT_TRUE(Apply(Full(1)).ok());
  {
    base::Result<sqlite::Db> db = sqlite::Db::Open(Registry(), sqlite::Db::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    registry::StateDigest other = DigestOf(Registry());
    other[0] ^= 1;
    ASSERT_TRUE(registry::RecordStateDigest(*db, other).ok());
  }
  ExpectRefusedUntouched(Delta(1, 2), "was made from another registry of seq 1");
}

TEST_F(BundleDeltaTest, GarbledStateRecordFallsBackToReadingTheRegistry) {
  ASSERT_TRUE(Apply(Full(1)).ok());
  ASSERT_TRUE(Apply(Delta(1, 2)).ok());
  ASSERT_TRUE(cktest::WriteText(data_ + "/" + bundle::kStateFile, "2 0 0 zz\n"));
  ASSERT_TRUE(Apply(Delta(2, 3)).ok());
  EXPECT_EQ(cktest::InspectDataDir(data_).seq, 3);
}

TEST_F(BundleDeltaTest, NoRegistryIsRefused) {
  base::Result<bundle::ApplyReport> r = Apply(Delta(1, 2));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "this device has no registry: apply a full bundle"));
  EXPECT_FALSE(cktest::InspectDataDir(data_).exists);
}

TEST_F(BundleDeltaTest, GapIsRefusedNamingBothSeqs) {
  ASSERT_TRUE(Apply(Full(1)).ok());
  ExpectRefusedUntouched(Delta(2, 3),
                         "delta from seq 2 to seq 3 applies only onto seq 2, but this device has "
                         "seq 1: apply the full bundle of seq 3 or the deltas from seq 1");
}

TEST_F(BundleDeltaTest, ReplayIsRefused) {
  ASSERT_TRUE(Apply(Full(1)).ok());
  const std::string delta = Delta(1, 2);
  ASSERT_TRUE(Apply(delta).ok());
  ExpectRefusedUntouched(delta, "delta bundle seq 2 is already applied (refusing to roll back)");
  // Not even when a reinstall is asked for: the delta's base is gone.
  base::Result<bundle::ApplyReport> r = Apply(delta, "", {.reinstall_same_seq = true});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "is already applied"));
}

TEST_F(BundleDeltaTest, DeltaOlderThanTheAppliedSeqIsRefused) {
  ASSERT_TRUE(Apply(Full(3)).ok());
  ExpectRefusedUntouched(Delta(1, 2), "delta bundle seq 2 is older than the applied seq 3");
}

TEST_F(BundleDeltaTest, DeltaFromAnotherRegistryOfTheSameSeqIsRefused) {
  // The device's seq 1 is another build than the one the delta was made from.
  BundleSpec other = Seq(1);
  other.seed = 8;
  other.file_name = "other1.ckbundle";
  auto b = factory_.Build(other);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(Apply(b->path).ok());
  ExpectRefusedUntouched(Delta(1, 2), "was made from another registry of seq 1");
}

TEST_F(BundleDeltaTest, StaleStateRecordDoesNotHideAnotherRegistry) {
  ASSERT_TRUE(Apply(Full(1)).ok());
  ASSERT_TRUE(Apply(Delta(1, 2)).ok());
  // Seq 2 reinstalled from another build of seq 2: the recorded state is of the first one.
  BundleSpec other = Seq(2);
  other.seed = 8;
  other.created -= 60;
  other.file_name = "other2.ckbundle";
  auto b = factory_.Build(other);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(Apply(b->path, "", {.reinstall_same_seq = true}).ok());
  ExpectRefusedUntouched(Delta(2, 3), "was made from another registry of seq 2");
}

TEST_F(BundleDeltaTest, RecordThatDoesNotFitIsRefusedNamingTheRow) {
  ASSERT_TRUE(Apply(Full(1)).ok());
  const std::string copy = dir_.File("copy.db");
  ASSERT_TRUE(cktest::CopyFile(Registry(), copy));
  auto db = sqlite::Db::Open(copy, sqlite::Db::Mode::kReadWrite);
  ASSERT_TRUE(db.ok());
  // Remove a partner that is not there.
  base::Bytes rec = {0x03, 0x01};
  registry::EncodeValue({registry::Value::Type::kText, 0, "P-NONE"}, &rec);
  rec.push_back(registry::kEndOfRecords);
  auto r = registry::ApplyRecords(*db, rec);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(
      Contains(r.status().message(), "removing partners row ('P-NONE'), which is not there"));
  // Add a partner that is there.
  rec = {0x03, 0x02};
  for (const char* v : {cktest::kBooksPartner, "n", "c", "a"})
    registry::EncodeValue({registry::Value::Type::kText, 0, v}, &rec);
  rec.push_back(registry::kEndOfRecords);
  r = registry::ApplyRecords(*db, rec);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "adding partners row ('P-BOOKS'), which is there"));
}

TEST_F(BundleDeltaTest, TamperedDeltaIsRefusedBeforeAnything) {
  ASSERT_TRUE(Apply(Full(1)).ok());
  const std::string delta = Delta(1, 2);
  base::Bytes bytes = cktest::ReadBytes(delta);
  bytes.back() ^= 0x01;
  const std::string bad = dir_.File("bad.ckbundle");
  ASSERT_TRUE(cktest::WriteBytes(bad, bytes));
  const base::Bytes before = cktest::ReadBytes(Registry());
  base::Result<bundle::ApplyReport> r = Apply(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "content hash does not match the manifest"));
  EXPECT_TRUE(cktest::ReadBytes(Registry()) == before);
}

TEST_F(BundleDeltaTest, DeltaIsMadeOnlyFromAFullBundle) {
  const std::string delta = Delta(1, 2);
  base::Result<bundle::Manifest> m =
      bundle::ExtractRegistry(cktest::RealFs(), delta, factory_.trusted(), dir_.File("x.db"));
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(Contains(m.status().message(), "a delta is made from a full bundle"));
}

}  // namespace

namespace {

using bundle::OfferedBundle;
using bundle::PlanPath;

TEST(PlanPath, ChainOfDeltasFromTheAppliedSeq) {
  const std::vector<OfferedBundle> offered = {{.seq = 3, .size = 1000},
                                              {.seq = 3, .base_seq = 2, .size = 10},
                                              {.seq = 2, .base_seq = 1, .size = 10}};
  EXPECT_EQ(PlanPath(1, offered), (std::vector<size_t>{2, 1}));
  EXPECT_EQ(PlanPath(2, offered), (std::vector<size_t>{1}));
  EXPECT_EQ(PlanPath(3, offered), (std::vector<size_t>{}));
  // No registry: the full bundle (a delta needs its base).
  EXPECT_EQ(PlanPath(0, offered), (std::vector<size_t>{0}));
}

TEST(PlanPath, FullBundleWhenTheDeltasWouldBeLargerOrThereIsAGap) {
  const std::vector<OfferedBundle> offered = {{.seq = 5, .size = 100},
                                              {.seq = 4, .base_seq = 3, .size = 60},
                                              {.seq = 5, .base_seq = 4, .size = 60}};
  EXPECT_EQ(PlanPath(3, offered), (std::vector<size_t>{0}));  // 120 bytes of deltas > 100
  EXPECT_EQ(PlanPath(4, offered), (std::vector<size_t>{2}));
  EXPECT_EQ(PlanPath(2, offered), (std::vector<size_t>{0}));  // no delta from 2
}

TEST(PlanPath, FullBundleThenDeltasToTheNewestSeq) {
  const std::vector<OfferedBundle> offered = {
      {.seq = 6, .base_seq = 5, .size = 5}, {.seq = 5, .size = 100}, {.seq = 3, .size = 90}};
  EXPECT_EQ(PlanPath(0, offered), (std::vector<size_t>{1, 0}));
  EXPECT_EQ(PlanPath(7, offered), (std::vector<size_t>{}));
}

}  // namespace
