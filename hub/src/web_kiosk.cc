// A kiosk's own page: its facts, its contacts and syncs, its status reports, redemptions per day
// and its last entries.
#include <algorithm>
#include <deque>
#include <map>

#include "base/time_format.h"
#include "web.h"
#include "web_fleet_cells.h"
#include "web_svg.h"

namespace hub::web {
namespace {

// "shop P-1" / "event E-1" from the kiosk's last entry: what it served last.
std::string ScopeOf(const StoredEntry* last) {
  if (last == nullptr) return kDash;
  const journal::Entry& e = last->entry;
  if (!e.event_id.empty()) return "event " + Html(e.event_id);
  if (!e.partner_id.empty()) return "shop " + Html(e.partner_id);
  return kDash;
}

std::string Th(const AdminWeb::Ctx& c, std::initializer_list<const char*> keys) {
  std::string out = "<tr>";
  for (const char* k : keys) out += "<th>" + Html(c.t(k)) + "</th>";
  return out + "</tr>";
}

// The newest contacts (every authenticated request) and status reports.
std::string HistoryTables(const AdminWeb::Ctx& c, const std::vector<Contact>& contacts,
                          const std::vector<DeviceStatus>& reports, int64_t off) {
  std::string body = "<h2>" + Html(c.t("kiosk.contacts")) + "</h2>";
  if (contacts.empty()) {
    body += "<p>" + Html(c.t("not_reported")) + "</p>";
  } else {
    body += "<table id=\"contacts\">" + Th(c, {"col.time", "col.what", "col.http", "col.detail"});
    for (const Contact& x : contacts) {
      body += "<tr>" + Td(LocalTime(x.time, off)) + Td(Html(x.what)) +
              Td(Int(x.http_status), x.http_status >= 400 ? "n red" : "n") + Td(Html(x.detail)) +
              "</tr>";
    }
    body += "</table>";
  }
  body += "<h2>" + Html(c.t("kiosk.reports")) + "</h2>";
  if (reports.empty()) return body + "<p>" + Html(c.t("not_reported")) + "</p>";
  body += "<table id=\"reports\">" +
          Th(c, {"col.time", "col.app", "col.mode", "col.registry_used", "col.journal",
                 "col.failed", "col.clock", "col.disk", "col.uptime", "col.pi"});
  for (const DeviceStatus& s : reports) {
    body += "<tr>" + Td(LocalTime(s.received, off)) + Td(Html(s.app_version)) + Td(ModeCell(s)) +
            Td(Int(s.registry_seq), "n") + Td(Int(s.journal_last_seq), "n") +
            Td(FailedCell(c, &s)) + Td(Int(s.clock_corrections), "n") +
            Td(BytesCell(s.disk_free_bytes), "n") + Td(UptimeCell(s.uptime_seconds), "n") +
            Td(PiCell(c, &s)) + "</tr>";
  }
  return body + "</table>";
}

std::string EntriesTable(const AdminWeb::Ctx& c, const std::deque<StoredEntry>& last, int64_t off) {
  std::string body = "<h2>" + Html(c.t("kiosk.entries")) + "</h2><table id=\"entries\"><tr><th>" +
                     Html(c.t("col.seq")) + "</th><th>" + Html(c.t("col.time")) + "</th><th>" +
                     Html(c.t("col.kind")) + "</th><th>" + Html(c.t("col.partner")) + " / " +
                     Html(c.t("col.event")) + "</th><th>" + Html(c.t("col.offer")) + "</th><th>" +
                     Html(c.t("col.detail")) + "</th></tr>";
  for (auto it = last.rbegin(); it != last.rend(); ++it) {
    const journal::Entry& e = it->entry;
    body += "<tr>" + Td(Int(e.seq), "n") + Td(LocalTime(e.time_utc, off)) +
            Td(Html(journal::KindName(e.kind))) +
            Td(Html(e.partner_id.empty() ? e.event_id : e.partner_id)) + Td(Html(e.offer_id)) +
            Td(Html(e.decision + (e.verdict.empty() ? "" : " / " + e.verdict))) + "</tr>";
  }
  return body + "</table>";
}

std::string PerDayChart(const AdminWeb::Ctx& c, std::map<int64_t, int64_t>& per_day) {
  std::vector<Bar> bars;
  if (!per_day.empty()) {
    const int64_t to = per_day.rbegin()->first, from = std::max(per_day.begin()->first, to - 29);
    for (int64_t day = from; day <= to; ++day) {
      bars.push_back({base::FormatIso8601Utc(day * 86400).substr(5, 5), per_day[day]});
    }
  }
  return "<h2>" + Html(c.t("kiosk.per_day")) + "</h2>" +
         BarChartSvg(std::string(c.t("kiosk.per_day")), bars);
}

}  // namespace

// One kiosk: its facts, history, redemptions per day and its last entries.
void AdminWeb::Kiosk(Ctx& c) {
  base::Result<std::optional<Device>> dev = store_.FindDeviceByName(c.req.arg("name"));
  if (!dev.ok()) return Fail(c, 500, "store: " + dev.status().message());
  if (!*dev) return Fail(c, 404, c.t("err.not_found"));
  const Device& d = **dev;
  std::deque<StoredEntry> last;  // the newest 20
  std::map<int64_t, int64_t> per_day;
  const int64_t off = options_.utc_offset_seconds;
  base::Status st = store_.ForEachEntry(d.id, [&](const StoredEntry& se) {
    const journal::Entry& e = se.entry;
    if ((e.kind == journal::Kind::kDiscount || e.kind == journal::Kind::kCheckin) &&
        e.decision == journal::kAccepted) {
      ++per_day[(e.time_utc + off) / 86400 - ((e.time_utc + off) % 86400 < 0 ? 1 : 0)];
    }
    last.push_back(se);
    if (last.size() > 20) last.pop_front();
    return base::Status::Ok();
  });
  base::Result<std::vector<Contact>> contacts = store_.ListContacts(d.id, 50);
  base::Result<std::vector<DeviceStatus>> reports = store_.StatusHistory(d.id, 20);
  if (!st.ok() || !contacts.ok() || !reports.ok()) return Fail(c, 500, "store unavailable");
  std::string body = "<table id=\"kiosk\"><tr><th>" + Html(c.t("col.name")) + "</th><td>" +
                     Html(d.name) + "</td></tr><tr><th>kid</th><td>" + Html(d.kid_hex) +
                     "</td></tr><tr><th>" + Html(c.t("col.state")) + "</th><td>" +
                     Html(c.t("fleet." + StateOf(d, clock_.NowUnixSeconds()))) +
                     "</td></tr><tr><th>" + Html(c.t("col.mode")) + "</th><td>" +
                     (reports->empty() ? ScopeOf(last.empty() ? nullptr : &last.back())
                                       : ModeCell(reports->front())) +
                     "</td></tr><tr><th>" + Html(c.t("col.last_contact")) + "</th><td>" +
                     LocalTime(d.last_contact, off) + "</td></tr><tr><th>" +
                     Html(c.t("col.acked")) + "</th><td>" + Int(d.acked_seq) + "</td></tr></table>";
  body += HistoryTables(c, *contacts, *reports, off) + PerDayChart(c, per_day) +
          EntriesTable(c, last, off);
  if (c.is_operator() && !d.withdrawn) {
    body += "<form method=\"post\" action=\"/admin/withdraw\">" + c.csrf_field() +
            "<input type=\"hidden\" name=\"name\" value=\"" + Html(d.name) + "\"><p>" +
            Html(c.t("act.withdraw_confirm")) +
            " <label><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required> " +
            Html(c.t("act.withdraw")) + "</label> <button type=\"submit\">" +
            Html(c.t("act.withdraw")) + "</button></p></form>";
  }
  SendPage(c, d.name, body);
}

}  // namespace hub::web
