#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace card {

// Card verdicts, in the order they are checked (DESIGN.md section 3). The code strings are stable:
// they are shown on screen, logged in the journal and printed by tools.
enum class Verdict : uint8_t {
  kMalformed,     // prefix, base45, zlib, CBOR or COSE structure, or a limit
  kUnknownKey,    // no issuer key with the card's kid
  kKeyNotValid,   // the key is outside its validity, withdrawn, or belongs to another issuer
  kBadSignature,  // signature does not verify (wrong algorithm for the key included)
  kNotYetValid,   // iat more than the allowed skew in the future
  kExpired,       // exp has passed
  kRevoked,       // member revoked, or card serial below the member's minimum
  kSuspended,     // member suspended (e.g. dues unpaid)
  kNotAMember,    // allow-list registry without this rid
  kValid,
  kError,  // the device could not decide (e.g. its registry could not be read); never valid
};

std::string_view VerdictCode(Verdict v);
std::optional<Verdict> VerdictFromCode(std::string_view code);

}  // namespace card
