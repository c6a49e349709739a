// The settlement as CSV for Russian Excel: UTF-8 with a BOM (else Excel reads it as CP1251), ';'
// between fields (the list separator of the Russian locale) and a decimal comma.
#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "hub/report.h"
#include "report_layout.h"

namespace hub {

std::string ExcelCsvField(const std::string& s) {
  if (s.find_first_of(";\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

namespace {

void Row(const std::vector<std::string>& cells, std::string* out) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) *out += ';';
    *out += ExcelCsvField(cells[i]);
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

base::Result<std::string> CashbackCsv(HubStore& store, base::FileSystem& fs,
                                      const std::string& data_dir, const ReportPeriod& period) {
  // The partners' names, from the same settlement the report makes.
  CK_ASSIGN_OR_RETURN(Settlement names, BuildSettlement(store, fs, data_dir, period,
                                                        ReportBy::kPartner, 0, {.events = false}));
  std::map<std::string, std::string> partner_name;
  for (const ReportLine& l : names.partners) partner_name[l.id] = l.name;
  std::vector<SumRow> rows;
  CK_TRY(store.SumEntries({.from = period.from,
                           .to = period.to,
                           .kind = journal::Kind::kDiscount,
                           .detail = SumDetail::kMember},
                          [&rows](const SumRow& r) {
                            if (r.cashback_minor != 0) rows.push_back(r);
                            return base::Status::Ok();
                          }));
  std::sort(rows.begin(), rows.end(), [](const SumRow& a, const SumRow& b) {
    return std::tie(a.detail, a.scope_id) < std::tie(b.detail, b.scope_id);
  });
  std::string out = "\xEF\xBB\xBF";
  Row({"Период", period.label}, &out);
  out += "\r\n";
  Row({"rid", "Код партнёра", "Партнёр", "Покупок", "Сумма покупок, руб.", "Кэшбэк, руб."}, &out);
  int64_t count = 0, purchase = 0, cashback = 0;
  for (const SumRow& r : rows) {
    Row({r.detail, r.scope_id, partner_name[r.scope_id], std::to_string(r.count),
         Roubles(r.purchase_minor, ','), Roubles(r.cashback_minor, ',')},
        &out);
    count += r.count;
    purchase += r.purchase_minor;
    cashback += r.cashback_minor;
  }
  Row({kTotalsLabel, "", "", std::to_string(count), Roubles(purchase, ','), Roubles(cashback, ',')},
      &out);
  return out;
}

}  // namespace hub
