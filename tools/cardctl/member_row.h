// One row of the members file that `cardctl issue` reads, checked.
#pragma once

#include <string>
#include <vector>

#include "base/csv.h"
#include "base/status.h"
#include "card/claims.h"

namespace cardctl {

inline const std::vector<std::string> kIssueColumns = {"member_id", "name",   "org",
                                                       "category",  "serial", "number"};

enum class NamePolicy { kNone, kShort };

struct MemberRow {
  size_t line = 0;
  std::string member_id;
  card::MemberCard card;  // rid left zero: the caller computes it
};

// Checks one record. Errors name the column; the caller adds file and line.
base::Result<MemberRow> ParseMemberRow(const base::CsvRecord& rec, const base::CsvHeader& header,
                                       NamePolicy names);

// "Anna Ivanova" -> "Anna I."; "Ivanova Anna Petrovna" (surname first, as in Russian and Kazakh
// registries) -> "Anna I."; "Ivanova, Anna" -> "Anna I."; a single word stays as it is. Cut to 40
// bytes on a character boundary.
std::string ShortDisplayName(std::string_view full_name);

}  // namespace cardctl
