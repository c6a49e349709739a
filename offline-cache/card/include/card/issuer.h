// Card issuing: claims -> signed QR text (UC1:...). The inverse of Verifier.
#pragma once

#include <string>

#include "base/status.h"
#include "card/claims.h"
#include "card/crypto.h"

namespace card {

// Holds the issuer's private key. Not thread-safe.
class CardIssuer {
 public:
  // Fails if the key is not ES256 or EdDSA (the algorithms a card may use).
  static base::Result<CardIssuer> Create(PrivateKey key);

  const Kid& kid() const { return kid_; }
  // The QR text: "UC1:" + base45(zlib(COSE_Sign1)). Fails if a claim is outside the limits or the
  // text would exceed the verifier's 1024-byte limit.
  base::Result<std::string> Issue(const Claims& claims) const;

 private:
  CardIssuer(PrivateKey key, Kid kid) : key_(std::move(key)), kid_(kid) {}
  PrivateKey key_;
  Kid kid_;
};

// Builds a signed COSE_Sign1 (tag 18, protected {1: alg, 4: kid}, empty unprotected map).
base::Result<base::Bytes> SignCose(const PrivateKey& key, const Kid& kid, base::ByteSpan payload);

// Wraps COSE bytes in the QR envelope: prefix + base45(zlib(cose)).
base::Result<std::string> WrapEnvelope(std::string_view prefix, base::ByteSpan cose);

}  // namespace card
