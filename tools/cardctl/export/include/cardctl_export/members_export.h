// The union registry's members export, read once for every command that takes it (`cardctl
// issue`, `bundle build`, `members-of`): the same columns, names and values everywhere.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "card/claims.h"
#include "card/stores.h"
#include "cardctl_export/columns.h"
#include "cardctl_export/table.h"

namespace cardctl_export {

// What the command needs from the file; it decides which columns must be there and which values
// are checked. Columns a use does not need are not read.
enum class MembersUse : uint8_t {
  kIssue,   // member_id, name, org, category, serial, number
  kBundle,  // member_id; status, min_serial and serial when present
  kLookup,  // member_id; name when present
};

// The fields `use` reads, with their accepted header names (English or Russian).
const std::vector<FieldSpec>& MemberFields(MembersUse use);
// Every field of the export (what a --columns file may name).
const std::vector<FieldSpec>& AllMemberFields();

struct MemberExportRow {
  size_t line = 0;
  std::string member_id, name, org, number;
  card::Category category = card::Category::kEmployee;
  std::optional<uint32_t> serial;
  card::MemberState state = card::MemberState::kActive;
  uint32_t min_serial = 0;  // given, else the row's serial (a reissue invalidates older cards)
};

struct MembersExportOptions {
  ReadOptions read;
  ColumnOverrides columns;
  MembersUse use = MembersUse::kIssue;
};

struct MembersExportSummary {
  Encoding encoding = Encoding::kUtf8;
  char separator = ',';
  size_t rows = 0;
  std::string columns;  // Columns::Describe()

  // "Windows-1251, ';', 2,000 rows, columns: member_id = '...', ..."
  std::string Describe() const;
};

inline constexpr size_t kMaxReportedRowErrors = 50;

// Reads every row and calls `row_fn` with each good one, in file order; a Status it returns is
// reported for that row like a bad value. Bad rows are all reported (up to a limit) as
// "FILE:LINE: column 'HEADER' (field): found ..., accepted ..." and then the call fails, so a
// caller that writes only after a successful return writes nothing for a bad file.
base::Result<MembersExportSummary> ReadMembersExport(
    base::FileSystem& fs, const std::string& path, const MembersExportOptions& options,
    const std::function<base::Status(const MemberExportRow&)>& row_fn);

// "2,000" (thousands with commas), as the summary prints counts.
std::string GroupThousands(size_t n);

}  // namespace cardctl_export
