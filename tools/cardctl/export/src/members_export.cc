#include "cardctl_export/members_export.h"

#include <array>
#include <cstdint>

#include "base/utf8.h"
#include "cardctl_export/member_values.h"

namespace cardctl_export {
namespace {

std::vector<FieldSpec> AllFields() {
  return {
      {"member_id", {"member_id", "id", "номер члена профсоюза", "учетный номер"}},
      {"name", {"name", "фио", "ф.и.о."}},
      {"org", {"org", "организация", "код организации", "первичная организация"}},
      {"category", {"category", "категория"}},
      {"serial", {"serial", "выпуск", "номер выпуска"}},
      {"number", {"number", "номер билета", "номер карты"}},
      {"status", {"status", "статус"}, false},
      {"min_serial", {"min_serial", "минимальный выпуск"}, false},
  };
}

std::vector<FieldSpec> FieldsFor(MembersUse use) {
  std::vector<FieldSpec> out;
  for (FieldSpec f : AllFields()) {
    const bool issue = f.name != "status" && f.name != "min_serial";
    switch (use) {
      case MembersUse::kIssue:
        if (!issue) continue;
        break;
      case MembersUse::kBundle:
        if (f.name != "member_id" && f.name != "status" && f.name != "min_serial" &&
            f.name != "serial")
          continue;
        f.required = f.name == "member_id";
        break;
      case MembersUse::kLookup:
        if (f.name != "member_id" && f.name != "name") continue;
        f.required = f.name == "member_id";
        break;
    }
    out.push_back(std::move(f));
  }
  return out;
}

// The fields a members file can have, in AllFields() order.
enum class Field : uint8_t {
  kMemberId,
  kName,
  kOrg,
  kCategory,
  kSerial,
  kNumber,
  kStatus,
  kMinSerial
};
constexpr std::array<std::string_view, 8> kFieldNames = {
    "member_id", "name", "org", "category", "serial", "number", "status", "min_serial"};

// Each field's column, looked up by name once per file rather than once per row.
struct FieldColumns {
  explicit FieldColumns(const Columns& mapped) : cols(mapped) {
    for (size_t f = 0; f < kFieldNames.size(); ++f) index[f] = mapped.Index(kFieldNames[f]);
  }
  const Columns& cols;
  std::array<std::optional<size_t>, kFieldNames.size()> index;
};

// One record's fields, with errors that name the column.
class RowView {
 public:
  RowView(const Record& rec, const FieldColumns& cols) : rec_(rec), cols_(cols) {}
  bool Has(Field f) const { return Index(f).has_value(); }
  const std::string& Get(Field f) const {
    static const std::string kEmpty;
    const std::optional<size_t>& i = Index(f);
    return i ? rec_.fields[*i] : kEmpty;
  }
  base::Status Bad(Field f, const base::Status& why) const {
    const std::string_view field = kFieldNames[static_cast<size_t>(f)];
    return base::InvalidArgument("column '" + cols_.cols.HeaderOf(field) + "' (" +
                                 std::string(field) + "): " + why.message());
  }

 private:
  const std::optional<size_t>& Index(Field f) const { return cols_.index[static_cast<size_t>(f)]; }
  const Record& rec_;
  const FieldColumns& cols_;
};

base::Status Text(const RowView& r, Field field, size_t max_bytes, bool required,
                  std::string* out) {
  *out = r.Get(field);
  if (required && out->empty()) return r.Bad(field, base::InvalidArgument("is empty"));
  if (out->size() > max_bytes || base::HasControlChars(*out)) {
    return r.Bad(field, base::InvalidArgument("found '" + *out + "', accepted at most " +
                                              std::to_string(max_bytes) +
                                              " bytes of text without control characters"));
  }
  return base::Status::Ok();
}

base::Status ParseRow(const RowView& r, MembersUse use, MemberExportRow* m) {
  m->member_id = r.Get(Field::kMemberId);
  if (base::Status st = CheckMemberId(m->member_id); !st.ok()) return r.Bad(Field::kMemberId, st);
  if (r.Has(Field::kName)) CK_TRY(Text(r, Field::kName, 1000, false, &m->name));
  if (use == MembersUse::kIssue) {
    CK_TRY(Text(r, Field::kOrg, card::kMaxOrgBytes, true, &m->org));
    CK_TRY(Text(r, Field::kNumber, card::kMaxNumberBytes, false, &m->number));
    base::Result<card::Category> cat = ParseCategoryValue(r.Get(Field::kCategory));
    if (!cat.ok()) return r.Bad(Field::kCategory, cat.status());
    m->category = *cat;
  }
  if (r.Has(Field::kSerial)) {
    base::Result<uint32_t> serial = ParseSerialValue(r.Get(Field::kSerial));
    if (!serial.ok() && !(use == MembersUse::kBundle && r.Get(Field::kSerial).empty()))
      return r.Bad(Field::kSerial, serial.status());
    if (serial.ok()) m->serial = *serial;
  }
  if (use != MembersUse::kBundle) return base::Status::Ok();
  base::Result<card::MemberState> state = ParseStatusValue(r.Get(Field::kStatus));
  if (!state.ok()) return r.Bad(Field::kStatus, state.status());
  m->state = *state;
  m->min_serial = m->serial.value_or(0);
  if (const std::string& v = r.Get(Field::kMinSerial); !v.empty()) {
    base::Result<uint32_t> min = ParseSerialValue(v);
    if (!min.ok()) return r.Bad(Field::kMinSerial, min.status());
    m->min_serial = *min;
  }
  return base::Status::Ok();
}

}  // namespace

const std::vector<FieldSpec>& MemberFields(MembersUse use) {
  static const std::vector<FieldSpec> issue = FieldsFor(MembersUse::kIssue);
  static const std::vector<FieldSpec> bundle = FieldsFor(MembersUse::kBundle);
  static const std::vector<FieldSpec> lookup = FieldsFor(MembersUse::kLookup);
  return use == MembersUse::kIssue ? issue : use == MembersUse::kBundle ? bundle : lookup;
}

const std::vector<FieldSpec>& AllMemberFields() {
  static const std::vector<FieldSpec> all = AllFields();
  return all;
}

std::string GroupThousands(size_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string MembersExportSummary::Describe() const {
  return std::string(EncodingName(encoding)) + ", " + Table::SeparatorName(separator) + ", " +
         GroupThousands(rows) + " rows, columns: " + columns;
}

base::Result<MembersExportSummary> ReadMembersExport(
    base::FileSystem& fs, const std::string& path, const MembersExportOptions& options,
    const std::function<base::Status(const MemberExportRow&)>& row_fn) {
  CK_ASSIGN_OR_RETURN(std::unique_ptr<Table> table, Table::Open(fs, path, options.read));
  CK_ASSIGN_OR_RETURN(Columns cols, Columns::Map(table->header(), MemberFields(options.use),
                                                 options.columns, path));
  MembersExportSummary summary{
      .encoding = table->encoding(), .separator = table->separator(), .columns = cols.Describe()};
  std::string errors;
  size_t error_count = 0;
  const FieldColumns field_columns(cols);
  Record rec;
  while (table->Next(&rec)) {
    base::Status st;
    MemberExportRow row;
    if (rec.fields.size() != cols.width()) {
      st = base::InvalidArgument("expected " + std::to_string(cols.width()) +
                                 " fields (as in the header), found " +
                                 std::to_string(rec.fields.size()));
    } else {
      row.line = rec.line;
      st = ParseRow(RowView(rec, field_columns), options.use, &row);
      if (st.ok()) st = row_fn(row);
    }
    if (!st.ok() && ++error_count <= kMaxReportedRowErrors)
      errors += path + ":" + std::to_string(rec.line) + ": " + st.message() + "\n";
    ++summary.rows;
  }
  if (!table->status().ok()) return table->status();
  if (error_count > 0) {
    if (error_count > kMaxReportedRowErrors)
      errors += "... and " + std::to_string(error_count - kMaxReportedRowErrors) + " more\n";
    return base::InvalidArgument(errors + path + ": " + std::to_string(error_count) +
                                 " bad row(s)");
  }
  if (summary.rows == 0) return base::InvalidArgument(path + ": no members (only a header row)");
  return summary;
}

}  // namespace cardctl_export
