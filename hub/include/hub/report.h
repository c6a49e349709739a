// `cardhub report`: the month-end settlement (docs/settlement.md). Sums come from the store
// (HubStore::SumEntries: SQL over an index, never a scan of every entry); names from the latest
// published registry (DIR/registry.db); money in roubles with two decimals. Two renderings: CSV
// for Russian Excel (UTF-8 with BOM, ';', decimal comma) and XLSX (libxlsxwriter).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "hub/store.h"

namespace hub {

enum class ReportBy { kPartner, kOffer, kDevice, kDay };
base::Result<ReportBy> ParseReportBy(std::string_view s);  // partner | offer | device | day

struct ReportPeriod {
  int64_t from = 0, to = 0;  // Unix seconds, [from, to)
  std::string label;         // "2026-12" or "2026-12-01 - 2026-12-15"
};
// "YYYY-MM": that month in the kiosks' local time (utc_offset_seconds east of UTC).
base::Result<ReportPeriod> MonthPeriod(std::string_view month, int64_t utc_offset_seconds);

// One row: a partner (or event) and, by offer/device/day, that detail.
struct ReportLine {
  std::string id, name;                // partner_id / event_id and its name ("" if unknown)
  std::string detail_id, detail_name;  // offer id and title, device name, or the day YYYY-MM-DD
  int64_t count = 0, purchase_minor = 0, discount_minor = 0, cashback_minor = 0;
  int64_t members = 0;  // events: distinct members checked in (0 for partners)
  int64_t voids = 0;    // partners: entries of the period a void cancels (not in the sums above)
  int64_t manual = 0;   // events: people let in without a card (manual counts), voids netted out
};

struct Settlement {
  ReportPeriod period;
  ReportBy by = ReportBy::kPartner;
  std::vector<ReportLine> partners;  // accepted discounts
  std::vector<ReportLine> events;    // accepted check-ins and manual counts
  bool names_known = false;          // a registry was published
};

// Which parts of the settlement BuildSettlement sums (an admin page shows only some).
struct SettlementParts {
  bool partners = true;  // Settlement::partners
  bool events = true;    // Settlement::events
  bool voids = false;    // the partners' voids (ReportLine::voids: one more pass over the period)
  bool members = true;   // the events' distinct members (ReportLine::members)
};

// The sums over the period, named from DATA_DIR/registry.db when there is one. Distinct members
// are summed for the events only (the partners' ReportLine::members stays 0), so that the
// summaries kept at intake (hub/summaries.h) answer the partners' sums.
base::Result<Settlement> BuildSettlement(HubStore& store, base::FileSystem& fs,
                                         const std::string& data_dir, const ReportPeriod& period,
                                         ReportBy by, int64_t utc_offset_seconds,
                                         SettlementParts parts = {});

// Accrued cashback per member (rid) per partner over the period: accepted discounts with
// cashback, voids netted out, as CSV for Russian Excel (BOM, ';', decimal comma) with the header
// "rid;Код партнёра;Партнёр;Покупок;Сумма покупок, руб.;Кэшбэк, руб." and a totals row; members
// without cashback are left out. The hub holds rids only (cardctl members-of names them).
base::Result<std::string> CashbackCsv(HubStore& store, base::FileSystem& fs,
                                      const std::string& data_dir, const ReportPeriod& period);

// 123456 -> "1234.56" (decimal_point '.') or "1234,56"; negative amounts keep their sign.
std::string Roubles(int64_t minor, char decimal_point);

// The CSV text: BOM, ';' separated, CRLF line ends, decimal comma.
std::string SettlementCsv(const Settlement& s);
// A workbook with the sheets "Партнёры" and "Мероприятия": money cells as numbers with the format
// #,##0.00, a bold header and a totals row of SUM formulas. Written to `path` + ".tmp" and renamed
// through `fs`.
base::Status WriteSettlementXlsx(const Settlement& s, base::FileSystem& fs,
                                 const std::string& path);

}  // namespace hub
