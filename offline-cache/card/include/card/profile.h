// A profile fixes the envelope a verifier accepts: prefix, limits and which variations of the
// layers are allowed. kCardProfile is our card format v1 (DESIGN.md section 3); kDccProfile reads
// EU Digital COVID Certificates, whose public test vectors exercise the same layers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "card/claims.h"
#include "card/cose.h"

namespace card {

struct Profile {
  std::string_view prefix;
  size_t max_text_bytes;
  size_t max_inflated_bytes;
  bool require_zlib;  // else an uncompressed COSE_Sign1 is accepted (detected by its header)
  CoseRules cose;
  ClaimsRules claims;
  bool allow_es256;
  bool allow_eddsa;
  bool allow_ps256;
  int64_t iat_skew_seconds;  // a card issued up to this far in the future is accepted
  bool exp_inclusive;        // valid at exactly exp (EU DCC reference); else exp is exclusive
};

inline constexpr Profile kCardProfile{
    .prefix = "UC1:",
    .max_text_bytes = 1024,
    .max_inflated_bytes = 2048,
    .require_zlib = false,
    .cose = {.cbor = {.max_depth = 4, .allow_indefinite = false},
             .require_sign1_tag = true,
             .allow_cwt_tag = false,
             .allow_unprotected_headers = false,
             .kid_size = 8},
    .claims = {.cbor = {.max_depth = 4, .allow_indefinite = false},
               .max_iss_bytes = kMaxIssBytes,
               .require_iss = true,
               .require_card = true},
    .allow_es256 = true,
    .allow_eddsa = true,
    .allow_ps256 = false,
    .iat_skew_seconds = 300,
    .exp_inclusive = false,
};

// The EU DCC sets no length of its own for iss (a country code by the specification, yet issuers
// put names there: Georgia's test vectors carry 80 bytes), so only the payload size bounds it.
inline constexpr size_t kDccMaxInflatedBytes = 16384;

inline constexpr Profile kDccProfile{
    .prefix = "HC1:",
    .max_text_bytes = 8192,
    .max_inflated_bytes = kDccMaxInflatedBytes,
    .require_zlib = true,
    .cose = {.cbor = {.max_depth = 4, .allow_indefinite = false},
             .require_sign1_tag = false,
             .allow_cwt_tag = true,
             .allow_unprotected_headers = true,
             .kid_size = 8},
    .claims = {.cbor = {.max_depth = 8, .allow_indefinite = true},
               .max_iss_bytes = kDccMaxInflatedBytes,
               .require_iss = false,
               .require_card = false,
               .allow_float_time = true,
               .require_dcc_hcert = true},
    .allow_es256 = true,
    .allow_eddsa = false,
    .allow_ps256 = true,
    .iat_skew_seconds = 0,
    .exp_inclusive = true,
};

}  // namespace card
