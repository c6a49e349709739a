#include "member_row.h"

#include <charconv>

#include "base/text.h"
#include "base/utf8.h"

namespace cardctl {
namespace {

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

// Length in bytes of the UTF-8 character starting at s[0].
size_t CharLen(std::string_view s) {
  const auto c = static_cast<unsigned char>(s[0]);
  size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
  return n <= s.size() ? n : s.size();
}

std::string CutUtf8(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
  s.resize(cut);
  return s;
}

bool ValidMemberId(std::string_view id) {
  if (id.empty() || id.size() > 64 || id[0] == '.' || id[0] == '-') return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

base::Result<card::Category> ParseCategory(std::string_view v) {
  if (v == "0" || v == "employee") return card::Category::kEmployee;
  if (v == "1" || v == "student") return card::Category::kStudent;
  if (v == "2" || v == "retired") return card::Category::kRetired;
  if (v == "3" || v == "union_staff" || v == "staff") return card::Category::kUnionStaff;
  return base::InvalidArgument(
      "category must be 0-3 (employee, student, retired, union_staff), got '" + std::string(v) +
      "'");
}

}  // namespace

std::string ShortDisplayName(std::string_view full_name) {
  std::vector<std::string_view> w = Words(full_name);
  if (w.empty()) return {};
  if (w.size() == 1) return CutUtf8(std::string(w[0]), card::kMaxNameBytes);
  std::string_view given = w.size() >= 3 ? w[1] : w[0];
  std::string_view family = w.size() >= 3 ? w[0] : w[1];
  if (w[0].size() > 1 && w[0].back() == ',') {  // "Family, Given ..."
    family = w[0].substr(0, w[0].size() - 1);
    given = w[1];
  }
  std::string out(given);
  out += ' ';
  out += family.substr(0, CharLen(family));
  out += '.';
  if (out.size() > card::kMaxNameBytes) {
    out = CutUtf8(std::string(given), card::kMaxNameBytes - 1 - CharLen(family) - 1);
    out += ' ';
    out += family.substr(0, CharLen(family));
    out += '.';
  }
  return out;
}

base::Result<MemberRow> ParseMemberRow(const base::CsvRecord& rec, const base::CsvHeader& h,
                                       NamePolicy names) {
  if (rec.fields.size() != h.size()) {
    return base::InvalidArgument("expected " + std::to_string(h.size()) + " fields, found " +
                                 std::to_string(rec.fields.size()));
  }
  auto field = [&](std::string_view col) {
    return std::string(base::TrimBlanks(rec.fields[h[col]]));
  };
  MemberRow row;
  row.line = rec.line;
  row.member_id = field("member_id");
  if (!ValidMemberId(row.member_id)) {
    return base::InvalidArgument(
        "member_id '" + row.member_id +
        "' must be 1-64 characters of A-Z a-z 0-9 . _ - (it names the card's files)");
  }
  row.card.org = field("org");
  if (row.card.org.empty() || row.card.org.size() > card::kMaxOrgBytes ||
      base::HasControlChars(row.card.org)) {
    return base::InvalidArgument("org must be 1-32 bytes of text");
  }
  CK_ASSIGN_OR_RETURN(row.card.category, ParseCategory(field("category")));
  const std::string serial = field("serial");
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(serial.data(), serial.data() + serial.size(), value);
  if (serial.empty() || ec != std::errc() || end != serial.data() + serial.size()) {
    return base::InvalidArgument("serial must be a whole number 0-4294967295, got '" + serial +
                                 "'");
  }
  row.card.serial = value;
  const std::string number = field("number");
  if (number.size() > card::kMaxNumberBytes || base::HasControlChars(number)) {
    return base::InvalidArgument("number must be at most 20 bytes");
  }
  if (!number.empty()) row.card.number = number;
  const std::string name = field("name");
  if (base::HasControlChars(name)) return base::InvalidArgument("name contains control characters");
  if (names == NamePolicy::kShort) {
    std::string short_name = ShortDisplayName(name);
    if (!short_name.empty()) row.card.name = short_name;
  }
  return row;
}

}  // namespace cardctl
