#include "card/cose.h"

#include <algorithm>
#include <cstring>

namespace card {
namespace {

constexpr int64_t kLabelAlg = 1;
constexpr int64_t kLabelCrit = 2;
constexpr int64_t kLabelKid = 4;

base::Status Malformed(std::string m) { return base::InvalidArgument("cose: " + std::move(m)); }

struct HeaderFields {
  bool has_alg = false;
  int64_t alg = 0;
  bool has_kid = false;
  base::ByteSpan kid;
};

// Reads one header map (protected or unprotected). Labels are integers or text; only alg, crit
// and kid are understood. Any critical label is refused: we understand none beyond the basics.
base::Status ReadHeaderMap(CborReader& r, HeaderFields* h) {
  uint64_t pairs = 0;
  CK_TRY(r.EnterMap(&pairs));
  int64_t seen_int[16];
  size_t seen_count = 0;
  for (uint64_t i = 0; i < pairs; ++i) {
    CK_ASSIGN_OR_RETURN(CborType kt, r.PeekType());
    if (kt == CborType::kText) {
      std::string_view label;
      CK_TRY(r.ReadText(&label));
      CK_TRY(r.Skip());
      continue;
    }
    int64_t label = 0;
    CK_TRY(r.ReadInt(&label));
    if (std::find(seen_int, seen_int + seen_count, label) != seen_int + seen_count) {
      return Malformed("duplicate header label " + std::to_string(label));
    }
    if (seen_count == std::size(seen_int)) return Malformed("too many header labels");
    seen_int[seen_count++] = label;
    if (label == kLabelAlg) {
      CK_TRY(r.ReadInt(&h->alg));
      h->has_alg = true;
    } else if (label == kLabelKid) {
      CK_TRY(r.ReadBytes(&h->kid));
      h->has_kid = true;
    } else if (label == kLabelCrit) {
      return Malformed("unknown critical header");
    } else {
      CK_TRY(r.Skip());
    }
  }
  r.Leave();
  return base::Status::Ok();
}

base::Status ParseProtected(base::ByteSpan bytes, const CoseRules& rules, HeaderFields* h) {
  if (bytes.empty()) return base::Status::Ok();  // RFC 9052: empty bstr means an empty map
  CborReader r(bytes, rules.cbor);
  CK_TRY(ReadHeaderMap(r, h));
  if (!r.AtEnd()) return Malformed("trailing bytes in protected header");
  return base::Status::Ok();
}

}  // namespace

base::Status ParseSign1(base::ByteSpan cose, const CoseRules& rules, Sign1View* out) {
  CborReader r(cose, rules.cbor);
  CK_ASSIGN_OR_RETURN(CborType type, r.PeekType());
  bool tagged = false;
  if (type == CborType::kTag) {
    uint64_t tag = 0;
    CK_TRY(r.ReadTag(&tag));
    if (tag == kCwtTag && rules.allow_cwt_tag) CK_TRY(r.ReadTag(&tag));
    if (tag != kCoseSign1Tag)
      return Malformed("expected COSE_Sign1 tag 18, found tag " + std::to_string(tag));
    tagged = true;
  }
  if (!tagged && rules.require_sign1_tag) return Malformed("missing COSE_Sign1 tag 18");
  uint64_t count = 0;
  CK_TRY(r.EnterArray(&count));
  if (count != 4)
    return Malformed("COSE_Sign1 must be an array of 4, found " + std::to_string(count));
  CK_TRY(r.ReadBytes(&out->protected_bytes));

  HeaderFields prot;
  CK_TRY(ParseProtected(out->protected_bytes, rules, &prot));
  HeaderFields unprot;
  {
    CK_ASSIGN_OR_RETURN(CborType ut, r.PeekType());
    if (ut != CborType::kMap) return Malformed("unprotected header is not a map");
    const size_t before = r.offset();
    CK_TRY(ReadHeaderMap(r, &unprot));
    if (!rules.allow_unprotected_headers && r.offset() != before + 1) {
      return Malformed("unprotected header must be empty");
    }
  }
  CK_ASSIGN_OR_RETURN(CborType pt, r.PeekType());
  if (pt != CborType::kBytes)
    return Malformed("payload must be a byte string (detached payloads are not supported)");
  CK_TRY(r.ReadBytes(&out->payload));
  CK_TRY(r.ReadBytes(&out->signature));
  r.Leave();
  if (!r.AtEnd()) return Malformed("trailing bytes after COSE_Sign1");

  if (prot.has_alg) {
    out->alg = prot.alg;
  } else if (unprot.has_alg && rules.allow_unprotected_headers) {
    out->alg = unprot.alg;
  } else {
    return Malformed("no algorithm in the protected header");
  }
  base::ByteSpan kid;
  out->kid_from_unprotected = false;
  if (prot.has_kid) {
    kid = prot.kid;
  } else if (unprot.has_kid) {
    kid = unprot.kid;
    out->kid_from_unprotected = true;
  } else {
    return Malformed("no kid");
  }
  if (rules.kid_size > out->kid.size()) return Malformed("kid size rule above 8 bytes");
  if (kid.size() != rules.kid_size) {
    return Malformed("kid must be " + std::to_string(rules.kid_size) + " bytes, found " +
                     std::to_string(kid.size()));
  }
  out->kid = {};
  std::memcpy(out->kid.data(), kid.data(), kid.size());
  return base::Status::Ok();
}

void BuildSigStructure(base::ByteSpan protected_bytes, base::ByteSpan payload, base::Bytes* out) {
  out->clear();
  CborWriter w(out);
  w.Array(4);
  w.Text("Signature1");
  w.ByteString(protected_bytes);
  w.ByteString({});
  w.ByteString(payload);
}

base::Bytes EncodeProtectedHeader(Alg alg, const Kid& kid) {
  base::Bytes out;
  CborWriter w(&out);
  w.Map(2);
  w.Uint(1);
  w.Int(static_cast<int64_t>(alg));
  w.Uint(4);
  w.ByteString(kid);
  return out;
}

base::Bytes EncodeSign1(base::ByteSpan protected_bytes, base::ByteSpan payload,
                        base::ByteSpan signature) {
  base::Bytes out;
  CborWriter w(&out);
  w.Tag(kCoseSign1Tag);
  w.Array(4);
  w.ByteString(protected_bytes);
  w.Map(0);
  w.ByteString(payload);
  w.ByteString(signature);
  return out;
}

}  // namespace card
