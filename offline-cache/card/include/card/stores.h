// What the verifier needs to know beyond the card: issuer keys and member status. The SQLite
// registry implements these; the in-memory versions serve tools (--pubkey) and tests.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "base/status.h"
#include "card/claims.h"
#include "card/crypto.h"

namespace card {

struct IssuerKey {
  Kid kid{};
  std::string iss;  // issuer code the key signs for; empty = any issuer
  PublicKey key;
  int64_t not_before = std::numeric_limits<int64_t>::min();
  int64_t not_after = std::numeric_limits<int64_t>::max();  // exclusive
  bool withdrawn = false;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // The key with this kid, or nullptr. The pointer stays valid until the store is modified or
  // destroyed.
  virtual const IssuerKey* FindKey(const Kid& kid) const = 0;
};

enum class ListMode : uint8_t { kAllowList, kDenyList };
enum class MemberState : uint8_t { kActive, kSuspended, kRevoked };

struct MemberStatus {
  MemberState state = MemberState::kActive;
  uint32_t min_serial = 0;
};

class StatusStore {
 public:
  virtual ~StatusStore() = default;
  virtual ListMode mode() const = 0;
  // std::nullopt if the rid is not listed; an error Status if the store could not be read.
  virtual base::Result<std::optional<MemberStatus>> FindMember(const Rid& rid) const = 0;
};

// Not thread-safe for writes; concurrent reads are fine.
class MemoryKeyStore final : public KeyStore {
 public:
  void Add(IssuerKey key) { keys_.insert_or_assign(key.kid, std::move(key)); }
  const IssuerKey* FindKey(const Kid& kid) const override {
    auto it = keys_.find(kid);
    return it == keys_.end() ? nullptr : &it->second;
  }
  size_t size() const { return keys_.size(); }

 private:
  std::map<Kid, IssuerKey> keys_;
};

class MemoryStatusStore final : public StatusStore {
 public:
  explicit MemoryStatusStore(ListMode mode) : mode_(mode) {}
  void Set(const Rid& rid, MemberStatus status) { members_[rid] = status; }
  ListMode mode() const override { return mode_; }
  base::Result<std::optional<MemberStatus>> FindMember(const Rid& rid) const override {
    auto it = members_.find(rid);
    if (it == members_.end()) return std::optional<MemberStatus>();
    return std::optional<MemberStatus>(it->second);
  }

 private:
  ListMode mode_;
  std::map<Rid, MemberStatus> members_;
};

}  // namespace card
