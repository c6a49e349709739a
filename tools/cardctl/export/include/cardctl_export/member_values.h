// The values of a members export, in the forms the registry (AIS/1C) writes them. Each parser
// returns an error saying what would be accepted; the caller adds file, line and column.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "card/claims.h"
#include "card/stores.h"

namespace cardctl_export {

// "0"-"3" or a name, any case: работник/employee, студент/student, пенсионер/retired,
// работник аппарата/union_staff (also "staff").
base::Result<card::Category> ParseCategoryValue(std::string_view v);
// active/действует, suspended/приостановлен, revoked/исключен/выбыл (any case, ё = е); empty is
// active.
base::Result<card::MemberState> ParseStatusValue(std::string_view v);
// A whole number 0-4294967295.
base::Result<uint32_t> ParseSerialValue(std::string_view v);
// A member ID: 1-64 bytes of UTF-8 text, no control characters, no blanks around it. The rid is
// the HMAC of exactly these bytes.
base::Status CheckMemberId(std::string_view id);

}  // namespace cardctl_export
