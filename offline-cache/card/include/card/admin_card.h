// Admin cards (admin card format v1, docs/card-format.md): a UC1 card whose claims carry the admin
// claim -70001 instead of the member card, signed by an admin key. Admin keys are a list of their
// own in the registry, apart from the issuer keys: a member card's key never makes an admin card
// and an admin key never makes a member card (each verifier looks only in its own list).
#pragma once

#include <set>
#include <string_view>

#include "base/clock.h"
#include "card/claims.h"
#include "card/profile.h"
#include "card/stores.h"
#include "card/verifier.h"

namespace card {

// The member card profile that also reads the admin claim; iss is optional on an admin card.
inline constexpr Profile kAdminCardProfile = [] {
  Profile p = kCardProfile;
  p.claims.accept_admin = true;
  p.claims.require_iss = false;
  return p;
}();

// What an admin card is checked against: the admin keys and the withdrawn admin ids.
class AdminStore {
 public:
  virtual ~AdminStore() = default;
  virtual const KeyStore& admin_keys() const = 0;
  virtual bool AdminWithdrawn(const AdminId& id) const = 0;
};

// Not thread-safe for writes; concurrent reads are fine.
class MemoryAdminStore final : public AdminStore {
 public:
  void AddKey(IssuerKey key) { keys_.Add(std::move(key)); }
  void Withdraw(const AdminId& id) { withdrawn_.insert(id); }
  const KeyStore& admin_keys() const override { return keys_; }
  bool AdminWithdrawn(const AdminId& id) const override { return withdrawn_.contains(id); }

 private:
  MemoryKeyStore keys_;
  std::set<AdminId> withdrawn_;
};

// Verifies admin cards: the member verifier's layers, keys from the admin list only, then the
// time checks and the withdrawn list (verdict REVOKED). A member card, or any text that is not an
// admin card, is MALFORMED (stage claims: "not an admin card"). The store and the clock must
// outlive the verifier; not thread-safe.
class AdminCardVerifier {
 public:
  AdminCardVerifier(const AdminStore& store, const base::Clock& clock);

  Verification Verify(std::string_view qr_text);
  void set_clock_floor(int64_t unix_seconds) { verifier_.set_clock_floor(unix_seconds); }

 private:
  const AdminStore& store_;
  Verifier verifier_;
};

}  // namespace card
