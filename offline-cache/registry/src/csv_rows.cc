#include "csv_rows.h"

#include <cerrno>
#include <cstdio>
#include <memory>

#include "base/utf8.h"
#include "registry/offer_fields.h"

namespace registry {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

base::Result<std::string> CsvRow::Text(std::string_view col, size_t max, bool required) const {
  std::string v = Get(col);
  if (required && v.empty()) return base::InvalidArgument(std::string(col) + " is empty");
  if (v.size() > max) {
    return base::InvalidArgument(std::string(col) + " is longer than " + std::to_string(max) +
                                 " bytes");
  }
  if (base::HasControlChars(v))
    return base::InvalidArgument(std::string(col) + " contains control characters");
  return v;
}
base::Result<std::optional<int64_t>> CsvRow::OptionalMinor(std::string_view col) const {
  std::string v = Get(col);
  if (v.empty()) return std::optional<int64_t>();
  base::Result<int64_t> r = ParseMinorUnits(v);
  if (!r.ok()) return r.status().WithContext(col);
  return std::optional<int64_t>(*r);
}

// Reads every row of a CSV file with a header, calling `fn` per row. Collects row errors as
// "FILE:LINE: why"; returns them all at the end (or the first syntax error).
base::Status ForEachRow(const std::string& path, const std::vector<std::string>& columns,
                        const std::function<base::Status(const CsvRow&)>& fn,
                        const ProgressFn& progress) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    return errno == ENOENT ? base::NotFound(path + ": no such file")
                           : base::IoError("opening " + path, errno);
  }
  base::CsvReader reader(f.get(), path);
  base::CsvRecord rec;
  if (!reader.Next(&rec)) {
    if (!reader.status().ok()) return reader.status();
    return base::InvalidArgument(path + ": empty file (expected a header row)");
  }
  CK_ASSIGN_OR_RETURN(base::CsvHeader header, base::CsvHeader::Parse(rec, columns, path));
  std::string errors;
  size_t error_count = 0, rows = 0;
  while (reader.Next(&rec)) {
    if (rec.fields.size() == 1 && rec.fields[0].empty()) continue;
    base::Status st;
    if (rec.fields.size() != header.size()) {
      st = base::InvalidArgument("expected " + std::to_string(header.size()) + " fields, found " +
                                 std::to_string(rec.fields.size()));
    } else {
      st = fn(CsvRow(rec, header));
    }
    if (!st.ok() && ++error_count <= kMaxReportedRowErrors) {
      errors += path + ":" + std::to_string(rec.line) + ": " + st.message() + "\n";
    }
    if (++rows % 250000 == 0 && progress) progress(path, rows);
  }
  if (!reader.status().ok()) return reader.status();
  if (progress) progress(path, rows);
  if (error_count == 0) return base::Status::Ok();
  if (error_count > kMaxReportedRowErrors) {
    errors += "... and " + std::to_string(error_count - kMaxReportedRowErrors) + " more\n";
  }
  errors += path + ": " + std::to_string(error_count) + " bad row(s)";
  return base::InvalidArgument(errors);
}

}  // namespace registry
