// A registry export (or any admin CSV file) read as it was saved: UTF-8 with or without a
// byte-order mark, or Windows-1251; ',' ';' or tab between fields, told from the header row;
// RFC 4180 quoting (doubled quotes, quoted separators and line breaks, CRLF or LF).
//
// The file is read twice, a piece at a time, so memory does not grow with it: once to decide the
// encoding over all of it (a file of mixed encodings is refused before any row is used), then to
// decode and parse the rows (a piece of about 1 MiB, or the record being read, in memory).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "cardctl_export/encoding.h"

namespace cardctl_export {

// 3.5 million members of about 100 bytes each fit many times over; a bigger file is not an export.
inline constexpr uint64_t kMaxExportBytes = uint64_t{1} << 30;

struct ReadOptions {
  std::optional<Encoding> encoding;  // forced (--encoding); detected when empty
  uint64_t max_bytes = kMaxExportBytes;
};

struct Record {
  size_t line = 0;                  // 1-based line where the record starts
  std::vector<std::string> fields;  // blanks around each field trimmed
};

// Not thread-safe. Owns the decoded text.
class Table {
 public:
  // Reads `path` through `fs`. Refuses a missing, empty, too big or undecodable file, and a
  // header row with an unclosed quote, naming the file (and line).
  static base::Result<std::unique_ptr<Table>> Open(base::FileSystem& fs, const std::string& path,
                                                   const ReadOptions& options = {});

  const std::string& path() const { return path_; }
  Encoding encoding() const { return encoding_; }
  char separator() const { return separator_; }
  bool had_bom() const { return had_bom_; }
  const Record& header() const { return header_; }

  // The next data row (blank lines skipped). False at the end of the file, or on a syntax error
  // (a quote never closed, text after a closing quote): then status() names file and line.
  bool Next(Record* rec);
  const base::Status& status() const { return status_; }

  // "','", "';'" or "tab", as printed.
  static std::string SeparatorName(char sep);

 private:
  Table() = default;
  // Parses one record at pos_; false at the end of input or on an error.
  bool ParseRecord(Record* rec);
  bool ParseQuoted(std::string* field, size_t start_line);
  // True at the end of the text in memory; before the end of the file that also marks the
  // record as cut short (it is parsed again after Refill()).
  bool End(size_t i) {
    if (i < text_.size()) return false;
    if (!eof_) short_ = true;
    return true;
  }
  // Drops the parsed text and decodes the next piece of the file onto the rest.
  void Refill();

  std::string path_;
  std::unique_ptr<base::SequentialFile> in_;
  uint64_t bytes_ = 0;       // after any byte-order mark, as the first reading found it
  uint64_t bytes_read_ = 0;  // of those, decoded so far
  std::string text_;         // UTF-8: the rows not parsed yet, as far as decoded
  std::string raw_;          // the piece just read
  bool eof_ = false;
  bool short_ = false;  // the record being parsed ran past text_ before the end of the file
  size_t pos_ = 0;
  size_t line_ = 1;
  Encoding encoding_ = Encoding::kUtf8;
  char separator_ = ',';
  bool had_bom_ = false;
  Record header_;
  base::Status status_;
};

// Picks the separator of a header line: the most frequent of ';' ',' and tab outside quotes
// (',' when there is none: a one-column file).
char DetectSeparator(std::string_view header_line);

}  // namespace cardctl_export
