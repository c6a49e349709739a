// The settlement as CSV for Russian Excel: UTF-8 with a BOM (else Excel reads it as CP1251), ';'
// between fields (the list separator of the Russian locale) and a decimal comma.
#include <string>
#include <vector>

#include "hub/report.h"
#include "report_layout.h"

namespace hub {
namespace {

std::string Field(const std::string& s) {
  if (s.find_first_of(";\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void Row(const std::vector<std::string>& cells, std::string* out) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) *out += ';';
    *out += Field(cells[i]);
  }
  *out += "\r\n";
}

std::string Number(int64_t v, bool money) { return money ? Roubles(v, ',') : std::to_string(v); }

void Table(const TableLayout& t, const std::vector<ReportLine>& lines, ReportBy by, bool events,
           std::string* out) {
  std::vector<std::string> header = t.text_headers;
  header.insert(header.end(), t.number_headers.begin(), t.number_headers.end());
  Row(header, out);
  std::vector<int64_t> totals(t.number_headers.size(), 0);
  for (const ReportLine& l : lines) {
    std::vector<std::string> cells = TextCells(l, by, events);
    std::vector<int64_t> numbers = NumberCells(l, events);
    for (size_t i = 0; i < numbers.size(); ++i) {
      cells.push_back(Number(numbers[i], t.money[i]));
      totals[i] += numbers[i];
    }
    Row(cells, out);
  }
  std::vector<std::string> total_row(t.text_headers.size(), "");
  total_row[0] = kTotalsLabel;
  for (size_t i = 0; i < totals.size(); ++i) {
    // Distinct members do not add up across rows: no total.
    const bool summable = !(events && i == 1);
    total_row.push_back(summable ? Number(totals[i], t.money[i]) : "");
  }
  Row(total_row, out);
}

}  // namespace

std::string SettlementCsv(const Settlement& s) {
  std::string out = "\xEF\xBB\xBF";
  Row({"Период", s.period.label}, &out);
  out += "\r\n";
  Table(PartnerLayout(s.by), s.partners, s.by, false, &out);
  out += "\r\n";
  Table(EventLayout(s.by), s.events, s.by, true, &out);
  return out;
}

}  // namespace hub
