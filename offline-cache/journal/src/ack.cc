#include "journal/ack.h"

#include <cstring>

#include "base/hex.h"
#include "card/cbor.h"
#include "card/cose.h"
#include "card/issuer.h"

namespace journal {
namespace {

constexpr card::CoseRules kAckCose{.cbor = {.max_depth = 2, .allow_indefinite = false},
                                   .require_sign1_tag = true,
                                   .allow_cwt_tag = false,
                                   .allow_unprotected_headers = false,
                                   .kid_size = 8};

base::Status ReadFixed(card::CborReader& r, uint8_t* out, size_t n, const char* what) {
  base::ByteSpan b;
  CK_TRY(r.ReadBytes(&b));
  if (b.size() != n)
    return base::InvalidArgument(std::string("ack: ") + what + " has the wrong size");
  std::memcpy(out, b.data(), n);
  return base::Status::Ok();
}

base::Status DecodeClaim(base::ByteSpan payload, AckClaim* a) {
  card::CborReader r(payload, {.max_depth = 1, .allow_indefinite = false});
  uint64_t pairs = 0;
  CK_TRY(r.EnterMap(&pairs));
  if (pairs != 5) return base::InvalidArgument("ack: expected 5 fields");
  int64_t version = 0;
  for (uint64_t key = 1; key <= 5; ++key) {
    uint64_t k = 0;
    CK_TRY(r.ReadUint(&k));
    if (k != key) return base::InvalidArgument("ack: fields out of order");
    if (key == 1) CK_TRY(r.ReadInt(&version));
    if (key == 1 && version != kAckVersion) {
      return base::InvalidArgument("ack format version " + std::to_string(version) +
                                   " (this reader knows 1)");
    }
    if (key == 2) CK_TRY(ReadFixed(r, a->device_kid.data(), a->device_kid.size(), "kid"));
    if (key == 3) CK_TRY(r.ReadInt(&a->seq));
    if (key == 4) CK_TRY(ReadFixed(r, a->entry_hash.data(), a->entry_hash.size(), "hash"));
    if (key == 5) CK_TRY(r.ReadInt(&a->created));
  }
  r.Leave();
  if (!r.AtEnd()) return base::InvalidArgument("ack: trailing bytes");
  if (a->seq < 1 || a->seq > kMaxSeq) return base::InvalidArgument("ack: seq out of range");
  return base::Status::Ok();
}

}  // namespace

std::string AckFileName(const card::Kid& device_kid) {
  return "cardkiosk-ack-" + base::ToHex(device_kid) + ".ckack";
}

base::Result<base::Bytes> WriteAck(const AckClaim& a, const card::PrivateKey& signer) {
  base::Bytes payload;
  card::CborWriter w(&payload);
  w.Map(5);
  w.Uint(1);
  w.Int(kAckVersion);
  w.Uint(2);
  w.ByteString(a.device_kid);
  w.Uint(3);
  w.Int(a.seq);
  w.Uint(4);
  w.ByteString(a.entry_hash);
  w.Uint(5);
  w.Int(a.created);
  CK_ASSIGN_OR_RETURN(card::PublicKey pub, signer.Public());
  CK_ASSIGN_OR_RETURN(base::Bytes cose, card::SignCose(signer, pub.kid(), payload));
  base::Bytes out(kAckMagic, kAckMagic + sizeof kAckMagic);
  out.insert(out.end(), cose.begin(), cose.end());
  return out;
}

base::Result<AckClaim> ReadAck(base::ByteSpan file, const card::PublicKey& pinned) {
  if (file.size() < sizeof kAckMagic || file.size() > kMaxAckBytes ||
      std::memcmp(file.data(), kAckMagic, sizeof kAckMagic) != 0) {
    return base::InvalidArgument("not a cardkiosk acknowledgement (CKJRNACK, at most 4 KiB)");
  }
  card::Sign1View view;
  CK_TRY(card::ParseSign1(file.subspan(sizeof kAckMagic), kAckCose, &view));
  if (view.kid != pinned.kid()) {
    return base::Unauthenticated("ack signed by key " + base::ToHex(view.kid) +
                                 ", not by the pinned key " + base::ToHex(pinned.kid()));
  }
  if (view.alg != static_cast<int64_t>(card::Alg::kEdDSA) &&
      view.alg != static_cast<int64_t>(card::Alg::kES256)) {
    return base::Unauthenticated("ack: unsupported algorithm");
  }
  base::Bytes tbs;
  card::BuildSigStructure(view.protected_bytes, view.payload, &tbs);
  card::SignatureVerifier verifier;
  base::Status st = verifier.Verify(static_cast<card::Alg>(view.alg), pinned, tbs, view.signature);
  if (!st.ok()) return base::Unauthenticated("ack signature does not verify: " + st.message());
  AckClaim a;
  CK_TRY(DecodeClaim(view.payload, &a));
  return a;
}

base::Result<int64_t> ApplyAck(Journal& journal, const AckClaim& ack, const card::Kid& own_kid) {
  if (ack.device_kid != own_kid) {
    return base::FailedPrecondition("the ack is for device key " + base::ToHex(ack.device_kid) +
                                    ", not this device's " + base::ToHex(own_kid));
  }
  CK_TRY(journal.ReloadTail());
  if (ack.seq > journal.last_seq()) {
    return base::OutOfRange("the ack is for seqs through " + std::to_string(ack.seq) +
                            " but this journal ends at " + std::to_string(journal.last_seq()));
  }
  Hash held{};
  CK_TRY(journal.ForEach(
      ack.seq,
      [&held](const Entry& e) {
        held = e.hash;
        return base::Status::Ok();
      },
      ack.seq));
  if (held != ack.entry_hash) {
    return base::FailedPrecondition("the ack's entry " + std::to_string(ack.seq) +
                                    " is not this journal's (another chain)");
  }
  CK_TRY(journal.Ack(ack.seq));
  return journal.AckedSeq();
}

}  // namespace journal
