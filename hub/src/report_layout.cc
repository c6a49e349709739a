#include "report_layout.h"

namespace hub {
namespace {

// The detail columns a table has for `by` (events have no offers).
std::vector<std::string> DetailHeaders(ReportBy by, bool events) {
  switch (by) {
    case ReportBy::kOffer:
      if (events) return {};
      return {"Код предложения", "Предложение"};
    case ReportBy::kDevice:
      return {"Устройство"};
    case ReportBy::kDay:
      return {"Дата"};
    default:
      return {};
  }
}

}  // namespace

TableLayout PartnerLayout(ReportBy by) {
  TableLayout t;
  t.text_headers = {"Код партнёра", "Партнёр"};
  for (std::string& h : DetailHeaders(by, false)) t.text_headers.push_back(std::move(h));
  t.number_headers = {"Покупок", "Сумма покупок, руб.", "Скидка, руб.", "Кэшбэк, руб."};
  t.money = {false, true, true, true};
  return t;
}

TableLayout EventLayout(ReportBy by) {
  TableLayout t;
  t.text_headers = {"Код мероприятия", "Мероприятие"};
  for (std::string& h : DetailHeaders(by, true)) t.text_headers.push_back(std::move(h));
  t.number_headers = {"Отметок", "Участников", "Без карты"};
  t.money = {false, false, false};
  return t;
}

std::vector<std::string> TextCells(const ReportLine& l, ReportBy by, bool events) {
  std::vector<std::string> cells = {l.id, l.name};
  const size_t details = DetailHeaders(by, events).size();
  if (details >= 1) cells.push_back(l.detail_id);
  if (details >= 2) cells.push_back(l.detail_name);
  return cells;
}

std::vector<int64_t> NumberCells(const ReportLine& l, bool events) {
  if (events) return {l.count, l.members, l.manual};
  return {l.count, l.purchase_minor, l.discount_minor, l.cashback_minor};
}

}  // namespace hub
