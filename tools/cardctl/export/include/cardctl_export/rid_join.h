// The office's way back from rids to members (`cardctl members-of`): the members export indexed
// by rid (computed as the kiosk and hub see it: HMAC-SHA-256 of the member ID under the status
// secret, first 8 bytes), and a CSV keyed by rid (the hub's reports) joined to it.
#pragma once

#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/fs.h"
#include "card/stores.h"
#include "cardctl_export/members_export.h"

namespace cardctl_export {

// Owns its entries; read-only once built, so safe to share between threads.
class MemberIndex {
 public:
  struct Entry {
    card::Rid rid{};
    std::string member_id, name;
  };
  // Reads the export as MembersUse::kLookup; a member ID listed twice is refused.
  static base::Result<MemberIndex> Build(base::FileSystem& fs, const std::string& path,
                                         const MembersExportOptions& options,
                                         base::ByteSpan status_secret,
                                         MembersExportSummary* summary);
  const Entry* Find(const card::Rid& rid) const;
  size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;  // sorted by rid
};

struct JoinResult {
  std::string csv;  // the input with member_id and name after its rid column
  size_t rows = 0, with_rid = 0, matched = 0;
  std::vector<std::string> unmatched;  // "FILE:LINE: rid R matches no member in the export"
};

// Every row is kept; a rid that matches no member (or is not a rid) gets an empty member_id and
// is listed, except the hub's totals row ("Итого" where the rid would be). The header is the
// first row with a rid column: rows before it (the hub's preamble, `Период;2026-12` and a blank
// line, at most 5 rows) are copied as they are. The output has the input's separator, UTF-8
// (with a byte-order mark when the input had one or was Windows-1251, so Excel reads the
// Cyrillic). Refuses an input without a rid column, or with member_id or name columns already.
base::Result<JoinResult> JoinMembers(base::FileSystem& fs, const std::string& in_path,
                                     const MemberIndex& index, const ReadOptions& read);

}  // namespace cardctl_export
