#include "card/admin_card.h"

namespace card {
AdminCardVerifier::AdminCardVerifier(const AdminStore& store, const base::Clock& clock)
    : store_(store), verifier_(store.admin_keys(), nullptr, clock, kAdminCardProfile) {}

Verification AdminCardVerifier::Verify(std::string_view qr_text) {
  Verification out = verifier_.Verify(qr_text);
  if (out.verdict == Verdict::kMalformed || !out.claims) return out;
  if (!out.claims->admin) {
    out.verdict = Verdict::kMalformed;
    out.stage = Stage::kClaims;
    out.detail = "not an admin card (a member card)";
    out.signature_ok = false;
    return out;
  }
  if (out.verdict == Verdict::kUnknownKey) out.detail = "no admin key with this kid";
  if (out.verdict == Verdict::kValid && store_.AdminWithdrawn(out.claims->admin->id)) {
    out.verdict = Verdict::kRevoked;
    out.detail = "admin card withdrawn in the registry";
  }
  return out;
}

}  // namespace card
