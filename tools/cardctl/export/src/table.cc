#include "cardctl_export/table.h"

#include <algorithm>

#include "base/text.h"

namespace cardctl_export {
namespace {

constexpr std::string_view kBom = "\xef\xbb\xbf";

constexpr size_t kPiece = 1 << 20;

// Reads up to `n` bytes (fewer only at the end of the file) into *out.
base::Status ReadPiece(base::SequentialFile& in, size_t n, std::string* out) {
  out->resize(n);
  size_t got = 0;
  while (got < n) {
    CK_ASSIGN_OR_RETURN(size_t r, in.Read(reinterpret_cast<uint8_t*>(out->data()) + got, n - got));
    if (r == 0) break;
    got += r;
  }
  out->resize(got);
  return base::Status::Ok();
}

struct FirstReading {
  bool bom = false;
  bool blank = true;   // nothing but blanks and line breaks
  uint64_t bytes = 0;  // after the byte-order mark
  EncodingScan scan;
};

// The first reading: byte-order mark, blank or not, and the encoding evidence, line by line.
base::Status ReadOnce(base::SequentialFile& in, FirstReading* f) {
  std::string piece, carry;
  bool first = true;
  for (;;) {
    CK_TRY(ReadPiece(in, kPiece, &piece));
    const bool end = piece.empty();
    carry += piece;
    if (first && (carry.size() >= kBom.size() || end)) {
      first = false;
      f->bom = std::string_view(carry).starts_with(kBom);
      if (f->bom) carry.erase(0, kBom.size());
    }
    if (first) continue;
    const size_t cut = end ? carry.size() : carry.rfind('\n') + 1;  // whole lines (npos + 1 = 0)
    const std::string_view lines = std::string_view(carry).substr(0, cut);
    f->scan.Add(lines);
    f->blank = f->blank && base::TrimBlanks(lines).empty();
    f->bytes += lines.size();
    carry.erase(0, cut);
    if (end) return base::Status::Ok();
  }
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
  FirstReading first;
  {
    CK_ASSIGN_OR_RETURN(std::unique_ptr<base::SequentialFile> in, fs.OpenSequential(path));
    if (in->size() > options.max_bytes) {
      return base::InvalidArgument(path + ": the file is " + std::to_string(in->size()) +
                                   " bytes, more than the " + std::to_string(options.max_bytes) +
                                   " an export may have; is it the right file?");
    }
    CK_TRY(ReadOnce(*in, &first));
  }
  t->had_bom_ = first.bom;
  t->bytes_ = first.bytes;
  if (first.blank) return base::InvalidArgument(path + ": empty file (expected a header row)");
  if (options.encoding) {
    t->encoding_ = *options.encoding;
  } else if (first.bom) {
    t->encoding_ = Encoding::kUtf8;
  } else {
    CK_ASSIGN_OR_RETURN(t->encoding_, first.scan.Detect(path));
  }
  CK_TRY(first.scan.Check(t->encoding_, path));
  // The second reading, from the first byte after the byte-order mark.
  CK_ASSIGN_OR_RETURN(t->in_, fs.OpenSequential(path));
  if (first.bom) {
    std::string bom;
    CK_TRY(ReadPiece(*t->in_, kBom.size(), &bom));
  }
  while (!t->eof_ && t->text_.find('\n') == std::string::npos) t->Refill();
  CK_TRY(t->status_);
  t->separator_ = DetectSeparator(std::string_view(t->text_).substr(0, t->text_.find('\n')));
  if (!t->Next(&t->header_)) {
    if (!t->status_.ok()) return t->status_;
    return base::InvalidArgument(path + ": empty file (expected a header row)");
  }
  return t;
}

void Table::Refill() {
  text_.erase(0, pos_);
  pos_ = 0;
  // A record longer than a piece (a quoted field with many line breaks, a quote never closed)
  // doubles what is read, so parsing it again costs no more than the reading.
  const size_t want = std::max(kPiece, text_.size());
  if (base::Status st = ReadPiece(*in_, want, &raw_); !st.ok()) {
    status_ = st.WithContext(path_);
    eof_ = true;
    return;
  }
  bytes_read_ += raw_.size();
  if (raw_.empty() || bytes_read_ >= bytes_) eof_ = true;
  // The encoding was decided over what the first reading saw: a file that changed in length
  // since is not read on.
  if (eof_ && bytes_read_ != bytes_) {
    status_ = base::InvalidArgument(path_ + ": the file changed while it was read; try again");
    return;
  }
  if (encoding_ == Encoding::kCp1251) {
    AppendCp1251AsUtf8(raw_, &text_);
  } else {
    text_ += raw_;
  }
}

bool Table::Next(Record* rec) {
  for (;;) {
    if (!status_.ok()) return false;
    if (pos_ >= text_.size()) {
      if (eof_) return false;
      Refill();
      continue;
    }
    const size_t pos = pos_, line = line_;
    short_ = false;
    const bool parsed = ParseRecord(rec);
    if (short_) {  // ran into the end of the piece: parse it again with more of the file
      pos_ = pos;
      line_ = line;
      Refill();
      continue;
    }
    if (!parsed) return false;
    if (rec->fields.size() == 1 && rec->fields[0].empty()) continue;  // blank line
    return true;
  }
}

bool Table::ParseQuoted(std::string* field, size_t start_line) {
  ++pos_;  // the opening quote
  for (;;) {
    const size_t q = text_.find('"', pos_);
    if (q == std::string::npos) {
      if (!eof_) {
        short_ = true;
        return false;
      }
      status_ = base::InvalidArgument(path_ + ":" + std::to_string(start_line) +
                                      ": a quote opened here is never closed");
      return false;
    }
    for (size_t i = pos_; i < q; ++i) line_ += text_[i] == '\n';
    field->append(text_, pos_, q - pos_);
    pos_ = q + 1;
    if (!End(pos_) && text_[pos_] == '"') {
      field->push_back('"');
      ++pos_;
      continue;
    }
    return !short_;
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
    while (!End(i) && (text_[i] == ' ' || text_[i] == '\t') && text_[i] != separator_) ++i;
    if (short_) return false;
    if (i < text_.size() && text_[i] == '"') {
      pos_ = i;
      const size_t start_line = line_;
      if (!ParseQuoted(&field, start_line)) return false;
      while (!End(pos_) && (text_[pos_] == ' ' || text_[pos_] == '\r') && text_[pos_] != separator_)
        ++pos_;
      if (short_) return false;
      if (pos_ < text_.size() && text_[pos_] != separator_ && text_[pos_] != '\n') {
        status_ = base::InvalidArgument(path_ + ":" + std::to_string(line_) +
                                        ": text after a closing quote (a quote inside a quoted "
                                        "field is written twice: \"\")");
        return false;
      }
    } else {
      const char* p = text_.data() + i;
      const char* const text_end = text_.data() + text_.size();
      while (p < text_end && *p != separator_ && *p != '\n') ++p;
      const auto end = static_cast<size_t>(p - text_.data());
      if (End(end) && short_) return false;
      field.assign(base::TrimBlanks(std::string_view(text_).substr(pos_, end - pos_)));
      pos_ = end;
    }
    if (End(pos_) || text_[pos_] == '\n') {
      if (short_) return false;
      if (pos_ < text_.size()) ++pos_;
      ++line_;
      rec->fields.resize(n);
      return true;
    }
    ++pos_;  // the separator
  }
}

}  // namespace cardctl_export
