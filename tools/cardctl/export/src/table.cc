#include "cardctl_export/table.h"

#include "base/text.h"

namespace cardctl_export {
namespace {

constexpr std::string_view kBom = "\xef\xbb\xbf";

base::Result<std::string> ReadAll(base::FileSystem& fs, const std::string& path,
                                  uint64_t max_bytes) {
  CK_ASSIGN_OR_RETURN(std::unique_ptr<base::SequentialFile> in, fs.OpenSequential(path));
  if (in->size() > max_bytes) {
    return base::InvalidArgument(path + ": the file is " + std::to_string(in->size()) +
                                 " bytes, more than the " + std::to_string(max_bytes) +
                                 " an export may have; is it the right file?");
  }
  std::string data(in->size(), '\0');
  size_t got = 0;
  while (got < data.size()) {
    CK_ASSIGN_OR_RETURN(size_t n,
                        in->Read(reinterpret_cast<uint8_t*>(data.data()) + got, data.size() - got));
    if (n == 0) break;
    got += n;
  }
  data.resize(got);
  return data;
}

}  // namespace

char DetectSeparator(std::string_view line) {
  size_t semicolons = 0, commas = 0, tabs = 0;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    semicolons += c == ';';
    commas += c == ',';
    tabs += c == '\t';
  }
  if (semicolons > commas && semicolons >= tabs) return ';';
  if (tabs > commas && tabs > semicolons) return '\t';
  return ',';
}

std::string Table::SeparatorName(char sep) {
  if (sep == '\t') return "tab";
  return std::string("'") + sep + "'";
}

base::Result<std::unique_ptr<Table>> Table::Open(base::FileSystem& fs, const std::string& path,
                                                 const ReadOptions& options) {
  std::unique_ptr<Table> t(new Table());
  t->path_ = path;
  CK_ASSIGN_OR_RETURN(std::string raw, ReadAll(fs, path, options.max_bytes));
  std::string_view body = raw;
  const bool bom = body.starts_with(kBom);
  if (bom) body.remove_prefix(kBom.size());
  t->had_bom_ = bom;
  if (base::TrimBlanks(body).empty())
    return base::InvalidArgument(path + ": empty file (expected a header row)");
  if (options.encoding) {
    t->encoding_ = *options.encoding;
  } else if (bom) {
    t->encoding_ = Encoding::kUtf8;
  } else {
    CK_ASSIGN_OR_RETURN(t->encoding_, DetectEncoding(body, path));
  }
  CK_TRY(CheckEncoding(body, t->encoding_, path));
  if (t->encoding_ == Encoding::kCp1251) {
    AppendCp1251AsUtf8(body, &t->text_);
  } else {
    t->text_.assign(body);
  }
  raw.clear();
  raw.shrink_to_fit();
  t->separator_ = DetectSeparator(std::string_view(t->text_).substr(0, t->text_.find('\n')));
  if (!t->Next(&t->header_)) {
    if (!t->status_.ok()) return t->status_;
    return base::InvalidArgument(path + ": empty file (expected a header row)");
  }
  return t;
}

bool Table::Next(Record* rec) {
  while (status_.ok() && pos_ < text_.size()) {
    if (!ParseRecord(rec)) return false;
    if (rec->fields.size() == 1 && rec->fields[0].empty()) continue;  // blank line
    return true;
  }
  return false;
}

bool Table::ParseQuoted(std::string* field, size_t start_line) {
  ++pos_;  // the opening quote
  for (;;) {
    const size_t q = text_.find('"', pos_);
    if (q == std::string::npos) {
      status_ = base::InvalidArgument(path_ + ":" + std::to_string(start_line) +
                                      ": a quote opened here is never closed");
      return false;
    }
    for (size_t i = pos_; i < q; ++i) line_ += text_[i] == '\n';
    field->append(text_, pos_, q - pos_);
    pos_ = q + 1;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      field->push_back('"');
      ++pos_;
      continue;
    }
    return true;
  }
}

bool Table::ParseRecord(Record* rec) {
  rec->line = line_;
  size_t n = 0;
  for (;;) {
    if (rec->fields.size() <= n) rec->fields.emplace_back();
    std::string& field = rec->fields[n++];
    field.clear();
    size_t i = pos_;
    while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t') && text_[i] != separator_) ++i;
    if (i < text_.size() && text_[i] == '"') {
      pos_ = i;
      const size_t start_line = line_;
      if (!ParseQuoted(&field, start_line)) return false;
      while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\r') &&
             text_[pos_] != separator_)
        ++pos_;
      if (pos_ < text_.size() && text_[pos_] != separator_ && text_[pos_] != '\n') {
        status_ = base::InvalidArgument(path_ + ":" + std::to_string(line_) +
                                        ": text after a closing quote (a quote inside a quoted "
                                        "field is written twice: \"\")");
        return false;
      }
    } else {
      size_t end = i;
      while (end < text_.size() && text_[end] != separator_ && text_[end] != '\n') ++end;
      field.assign(base::TrimBlanks(std::string_view(text_).substr(pos_, end - pos_)));
      pos_ = end;
    }
    if (pos_ >= text_.size() || text_[pos_] == '\n') {
      if (pos_ < text_.size()) ++pos_;
      ++line_;
      rec->fields.resize(n);
      return true;
    }
    ++pos_;  // the separator
  }
}

}  // namespace cardctl_export
