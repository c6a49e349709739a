// A streaming reader for UTF-8 CSV (RFC 4180): quoted fields, doubled quotes, CRLF or LF, an
// optional byte-order mark. Records are read one at a time, so inputs of millions of rows stream.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace base {

struct CsvRecord {
  size_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

// Reads from a FILE*, which the caller owns and which must stay open while the reader is used.
class CsvReader {
 public:
  // `name` is used in error messages ("members.csv:12: ...").
  CsvReader(std::FILE* in, std::string name) : in_(in), name_(std::move(name)) {}

  // Reads the next record into *rec. Returns false at the end of input; on a syntax error returns
  // false and sets status().
  bool Next(CsvRecord* rec);
  const Status& status() const { return status_; }
  const std::string& name() const { return name_; }

 private:
  int Get();
  void Unget(int c) { pushed_.push_back(c); }
  std::FILE* in_;
  std::vector<int> pushed_;  // read ahead and handed back, last in first out
  std::string name_;
  size_t line_ = 1;
  bool started_ = false;
  Status status_;
};

// Maps the header row to column indexes and checks that every required column is there.
class CsvHeader {
 public:
  static Result<CsvHeader> Parse(const CsvRecord& header, const std::vector<std::string>& required,
                                 std::string_view file_name);
  // Index of a column known to exist (one of `required`).
  size_t operator[](std::string_view column) const {
    return columns_.find(std::string(column))->second;
  }
  bool Has(std::string_view column) const { return columns_.count(std::string(column)) != 0; }
  size_t size() const { return width_; }

 private:
  std::map<std::string, size_t> columns_;
  size_t width_ = 0;
};

}  // namespace base
