// A change set between two registries: the rows removed, added and changed, table by table, as the
// records a delta bundle carries (docs/registry-and-bundles.md, "Delta records"). The office diffs
// the previous registry against the new one; the kiosk applies the records to the registry it
// holds, in place, in one transaction. Applying checks every record against the rows there: a
// removed or changed row must be there, an added one must not.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "registry/records.h"
#include "registry/state.h"
#include "sqlite/db.h"

namespace registry {

enum class ChangeOp : uint8_t { kRemove = 1, kAdd = 2, kChange = 3 };
inline constexpr uint8_t kEndOfRecords = 0xff;

struct TableChanges {
  int64_t removed = 0, added = 0, changed = 0;
  int64_t total() const { return removed + added + changed; }
};

struct ChangeSummary {
  std::array<TableChanges, 9> tables{};  // by position in StateTables()
  int64_t total() const;
  std::string ToString() const;  // "member_status: 3 removed, 10 added, 1000 changed; ..."
};

struct Diff {
  StateDigest from{};   // state digest of the old registry
  StateDigest to{};     // of the new one
  base::Bytes records;  // the change records, ending with kEndOfRecords
  ChangeSummary summary;
};

// Reads both registries in key order, table by table (one pass each). Records per table: every
// removal first, then additions and changes in key order (so a unique index never sees two rows
// at once). Both files are only read. With `new_members` (sorted by rid, no duplicates), the new
// registry's member_status rows are those records, as BuildRegistry would write them, and its
// member_status table is not read: a delta build then need not write 3.5 M rows to SQLite first.
base::Result<Diff> DiffRegistries(sqlite::Db& old_db, sqlite::Db& new_db,
                                  const std::vector<MemberRecord>* new_members = nullptr);

// Applies `records` inside the caller's transaction. Fails, naming the table and the key, on a
// record that does not fit the rows there, on malformed records, or on anything after the end.
base::Result<ChangeSummary> ApplyRecords(sqlite::Db& db, base::ByteSpan records);

// Checks `records` without a database: well-formed, every table and op known, the end marker
// last. Used to count a delta's changes (cardctl bundle inspect).
base::Result<ChangeSummary> ScanRecords(base::ByteSpan records);

}  // namespace registry
