#include "member_row.h"

#include <vector>

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

MemberRow ToMemberRow(const cardctl_export::MemberExportRow& r, NamePolicy names) {
  MemberRow row;
  row.line = r.line;
  row.member_id = r.member_id;
  row.full_name = r.name;
  row.card.org = r.org;
  row.card.category = r.category;
  row.card.serial = r.serial.value_or(0);
  if (!r.number.empty()) row.card.number = r.number;
  if (names == NamePolicy::kShort) {
    std::string short_name = ShortDisplayName(r.name);
    if (!short_name.empty()) row.card.name = short_name;
  }
  return row;
}

std::string CardFileName(std::string_view id) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < id.size(); ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    const bool escape =
        c < 0x20 || c == 0x7f ||
        std::string_view("/\\:*?\"<>|%").find(static_cast<char>(c)) != std::string_view::npos ||
        (i == 0 && c == '.');
    if (!escape) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    out.push_back('%');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace cardctl
