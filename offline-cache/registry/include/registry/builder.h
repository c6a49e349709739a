// Writes a new registry.db from parsed records (the bundle builder's first step).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "card/stores.h"
#include "registry/records.h"
#include "registry/schema.h"

namespace registry {

struct RegistryContents {
  Meta meta;
  std::vector<card::IssuerKey> issuer_keys;
  std::vector<MemberRecord> members;  // sorted by rid, no duplicates
  std::vector<Partner> partners;
  std::vector<Offer> offers;
  std::vector<Event> events;
  std::vector<std::pair<std::string, card::Rid>> roster;  // sorted
  std::vector<card::IssuerKey> admin_keys;      // iss unused; never the same key as an issuer key
  std::vector<card::AdminId> withdrawn_admins;  // sorted, no duplicates
};

// Creates `path` (which must not exist) and fills it in one transaction, with rows inserted in key
// order so the B-trees are built densely. The file is complete and fsynced when this returns OK.
// Without `members`, member_status is left empty (a delta build diffs the records in memory).
// With admin keys or withdrawn admin cards the admin tables are made and the schema version is at
// least kSchemaVersionAdmin; a key listed both as an issuer key and as an admin key is refused.
base::Status BuildRegistry(const std::string& path, const RegistryContents& contents,
                           bool members = true);

}  // namespace registry
