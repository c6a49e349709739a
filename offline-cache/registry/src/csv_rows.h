// Reading the bundle builder's CSV input files: rows by column name, bad rows collected with their
// file and line. Internal to ck_registry (inputs.cc, admin_inputs.cc).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/csv.h"
#include "base/status.h"
#include "registry/inputs.h"

namespace registry {

// CsvRow access by column name, with the checks every field shares.
class CsvRow {
 public:
  CsvRow(const base::CsvRecord& rec, const base::CsvHeader& h) : rec_(rec), h_(h) {}
  size_t line() const { return rec_.line; }
  std::string Get(std::string_view col) const {
    std::string_view v = rec_.fields[h_[col]];
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return std::string(v);
  }
  base::Result<std::string> Text(std::string_view col, size_t max, bool required) const;
  base::Result<std::optional<int64_t>> OptionalMinor(std::string_view col) const;

 private:
  const base::CsvRecord& rec_;
  const base::CsvHeader& h_;
};

// Reads every row of a CSV file with a header, calling `fn` per row. Collects row errors as
// "FILE:LINE: why"; returns them all at the end (or the first syntax error).
base::Status ForEachRow(const std::string& path, const std::vector<std::string>& columns,
                        const std::function<base::Status(const CsvRow&)>& fn,
                        const ProgressFn& progress = nullptr);

}  // namespace registry
