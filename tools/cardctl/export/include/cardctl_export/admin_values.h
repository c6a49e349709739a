// Field values of the partners, offers, events and roster files in the forms a Russian
// spreadsheet writes them, turned into the registry's canonical forms (docs/input-files.md).
// Each returns the canonical text, or an error saying what would be accepted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace cardctl_export {

// "7,5" -> "7.5"; anything else unchanged (the registry checks the number).
std::string DecimalPoint(std::string_view v);
// Roubles "100", "100,50", "1 000.5" -> kopecks "10000", "10050", "100050".
base::Result<std::string> RoublesToKopecks(std::string_view v);
// "01.12.2026" or "1.12.2026" -> "2026-12-01"; "2026-12-01" unchanged.
base::Result<std::string> IsoDate(std::string_view v);
// "пн-пт", "сб|вс", "Mon-Fri", "1-5", "пн,ср" -> "1-5", "6|7", "1|3"...
base::Result<std::string> IsoWeekdays(std::string_view v);
// "работник|пенсионер", "employee|retired", "0|2", "0,2" -> "0|2".
base::Result<std::string> CategoryNumbers(std::string_view v);
// "9:00-21:00", "9:00–21:00" -> "09:00-21:00".
std::string PaddedHours(std::string_view v);
// "1 000" -> "1000" (digit groups).
std::string WholeNumber(std::string_view v);
// percent/процент/%; fixed/сумма/фиксированная; other words unchanged (the registry decides).
std::string OfferKindWord(std::string_view v);
// day/день, week/неделя, month/месяц.
std::string CapPeriodWord(std::string_view v);
// open/открытое/свободный; roster/по списку/список.
std::string EventModeWord(std::string_view v);

// An event's start or end: an ISO date-time with offset stays; a date and time without an offset
// ("31.12.2026 10:00", "2026-12-31T10:00") is local time at `utc_offset_seconds`; a date alone is
// the local midnight that starts it, or for an end (`is_end`) the midnight that ends it, so the
// last day counts whole. Returns "YYYY-MM-DDTHH:MM:SSZ".
base::Result<std::string> EventTime(std::string_view v, bool is_end, int64_t utc_offset_seconds);

// An amount a title names: "Скидка 100 ₽" -> 10000 kopecks; "7,5%" -> 750 basis points.
struct TitleAmount {
  std::optional<int64_t> kopecks;
  std::optional<int64_t> basis_points;
};
TitleAmount AmountInTitle(std::string_view title);

// "+03:00" -> 10800; within +-14:00.
base::Result<int64_t> ParseUtcOffset(std::string_view v);

}  // namespace cardctl_export
