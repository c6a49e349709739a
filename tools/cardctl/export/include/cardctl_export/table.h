// A registry export (or any admin CSV file) read as it was saved: UTF-8 with or without a
// byte-order mark, or Windows-1251; ',' ';' or tab between fields, told from the header row;
// RFC 4180 quoting (doubled quotes, quoted separators and line breaks, CRLF or LF).
//
// The whole file is read into memory (at most kMaxExportBytes) and decoded once, so the encoding
// is decided over all of it (a file of mixed encodings is refused before any row is used).
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

  std::string path_;
  std::string text_;  // UTF-8
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
