// CWT claims (RFC 8392) carrying the membership card (claim -70000) or, on an admin card, the
// admin claim (-70001, admin card format v1; docs/card-format.md).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "card/cbor.h"

namespace card {

inline constexpr int64_t kClaimIss = 1;
inline constexpr int64_t kClaimExp = 4;
inline constexpr int64_t kClaimIat = 6;
inline constexpr int64_t kClaimCard = -70000;
inline constexpr int64_t kClaimAdmin = -70001;
inline constexpr int64_t kClaimDccHcert = -260;
inline constexpr uint64_t kAdminCardVersion = 1;  // the admin claim's entry 1

inline constexpr size_t kMaxIssBytes = 32;  // card format v1; a profile may set its own limit
inline constexpr size_t kMaxOrgBytes = 32;
inline constexpr size_t kMaxNameBytes = 40;
inline constexpr size_t kMaxNumberBytes = 20;
inline constexpr int64_t kMaxTime = int64_t{1} << 40;  // iat/exp above this are refused

// rid: the status ID (first 8 bytes of HMAC-SHA-256 of the member ID under the status secret).
using Rid = std::array<uint8_t, 8>;

enum class Category : uint8_t { kEmployee = 0, kStudent = 1, kRetired = 2, kUnionStaff = 3 };
inline constexpr uint64_t kMaxCategory = 3;
std::string_view CategoryName(Category c);

struct MemberCard {
  Rid rid{};
  uint32_t serial = 0;
  std::string org;
  Category category = Category::kEmployee;
  std::optional<std::string> name;
  std::optional<std::string> number;
};

// An admin card's identity: random, chosen at issue; the registry can withdraw it.
using AdminId = std::array<uint8_t, 8>;

struct AdminCard {
  AdminId id{};
  std::string name;  // display name, 1-40 bytes
};

struct Claims {
  std::string iss;  // may be empty on an admin card
  int64_t iat = 0;
  int64_t exp = 0;
  std::optional<MemberCard> card;  // absent only where the profile allows it (EU DCC, admin)
  std::optional<AdminCard> admin;  // read only where ClaimsRules::accept_admin
};

struct ClaimsRules {
  CborLimits cbor;
  size_t max_iss_bytes = kMaxIssBytes;
  bool require_iss = true;
  bool require_card = true;
  bool allow_float_time =
      false;  // iat/exp as a float NumericDate (RFC 8392 allows it; DCCs use it)
  bool require_dcc_hcert = false;  // claim -260 must be a map holding map 1 (EU DCC)
  // Admin cards: claim -70001 is read, and exactly one of -70000 and -70001 must be present
  // (require_card then means "a card of either kind"). Without it -70001 is an unknown claim and
  // an admin card, having no -70000, is refused by require_card.
  bool accept_admin = false;
};

// Parses the payload map. Unknown claims are skipped (within the nesting limit); duplicate keys,
// wrong types, out-of-range values, over-long or non-UTF-8 text, control characters in text meant
// for display, and trailing bytes are errors.
base::Status ParseClaims(base::ByteSpan payload, const ClaimsRules& rules, Claims* out);

// Deterministic encoding (keys 1, 4, 6, then -70000 with card keys 1..6, or -70001 with admin keys
// 1..3; iss is left out of an admin card when empty). Exactly one of card and admin must be set.
// Fails on values outside the limits the parser enforces, so that nothing is issued that a
// verifier would refuse.
base::Result<base::Bytes> EncodeClaims(const Claims& claims);

}  // namespace card
