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

}  // namespace
