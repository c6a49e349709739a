// The partners, offers, events and roster files as an admin saves them (any encoding and separator
// the members export may have, Russian or English headers, Russian value forms) rewritten as the
// canonical UTF-8 CSV the registry's readers take (DESIGN.md section 7), which stay the one place
// that checks them. Line numbers are kept: canonical line N came from line lines[N-1].
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "cardctl_export/columns.h"
#include "cardctl_export/table.h"

namespace cardctl_export {

enum class AdminFile : uint8_t { kPartners, kOffers, kEvents, kRoster };

// The fields of a file with their accepted header names.
const std::vector<FieldSpec>& AdminFields(AdminFile kind);

struct AdminFileOptions {
  ReadOptions read;
  int64_t utc_offset_seconds = 3 * 3600;  // the kiosks' local time, for events given by dates
  // Roster only: whether a member ID is in the members export. Unknown IDs are errors unless
  // `allow_unknown_members`, then warnings.
  std::function<bool(std::string_view member_id)> is_member;
  bool allow_unknown_members = false;
};

struct CanonicalFile {
  std::string csv;                    // header + one line per row
  std::vector<size_t> lines;          // lines[i]: the source line of canonical line i + 1
  std::vector<std::string> warnings;  // "FILE:LINE: warning: ..."
  size_t rows = 0;
  std::string detected;  // "UTF-8, ';', 12 rows, columns: ..."
};

// Refuses what it cannot rewrite (bad encoding, header, quoting, a value in a Russian form that
// is wrong, roster IDs not in the members file) with "FILE:LINE: ..." for every bad row.
base::Result<CanonicalFile> ReadAdminFile(base::FileSystem& fs, const std::string& path,
                                          AdminFile kind, const AdminFileOptions& options);

// A message about the canonical text at `canonical_path` told about `path` and its lines.
std::string MapToSource(std::string_view message, std::string_view canonical_path,
                        std::string_view path, const std::vector<size_t>& lines);

}  // namespace cardctl_export
