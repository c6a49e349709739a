// Builders for well-formed and deliberately broken cards, shared by the verifier tests.
#pragma once

#include <optional>
#include <string>

#include "base/bytes.h"
#include "card/cbor.h"
#include "card/claims.h"
#include "card/crypto.h"

namespace testing_cards {

inline constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z

card::PrivateKey MakeKey(card::Alg alg);
card::Claims DefaultClaims();

// A COSE_Sign1 built field by field, so tests can break any part of it.
struct CoseParts {
  std::optional<uint64_t> tag = 18;
  base::Bytes protected_bytes;       // serialized protected header
  base::Bytes unprotected = {0xa0};  // raw CBOR for the unprotected header
  base::Bytes payload;
  std::optional<base::Bytes> signature;  // computed over the parts when not set
  base::Bytes trailing;                  // bytes appended after the array
};

// Protected header {1: alg, 4: kid} with any alg and kid bytes.
base::Bytes ProtectedHeader(int64_t alg, base::ByteSpan kid);
// Signs Sig_structure(protected, payload) with `key`.
base::Bytes SignParts(const card::PrivateKey& key, base::ByteSpan protected_bytes,
                      base::ByteSpan payload);
base::Bytes EncodeCose(const CoseParts& parts);
// "UC1:" + base45(zlib(cose)), or without zlib.
std::string Wrap(base::ByteSpan cose, bool compress = true);

// A correctly signed card.
std::string IssueCard(const card::PrivateKey& key, const card::Claims& claims);
// A correctly signed card whose payload is raw CBOR (may be anything).
std::string IssueRawPayload(const card::PrivateKey& key, base::ByteSpan payload);

}  // namespace testing_cards
