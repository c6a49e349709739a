// Sums kept at intake (docs/hub.md, "Summaries"): so that the admin pages' settlement figures
// (HubStore::SumEntries) read a few thousand summary rows instead of every entry of a month.
//
// Each accepted entry (and each check-in refused as a repeat) of kind discount, check-in or manual
// count is added, in the transaction that stores its batch, to three rows of `entry_sums`: its
// UTC quarter-hour, hour and day, per scope (partner or event) and, for discounts, also per
// offer; with the void that cancels it (whenever it comes) its amounts move from the settled rows
// to the voided ones. Accepted check-ins also keep their members per UTC quarter-hour
// (`entry_members`), so that distinct members are counted exactly. Any range of whole
// quarter-hours is a union of such rows, and so is every local day and hour of an offset that is
// a multiple of 15 minutes; every other query reads the entries as before (SummariesServe).
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "card/claims.h"
#include "hub/store.h"
#include "journal/entry.h"

namespace hub {

// The decision of the check-ins refused as repeats (SumQuery::repeats).
inline constexpr char kAlreadyCheckedIn[] = "ALREADY_CHECKED_IN";

// The spans of the summary rows, longest first: a UTC day, hour and quarter-hour.
inline constexpr int64_t kDaySpan = 86400, kHourSpan = 3600, kQuarterSpan = 900;

// One row of entry_sums: the entries of one kind and decision, voided or not, of one scope (and
// offer, when by_offer) whose time is in [bucket, bucket + span).
struct SummaryKey {
  std::string kind;      // journal::KindName
  std::string decision;  // journal::kAccepted or kAlreadyCheckedIn
  bool voided = false;   // the entries a void cancels
  bool by_offer = false;
  std::string scope_id;  // partner_id (discounts) or event_id
  std::string offer_id;  // "" unless by_offer
  int64_t span = 0, bucket = 0;
  auto operator<=>(const SummaryKey&) const = default;
};
struct SummaryAmounts {
  int64_t count = 0, purchase_minor = 0, discount_minor = 0, cashback_minor = 0;
};
// One row of entry_members: how many settled accepted check-ins of the member at the event fall
// in the quarter-hour [bucket, bucket + 900).
struct MemberKey {
  std::string event_id;
  int64_t bucket = 0;
  card::Rid rid{};
  auto operator<=>(const MemberKey&) const = default;
};

// What one batch changes in the summaries, gathered before it is written (one statement per row
// touched, in key order, so that concurrent writers take the row locks in the same order).
struct SummaryDeltas {
  std::map<SummaryKey, SummaryAmounts> sums;
  std::map<MemberKey, int64_t> members;

  // Adds (sign +1) or takes away (-1) the entry, settled or voided, to its quarter-hour rows;
  // nothing for an entry the summaries do not hold (Summarized).
  void Add(const journal::Entry& e, bool voided, int sign);
  // Adds the hour and day rows of the quarter-hour rows Add made (once, after the last Add).
  void RollUp();
  bool empty() const { return sums.empty() && members.empty(); }
};

// Whether the summaries hold the entry: a discount, check-in or manual count, accepted or
// refused as a repeat, at a time not before 1970.
bool Summarized(const journal::Entry& e);

// Summary rows of one span with bucket in [from, to).
struct SummaryRange {
  int64_t span = 0, from = 0, to = 0;
  bool operator==(const SummaryRange&) const = default;
};

// Whether the summaries answer `q` exactly: its kind is summarized, its detail none, day, hour
// (or offer, for discounts), its period whole quarter-hours from 1970 on, and for days and hours
// an offset of whole quarter-hours; distinct members only for settled accepted check-ins.
bool SummariesServe(const SumQuery& q);
// For a query SummariesServe accepts: ranges that together hold exactly the rows of [q.from,
// q.to), each row inside one local day (kDay) or hour (kHour), the longest spans that fit.
std::vector<SummaryRange> PlanSummaryRanges(const SumQuery& q);

}  // namespace hub
