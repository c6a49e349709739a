// The canonical encoding journal hashes cover and the export encoding of an entry
// (docs/journal.md), checked against bytes built here by hand; DecodeEntry's strictness.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "journal/entry.h"
#include "journal/entry_columns.h"
#include "journal/journal.h"
#include "sqlite/db.h"
#include "subprocess.h"

namespace {

constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z

void PutHead(base::Bytes* out, uint8_t major, uint64_t v) {
  const auto m = static_cast<uint8_t>(major << 5);
  if (v < 24) {
    out->push_back(static_cast<uint8_t>(m | v));
  } else if (v < 0x100) {
    out->insert(out->end(), {static_cast<uint8_t>(m | 24), static_cast<uint8_t>(v)});
  } else if (v < 0x10000) {
    out->insert(out->end(), {static_cast<uint8_t>(m | 25), static_cast<uint8_t>(v >> 8),
                             static_cast<uint8_t>(v)});
  } else {
    out->push_back(static_cast<uint8_t>(m | 26));
    for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<uint8_t>(v >> s));
  }
}

void PutText(base::Bytes* out, std::string_view s) {
  PutHead(out, 3, s.size());
  out->insert(out->end(), s.begin(), s.end());
}

void PutBytes(base::Bytes* out, base::ByteSpan b) {
  PutHead(out, 2, b.size());
  out->insert(out->end(), b.begin(), b.end());
}

journal::Entry GoldenEntry() {
  journal::Entry e;
  e.seq = 1;
  e.uuid = "00000000-0000-4000-8000-000000000000";
  e.kind = journal::Kind::kDiscount;
  e.time_utc = kNow;
  e.mono_ns = 5;
  e.rid = card::Rid{1, 2, 3, 4, 5, 6, 7, 8};
  e.partner_id = "P";
  e.offer_id = "O";
  e.purchase_minor = 1000;
  e.discount_minor = 70;
  e.bundle_seq = 3;
  e.verdict = "VALID";
  e.decision = "accepted";
  return e;
}

base::Bytes GoldenCanonical(const journal::Entry& e, bool with_hash) {
  base::Bytes b;
  auto uint = [&](uint64_t key, uint64_t v) {
    PutHead(&b, 0, key);
    PutHead(&b, 0, v);
  };
  auto text = [&](uint64_t key, std::string_view v) {
    PutHead(&b, 0, key);
    PutText(&b, v);
  };
  auto bytes = [&](uint64_t key, base::ByteSpan v) {
    PutHead(&b, 0, key);
    PutBytes(&b, v);
  };
  PutHead(&b, 5, with_hash ? 16 : 15);
  uint(1, 1);
  text(2, e.uuid);
  text(3, "discount");
  uint(4, static_cast<uint64_t>(kNow));
  uint(5, 5);
  bytes(6, *e.rid);
  text(7, "P");
  text(8, "");
  text(9, "O");
  uint(10, 1000);
  uint(11, 70);
  uint(12, 3);
  text(13, "VALID");
  text(14, "accepted");
  bytes(15, e.prev_hash);
  if (with_hash) bytes(16, e.hash);
  return b;
}

TEST(JournalEntryTest, CanonicalBytesAreTheDocumentedMap) {
  journal::Entry e = GoldenEntry();
  EXPECT_EQ(journal::CanonicalBytes(e), GoldenCanonical(e, false));
  base::Bytes canonical = GoldenCanonical(e, false);
  journal::Hash h{};
  SHA256(canonical.data(), canonical.size(), h.data());
  EXPECT_EQ(journal::ComputeHash(e), h);
  e.hash = h;
  EXPECT_EQ(journal::EncodeEntry(e), GoldenCanonical(e, true));
}

TEST(JournalEntryTest, NoRidIsAnEmptyByteString) {
  journal::Entry e = GoldenEntry();
  e.rid.reset();
  base::Bytes b = journal::CanonicalBytes(e);
  journal::Entry with_rid = GoldenEntry();
  // key 6 then 0x40 (bstr of length 0) where the rid was 0x48 + 8 bytes.
  EXPECT_EQ(b.size() + 8, journal::CanonicalBytes(with_rid).size());
  journal::Entry back;
  e.hash = journal::ComputeHash(e);
  ASSERT_TRUE(journal::DecodeEntry(journal::EncodeEntry(e), &back).ok());
  EXPECT_FALSE(back.rid.has_value());
}

TEST(JournalEntryTest, EveryFieldChangesTheHash) {
  const journal::Entry base_entry = GoldenEntry();
  const journal::Hash h = journal::ComputeHash(base_entry);
  std::vector<std::function<void(journal::Entry*)>> edits = {
      [](journal::Entry* e) { e->seq = 2; },
      [](journal::Entry* e) { e->uuid[0] = '1'; },
      [](journal::Entry* e) { e->kind = journal::Kind::kCheckin; },
      [](journal::Entry* e) { e->time_utc += 1; },
      [](journal::Entry* e) { e->mono_ns += 1; },
      [](journal::Entry* e) { (*e->rid)[7] ^= 1; },
      [](journal::Entry* e) { e->partner_id.push_back('Q'); },
      [](journal::Entry* e) { e->event_id.push_back('E'); },
      [](journal::Entry* e) { e->offer_id.push_back('X'); },
      [](journal::Entry* e) { e->purchase_minor += 1; },
      [](journal::Entry* e) { e->discount_minor += 1; },
      [](journal::Entry* e) { e->bundle_seq += 1; },
      [](journal::Entry* e) { e->verdict = "EXPIRED"; },
      [](journal::Entry* e) { e->decision = "LIMIT_REACHED"; },
      [](journal::Entry* e) { e->prev_hash[31] ^= 1; },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    journal::Entry e = base_entry;
    edits[i](&e);
    EXPECT_NE(journal::ComputeHash(e), h) << "field " << i + 1;
  }
  journal::Entry e = base_entry;
  e.hash[0] ^= 1;  // the hash does not cover itself
  EXPECT_EQ(journal::ComputeHash(e), h);
}

TEST(JournalEntryTest, DecodeIsStrict) {
  journal::Entry e = GoldenEntry();
  e.hash = journal::ComputeHash(e);
  base::Bytes good = journal::EncodeEntry(e);
  journal::Entry out;
  ASSERT_TRUE(journal::DecodeEntry(good, &out).ok());
  EXPECT_EQ(out.hash, e.hash);
  base::Bytes trailing = good;
  trailing.push_back(0x00);
  EXPECT_FALSE(journal::DecodeEntry(trailing, &out).ok());
  base::Bytes truncated(good.begin(), good.end() - 1);
  EXPECT_FALSE(journal::DecodeEntry(truncated, &out).ok());
  EXPECT_FALSE(journal::DecodeEntry(journal::CanonicalBytes(e), &out).ok());  // no key 16
  base::Bytes wrong_kind = GoldenCanonical(e, true);
  const std::string_view discount = "discount";
  auto it = std::search(wrong_kind.begin(), wrong_kind.end(), discount.begin(), discount.end());
  ASSERT_NE(it, wrong_kind.end());
  *it = 'x';
  EXPECT_FALSE(journal::DecodeEntry(wrong_kind, &out).ok());
}

// Format 2: a void with cashback, actor and clock fields appends keys 17..20 after the format-1
// map, ascending, and only those whose value is not the default.
TEST(JournalEntryTest, FormatTwoFieldsFollowInKeyOrder) {
  journal::Entry e = GoldenEntry();
  EXPECT_EQ(journal::EntryFormat(e), 1);
  e.cashback_minor = 25;
  e.actor = "cashier";
  EXPECT_EQ(journal::EntryFormat(e), 2);
  base::Bytes want = GoldenCanonical(e, false);
  want[0] = 0xa0 | 17;  // map of 17 pairs
  PutHead(&want, 0, 17);
  PutHead(&want, 0, 25);
  PutHead(&want, 0, 19);
  PutText(&want, "cashier");
  EXPECT_EQ(journal::CanonicalBytes(e), want);

  e.hash = journal::ComputeHash(e);
  journal::Entry back;
  ASSERT_TRUE(journal::DecodeEntry(journal::EncodeEntry(e), &back).ok());
  EXPECT_EQ(back.cashback_minor, 25);
  EXPECT_EQ(back.actor, "cashier");
  EXPECT_TRUE(back.ref_uuid.empty());
  EXPECT_EQ(journal::ComputeHash(back), e.hash);

  journal::Entry v = GoldenEntry();
  v.kind = journal::Kind::kVoid;
  v.ref_uuid = "00000000-0000-4000-8000-000000000001";
  v.clock_before_utc = kNow - 60;
  EXPECT_EQ(journal::EntryFormat(v), 2);
  v.hash = journal::ComputeHash(v);
  ASSERT_TRUE(journal::DecodeEntry(journal::EncodeEntry(v), &back).ok());
  EXPECT_EQ(back.kind, journal::Kind::kVoid);
  EXPECT_EQ(back.ref_uuid, v.ref_uuid);
  EXPECT_EQ(back.clock_before_utc, kNow - 60);
  EXPECT_EQ(back.cashback_minor, 0);  // not carried over from the entry decoded before

  journal::Entry m = GoldenEntry();
  m.kind = journal::Kind::kManualCount;
  EXPECT_EQ(journal::EntryFormat(m), 2);  // a new kind alone makes it format 2
  for (journal::Kind k :
       {journal::Kind::kVoid, journal::Kind::kClockCorrection, journal::Kind::kManualCount}) {
    EXPECT_EQ(journal::ParseKind(journal::KindName(k)).value(), k);
  }
}

TEST(JournalEntryTest, FormatTwoDecodeIsStrict) {
  journal::Entry e = GoldenEntry();
  e.hash = journal::ComputeHash(e);
  journal::Entry out;
  auto with_extra = [&](std::vector<std::pair<uint64_t, uint64_t>> extra) {
    base::Bytes b = GoldenCanonical(e, true);
    b[0] = static_cast<uint8_t>(0xa0 | (16 + extra.size()));
    for (auto [k, v] : extra) {
      PutHead(&b, 0, k);
      PutHead(&b, 0, v);
    }
    return b;
  };
  EXPECT_TRUE(journal::DecodeEntry(with_extra({{17, 5}}), &out).ok());
  EXPECT_FALSE(journal::DecodeEntry(with_extra({{17, 0}}), &out).ok());           // default written
  EXPECT_FALSE(journal::DecodeEntry(with_extra({{20, 5}, {17, 5}}), &out).ok());  // order
  EXPECT_FALSE(journal::DecodeEntry(with_extra({{17, 5}, {17, 6}}), &out).ok());  // twice
  EXPECT_FALSE(journal::DecodeEntry(with_extra({{21, 5}}), &out).ok());           // unknown
  EXPECT_FALSE(journal::DecodeEntry(with_extra({{20, uint64_t{1} << 40}}), &out).ok());
}

// A journal.db made before format 2 (no format-2 columns) gets them on open, keeps its entries
// and their hashes, and takes format-2 entries after.
TEST(JournalEntryTest, AnOlderJournalGetsTheNewColumns) {
  cktest::TempDir dir;
  const std::string path = dir.File("journal.db");
  base::FakeClock clock(kNow);
  {
    auto j = journal::Journal::Open(path, clock);
    ASSERT_TRUE(j.ok());
    ASSERT_TRUE((*j)->Append({.kind = journal::Kind::kCheckin, .event_id = "E1"}).ok());
  }
  {  // Rebuild the table as format 1 had it (ALTER TABLE DROP COLUMN needs no trigger change;
     // format 1 had no index of the voids, which names ref_uuid).
    auto db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("DROP INDEX entries_voids").ok());
    for (const char* col : {"cashback_minor", "ref_uuid", "actor", "clock_before_utc"}) {
      ASSERT_TRUE(db->Exec(std::string("ALTER TABLE entries DROP COLUMN ") + col).ok()) << col;
    }
  }
  auto j = journal::Journal::Open(path, clock);
  ASSERT_TRUE(j.ok()) << j.status().message();
  journal::NewEntry v{.kind = journal::Kind::kVoid, .event_id = "E1"};
  v.ref_uuid = "00000000-0000-4000-8000-000000000001";
  v.actor = "admin";
  ASSERT_TRUE((*j)->Append(v).ok());
  auto report = (*j)->VerifyChain();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries, 2);
  EXPECT_EQ(report->first_bad_seq, 0) << report->problem;
  std::vector<journal::Entry> all;
  ASSERT_TRUE((*j)->ForEach(1,
                            [&](const journal::Entry& e) {
                              all.push_back(e);
                              return base::Status::Ok();
                            })
                  .ok());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kind, journal::Kind::kCheckin);
  EXPECT_EQ(journal::EntryFormat(all[0]), 1);
  EXPECT_EQ(all[1].kind, journal::Kind::kVoid);
  EXPECT_EQ(all[1].actor, "admin");
  EXPECT_EQ(all[1].ref_uuid, v.ref_uuid);
}

}  // namespace
