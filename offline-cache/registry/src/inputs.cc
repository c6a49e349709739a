#include "registry/inputs.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <map>
#include <memory>

#include "base/csv.h"
#include "base/time_format.h"
#include "base/utf8.h"
#include "card/rid.h"
#include "csv_rows.h"
#include "registry/offer_fields.h"
#include "registry/schema.h"

namespace registry {
namespace {

base::Result<std::string> MemberId(const CsvRow& row) {
  CK_ASSIGN_OR_RETURN(std::string id, row.Text("member_id", 64, true));
  return id;
}

}  // namespace

base::Result<std::vector<MemberRecord>> ReadMembersCsv(const std::string& path,
                                                       base::ByteSpan secret,
                                                       const ProgressFn& progress) {
  std::vector<MemberRecord> out;
  CK_TRY(ForEachRow(
      path, {"member_id", "status", "min_serial"},
      [&](const CsvRow& row) -> base::Status {
        CK_ASSIGN_OR_RETURN(std::string id, MemberId(row));
        MemberRecord m;
        CK_ASSIGN_OR_RETURN(m.state, ParseMemberState(row.Get("status")));
        const std::string serial = row.Get("min_serial");
        uint32_t v = 0;
        if (!serial.empty()) {
          auto [end, ec] = std::from_chars(serial.data(), serial.data() + serial.size(), v);
          if (ec != std::errc() || end != serial.data() + serial.size()) {
            return base::InvalidArgument("min_serial must be a whole number 0-4294967295, got '" +
                                         serial + "'");
          }
        }
        m.min_serial = v;
        m.rid = card::ComputeRid(secret, id);
        m.line = static_cast<uint32_t>(row.line());
        out.push_back(m);
        return base::Status::Ok();
      },
      progress));
  std::sort(out.begin(), out.end(),
            [](const MemberRecord& a, const MemberRecord& b) { return a.rid < b.rid; });
  auto dup = std::adjacent_find(
      out.begin(), out.end(),
      [](const MemberRecord& a, const MemberRecord& b) { return a.rid == b.rid; });
  if (dup != out.end()) {
    const uint32_t a = std::min(dup->line, (dup + 1)->line),
                   b = std::max(dup->line, (dup + 1)->line);
    return base::InvalidArgument(path + ":" + std::to_string(b) +
                                 ": member_id already listed on line " + std::to_string(a));
  }
  return out;
}

base::Result<std::vector<Partner>> ReadPartnersCsv(const std::string& path) {
  std::vector<Partner> out;
  std::set<std::string> seen;
  CK_TRY(ForEachRow(
      path, {"partner_id", "name", "city", "address"}, [&](const CsvRow& row) -> base::Status {
        Partner p;
        CK_ASSIGN_OR_RETURN(p.partner_id, row.Text("partner_id", 64, true));
        CK_ASSIGN_OR_RETURN(p.name, row.Text("name", 200, true));
        CK_ASSIGN_OR_RETURN(p.city, row.Text("city", 100, false));
        CK_ASSIGN_OR_RETURN(p.address, row.Text("address", 300, false));
        if (!seen.insert(p.partner_id).second)
          return base::InvalidArgument("partner_id '" + p.partner_id + "' appears twice");
        out.push_back(std::move(p));
        return base::Status::Ok();
      }));
  return out;
}

namespace {

base::Status ParseOfferRow(const CsvRow& row, const std::set<std::string>& partners, Offer* o) {
  CK_ASSIGN_OR_RETURN(o->offer_id, row.Text("offer_id", 64, true));
  CK_ASSIGN_OR_RETURN(o->partner_id, row.Text("partner_id", 64, true));
  if (partners.count(o->partner_id) == 0) {
    return base::InvalidArgument("partner_id '" + o->partner_id + "' is not in the partners file");
  }
  const std::string kind = row.Get("kind");
  if (kind == "percent") {
    o->kind = OfferKind::kPercent;
    CK_ASSIGN_OR_RETURN(o->value, ParsePercentBasisPoints(row.Get("value")));
  } else if (kind == "fixed") {
    o->kind = OfferKind::kFixed;
    CK_ASSIGN_OR_RETURN(o->value, ParseMinorUnits(row.Get("value")));
    if (o->value == 0) return base::InvalidArgument("a fixed discount must be above 0");
  } else if (kind == "cashback") {
    o->kind = OfferKind::kCashback;
    CK_ASSIGN_OR_RETURN(o->value, ParsePercentBasisPoints(row.Get("value")));
  } else {
    return base::InvalidArgument("kind must be percent, fixed or cashback, got '" + kind + "'");
  }
  CK_ASSIGN_OR_RETURN(std::optional<int64_t> min_purchase, row.OptionalMinor("min_purchase_minor"));
  o->min_purchase_minor = min_purchase.value_or(0);
  CK_ASSIGN_OR_RETURN(o->max_discount_minor, row.OptionalMinor("max_discount_minor"));
  CK_ASSIGN_OR_RETURN(o->categories, ParseCategories(row.Get("categories")));
  o->orgs = SplitBar(row.Get("orgs"));
  for (const std::string& org : o->orgs) {
    if (org.empty() || org.size() > card::kMaxOrgBytes)
      return base::InvalidArgument("orgs must be like ORG-1|ORG-2");
  }
  if (std::string v = row.Get("valid_from"); !v.empty()) {
    CK_ASSIGN_OR_RETURN(o->valid_from_day, ParseDay(v));
  }
  if (std::string v = row.Get("valid_to"); !v.empty()) {
    CK_ASSIGN_OR_RETURN(o->valid_to_day, ParseDay(v));
  }
  if (o->valid_from_day && o->valid_to_day && *o->valid_from_day > *o->valid_to_day) {
    return base::InvalidArgument("valid_from is after valid_to");
  }
  CK_ASSIGN_OR_RETURN(o->weekdays, ParseWeekdays(row.Get("weekdays")));
  CK_TRY(ParseHours(row.Get("hours"), &o->hours_from, &o->hours_to));
  CK_ASSIGN_OR_RETURN(std::optional<int64_t> cap_count, row.OptionalMinor("cap_count"));
  o->cap_count = cap_count;
  CK_ASSIGN_OR_RETURN(o->cap_amount_minor, row.OptionalMinor("cap_amount_minor"));
  const std::string period = row.Get("cap_period");
  if (period == "day")
    o->cap_period = CapPeriod::kDay;
  else if (period == "week")
    o->cap_period = CapPeriod::kWeek;
  else if (period == "month")
    o->cap_period = CapPeriod::kMonth;
  else if (!period.empty())
    return base::InvalidArgument("cap_period must be day, week or month");
  if ((o->cap_count || o->cap_amount_minor) != o->cap_period.has_value()) {
    return base::InvalidArgument(
        "a cap needs cap_period, and cap_period needs cap_count or cap_amount_minor");
  }
  CK_ASSIGN_OR_RETURN(o->title, row.Text("title", 200, true));
  return base::Status::Ok();
}

}  // namespace

base::Result<std::vector<Offer>> ReadOffersCsv(const std::string& path,
                                               const std::set<std::string>& partners) {
  std::vector<Offer> out;
  std::set<std::string> seen;
  CK_TRY(ForEachRow(path,
                    {"offer_id", "partner_id", "kind", "value", "min_purchase_minor",
                     "max_discount_minor", "categories", "orgs", "valid_from", "valid_to",
                     "weekdays", "hours", "cap_count", "cap_amount_minor", "cap_period", "title"},
                    [&](const CsvRow& row) -> base::Status {
                      Offer o;
                      CK_TRY(ParseOfferRow(row, partners, &o));
                      if (!seen.insert(o.offer_id).second) {
                        return base::InvalidArgument("offer_id '" + o.offer_id + "' appears twice");
                      }
                      out.push_back(std::move(o));
                      return base::Status::Ok();
                    }));
  return out;
}

base::Result<std::vector<Event>> ReadEventsCsv(const std::string& path) {
  std::vector<Event> out;
  std::set<std::string> seen;
  CK_TRY(ForEachRow(
      path,
      {"event_id", "title", "venue", "starts", "ends", "mode", "entries_per_member", "capacity"},
      [&](const CsvRow& row) -> base::Status {
        Event e;
        CK_ASSIGN_OR_RETURN(e.event_id, row.Text("event_id", 64, true));
        CK_ASSIGN_OR_RETURN(e.title, row.Text("title", 200, true));
        CK_ASSIGN_OR_RETURN(e.venue, row.Text("venue", 200, false));
        base::Result<int64_t> starts = base::ParseIso8601(row.Get("starts"));
        if (!starts.ok()) return starts.status().WithContext("starts");
        base::Result<int64_t> ends = base::ParseIso8601(row.Get("ends"));
        if (!ends.ok()) return ends.status().WithContext("ends");
        e.starts = *starts;
        e.ends = *ends;
        if (e.ends <= e.starts) return base::InvalidArgument("ends must be after starts");
        const std::string mode = row.Get("mode");
        if (mode == "open")
          e.mode = EventMode::kOpen;
        else if (mode == "roster")
          e.mode = EventMode::kRoster;
        else
          return base::InvalidArgument("mode must be open or roster, got '" + mode + "'");
        CK_ASSIGN_OR_RETURN(std::optional<int64_t> entries,
                            row.OptionalMinor("entries_per_member"));
        e.entries_per_member = entries.value_or(1);
        if (e.entries_per_member < 1)
          return base::InvalidArgument("entries_per_member must be at least 1");
        CK_ASSIGN_OR_RETURN(e.capacity, row.OptionalMinor("capacity"));
        if (!seen.insert(e.event_id).second) {
          return base::InvalidArgument("event_id '" + e.event_id + "' appears twice");
        }
        out.push_back(std::move(e));
        return base::Status::Ok();
      }));
  return out;
}

base::Result<std::vector<std::pair<std::string, card::Rid>>> ReadRosterCsv(
    const std::string& path, base::ByteSpan secret, const std::set<std::string>& events,
    const ProgressFn& progress) {
  std::vector<std::pair<std::string, card::Rid>> out;
  CK_TRY(ForEachRow(
      path, {"event_id", "member_id"},
      [&](const CsvRow& row) -> base::Status {
        CK_ASSIGN_OR_RETURN(std::string event_id, row.Text("event_id", 64, true));
        if (events.count(event_id) == 0) {
          return base::InvalidArgument("event_id '" + event_id + "' is not in the events file");
        }
        CK_ASSIGN_OR_RETURN(std::string id, MemberId(row));
        out.emplace_back(std::move(event_id), card::ComputeRid(secret, id));
        return base::Status::Ok();
      },
      progress));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());  // listing a member twice is harmless
  return out;
}

}  // namespace registry
