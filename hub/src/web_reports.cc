// The Partners, Events, Flags, Exports and Audit pages: the settlement of `cardhub report`
// (hub/report.h), `cardhub flags` and the audit log, rendered.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

#include "base/file.h"
#include "base/time_format.h"
#include "bundle/importer.h"
#include "hub/admin.h"
#include "hub/report.h"
#include "registry/registry.h"
#include "web.h"
#include "web_svg.h"

namespace hub::web {
namespace {

std::string Td(const std::string& text, bool number = false) {
  return std::string(number ? "<td class=\"n\">" : "<td>") + text + "</td>";
}

// The month asked for (?month=YYYY-MM), else the current local one; and the month before it.
struct Months {
  std::string now, before;
};
Months MonthsOf(const std::string& asked, int64_t now, int64_t off) {
  std::string m = asked;
  if (!MonthPeriod(m, off).ok()) m = LocalTime(now, off).substr(0, 7);
  int y = std::atoi(m.substr(0, 4).c_str()), mo = std::atoi(m.substr(5, 2).c_str()) - 1;
  if (mo == 0) {
    mo = 12;
    --y;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d", y, mo);
  return {m, buf};
}

std::string MonthForm(const std::string& action, const std::string& month, Lang lang) {
  return "<form method=\"get\" action=\"" + action + "\">" + Html(T(lang, "report.month")) +
         " <input type=\"text\" name=\"month\" value=\"" + Html(month) +
         "\" pattern=\"[0-9]{4}-[0-9]{2}\" size=\"8\"> <button type=\"submit\">OK</button></form>";
}

std::string Money(int64_t minor) { return Roubles(minor, ','); }

// Bars per day of the month for `id`, from a by-day settlement's lines.
std::vector<Bar> DayBars(const std::vector<ReportLine>& lines, const std::string& id,
                         const ReportPeriod& p, int64_t off) {
  std::map<std::string, int64_t> by_day;
  for (const ReportLine& l : lines) {
    if (l.id == id) by_day[l.detail_id] += l.count;
  }
  std::vector<Bar> bars;
  for (int64_t t = p.from; t < p.to; t += 86400) {
    const std::string day = LocalTime(t, off).substr(0, 10);
    bars.push_back({day.substr(8, 2), by_day[day]});
  }
  return bars;
}

// Check-ins per local hour of each event over the period, from its first day with check-ins to
// its last (at most 14 days: 336 bars).
std::map<std::string, std::vector<Bar>> HourBars(HubStore& store, const ReportPeriod& p,
                                                 int64_t off) {
  std::map<std::string, std::map<int64_t, int64_t>> by_hour;
  const SumQuery q{.from = p.from,
                   .to = p.to,
                   .kind = journal::Kind::kCheckin,
                   .detail = SumDetail::kHour,
                   .utc_offset_seconds = off,
                   .members = false};
  base::Status st = store.SumEntries(q, [&](const SumRow& r) {
    by_hour[r.scope_id][std::atoll(r.detail.c_str())] += r.count;
    return base::Status::Ok();
  });
  std::map<std::string, std::vector<Bar>> out;
  if (!st.ok()) return out;
  for (auto& [event, hours] : by_hour) {
    const int64_t first = hours.begin()->first / 24 * 24;
    const int64_t last = std::min(hours.rbegin()->first / 24 * 24 + 23, first + 14 * 24 - 1);
    std::vector<Bar>& bars = out[event];
    for (int64_t h = first; h <= last; ++h) {
      const std::string at = base::FormatIso8601Utc(h * 3600);  // local: the offset is in h
      bars.push_back({h % 24 == 0 ? at.substr(5, 5) : at.substr(11, 2), hours[h]});
    }
  }
  return out;
}

// Check-ins refused as repeats (ALREADY_CHECKED_IN) per event over the period; empty when the
// store fails (the page still shows the rest).
std::map<std::string, int64_t> Repeats(HubStore& store, const ReportPeriod& p) {
  std::map<std::string, int64_t> out;
  const SumQuery q{.from = p.from,
                   .to = p.to,
                   .kind = journal::Kind::kCheckin,
                   .repeats = true,
                   .members = false};
  base::Status st = store.SumEntries(q, [&](const SumRow& r) {
    out[r.scope_id] += r.count;
    return base::Status::Ok();
  });
  if (!st.ok()) out.clear();
  return out;
}

}  // namespace

// Two months side by side per partner and offer, then one chart per partner.
void AdminWeb::Partners(Ctx& c) {
  const int64_t off = options_.utc_offset_seconds;
  const Months m = MonthsOf(c.req.arg("month"), clock_.NowUnixSeconds(), off);
  base::Result<ReportPeriod> p_now = MonthPeriod(m.now, off), p_before = MonthPeriod(m.before, off);
  if (!p_now.ok() || !p_before.ok()) return Fail(c, 400, "month: YYYY-MM");
  // The partners only: the page shows no events.
  const SettlementParts by_offer{.events = false, .voids = true}, by_day{.events = false};
  base::Result<Settlement> now =
      BuildSettlement(store_, fs_, options_.data_dir, *p_now, ReportBy::kOffer, off, by_offer);
  base::Result<Settlement> before =
      BuildSettlement(store_, fs_, options_.data_dir, *p_before, ReportBy::kOffer, off, by_offer);
  base::Result<Settlement> days =
      BuildSettlement(store_, fs_, options_.data_dir, *p_now, ReportBy::kDay, off, by_day);
  if (!now.ok() || !before.ok() || !days.ok()) return Fail(c, 500, "report failed");
  struct Pair {
    std::string name, offer;
    ReportLine a, b;
  };
  std::map<std::pair<std::string, std::string>, Pair> rows;
  for (const ReportLine& l : now->partners) {
    Pair& r = rows[{l.id, l.detail_id}];
    r.name = l.name.empty() ? l.id : l.name + " (" + l.id + ")";
    r.offer = l.detail_name.empty() ? l.detail_id : l.detail_name + " (" + l.detail_id + ")";
    r.a = l;
  }
  for (const ReportLine& l : before->partners) {
    Pair& r = rows[{l.id, l.detail_id}];
    if (r.name.empty()) r.name = l.name.empty() ? l.id : l.name + " (" + l.id + ")";
    if (r.offer.empty())
      r.offer = l.detail_name.empty() ? l.detail_id : l.detail_name + " (" + l.detail_id + ")";
    r.b = l;
  }
  std::string body = MonthForm("/admin/partners", m.now, c.lang);
  body += "<table id=\"partners\"><thead><tr><th rowspan=\"2\">" + Html(c.t("col.partner")) +
          "</th><th rowspan=\"2\">" + Html(c.t("col.offer")) + "</th><th colspan=\"5\">" +
          Html(c.t("period.this")) + " " + m.now + "</th><th colspan=\"5\">" +
          Html(c.t("period.last")) + " " + m.before + "</th></tr><tr>";
  for (int i = 0; i < 2; ++i) {
    for (const char* k :
         {"col.count", "col.purchase", "col.discount", "col.cashback", "col.voids"}) {
      body += "<th>" + Html(c.t(k)) + "</th>";
    }
  }
  body += "</tr></thead><tbody>";
  for (const auto& [key, r] : rows) {
    body += "<tr>" + Td(Html(r.name)) + Td(Html(r.offer));
    for (const ReportLine* l : {&r.a, &r.b}) {
      body += Td(std::to_string(l->count), true) + Td(Money(l->purchase_minor), true) +
              Td(Money(l->discount_minor), true) + Td(Money(l->cashback_minor), true) +
              Td(std::to_string(l->voids), true);
    }
    body += "</tr>";
  }
  body += "</tbody></table>";
  std::map<std::string, std::string> partners;
  for (const ReportLine& l : now->partners) partners[l.id] = l.name.empty() ? l.id : l.name;
  for (const auto& [id, name] : partners) {
    body += "<h2>" + Html(name) + " — " + Html(m.now) + "</h2>" +
            BarChartSvg(name, DayBars(days->partners, id, *p_now, off));
  }
  SendPage(c, c.t("nav.partners"), body);
}

void AdminWeb::Events(Ctx& c) {
  const int64_t off = options_.utc_offset_seconds;
  const Months m = MonthsOf(c.req.arg("month"), clock_.NowUnixSeconds(), off);
  base::Result<ReportPeriod> p = MonthPeriod(m.now, off);
  if (!p.ok()) return Fail(c, 400, "month: YYYY-MM");
  // The events only; distinct members for the month, not per day (the charts show counts).
  base::Result<Settlement> sums = BuildSettlement(store_, fs_, options_.data_dir, *p,
                                                  ReportBy::kPartner, off, {.partners = false});
  base::Result<Settlement> days =
      BuildSettlement(store_, fs_, options_.data_dir, *p, ReportBy::kDay, off,
                      {.partners = false, .members = false});
  if (!sums.ok() || !days.ok()) return Fail(c, 500, "report failed");
  std::unique_ptr<registry::Registry> reg;
  const std::string reg_path = options_.data_dir + "/" + bundle::kRegistryFile;
  if (fs_.Exists(reg_path)) {
    base::Result<std::unique_ptr<registry::Registry>> r = registry::Registry::Open(reg_path);
    if (r.ok()) reg = std::move(r).value();
  }
  std::string body = MonthForm("/admin/events", m.now, c.lang);
  body += "<table id=\"events\"><tr><th>" + Html(c.t("col.event")) + "</th><th>" +
          Html(c.t("col.checkins")) + "</th><th>" + Html(c.t("col.members")) + "</th><th>" +
          Html(c.t("col.manual")) + "</th><th>" + Html(c.t("col.repeats")) + "</th><th>" +
          Html(c.t("col.capacity")) + "</th></tr>";
  std::map<std::string, int64_t> repeats = Repeats(store_, *p);
  // An event whose only check-ins this month were refused repeats still gets its row (and charts).
  std::vector<ReportLine> events = sums->events;
  for (const auto& [id, n] : repeats) {
    const bool listed =
        std::any_of(events.begin(), events.end(), [&](const ReportLine& l) { return l.id == id; });
    if (n > 0 && !listed) events.push_back(ReportLine{.id = id});
  }
  for (ReportLine& l : events) {
    std::string capacity = "\xE2\x80\x94";
    if (reg) {
      base::Result<std::optional<registry::Event>> e = reg->FindEvent(l.id);
      if (e.ok() && *e && (*e)->capacity) capacity = std::to_string(*(*e)->capacity);
      if (e.ok() && *e && l.name.empty()) l.name = (*e)->title;
    }
    body += "<tr>" + Td(Html(l.name.empty() ? l.id : l.name + " (" + l.id + ")")) +
            Td(std::to_string(l.count), true) + Td(std::to_string(l.members), true) +
            Td(std::to_string(l.manual), true) + Td(std::to_string(repeats[l.id]), true) +
            Td(capacity, true) + "</tr>";
  }
  body += "</table>";
  std::map<std::string, std::vector<Bar>> hours = HourBars(store_, *p, off);
  for (const ReportLine& l : events) {
    const std::string name = l.name.empty() ? l.id : l.name;
    body += "<h2>" + Html(name) + " — " + Html(c.t("events.per_hour")) + "</h2>" +
            BarChartSvg(name + ": " + std::string(c.t("events.per_hour")), hours[l.id], 960) +
            "<h2>" + Html(name) + " — " + Html(m.now) + "</h2>" +
            BarChartSvg(l.id, DayBars(days->events, l.id, *p, off));
  }
  SendPage(c, c.t("nav.events"), body);
}

void AdminWeb::FlagsPage(Ctx& c) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buf, &size);
  if (out == nullptr) return Fail(c, 500, "out of memory");
  base::Status st = Flags(store_, fs_, options_.data_dir, options_.utc_offset_seconds,
                          clock_.NowUnixSeconds(), out);
  std::fclose(out);
  std::string text(buf, size);
  std::free(buf);
  std::string body = "<table id=\"flags\"><tr><th>" + Html(c.t("col.kind")) + "</th><th>" +
                     Html(c.t("col.detail")) + "</th></tr>";
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    size_t sp = line.find(' ');
    std::string kind = line.rfind("rid=", 0) == 0 ? "over_cap" : line.substr(0, sp);
    body += "<tr>" + Td(Html(kind)) + Td(Html(line)) + "</tr>";
  }
  body += "</table>";
  if (!st.ok()) body += "<p class=\"err\">" + Html(st.message()) + "</p>";
  SendPage(c, c.t("nav.flags"), body);
}

}  // namespace hub::web
