#include "export_header.h"

#include <cstring>
#include <string>

#include "card/cbor.h"

namespace journal {
namespace {

constexpr uint64_t kPairsV1 = 8;
constexpr uint64_t kPairsV2 = 11;

base::Status ReadHash(card::CborReader& r, Hash* out) {
  base::ByteSpan bytes;
  CK_TRY(r.ReadBytes(&bytes));
  if (bytes.size() != out->size()) return base::InvalidArgument("hash must be 32 bytes");
  std::memcpy(out->data(), bytes.data(), out->size());
  return base::Status::Ok();
}

base::Status ReadText(card::CborReader& r, std::string* out) {
  std::string_view text;
  CK_TRY(r.ReadText(&text));
  out->assign(text);
  return base::Status::Ok();
}

// The value of field `key` (1..11).
base::Status ReadField(card::CborReader& r, uint64_t key, ExportHeader* h) {
  base::ByteSpan bytes;
  switch (key) {
    case 1:
      return r.ReadInt(&h->version);
    case 2:
      return ReadText(r, &h->device_id);
    case 3:
      return r.ReadInt(&h->created);
    case 4:
      return r.ReadInt(&h->first_seq);
    case 5:
      return r.ReadInt(&h->last_seq);
    case 6:
      return ReadHash(r, &h->anchor);
    case 7:
      return r.ReadInt(&h->count);
    case 8:
      return ReadHash(r, &h->body_sha256);
    case 9:
      CK_TRY(r.ReadBytes(&bytes));
      if (bytes.size() != h->device_kid.size()) return base::InvalidArgument("kid must be 8 bytes");
      std::memcpy(h->device_kid.data(), bytes.data(), bytes.size());
      return base::Status::Ok();
    case 10:
      CK_TRY(r.ReadBytes(&bytes));
      if (bytes.empty() || bytes.size() > kMaxDeviceKeyBytes) {
        return base::InvalidArgument("device key must be 1 to " +
                                     std::to_string(kMaxDeviceKeyBytes) + " bytes");
      }
      h->device_spki.assign(bytes.begin(), bytes.end());
      return base::Status::Ok();
    default:
      return ReadText(r, &h->journal_id);
  }
}

}  // namespace

base::Bytes EncodeExportHeader(const ExportHeader& h) {
  base::Bytes out;
  card::CborWriter w(&out);
  w.Map(h.version == 1 ? kPairsV1 : kPairsV2);
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
  if (h.version == 1) return out;
  w.Uint(9);
  w.ByteString(h.device_kid);
  w.Uint(10);
  w.ByteString(h.device_spki);
  w.Uint(11);
  w.Text(h.journal_id);
  return out;
}

base::Status DecodeExportHeader(base::ByteSpan b, ExportHeader* h) {
  card::CborReader r(b, {.max_depth = 1, .allow_indefinite = false});
  uint64_t pairs = 0;
  CK_TRY(r.EnterMap(&pairs));
  if (pairs != kPairsV1 && pairs != kPairsV2) {
    return base::InvalidArgument(
        "export header: expected 8 fields (format 1) or 11 (format 2), "
        "found " +
        std::to_string(pairs));
  }
  for (uint64_t key = 1; key <= pairs; ++key) {
    uint64_t k = 0;
    CK_TRY(r.ReadUint(&k));
    if (k != key) return base::InvalidArgument("export header: fields out of order");
    if (base::Status st = ReadField(r, key, h); !st.ok()) {
      return base::InvalidArgument("export header: field " + std::to_string(key) + ": " +
                                   st.message());
    }
    if (key == 1 && h->version != 1 && h->version != kExportVersion) {
      return base::InvalidArgument("export format version " + std::to_string(h->version) +
                                   " (this reader knows 1 and " + std::to_string(kExportVersion) +
                                   ")");
    }
  }
  r.Leave();
  if (!r.AtEnd()) return base::InvalidArgument("export header: trailing bytes");
  if (pairs != (h->version == 1 ? kPairsV1 : kPairsV2)) {
    return base::InvalidArgument("export header: format " + std::to_string(h->version) + " has " +
                                 std::to_string(h->version == 1 ? kPairsV1 : kPairsV2) +
                                 " fields, found " + std::to_string(pairs));
  }
  return base::Status::Ok();
}

}  // namespace journal
