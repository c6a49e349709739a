#include "journal/entry.h"

#include <openssl/sha.h>

#include <cstring>

#include "card/cbor.h"

namespace journal {
namespace {

void WriteFields(const Entry& e, card::CborWriter& w, bool with_hash) {
  w.Map(with_hash ? 16 : 15);
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
  }
  return "rejected";
}

base::Result<Kind> ParseKind(std::string_view s) {
  if (s == "discount") return Kind::kDiscount;
  if (s == "checkin") return Kind::kCheckin;
  if (s == "rejected") return Kind::kRejected;
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

// Field `key` (1..16) of the export encoding.
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
  return base::Status::Ok();
}

}  // namespace

base::Status DecodeEntry(base::ByteSpan cbor, Entry* e) {
  card::CborReader r(cbor, {.max_depth = 1, .allow_indefinite = false});
  uint64_t pairs = 0;
  CK_TRY(r.EnterMap(&pairs));
  if (pairs != 16) return Bad("expected 16 fields");
  for (uint64_t key = 1; key <= 16; ++key) {
    uint64_t k = 0;
    CK_TRY(r.ReadUint(&k));
    if (k != key) return Bad("fields out of order");
    CK_TRY(ReadField(r, key, e));
  }
  r.Leave();
  if (!r.AtEnd()) return Bad("trailing bytes");
  return CheckBounds(*e);
}

}  // namespace journal
