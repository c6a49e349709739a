#include "base/csv.h"

#include "base/utf8.h"

namespace base {

int CsvReader::Get() {
  if (!pushed_.empty()) {
    int c = pushed_.back();
    pushed_.pop_back();
    return c;
  }
  return std::getc(in_);
}

bool CsvReader::Next(CsvRecord* rec) {
  rec->fields.clear();
  rec->line = line_;
  if (!started_) {
    started_ = true;
    // Skip a UTF-8 byte-order mark (EF BB BF); anything else is handed back untouched.
    int b[3] = {Get(), EOF, EOF};
    if (b[0] == 0xef) b[1] = Get();
    if (b[1] == 0xbb) b[2] = Get();
    if (!(b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)) {
      for (int i = 2; i >= 0; --i) {
        if (b[i] != EOF) Unget(b[i]);
      }
    }
  }
  std::string field;
  bool in_quotes = false;
  bool any = false;
  for (;;) {
    int c = Get();
    if (c == EOF) {
      if (in_quotes) {
        status_ = InvalidArgument(name_ + ":" + std::to_string(rec->line) +
                                  ": unterminated quoted field");
        return false;
      }
      if (!any) return false;
      break;
    }
    any = true;
    if (c == '\0') {
      status_ = InvalidArgument(name_ + ":" + std::to_string(line_) + ": NUL byte");
      return false;
    }
    if (in_quotes) {
      if (c == '"') {
        int d = Get();
        if (d == '"') {
          field.push_back('"');
        } else {
          in_quotes = false;
          if (d != EOF) Unget(d);
        }
      } else {
        if (c == '\n') ++line_;
        field.push_back(static_cast<char>(c));
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      in_quotes = true;
    } else if (c == ',') {
      rec->fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\r') {
      int d = Get();
      if (d != '\n' && d != EOF) Unget(d);
      ++line_;
      break;
    } else if (c == '\n') {
      ++line_;
      break;
    } else {
      field.push_back(static_cast<char>(c));
    }
  }
  rec->fields.push_back(std::move(field));
  for (const std::string& f : rec->fields) {
    if (!IsValidUtf8(f)) {
      status_ =
          InvalidArgument(name_ + ":" + std::to_string(rec->line) + ": text is not valid UTF-8");
      return false;
    }
  }
  return true;
}

Result<CsvHeader> CsvHeader::Parse(const CsvRecord& header,
                                   const std::vector<std::string>& required,
                                   std::string_view file_name) {
  CsvHeader h;
  h.width_ = header.fields.size();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = header.fields[i];
    while (!name.empty() && name.back() == ' ') name.pop_back();
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    if (!h.columns_.emplace(name, i).second) {
      return InvalidArgument(std::string(file_name) + ":" + std::to_string(header.line) +
                             ": column '" + name + "' appears twice in the header");
    }
  }
  std::string missing;
  for (const std::string& col : required) {
    if (!h.Has(col)) missing += (missing.empty() ? "" : ", ") + col;
  }
  if (!missing.empty()) {
    return InvalidArgument(std::string(file_name) + ":" + std::to_string(header.line) +
                           ": header lacks column(s) " + missing);
  }
  return h;
}

}  // namespace base
