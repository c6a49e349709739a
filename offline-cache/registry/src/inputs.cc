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
#include "registry/offer_fields.h"
#include "registry/schema.h"

namespace registry {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Row access by column name, with the checks every field shares.
class Row {
 public:
  Row(const base::CsvRecord& rec, const base::CsvHeader& h) : rec_(rec), h_(h) {}
  size_t line() const { return rec_.line; }
  std::string Get(std::string_view col) const {
    std::string_view v = rec_.fields[h_[col]];
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return std::string(v);
  }
  base::Result<std::string> Text(std::string_view col, size_t max, bool required) const {
    std::string v = Get(col);
    if (required && v.empty()) return base::InvalidArgument(std::string(col) + " is empty");
    if (v.size() > max) {
      return base::InvalidArgument(std::string(col) + " is longer than " + std::to_string(max) +
                                   " bytes");
    }
    if (base::HasControlChars(v))
      return base::InvalidArgument(std::string(col) + " contains control characters");
    return v;
  }
  base::Result<std::optional<int64_t>> OptionalMinor(std::string_view col) const {
    std::string v = Get(col);
    if (v.empty()) return std::optional<int64_t>();
    base::Result<int64_t> r = ParseMinorUnits(v);
    if (!r.ok()) return r.status().WithContext(col);
    return std::optional<int64_t>(*r);
  }

 private:
  const base::CsvRecord& rec_;
  const base::CsvHeader& h_;
};

// Reads every row of a CSV file with a header, calling `fn` per row. Collects row errors as
// "FILE:LINE: why"; returns them all at the end (or the first syntax error).
base::Status ForEachRow(const std::string& path, const std::vector<std::string>& columns,
                        const std::function<base::Status(const Row&)>& fn,
                        const ProgressFn& progress = nullptr) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    return errno == ENOENT ? base::NotFound(path + ": no such file")
                           : base::IoError("opening " + path, errno);
  }
  base::CsvReader reader(f.get(), path);
  base::CsvRecord rec;
  if (!reader.Next(&rec)) {
    if (!reader.status().ok()) return reader.status();
    return base::InvalidArgument(path + ": empty file (expected a header row)");
  }
  CK_ASSIGN_OR_RETURN(base::CsvHeader header, base::CsvHeader::Parse(rec, columns, path));
  std::string errors;
  size_t error_count = 0, rows = 0;
  while (reader.Next(&rec)) {
    if (rec.fields.size() == 1 && rec.fields[0].empty()) continue;
    base::Status st;
    if (rec.fields.size() != header.size()) {
      st = base::InvalidArgument("expected " + std::to_string(header.size()) + " fields, found " +
                                 std::to_string(rec.fields.size()));
    } else {
      st = fn(Row(rec, header));
    }
    if (!st.ok() && ++error_count <= kMaxReportedRowErrors) {
      errors += path + ":" + std::to_string(rec.line) + ": " + st.message() + "\n";
    }
    if (++rows % 250000 == 0 && progress) progress(path, rows);
  }
  if (!reader.status().ok()) return reader.status();
  if (progress) progress(path, rows);
  if (error_count == 0) return base::Status::Ok();
  if (error_count > kMaxReportedRowErrors) {
    errors += "... and " + std::to_string(error_count - kMaxReportedRowErrors) + " more\n";
  }
  errors += path + ": " + std::to_string(error_count) + " bad row(s)";
  return base::InvalidArgument(errors);
}

base::Result<std::string> MemberId(const Row& row) {
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
      [&](const Row& row) -> base::Status {
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
      path, {"partner_id", "name", "city", "address"}, [&](const Row& row) -> base::Status {
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

base::Status ParseOfferRow(const Row& row, const std::set<std::string>& partners, Offer* o) {
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
                    [&](const Row& row) -> base::Status {
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
      [&](const Row& row) -> base::Status {
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
      [&](const Row& row) -> base::Status {
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
