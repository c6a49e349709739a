#include "cardctl_export/rid_join.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include "card/rid.h"

namespace cardctl_export {
namespace {

bool ParseRid(std::string_view hex, card::Rid* out) {
  if (hex.size() != 2 * out->size()) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < out->size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

void AppendField(std::string_view v, char sep, std::string* out) {
  if (v.find_first_of(std::string("\"\r\n") + sep) == std::string_view::npos) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendRow(const std::vector<std::string>& fields, size_t rid_col, std::string_view id,
               std::string_view name, char sep, std::string* out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(sep);
    AppendField(fields[i], sep, out);
    if (i == rid_col) {
      out->push_back(sep);
      AppendField(id, sep, out);
      out->push_back(sep);
      AppendField(name, sep, out);
    }
  }
  out->append("\r\n");
}

}  // namespace

base::Result<MemberIndex> MemberIndex::Build(base::FileSystem& fs, const std::string& path,
                                             const MembersExportOptions& options,
                                             base::ByteSpan secret, MembersExportSummary* summary) {
  MemberIndex index;
  std::vector<size_t> lines;
  MembersExportOptions o = options;
  o.use = MembersUse::kLookup;
  card::RidHasher rids(secret);
  CK_ASSIGN_OR_RETURN(*summary, ReadMembersExport(fs, path, o, [&](const MemberExportRow& r) {
    index.entries_.push_back({rids.Compute(r.member_id), r.member_id, r.name});
    return base::Status::Ok();
  }));
  std::sort(index.entries_.begin(), index.entries_.end(),
            [](const Entry& a, const Entry& b) { return a.rid < b.rid; });
  auto dup = std::adjacent_find(index.entries_.begin(), index.entries_.end(),
                                [](const Entry& a, const Entry& b) { return a.rid == b.rid; });
  if (dup != index.entries_.end()) {
    return base::InvalidArgument(path + ": member_id '" + dup->member_id + "' appears twice");
  }
  return index;
}

const MemberIndex::Entry* MemberIndex::Find(const card::Rid& rid) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), rid,
                             [](const Entry& e, const card::Rid& r) { return e.rid < r; });
  return it != entries_.end() && it->rid == rid ? &*it : nullptr;
}

namespace {

// The hub's files open with a preamble (`Период;2026-12` and a blank line) before the header.
constexpr size_t kMaxPreambleRows = 5;
// The label of the hub's totals row, in its rid column: kept, not a rid.
constexpr std::string_view kTotalsLabel = "Итого";

// The header's rid column; none when the row has no such column. Refuses a header with member_id
// or name already, or rid twice.
base::Result<std::optional<size_t>> RidColumn(const Record& header, const std::string& where) {
  std::optional<size_t> rid_col;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string n = NormalizeName(header.fields[i]);
    if (n == "member_id" || n == "name") {
      return base::InvalidArgument(where + ": already has a column '" + header.fields[i] + "'");
    }
    if (n == "rid") {
      if (rid_col) return base::InvalidArgument(where + ": header 'rid' repeated");
      rid_col = i;
    }
  }
  return rid_col;
}

void AppendPlain(const std::vector<std::string>& fields, char sep, std::string* out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(sep);
    AppendField(fields[i], sep, out);
  }
  out->append("\r\n");
}

// Finds the header (the first row with a rid column), copying the rows before it (the preamble,
// and a blank line where it had one) to `out`. Returns the header and its rid column.
base::Result<std::pair<Record, size_t>> FindHeader(Table& table, const std::string& in_path,
                                                   std::string* out) {
  const base::Status none = base::InvalidArgument(
      in_path + ":" + std::to_string(table.header().line) +
      ": header lacks column rid (nor has any of the first " +
      std::to_string(kMaxPreambleRows + 1) +
      " rows; the hub's files by member have one: `cardhub cashback`, `cardhub flags --format "
      "csv`; its reports by partner, offer, device or day name no member)");
  Record rec = table.header();
  for (size_t rows = 0;; ++rows) {
    CK_ASSIGN_OR_RETURN(std::optional<size_t> rid_col,
                        RidColumn(rec, in_path + ":" + std::to_string(rec.line)));
    if (rid_col) return std::make_pair(std::move(rec), *rid_col);
    if (rows == kMaxPreambleRows) return none;
    AppendPlain(rec.fields, table.separator(), out);
    const size_t line = rec.line;
    if (!table.Next(&rec)) return table.status().ok() ? none : table.status();
    if (rec.line > line + 1) out->append("\r\n");
  }
}

}  // namespace

base::Result<JoinResult> JoinMembers(base::FileSystem& fs, const std::string& in_path,
                                     const MemberIndex& index, const ReadOptions& read) {
  CK_ASSIGN_OR_RETURN(std::unique_ptr<Table> table, Table::Open(fs, in_path, read));
  const char sep = table->separator();
  JoinResult out;
  if (table->had_bom() || table->encoding() == Encoding::kCp1251) out.csv = "\xef\xbb\xbf";
  CK_ASSIGN_OR_RETURN(auto found, FindHeader(*table, in_path, &out.csv));
  const auto& [header, rid_col] = found;
  AppendRow(header.fields, rid_col, "member_id", "name", sep, &out.csv);
  Record rec;
  while (table->Next(&rec)) {
    ++out.rows;
    if (rec.fields.size() <= rid_col) rec.fields.resize(rid_col + 1);
    const std::string& hex = rec.fields[rid_col];
    const MemberIndex::Entry* e = nullptr;
    if (!hex.empty() && hex != kTotalsLabel) {
      ++out.with_rid;
      card::Rid rid{};
      if (ParseRid(hex, &rid)) e = index.Find(rid);
      if (e == nullptr) {
        out.unmatched.push_back(in_path + ":" + std::to_string(rec.line) + ": rid '" + hex +
                                "' matches no member in the export");
      } else {
        ++out.matched;
      }
    }
    AppendRow(rec.fields, rid_col, e ? e->member_id : "", e ? e->name : "", sep, &out.csv);
  }
  if (!table->status().ok()) return table->status();
  return out;
}

}  // namespace cardctl_export
