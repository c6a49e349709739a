// Header names -> the fields a command needs. A header matches a field by any of its accepted
// names, compared after NormalizeName (case, 'ё' = 'е', blanks, a trailing ':'), or by the name an
// admin's mapping file (--columns FILE) gives for it. Columns no field needs are ignored.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "cardctl_export/table.h"

namespace cardctl_export {

struct FieldSpec {
  std::string name;                  // e.g. "member_id"
  std::vector<std::string> accepts;  // header names, e.g. {"member_id", "id", "учетный номер"}
  bool required = true;
};

// field -> the header name to take for it (replaces the field's accepted names).
using ColumnOverrides = std::map<std::string, std::string>;

// Lower case for ASCII, Cyrillic and Kazakh letters; 'ё' -> 'е'; blanks around and runs of blanks
// inside to one space; one trailing ':' dropped. Text that is not UTF-8 is lowered as ASCII only.
std::string NormalizeName(std::string_view s);

// The mapping file: "field = header name" per line; '#' starts a comment; blank lines are fine.
// UTF-8 or Windows-1251. Every field must be one of `known`.
base::Result<ColumnOverrides> ParseColumnsFile(std::string_view text, std::string_view file,
                                               const std::vector<FieldSpec>& known);
base::Result<ColumnOverrides> ReadColumnsFile(base::FileSystem& fs, const std::string& path,
                                              const std::vector<FieldSpec>& known);

class Columns {
 public:
  // Refuses a required field with no column, a header repeated for one field, and two columns
  // that map to one field, naming file, line and the columns.
  static base::Result<Columns> Map(const Record& header, const std::vector<FieldSpec>& fields,
                                   const ColumnOverrides& overrides, std::string_view file);

  std::optional<size_t> Index(std::string_view field) const;
  // The header name in the file for a mapped field.
  const std::string& HeaderOf(std::string_view field) const;
  size_t width() const { return width_; }
  // "member_id = 'Номер члена профсоюза', name = 'ФИО', ..." in field order.
  std::string Describe() const;

 private:
  struct Mapped {
    std::string field;
    size_t index;
    std::string header;
  };
  std::vector<Mapped> mapped_;  // in the order of the field list
  size_t width_ = 0;
};

}  // namespace cardctl_export
