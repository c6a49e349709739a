#include "hub/summaries.h"

#include <algorithm>

namespace hub {
namespace {

bool SummarizedKind(journal::Kind k) {
  return k == journal::Kind::kDiscount || k == journal::Kind::kCheckin ||
         k == journal::Kind::kManualCount;
}

int64_t GridOf(SumDetail d) {
  if (d == SumDetail::kDay) return kDaySpan;
  if (d == SumDetail::kHour) return kHourSpan;
  return 0;
}

}  // namespace

bool Summarized(const journal::Entry& e) {
  return SummarizedKind(e.kind) && e.time_utc >= 0 &&
         (e.decision == journal::kAccepted || e.decision == kAlreadyCheckedIn);
}

void SummaryDeltas::Add(const journal::Entry& e, bool voided, int sign) {
  if (!Summarized(e)) return;
  const bool discount = e.kind == journal::Kind::kDiscount;
  SummaryKey key{.kind = std::string(journal::KindName(e.kind)),
                 .decision = e.decision,
                 .voided = voided,
                 .scope_id = discount ? e.partner_id : e.event_id};
  key.span = kQuarterSpan;
  key.bucket = e.time_utc - e.time_utc % kQuarterSpan;
  // Per scope for every kind, and per offer too for discounts.
  for (bool by_offer : {false, true}) {
    if (by_offer && !discount) continue;
    key.by_offer = by_offer;
    key.offer_id = by_offer ? e.offer_id : "";
    SummaryAmounts& a = sums[key];
    a.count += sign;
    a.purchase_minor += sign * e.purchase_minor;
    a.discount_minor += sign * e.discount_minor;
    a.cashback_minor += sign * e.cashback_minor;
  }
  if (e.kind == journal::Kind::kCheckin && e.decision == journal::kAccepted && !voided && e.rid) {
    members[{
        .event_id = e.event_id, .bucket = e.time_utc - e.time_utc % kQuarterSpan, .rid = *e.rid}] +=
        sign;
  }
}

void SummaryDeltas::RollUp() {
  std::map<SummaryKey, SummaryAmounts> longer;
  for (const auto& [quarter, a] : sums) {
    if (quarter.span != kQuarterSpan) continue;
    for (int64_t span : {kHourSpan, kDaySpan}) {
      SummaryKey key = quarter;
      key.span = span;
      key.bucket = quarter.bucket - quarter.bucket % span;
      SummaryAmounts& sum = longer[key];
      sum.count += a.count;
      sum.purchase_minor += a.purchase_minor;
      sum.discount_minor += a.discount_minor;
      sum.cashback_minor += a.cashback_minor;
    }
  }
  sums.merge(longer);
}

bool SummariesServe(const SumQuery& q) {
  if (!SummarizedKind(q.kind)) return false;
  switch (q.detail) {
    case SumDetail::kNone:
    case SumDetail::kDay:
    case SumDetail::kHour:
      break;
    case SumDetail::kOffer:
      if (q.kind != journal::Kind::kDiscount) return false;
      break;
    default:
      return false;
  }
  if (q.members && (q.kind != journal::Kind::kCheckin || q.voided || q.repeats ||
                    q.detail == SumDetail::kOffer)) {
    return false;
  }
  if (q.from < 0 || q.from % kQuarterSpan != 0 || q.to % kQuarterSpan != 0) return false;
  // A local day or hour must be whole quarter-hours, and every local time of the period not
  // before 1970 (the databases' integer division truncates; the planner's rounds down).
  if (GridOf(q.detail) != 0) {
    return q.utc_offset_seconds % kQuarterSpan == 0 && q.from + q.utc_offset_seconds >= 0;
  }
  return true;
}

std::vector<SummaryRange> PlanSummaryRanges(const SumQuery& q) {
  const int64_t grid = GridOf(q.detail), off = q.utc_offset_seconds;
  std::vector<SummaryRange> out;
  // The open range of each span, extended while the next row of that span follows it.
  std::map<int64_t, size_t> open;
  for (int64_t t = q.from; t < q.to;) {
    int64_t end = q.to;
    if (grid != 0) end = std::min(end, ((t + off) / grid + 1) * grid - off);
    int64_t span = kQuarterSpan;
    for (int64_t s : {kDaySpan, kHourSpan}) {
      if (t % s == 0 && t + s <= end) {
        span = s;
        break;
      }
    }
    auto it = open.find(span);
    if (it != open.end() && out[it->second].to == t) {
      out[it->second].to = t + span;
    } else {
      open[span] = out.size();
      out.push_back({.span = span, .from = t, .to = t + span});
    }
    t += span;
  }
  return out;
}

}  // namespace hub
