// Text from a QR code -> verdict, offline. The order of checks is DESIGN.md section 3.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "card/claims.h"
#include "card/crypto.h"
#include "card/profile.h"
#include "card/stores.h"
#include "card/verdict.h"
#include "card/zlib_codec.h"

namespace card {

// Which layer refused a MALFORMED card (for logs and the conformance tests).
enum class Stage : uint8_t { kNone, kSize, kPrefix, kBase45, kZlib, kCose, kClaims };
std::string_view StageName(Stage s);

struct Verification {
  Verdict verdict = Verdict::kError;
  Stage stage = Stage::kNone;  // set when verdict is kMalformed
  std::string detail;          // why, in English, for logs and tools; empty when VALID
  std::optional<Kid> kid;      // once the COSE header was read
  std::optional<Alg> alg;
  std::optional<Claims>
      claims;                 // once the payload was parsed (not yet trusted before the signature)
  std::string error_code;     // with verdict kError: CLOCK_BEHIND or REGISTRY_UNREADABLE
  bool signature_ok = false;  // the signature verified: claims can be trusted
  bool status_checked = false;  // a status store was consulted
};

// The time checks of Verifier::Verify() on `claims` at `now` under `profile`: kNotYetValid,
// kExpired or kValid. Verify() applies them only to claims whose signature verified; conformance
// tests apply them to untrusted claims too (the EU DCC vectors check expiry independently of the
// signature).
Verdict CheckValidityPeriod(const Claims& claims, int64_t now, const Profile& profile);

// Verifies cards. Keeps its scratch buffers, zlib stream and OpenSSL context between calls, so a
// verification allocates almost nothing beyond the result. Not thread-safe: one per thread. The
// stores and the clock must outlive the verifier; `status` may be null (no member registry: the
// status checks are skipped and Verification::status_checked stays false).
class Verifier {
 public:
  Verifier(const KeyStore& keys, const StatusStore* status, const base::Clock& clock,
           const Profile& profile = kCardProfile);

  Verification Verify(std::string_view qr_text);

  // The clock floor (DESIGN.md sections 5-6): while the wall clock is earlier than this (e.g. the
  // applied registry's creation time), every verification is refused with verdict kError and
  // error_code CLOCK_BEHIND, because expiry and validity checks cannot be trusted.
  void set_clock_floor(int64_t unix_seconds) { clock_floor_ = unix_seconds; }

  // The layers below the signature only: prefix, base45, zlib, COSE, claims. Used by fuzzers
  // and tools; fills everything of *out except the key, signature, time and status checks.
  // Returns false (and sets out->verdict = kMalformed) if a layer refused the input.
  bool Decode(std::string_view qr_text, Verification* out);

 private:
  bool AlgAllowed(int64_t alg) const;
  void CheckTimeAndStatus(Verification* out);

  const KeyStore& keys_;
  const StatusStore* status_;
  const base::Clock& clock_;
  const Profile profile_;
  int64_t clock_floor_ = 0;
  Inflater inflater_;
  SignatureVerifier sig_verifier_;
  base::Bytes decoded_;   // base45 output
  base::Bytes inflated_;  // zlib output
  base::Bytes tbs_;       // Sig_structure
  Sign1View sign1_;
};

}  // namespace card
