#include "bundle/manifest.h"

#include <algorithm>
#include <cstring>

#include "card/cbor.h"

namespace bundle {
namespace {

base::Status Bad(const std::string& m) { return base::InvalidArgument("manifest: " + m); }

base::Status ReadDigest(card::CborReader& r, std::array<uint8_t, 32>* out) {
  base::ByteSpan v;
  CK_TRY(r.ReadBytes(&v));
  if (v.size() != out->size()) return Bad("state digest must be 32 bytes");
  std::memcpy(out->data(), v.data(), v.size());
  return base::Status::Ok();
}

// The version is one this device reads, and the map has that version's fields.
base::Status CheckVersion(uint64_t pairs, const Manifest& m) {
  if (m.version != kFormatVersion && m.version != kDeltaFormatVersion) {
    return Bad("format version " + std::to_string(m.version) +
               " (this device reads versions 1 and 2)");
  }
  if (pairs != (m.is_delta() ? 11u : 8u)) {
    return Bad("format version " + std::to_string(m.version) + " has " +
               (m.is_delta() ? "11" : "8") + " fields, found " + std::to_string(pairs));
  }
  if (m.is_delta() && (m.base_seq < 1 || m.base_seq >= m.seq)) {
    return Bad("a delta's base seq must be at least 1 and below its seq");
  }
  return base::Status::Ok();
}

}  // namespace

std::string_view CompressionName(Compression c) {
  return c == Compression::kZstd ? "zstd" : "none";
}

base::Bytes EncodeManifestPayload(const Manifest& m) {
  base::Bytes out;
  card::CborWriter w(&out);
  w.Map(m.is_delta() ? 11 : 8);
  w.Uint(1);
  w.Int(m.version);
  w.Uint(2);
  w.Int(m.seq);
  w.Uint(3);
  w.Int(m.created);
  w.Uint(4);
  w.Int(m.not_after);
  w.Uint(5);
  w.Text(m.issuer);
  w.Uint(6);
  w.ByteString(m.content_sha256);
  w.Uint(7);
  w.Uint(m.content_size);
  w.Uint(8);
  w.Text(CompressionName(m.compression));
  if (m.is_delta()) {
    w.Uint(9);
    w.Int(m.base_seq);
    w.Uint(10);
    w.ByteString(m.base_state);
    w.Uint(11);
    w.ByteString(m.target_state);
  }
  return out;
}

base::Status ParseManifestPayload(base::ByteSpan payload, Manifest* m) {
  card::CborReader r(payload, {.max_depth = 1, .allow_indefinite = false});
  uint64_t pairs = 0;
  CK_TRY(r.EnterMap(&pairs));
  if (pairs != 8 && pairs != 11)
    return Bad("expected 8 fields (11 in a delta), found " + std::to_string(pairs));
  bool seen[12] = {};
  for (uint64_t i = 0; i < pairs; ++i) {
    uint64_t key = 0;
    CK_TRY(r.ReadUint(&key));
    if (key < 1 || key > 11) return Bad("unknown field " + std::to_string(key));
    if (seen[key]) return Bad("field " + std::to_string(key) + " appears twice");
    seen[key] = true;
    switch (key) {
      case 1:
        CK_TRY(r.ReadInt(&m->version));
        break;
      case 2:
        CK_TRY(r.ReadInt(&m->seq));
        break;
      case 3:
        CK_TRY(r.ReadInt(&m->created));
        break;
      case 4:
        CK_TRY(r.ReadInt(&m->not_after));
        break;
      case 5: {
        std::string_view v;
        CK_TRY(r.ReadText(&v));
        if (v.size() > 64) return Bad("issuer code too long");
        m->issuer.assign(v);
        break;
      }
      case 6: {
        base::ByteSpan v;
        CK_TRY(r.ReadBytes(&v));
        if (v.size() != m->content_sha256.size()) return Bad("content hash must be 32 bytes");
        std::memcpy(m->content_sha256.data(), v.data(), v.size());
        break;
      }
      case 7:
        CK_TRY(r.ReadUint(&m->content_size));
        break;
      case 8: {
        std::string_view v;
        CK_TRY(r.ReadText(&v));
        if (v == "zstd")
          m->compression = Compression::kZstd;
        else if (v == "none")
          m->compression = Compression::kNone;
        else
          return Bad("unknown compression '" + std::string(v) + "'");
        break;
      }
      case 9:
        CK_TRY(r.ReadInt(&m->base_seq));
        break;
      case 10:
      case 11:
        CK_TRY(ReadDigest(r, key == 10 ? &m->base_state : &m->target_state));
        break;
      default:
        break;
    }
  }
  r.Leave();
  if (!r.AtEnd()) return Bad("trailing bytes");
  CK_TRY(CheckVersion(pairs, *m));
  if (m->seq < 1) return Bad("seq must be at least 1");
  if (m->not_after <= m->created) return Bad("not_after must be after created");
  return base::Status::Ok();
}

}  // namespace bundle
