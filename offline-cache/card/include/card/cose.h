// COSE_Sign1 (RFC 9052) parsing and building, as used by cards and bundle manifests.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/status.h"
#include "card/cbor.h"
#include "card/crypto.h"

namespace card {

inline constexpr uint64_t kCoseSign1Tag = 18;
inline constexpr uint64_t kCwtTag = 61;

struct CoseRules {
  CborLimits cbor;
  bool require_sign1_tag = true;           // tag 18 must wrap the array
  bool allow_cwt_tag = false;              // tag 61 may wrap tag 18 (EU DCC)
  bool allow_unprotected_headers = false;  // else the unprotected map must be empty
  size_t kid_size = 8;                     // exact kid length required
};

// Views into the COSE bytes, which must outlive this struct.
struct Sign1View {
  base::ByteSpan protected_bytes;  // the serialized protected header (contents of the bstr)
  base::ByteSpan payload;
  base::ByteSpan signature;
  int64_t alg = 0;  // as found; the caller checks it against what it supports
  Kid kid{};
  bool kid_from_unprotected = false;
};

// Parses and checks the structure: tags, 4-element array, protected header {1: alg, 4: kid}
// (duplicate labels, unknown critical labels and a missing alg or kid are errors), the
// unprotected header, payload and signature, and that nothing follows the array.
base::Status ParseSign1(base::ByteSpan cose, const CoseRules& rules, Sign1View* out);

// Sig_structure = ["Signature1", protected, external_aad = h'', payload], written into *out
// (cleared first; its capacity is reused).
void BuildSigStructure(base::ByteSpan protected_bytes, base::ByteSpan payload, base::Bytes* out);

// The protected header {1: alg, 4: kid}, deterministically encoded.
base::Bytes EncodeProtectedHeader(Alg alg, const Kid& kid);
// Tag 18 [protected, {}, payload, signature].
base::Bytes EncodeSign1(base::ByteSpan protected_bytes, base::ByteSpan payload,
                        base::ByteSpan signature);

}  // namespace card
