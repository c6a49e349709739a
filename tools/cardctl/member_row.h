// One member of the export as `cardctl issue` turns it into a card.
#pragma once

#include <string>
#include <string_view>

#include "card/claims.h"
#include "cardctl_export/members_export.h"

namespace cardctl {

enum class NamePolicy { kNone, kShort };

struct MemberRow {
  size_t line = 0;
  std::string member_id;
  std::string full_name;  // as in the export, for the printed card
  card::MemberCard card;  // rid left zero: the caller computes it
};

// The card's fields from a row read for MembersUse::kIssue (serial is present there).
MemberRow ToMemberRow(const cardctl_export::MemberExportRow& row, NamePolicy names);

// "Anna Ivanova" -> "Anna I."; "Ivanova Anna Petrovna" (surname first, as in Russian and Kazakh
// registries) -> "Anna I."; "Ivanova, Anna" -> "Anna I."; a single word stays as it is. Cut to 40
// bytes on a character boundary.
std::string ShortDisplayName(std::string_view full_name);

// The file name (without extension) of a member's card files: the member ID, with every byte
// that a file name on a USB stick cannot hold (control, / \ : * ? " < > | %) and a leading '.'
// written as %XX. UTF-8 letters stay as they are. Distinct IDs give distinct names.
std::string CardFileName(std::string_view member_id);

}  // namespace cardctl
