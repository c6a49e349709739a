#include "journal/export.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

#include "base/hex.h"
#include "card/cbor.h"
#include "card/cose.h"
#include "card/issuer.h"

namespace journal {
namespace {

constexpr card::CoseRules kExportCose{.cbor = {.max_depth = 2, .allow_indefinite = false},
                                      .require_sign1_tag = true,
                                      .allow_cwt_tag = false,
                                      .allow_unprotected_headers = false,
                                      .kid_size = 8};

base::Bytes EncodeHeader(const ExportHeader& h) {
  base::Bytes out;
  card::CborWriter w(&out);
  w.Map(8);
  w.Uint(1);
  w.Int(h.version);
  w.Uint(2);
  w.Text(h.device_id);
  w.Uint(3);
  w.Int(h.created);
  w.Uint(4);
  w.Int(h.first_seq);
  w.Uint(5);
  w.Int(h.last_seq);
  w.Uint(6);
  w.ByteString(h.anchor);
  w.Uint(7);
  w.Int(h.count);
  w.Uint(8);
  w.ByteString(h.body_sha256);
  return out;
}

base::Status DecodeHeader(base::ByteSpan b, ExportHeader* h) {
  card::CborReader r(b, {.max_depth = 1, .allow_indefinite = false});
  uint64_t pairs = 0;
  CK_TRY(r.EnterMap(&pairs));
  if (pairs != 8) return base::InvalidArgument("export header: expected 8 fields");
  for (uint64_t key = 1; key <= 8; ++key) {
    uint64_t k = 0;
    CK_TRY(r.ReadUint(&k));
    if (k != key) return base::InvalidArgument("export header: fields out of order");
    base::ByteSpan bytes;
    std::string_view text;
    switch (key) {
      case 1:
        CK_TRY(r.ReadInt(&h->version));
        break;
      case 2:
        CK_TRY(r.ReadText(&text));
        h->device_id.assign(text);
        break;
      case 3:
        CK_TRY(r.ReadInt(&h->created));
        break;
      case 4:
        CK_TRY(r.ReadInt(&h->first_seq));
        break;
      case 5:
        CK_TRY(r.ReadInt(&h->last_seq));
        break;
      case 6:
      case 8:
        CK_TRY(r.ReadBytes(&bytes));
        if (bytes.size() != 32)
          return base::InvalidArgument("export header: hash must be 32 bytes");
        std::memcpy(key == 6 ? h->anchor.data() : h->body_sha256.data(), bytes.data(), 32);
        break;
      case 7:
        CK_TRY(r.ReadInt(&h->count));
        break;
      default:
        break;
    }
  }
  r.Leave();
  if (!r.AtEnd()) return base::InvalidArgument("export header: trailing bytes");
  if (h->version != kExportVersion)
    return base::InvalidArgument("export format version " + std::to_string(h->version));
  return base::Status::Ok();
}

void AddTotals(const Entry& e, ExportCheck* c) {
  if (e.kind == Kind::kRejected) {
    ++c->rejected_scans;
    return;
  }
  // Voids, clock corrections and manual counts are not redemptions or check-ins.
  if (e.kind != Kind::kDiscount && e.kind != Kind::kCheckin) return;
  Totals& t = e.kind == Kind::kDiscount ? c->per_partner[e.partner_id] : c->per_event[e.event_id];
  if (e.decision != kAccepted) {
    ++t.refused;
  } else if (e.kind == Kind::kDiscount) {
    ++t.discounts;
    // Saturating: a hostile file cannot make the totals wrap around.
    if (__builtin_add_overflow(t.discount_minor, e.discount_minor, &t.discount_minor))
      t.discount_minor = INT64_MAX;
    if (__builtin_add_overflow(t.purchase_minor, e.purchase_minor, &t.purchase_minor))
      t.purchase_minor = INT64_MAX;
  } else {
    ++t.checkins;
  }
}

// Walks the entries, checking each hash and link; records the first that does not fit.
void CheckEntries(base::ByteSpan body, ExportCheck* c) {
  card::CborReader r(body, {.max_depth = 1, .allow_indefinite = false});
  ChainChecker chain(c->header.first_seq, c->header.anchor);
  while (!r.AtEnd()) {
    const size_t start = r.offset();
    if (!r.Skip().ok()) {
      chain.Unreadable(chain.expected_seq(), "truncated or garbled");
      break;
    }
    Entry e;
    if (base::Status st = DecodeEntry(body.subspan(start, r.offset() - start), &e); !st.ok()) {
      chain.Unreadable(chain.expected_seq(), st.message());
      continue;
    }
    chain.Add(e);
    AddTotals(e, c);
    c->entries.push_back(std::move(e));
  }
  c->first_bad_seq = chain.first_bad_seq();
  c->problem = chain.problem();
  if (c->header.count != static_cast<int64_t>(c->entries.size()) && c->first_bad_seq == 0) {
    c->first_bad_seq = chain.expected_seq();
    c->problem = "the batch should hold " + std::to_string(c->header.count) +
                 " entries, it holds " + std::to_string(c->entries.size());
  }
}

}  // namespace

base::Result<base::Bytes> WriteExport(Journal& journal, int64_t from_seq,
                                      const std::string& device_id, const card::PrivateKey& key,
                                      int64_t created, int64_t max_entries) {
  ExportHeader h;
  h.device_id = device_id;
  h.created = created;
  base::Bytes body;
  bool first = true;
  CK_TRY(journal.ForEach(
      from_seq,
      [&](const Entry& e) -> base::Status {
        if (first) {
          h.first_seq = e.seq;
          h.anchor = e.prev_hash;
          first = false;
        }
        h.last_seq = e.seq;
        ++h.count;
        base::Bytes enc = EncodeEntry(e);
        body.insert(body.end(), enc.begin(), enc.end());
        return base::Status::Ok();
      },
      from_seq + std::max<int64_t>(max_entries, 1) - 1));
  SHA256(body.data(), body.size(), h.body_sha256.data());
  CK_ASSIGN_OR_RETURN(card::PublicKey pub, key.Public());
  CK_ASSIGN_OR_RETURN(base::Bytes cose, card::SignCose(key, pub.kid(), EncodeHeader(h)));
  base::Bytes out(kExportMagic, kExportMagic + sizeof kExportMagic);
  const auto len = static_cast<uint32_t>(cose.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(len >> shift));
  out.insert(out.end(), cose.begin(), cose.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

base::Result<ExportCheck> CheckExport(base::ByteSpan file, const card::PublicKey& device_pub) {
  if (file.size() < 12 || std::memcmp(file.data(), kExportMagic, sizeof kExportMagic) != 0) {
    return base::InvalidArgument(
        "not a cardkiosk journal export (the file does not start with CKJOURNL)");
  }
  const uint32_t len =
      (uint32_t{file[8]} << 24) | (uint32_t{file[9]} << 16) | (uint32_t{file[10]} << 8) | file[11];
  if (len == 0 || len > 4096 || len > file.size() - 12)
    return base::InvalidArgument("export header length is invalid");
  base::ByteSpan cose = file.subspan(12, len);
  base::ByteSpan body = file.subspan(12 + len);
  card::Sign1View view;
  CK_TRY(card::ParseSign1(cose, kExportCose, &view));
  ExportCheck c;
  c.signer = view.kid;
  CK_TRY(DecodeHeader(view.payload, &c.header));
  if (view.kid != device_pub.kid()) {
    c.signature_problem = "signed by key " + base::ToHex(view.kid) + ", not by this device's key " +
                          base::ToHex(device_pub.kid());
  } else if (view.alg != static_cast<int64_t>(card::Alg::kEdDSA) &&
             view.alg != static_cast<int64_t>(card::Alg::kES256)) {
    c.signature_problem = "unsupported algorithm";
  } else {
    base::Bytes tbs;
    card::BuildSigStructure(view.protected_bytes, view.payload, &tbs);
    card::SignatureVerifier verifier;
    base::Status st =
        verifier.Verify(static_cast<card::Alg>(view.alg), device_pub, tbs, view.signature);
    c.signature_ok = st.ok();
    if (!st.ok()) c.signature_problem = "signature does not verify: " + st.message();
  }
  Hash body_hash{};
  SHA256(body.data(), body.size(), body_hash.data());
  c.body_hash_ok = body_hash == c.header.body_sha256;
  CheckEntries(body, &c);
  return c;
}

}  // namespace journal
