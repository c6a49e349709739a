// Partner, offer and event records as the registry stores them (DESIGN.md section 7), already
// parsed: money in integer minor units, percentages in basis points, sets as bit masks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "card/claims.h"
#include "card/stores.h"

namespace registry {

struct Partner {
  std::string partner_id, name, city, address;
};

// kPercent and kFixed are discounts at the till; kCashback is a percent the member earns back
// from the union while the till charges the full price (registry schema version 2).
enum class OfferKind : uint8_t { kPercent, kFixed, kCashback };
enum class CapPeriod : uint8_t { kDay, kWeek, kMonth };

struct Offer {
  std::string offer_id, partner_id;
  OfferKind kind = OfferKind::kPercent;
  int64_t value = 0;  // percent, cashback: basis points (7.5% = 750); fixed: minor units
  int64_t min_purchase_minor = 0;
  // The most one purchase gets: a discount, or the cashback of a cashback offer.
  std::optional<int64_t> max_discount_minor;
  uint32_t categories = 0;                              // bit c set = category c eligible; 0 = all
  std::vector<std::string> orgs;                        // empty = all
  std::optional<int64_t> valid_from_day, valid_to_day;  // days since 1970-01-01, inclusive
  uint8_t weekdays = 0x7f;                              // bit 0 = Monday ... bit 6 = Sunday
  int hours_from = 0, hours_to = 1440;                  // minutes of the local day, [from, to)
  std::optional<int64_t> cap_count, cap_amount_minor;
  std::optional<CapPeriod> cap_period;
  std::string title;
};

enum class EventMode : uint8_t { kOpen, kRoster };

struct Event {
  std::string event_id, title, venue;
  int64_t starts = 0, ends = 0;  // Unix seconds
  EventMode mode = EventMode::kOpen;
  int64_t entries_per_member = 1;
  std::optional<int64_t> capacity;
};

struct MemberRecord {
  card::Rid rid{};
  card::MemberState state = card::MemberState::kActive;
  uint32_t min_serial = 0;
  uint32_t line = 0;  // where it came from in the input file (for error messages)
};

std::string_view OfferKindName(OfferKind k);  // "percent", "fixed", "cashback"
std::string_view CapPeriodName(CapPeriod p);
std::string_view EventModeName(EventMode m);

}  // namespace registry
