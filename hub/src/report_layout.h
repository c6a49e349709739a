// The settlement report's columns, shared by the CSV and XLSX renderings. Internal to ck_hub.
#pragma once

#include <string>
#include <vector>

#include "hub/report.h"

namespace hub {

// A table's text columns (ids, names, the detail), then its number columns.
struct TableLayout {
  std::vector<std::string> text_headers;
  std::vector<std::string> number_headers;
  std::vector<bool> money;  // per number column: roubles (else a count)
};

TableLayout PartnerLayout(ReportBy by);
TableLayout EventLayout(ReportBy by);

// A line's cells in layout order.
std::vector<std::string> TextCells(const ReportLine& l, ReportBy by, bool events);
std::vector<int64_t> NumberCells(const ReportLine& l, bool events);

inline constexpr char kTotalsLabel[] = "Итого";

// One CSV field for Russian Excel's ';'-separated files: as it is, or quoted (quotes doubled)
// when it holds ';', '"' or a line break.
std::string ExcelCsvField(const std::string& s);

}  // namespace hub
