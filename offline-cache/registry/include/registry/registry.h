// Read access to an applied registry.db: the SQLite implementation of the card verifier's key and
// status stores, plus the partner, offer and event lookups the rules need.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "card/admin_card.h"
#include "card/stores.h"
#include "registry/records.h"
#include "registry/schema.h"
#include "sqlite/db.h"

namespace registry {

// Rolls back a change to the registry file that was cut short. A delta apply changes registry.db
// in place in one SQLite transaction; killed or cut off by a power loss before its commit, it
// leaves the old pages in the hot journal registry.db-journal, which a read-only connection cannot
// play back. This opens the file read-write once and reads it, which makes SQLite put the old
// pages back. Nothing to do (and nothing opened) when there is no journal. Registry::Open and the
// importer call it first. `vfs`: as for sqlite::Db::Open.
base::Status RollBackInterruptedChange(const std::string& path, const char* vfs = nullptr);

// The issuer keys of a registry, each checked (the SPKI parses, the kid matches it).
base::Result<std::vector<card::IssuerKey>> ReadIssuerKeys(sqlite::Db& db);

// Opens the file read-only and keeps its statements prepared. Issuer keys are loaded into memory
// at open (there are few). Not thread-safe: one per thread. The file may be replaced by a full
// bundle apply while open (this object keeps reading the file it opened until it is reopened) or
// changed in place by a delta apply: each lookup then sees the rows before or after that apply's
// commit, never a part of it (a lookup waits while the commit writes); meta and keys are the ones
// read at open until the owner reopens it after the apply.
class Registry final : public card::KeyStore, public card::StatusStore, public card::AdminStore {
 public:
  static base::Result<std::unique_ptr<Registry>> Open(const std::string& path);

  const Meta& meta() const { return meta_; }

  // card::KeyStore
  const card::IssuerKey* FindKey(const card::Kid& kid) const override { return keys_.FindKey(kid); }
  // card::StatusStore
  card::ListMode mode() const override { return meta_.mode; }
  base::Result<std::optional<card::MemberStatus>> FindMember(const card::Rid& rid) const override;

  // card::AdminStore: the admin tables as read at open (few rows)
  const card::KeyStore& admin_keys() const override { return admins_.admin_keys(); }
  bool AdminWithdrawn(const card::AdminId& id) const override { return admins_.AdminWithdrawn(id); }

  base::Result<std::optional<Partner>> FindPartner(const std::string& partner_id) const;
  base::Result<std::vector<Offer>> OffersOf(const std::string& partner_id) const;
  base::Result<std::optional<Event>> FindEvent(const std::string& event_id) const;
  base::Result<bool> OnRoster(const std::string& event_id, const card::Rid& rid) const;
  // For the admin screen's choice of partner or event: the first `limit` by id.
  base::Result<std::vector<Partner>> ListPartners(int limit) const;
  base::Result<std::vector<Event>> ListEvents(int limit) const;

  struct Counts {
    int64_t issuer_keys, members, partners, offers, events, roster;
    int64_t admin_keys, withdrawn_admins;
  };
  base::Result<Counts> CountRows() const;

 private:
  Registry() = default;
  // A statement prepared once per SQL text (string literals: the pointer is the key).
  base::Result<sqlite::Stmt*> Cached(const char* sql) const;

  mutable sqlite::Db db_;  // lookups prepare statements; reading does not change it
  Meta meta_;
  card::MemoryKeyStore keys_;
  card::MemoryAdminStore admins_;
  size_t admin_key_count_ = 0, withdrawn_admin_count_ = 0;
  mutable sqlite::Stmt member_stmt_;
  mutable std::map<const char*, sqlite::Stmt> stmts_;
};

}  // namespace registry
