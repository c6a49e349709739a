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

}  // namespace hub
