#include "card/verdict.h"

namespace card {

std::string_view VerdictCode(Verdict v) {
  switch (v) {
    case Verdict::kMalformed:
      return "MALFORMED";
    case Verdict::kUnknownKey:
      return "UNKNOWN_KEY";
    case Verdict::kKeyNotValid:
      return "KEY_NOT_VALID";
    case Verdict::kBadSignature:
      return "BAD_SIGNATURE";
    case Verdict::kNotYetValid:
      return "NOT_YET_VALID";
    case Verdict::kExpired:
      return "EXPIRED";
    case Verdict::kRevoked:
      return "REVOKED";
    case Verdict::kSuspended:
      return "SUSPENDED";
    case Verdict::kNotAMember:
      return "NOT_A_MEMBER";
    case Verdict::kValid:
      return "VALID";
    case Verdict::kError:
      return "ERROR";
  }
  return "ERROR";
}

std::optional<Verdict> VerdictFromCode(std::string_view code) {
  for (int i = 0; i <= static_cast<int>(Verdict::kError); ++i) {
    auto v = static_cast<Verdict>(i);
    if (VerdictCode(v) == code) return v;
  }
  return std::nullopt;
}

}  // namespace card
