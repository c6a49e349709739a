#include "journal/entry.h"

#include <openssl/sha.h>

#include <cstring>

#include "card/cbor.h"

namespace journal {
namespace {

// Format-2 fields present in `e` (keys 17..20).
uint64_t ExtraFieldCount(const Entry& e) {
  return uint64_t{e.cashback_minor != 0} + uint64_t{!e.ref_uuid.empty()} +
         uint64_t{!e.actor.empty()} + uint64_t{e.clock_before_utc != 0};
}

void WriteFields(const Entry& e, card::CborWriter& w, bool with_hash) {
  w.Map((with_hash ? 16 : 15) + ExtraFieldCount(e));
  w.Uint(1);
  w.Int(e.seq);
  w.Uint(2);
  w.Text(e.uuid);
  w.Uint(3);
  w.Text(KindName(e.kind));
  w.Uint(4);
  w.Int(e.time_utc);
  w.Uint(5);
  w.Int(e.mono_ns);
  w.Uint(6);
  if (e.rid) {
    w.ByteString(*e.rid);
  } else {
    w.ByteString({});
  }
  w.Uint(7);
  w.Text(e.partner_id);
  w.Uint(8);
  w.Text(e.event_id);
  w.Uint(9);
  w.Text(e.offer_id);
  w.Uint(10);
  w.Int(e.purchase_minor);
  w.Uint(11);
  w.Int(e.discount_minor);
  w.Uint(12);
  w.Int(e.bundle_seq);
  w.Uint(13);
  w.Text(e.verdict);
  w.Uint(14);
  w.Text(e.decision);
  w.Uint(15);
  w.ByteString(e.prev_hash);
  if (with_hash) {
    w.Uint(16);
    w.ByteString(e.hash);
  }
  if (e.cashback_minor != 0) {
    w.Uint(17);
    w.Int(e.cashback_minor);
  }
  if (!e.ref_uuid.empty()) {
    w.Uint(18);
    w.Text(e.ref_uuid);
  }
  if (!e.actor.empty()) {
    w.Uint(19);
    w.Text(e.actor);
  }
  if (e.clock_before_utc != 0) {
    w.Uint(20);
    w.Int(e.clock_before_utc);
  }
}

base::Status Bad(const std::string& m) { return base::InvalidArgument("journal entry: " + m); }

base::Status ReadHash(card::CborReader& r, Hash* h) {
  base::ByteSpan b;
  CK_TRY(r.ReadBytes(&b));
  if (b.size() != h->size()) return Bad("hash must be 32 bytes");
  std::memcpy(h->data(), b.data(), b.size());
  return base::Status::Ok();
}

base::Status ReadString(card::CborReader& r, std::string* s) {
  std::string_view v;
  CK_TRY(r.ReadText(&v));
  if (v.size() > kMaxTextBytes) return Bad("text field too long");
  s->assign(v);
  return base::Status::Ok();
}

}  // namespace

std::string_view KindName(Kind k) {
  switch (k) {
    case Kind::kDiscount:
      return "discount";
    case Kind::kCheckin:
      return "checkin";
    case Kind::kRejected:
      return "rejected";
    case Kind::kVoid:
      return "void";
    case Kind::kClockCorrection:
      return "clock_correction";
    case Kind::kManualCount:
      return "manual_count";
  }
  return "rejected";
}

int EntryFormat(const Entry& e) {
  const bool new_kind =
      e.kind != Kind::kDiscount && e.kind != Kind::kCheckin && e.kind != Kind::kRejected;
  return new_kind || ExtraFieldCount(e) != 0 ? 2 : 1;
}

base::Result<Kind> ParseKind(std::string_view s) {
  if (s == "discount") return Kind::kDiscount;
  if (s == "checkin") return Kind::kCheckin;
  if (s == "rejected") return Kind::kRejected;
  if (s == "void") return Kind::kVoid;
  if (s == "clock_correction") return Kind::kClockCorrection;
  if (s == "manual_count") return Kind::kManualCount;
  return Bad("unknown kind '" + std::string(s) + "'");
}

void ChainChecker::Bad(int64_t seq, std::string why) {
  if (first_bad_ != 0) return;
  first_bad_ = seq;
  problem_ = std::move(why);
}

void ChainChecker::Unreadable(int64_t seq, const std::string& why) {
  Bad(seq, "entry " + std::to_string(seq) + " is unreadable: " + why);
  expected_ = seq + 1;
}

void ChainChecker::Add(const Entry& e) {
  if (e.seq != expected_) {
    Bad(expected_, "entry " + std::to_string(expected_) + " is missing or out of order (found " +
                       std::to_string(e.seq) + "): entries removed or reordered");
  } else if (e.prev_hash != prev_) {
    Bad(e.seq,
        "does not link to the entry before it (that entry edited, or entries removed/reordered)");
  } else if (ComputeHash(e) != e.hash) {
    Bad(e.seq, "its contents do not match its hash (edited)");
  }
  prev_ = e.hash;
  expected_ = e.seq + 1;
}

base::Bytes CanonicalBytes(const Entry& e) {
  base::Bytes out;
  card::CborWriter w(&out);
  WriteFields(e, w, false);
  return out;
}

Hash ComputeHash(const Entry& e) {
  base::Bytes bytes = CanonicalBytes(e);
  Hash h{};
  SHA256(bytes.data(), bytes.size(), h.data());
  return h;
}

base::Bytes EncodeEntry(const Entry& e) {
  base::Bytes out;
  card::CborWriter w(&out);
  WriteFields(e, w, true);
  return out;
}

namespace {

base::Status ReadRid(card::CborReader& r, std::optional<card::Rid>* rid) {
  base::ByteSpan b;
  CK_TRY(r.ReadBytes(&b));
  if (b.empty()) {
    rid->reset();
  } else if (b.size() == 8) {
    rid->emplace();
    std::memcpy((*rid)->data(), b.data(), 8);
  } else {
    return Bad("rid must be 8 bytes or empty");
  }
  return base::Status::Ok();
}

base::Status ReadKind(card::CborReader& r, Kind* kind) {
  std::string name;
  CK_TRY(ReadString(r, &name));
  CK_ASSIGN_OR_RETURN(*kind, ParseKind(name));
  return base::Status::Ok();
}

// Field `key` (1..20) of the export encoding.
base::Status ReadField(card::CborReader& r, uint64_t key, Entry* e) {
  switch (key) {
    case 1:
      return r.ReadInt(&e->seq);
    case 2:
      return ReadString(r, &e->uuid);
    case 3:
      return ReadKind(r, &e->kind);
    case 4:
      return r.ReadInt(&e->time_utc);
    case 5:
      return r.ReadInt(&e->mono_ns);
    case 6:
      return ReadRid(r, &e->rid);
    case 7:
      return ReadString(r, &e->partner_id);
    case 8:
      return ReadString(r, &e->event_id);
    case 9:
      return ReadString(r, &e->offer_id);
    case 10:
      return r.ReadInt(&e->purchase_minor);
    case 11:
      return r.ReadInt(&e->discount_minor);
    case 12:
      return r.ReadInt(&e->bundle_seq);
    case 13:
      return ReadString(r, &e->verdict);
    case 14:
      return ReadString(r, &e->decision);
    case 15:
      return ReadHash(r, &e->prev_hash);
    case 16:
      return ReadHash(r, &e->hash);
    case 17:
      return r.ReadInt(&e->cashback_minor);
    case 18:
      return ReadString(r, &e->ref_uuid);
    case 19:
      return ReadString(r, &e->actor);
    case 20:
      return r.ReadInt(&e->clock_before_utc);
    default:
      return Bad("unknown field");
  }
}

// Bounds, so that whoever adds up or follows entries from a file cannot overflow.
base::Status CheckBounds(const Entry& e) {
  if (e.seq < 1 || e.seq > kMaxSeq) return Bad("seq out of range");
  if (e.purchase_minor < 0 || e.purchase_minor > kMaxAmountMinor || e.discount_minor < 0 ||
      e.discount_minor > kMaxAmountMinor) {
    return Bad("amount out of range");
  }
  if (e.bundle_seq < 0 || e.bundle_seq > kMaxSeq) return Bad("bundle seq out of range");
  if (e.cashback_minor < 0 || e.cashback_minor > kMaxAmountMinor) {
    return Bad("cashback out of range");
  }
  if (e.clock_before_utc < 0 || e.clock_before_utc > kMaxTimeUtc) {
    return Bad("clock_before_utc out of range");
  }
  return base::Status::Ok();
}

}  // namespace

base::Status DecodeEntry(base::ByteSpan cbor, Entry* e) {
  *e = Entry{};
  card::CborReader r(cbor, {.max_depth = 1, .allow_indefinite = false});
  uint64_t pairs = 0;
  CK_TRY(r.EnterMap(&pairs));
  if (pairs < 16 || pairs > 20) return Bad("expected 16 to 20 fields");
  for (uint64_t key = 1; key <= 16; ++key) {
    uint64_t k = 0;
    CK_TRY(r.ReadUint(&k));
    if (k != key) return Bad("fields out of order");
    CK_TRY(ReadField(r, key, e));
  }
  // Format 2: keys 17..20, ascending, each at most once.
  uint64_t last = 16;
  for (uint64_t i = 16; i < pairs; ++i) {
    uint64_t k = 0;
    CK_TRY(r.ReadUint(&k));
    if (k <= last || k > 20) return Bad(k <= 16 ? "fields out of order" : "unknown field");
    CK_TRY(ReadField(r, k, e));
    last = k;
  }
  r.Leave();
  if (!r.AtEnd()) return Bad("trailing bytes");
  if (ExtraFieldCount(*e) != pairs - 16) {
    return Bad("a format-2 field holds its default value (it must be left out)");
  }
  return CheckBounds(*e);
}

}  // namespace journal
