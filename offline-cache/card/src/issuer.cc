#include "card/issuer.h"

#include "card/base45.h"
#include "card/cose.h"
#include "card/profile.h"
#include "card/zlib_codec.h"

namespace card {

base::Result<CardIssuer> CardIssuer::Create(PrivateKey key) {
  if (key.alg() != Alg::kES256 && key.alg() != Alg::kEdDSA) {
    return base::InvalidArgument("card keys must be ES256 (P-256) or EdDSA (Ed25519)");
  }
  CK_ASSIGN_OR_RETURN(PublicKey pub, key.Public());
  Kid kid = pub.kid();
  return CardIssuer(std::move(key), kid);
}

base::Result<base::Bytes> SignCose(const PrivateKey& key, const Kid& kid, base::ByteSpan payload) {
  base::Bytes prot = EncodeProtectedHeader(key.alg(), kid);
  base::Bytes tbs;
  BuildSigStructure(prot, payload, &tbs);
  CK_ASSIGN_OR_RETURN(base::Bytes sig, key.Sign(tbs));
  return EncodeSign1(prot, payload, sig);
}

base::Result<std::string> WrapEnvelope(std::string_view prefix, base::ByteSpan cose) {
  CK_ASSIGN_OR_RETURN(base::Bytes z, Deflate(cose));
  std::string text(prefix);
  text += Base45Encode(z);  // always zlib, as the wire format says, even when it saves nothing
  return text;
}

base::Result<std::string> CardIssuer::Issue(const Claims& claims) const {
  CK_ASSIGN_OR_RETURN(base::Bytes payload, EncodeClaims(claims));
  CK_ASSIGN_OR_RETURN(base::Bytes cose, SignCose(key_, kid_, payload));
  CK_ASSIGN_OR_RETURN(std::string text, WrapEnvelope(kCardProfile.prefix, cose));
  if (text.size() > kCardProfile.max_text_bytes) {
    return base::OutOfRange("card text would be " + std::to_string(text.size()) + " bytes, limit " +
                            std::to_string(kCardProfile.max_text_bytes));
  }
  return text;
}

}  // namespace card
