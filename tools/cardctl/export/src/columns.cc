#include "cardctl_export/columns.h"

#include "base/text.h"
#include "base/utf8.h"

namespace cardctl_export {
namespace {

// Decodes one UTF-8 character at s[*i] (valid UTF-8 assumed) and advances *i.
char32_t DecodeAt(std::string_view s, size_t* i) {
  const auto c = static_cast<unsigned char>(s[*i]);
  const size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3f);
  *i += len;
  return cp;
}

void Encode(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

char32_t Lower(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 0x20;
  if (cp >= 0x0410 && cp <= 0x042f) return cp + 0x20;  // А-Я
  if (cp >= 0x0400 && cp <= 0x040f) return cp + 0x50;  // Ѐ-Џ (Ё, І, Ў...)
  if (((cp >= 0x0460 && cp <= 0x04bf) || (cp >= 0x04d0 && cp <= 0x04ff)) && cp % 2 == 0)
    return cp + 1;  // Ғ Қ Ң Ү Ұ Һ Ә Ө ...: capital even, small odd
  return cp;
}

}  // namespace

std::string NormalizeName(std::string_view s) {
  s = base::TrimBlanks(s);
  if (!s.empty() && s.back() == ':') s = base::TrimBlanks(s.substr(0, s.size() - 1));
  std::string out;
  if (!base::IsValidUtf8(s)) return base::AsciiLower(s);
  bool space = false;
  for (size_t i = 0; i < s.size();) {
    char32_t cp = Lower(DecodeAt(s, &i));
    if (cp == 0x0451) cp = 0x0435;  // ё -> е
    if (cp == ' ' || cp == '\t' || cp == 0xa0) {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    Encode(cp, &out);
  }
  return out;
}

base::Result<ColumnOverrides> ParseColumnsFile(std::string_view text, std::string_view file,
                                               const std::vector<FieldSpec>& known) {
  std::string decoded;
  if (!base::IsValidUtf8(text)) {
    AppendCp1251AsUtf8(text, &decoded);
    text = decoded;
  }
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);
  ColumnOverrides out;
  size_t line = 0, start = 0;
  while (start < text.size()) {
    ++line;
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    start = end + 1;
    if (size_t hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
    if (base::TrimBlanks(l).empty()) continue;
    const std::string where = std::string(file) + ":" + std::to_string(line) + ": ";
    const size_t eq = l.find('=');
    if (eq == std::string_view::npos)
      return base::InvalidArgument(where + "expected 'field = header name', got '" +
                                   std::string(base::TrimBlanks(l)) + "'");
    const std::string field = base::AsciiLower(base::TrimBlanks(l.substr(0, eq)));
    std::string names;
    bool found = false;
    for (const FieldSpec& f : known) {
      found |= f.name == field;
      names += (names.empty() ? "" : ", ") + f.name;
    }
    if (!found)
      return base::InvalidArgument(where + "unknown field '" + field + "' (fields: " + names + ")");
    const std::string header(base::TrimBlanks(l.substr(eq + 1)));
    if (header.empty()) return base::InvalidArgument(where + "no header name after '='");
    if (!out.emplace(field, header).second)
      return base::InvalidArgument(where + "field '" + field + "' is given twice");
  }
  return out;
}

base::Result<ColumnOverrides> ReadColumnsFile(base::FileSystem& fs, const std::string& path,
                                              const std::vector<FieldSpec>& known) {
  CK_ASSIGN_OR_RETURN(std::unique_ptr<base::SequentialFile> in, fs.OpenSequential(path));
  if (in->size() > 65536) return base::InvalidArgument(path + ": too big for a column mapping");
  std::string text(static_cast<size_t>(in->size()), '\0');  // at most 64 KiB: checked above
  CK_ASSIGN_OR_RETURN(size_t n, in->Read(reinterpret_cast<uint8_t*>(text.data()), text.size()));
  text.resize(n);
  return ParseColumnsFile(text, path, known);
}

base::Result<Columns> Columns::Map(const Record& header, const std::vector<FieldSpec>& fields,
                                   const ColumnOverrides& overrides, std::string_view file) {
  const std::string where = std::string(file) + ":" + std::to_string(header.line) + ": ";
  std::vector<std::optional<size_t>> found(fields.size());
  for (size_t col = 0; col < header.fields.size(); ++col) {
    const std::string name = NormalizeName(header.fields[col]);
    if (name.empty()) continue;
    for (size_t f = 0; f < fields.size(); ++f) {
      bool match = false;
      if (auto o = overrides.find(fields[f].name); o != overrides.end()) {
        match = NormalizeName(o->second) == name;
      } else {
        for (const std::string& a : fields[f].accepts) match |= NormalizeName(a) == name;
      }
      if (!match) continue;
      if (found[f]) {
        const std::string& first = header.fields[*found[f]];
        const bool same = NormalizeName(first) == name;
        return base::InvalidArgument(where +
                                     (same ? "header '" + header.fields[col] + "' repeated"
                                           : "columns '" + first + "' and '" + header.fields[col] +
                                                 "' both map to " + fields[f].name) +
                                     " (columns " + std::to_string(*found[f] + 1) + " and " +
                                     std::to_string(col + 1) +
                                     "); keep one, or say which with --columns FILE");
      }
      found[f] = col;
    }
  }
  Columns c;
  c.width_ = header.fields.size();
  std::string missing;
  for (size_t f = 0; f < fields.size(); ++f) {
    if (found[f]) {
      c.mapped_.push_back({fields[f].name, *found[f], header.fields[*found[f]]});
      continue;
    }
    if (!fields[f].required) continue;
    std::string accepted;
    if (auto o = overrides.find(fields[f].name); o != overrides.end()) {
      accepted = "'" + o->second + "' (from --columns)";
    } else {
      for (const std::string& a : fields[f].accepts)
        accepted += (accepted.empty() ? "'" : ", '") + a + "'";
    }
    missing += (missing.empty() ? "" : "; ") + fields[f].name + " (header " + accepted + ")";
  }
  if (!missing.empty()) {
    return base::InvalidArgument(where + "header lacks column(s) " + missing +
                                 "; for other header names give --columns FILE with lines "
                                 "'field = header name'");
  }
  return c;
}

std::optional<size_t> Columns::Index(std::string_view field) const {
  for (const Mapped& m : mapped_) {
    if (m.field == field) return m.index;
  }
  return std::nullopt;
}

const std::string& Columns::HeaderOf(std::string_view field) const {
  static const std::string kNone;
  for (const Mapped& m : mapped_) {
    if (m.field == field) return m.header;
  }
  return kNone;
}

std::string Columns::Describe() const {
  std::string out;
  for (const Mapped& m : mapped_)
    out += (out.empty() ? "" : ", ") + m.field + " = '" + m.header + "'";
  return out;
}

}  // namespace cardctl_export
