#include "cardctl_export/member_values.h"

#include <charconv>
#include <string>

#include "base/text.h"
#include "base/utf8.h"
#include "cardctl_export/columns.h"

namespace cardctl_export {

base::Result<card::Category> ParseCategoryValue(std::string_view v) {
  // The forms an export usually holds, before the full comparison (one allocation and a decode
  // per value, millions of times in a big export).
  if (v == "работник") return card::Category::kEmployee;
  if (v == "студент") return card::Category::kStudent;
  if (v == "пенсионер") return card::Category::kRetired;
  const std::string n = NormalizeName(v);
  if (n == "0" || n == "employee" || n == "работник") return card::Category::kEmployee;
  if (n == "1" || n == "student" || n == "студент") return card::Category::kStudent;
  if (n == "2" || n == "retired" || n == "пенсионер") return card::Category::kRetired;
  if (n == "3" || n == "union_staff" || n == "staff" || n == "работник аппарата")
    return card::Category::kUnionStaff;
  return base::InvalidArgument(
      "found '" + std::string(v) +
      "', accepted 0-3 or работник/employee, студент/student, пенсионер/retired, работник "
      "аппарата/union_staff");
}

base::Result<card::MemberState> ParseStatusValue(std::string_view v) {
  if (v.empty() || v == "действует" || v == "active") return card::MemberState::kActive;
  const std::string n = NormalizeName(v);
  if (n.empty() || n == "active" || n == "действует") return card::MemberState::kActive;
  if (n == "suspended" || n == "приостановлен") return card::MemberState::kSuspended;
  if (n == "revoked" || n == "исключен" || n == "выбыл") return card::MemberState::kRevoked;
  return base::InvalidArgument("found '" + std::string(v) +
                               "', accepted active/действует, suspended/приостановлен, "
                               "revoked/исключен/выбыл (empty = active)");
}

base::Result<uint32_t> ParseSerialValue(std::string_view v) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
    return base::InvalidArgument("found '" + std::string(v) +
                                 "', accepted a whole number 0-4294967295");
  }
  return value;
}

base::Status CheckMemberId(std::string_view id) {
  if (id.empty()) return base::InvalidArgument("is empty (a member ID is 1-64 bytes of text)");
  if (id.size() > 64) {
    return base::InvalidArgument("found '" + std::string(id.substr(0, 20)) + "...' (" +
                                 std::to_string(id.size()) +
                                 " bytes), accepted 1-64 bytes of text");
  }
  if (base::HasControlChars(id) || base::TrimBlanks(id).size() != id.size()) {
    return base::InvalidArgument(
        "found a control character or blanks around the ID, accepted 1-64 bytes of text");
  }
  return base::Status::Ok();
}

}  // namespace cardctl_export
