// The settlement as an .xlsx workbook through libxlsxwriter: numbers as numbers (money in
// roubles with the format #,##0.00), a bold header and a totals row of SUM formulas (with their
// values, for readers that do not recalculate).
#include <xlsxwriter.h>

#include <string>
#include <vector>

#include "hub/report.h"
#include "report_layout.h"

namespace hub {
namespace {

struct Formats {
  lxw_format* bold = nullptr;
  lxw_format* money = nullptr;
  lxw_format* count = nullptr;
  lxw_format* total_money = nullptr;
  lxw_format* total_count = nullptr;
};

Formats MakeFormats(lxw_workbook* wb) {
  Formats f;
  f.bold = workbook_add_format(wb);
  format_set_bold(f.bold);
  f.money = workbook_add_format(wb);
  format_set_num_format(f.money, "#,##0.00");
  f.count = workbook_add_format(wb);
  format_set_num_format(f.count, "0");
  f.total_money = workbook_add_format(wb);
  format_set_num_format(f.total_money, "#,##0.00");
  format_set_bold(f.total_money);
  f.total_count = workbook_add_format(wb);
  format_set_num_format(f.total_count, "0");
  format_set_bold(f.total_count);
  return f;
}

double Value(int64_t v, bool money) {
  return money ? static_cast<double>(v) / 100.0 : static_cast<double>(v);
}

// Rows 0: period, 2: header, 3..: lines, then the totals.
void Sheet(lxw_worksheet* ws, const Formats& f, const TableLayout& t,
           const std::vector<ReportLine>& lines, const Settlement& s, bool events) {
  worksheet_write_string(ws, 0, 0, "Период", f.bold);
  worksheet_write_string(ws, 0, 1, s.period.label.c_str(), nullptr);
  lxw_col_t col = 0;
  for (const std::string& h : t.text_headers)
    worksheet_write_string(ws, 2, col++, h.c_str(), f.bold);
  for (const std::string& h : t.number_headers) {
    worksheet_write_string(ws, 2, col++, h.c_str(), f.bold);
  }
  worksheet_set_column(ws, 0, static_cast<lxw_col_t>(col - 1), 18, nullptr);
  std::vector<int64_t> totals(t.number_headers.size(), 0);
  lxw_row_t row = 3;
  for (const ReportLine& l : lines) {
    col = 0;
    for (const std::string& cell : TextCells(l, s.by, events)) {
      worksheet_write_string(ws, row, col++, cell.c_str(), nullptr);
    }
    const std::vector<int64_t> numbers = NumberCells(l, events);
    for (size_t i = 0; i < numbers.size(); ++i) {
      worksheet_write_number(ws, row, col++, Value(numbers[i], t.money[i]),
                             t.money[i] ? f.money : f.count);
      totals[i] += numbers[i];
    }
    ++row;
  }
  worksheet_write_string(ws, row, 0, kTotalsLabel, f.bold);
  col = static_cast<lxw_col_t>(t.text_headers.size());
  for (size_t i = 0; i < totals.size(); ++i, ++col) {
    if (events && i == 1) continue;  // distinct members do not add up across rows
    char first[16], last[16];
    lxw_rowcol_to_cell(first, 3, col);
    lxw_rowcol_to_cell(last, row > 3 ? row - 1 : 3, col);
    const std::string formula = "=SUM(" + std::string(first) + ":" + last + ")";
    worksheet_write_formula_num(ws, row, col, formula.c_str(),
                                t.money[i] ? f.total_money : f.total_count,
                                Value(totals[i], t.money[i]));
  }
}

}  // namespace

base::Status WriteSettlementXlsx(const Settlement& s, base::FileSystem& fs,
                                 const std::string& path) {
  const std::string tmp = path + ".tmp";
  CK_TRY(fs.Remove(tmp));
  lxw_workbook* wb = workbook_new(tmp.c_str());
  if (wb == nullptr) return base::Internal("xlsx: cannot start a workbook at " + tmp);
  const Formats f = MakeFormats(wb);
  lxw_worksheet* partners = workbook_add_worksheet(wb, "Партнёры");
  lxw_worksheet* events = workbook_add_worksheet(wb, "Мероприятия");
  if (partners == nullptr || events == nullptr) {
    (void)workbook_close(wb);
    return base::Internal("xlsx: cannot add the sheets");
  }
  Sheet(partners, f, PartnerLayout(s.by), s.partners, s, false);
  Sheet(events, f, EventLayout(s.by), s.events, s, true);
  const lxw_error err = workbook_close(wb);  // writes the file and frees the workbook
  if (err != LXW_NO_ERROR) {
    (void)fs.Remove(tmp);
    return base::Status(base::StatusCode::kIo, "xlsx: writing " + tmp + ": " + lxw_strerror(err));
  }
  return fs.Rename(tmp, path);
}

}  // namespace hub
