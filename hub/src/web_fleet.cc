// The Fleet page (every kiosk, one row each) and a kiosk's own page.
#include <algorithm>
#include <cinttypes>
#include <deque>
#include <map>

#include "base/hex.h"
#include "base/time_format.h"
#include "web.h"
#include "web_svg.h"

namespace hub::web {
namespace {

constexpr char kDash[] = "\xE2\x80\x94";  // not reported (yet)

struct FleetRow {
  Device d;
  DeviceTail tail;
  std::string state;  // ok | amber | red | never | withdrawn
  int64_t conflicts = 0;
  int64_t new_chains = 0;  // journal chains after the device's first (a lost journal)
};

std::string StateOf(const Device& d, int64_t now) {
  if (d.withdrawn) return "withdrawn";
  if (d.last_contact == 0) return "never";
  if (now - d.last_contact > kRedSeconds) return "red";
  if (now - d.last_contact > kAmberSeconds) return "amber";
  return "ok";
}

int StateRank(const std::string& s) {
  if (s == "red") return 0;
  if (s == "amber") return 1;
  if (s == "never") return 2;
  if (s == "ok") return 3;
  return 4;
}

std::string Td(const std::string& text, const char* cls = nullptr) {
  return std::string("<td") + (cls ? std::string(" class=\"") + cls + "\"" : "") + ">" + text +
         "</td>";
}

std::string Int(int64_t v) { return std::to_string(v); }

// The alarms cell: conflicts and new journal chains, or "none".
std::string AlarmsText(const FleetRow& r, const std::string& none) {
  std::string out;
  if (r.conflicts) out = Int(r.conflicts) + " conflict";
  if (r.new_chains) out += (out.empty() ? "" : ", ") + Int(r.new_chains) + " new journal chain";
  return out.empty() ? none : out;
}

// "shop P-1" / "event E-1" from the kiosk's last entry: what it served last.
std::string ScopeOf(const StoredEntry* last) {
  if (last == nullptr) return kDash;
  const journal::Entry& e = last->entry;
  if (!e.event_id.empty()) return "event " + Html(e.event_id);
  if (!e.partner_id.empty()) return "shop " + Html(e.partner_id);
  return kDash;
}

// The state filter and the sort order of the Fleet page.
std::string FilterForm(const AdminWeb::Ctx& c, const std::string& filter, const std::string& sort) {
  std::string body = "<form method=\"get\" action=\"/admin/\">" + Html(c.t("fleet.filter")) +
                     " <select name=\"state\">";
  for (const char* s : {"all", "ok", "amber", "red", "never", "withdrawn"}) {
    body += std::string("<option value=\"") + s + "\"" + (filter == s ? " selected" : "") + ">" +
            Html(c.t(std::string("fleet.") + s)) + "</option>";
  }
  body += "</select> <select name=\"sort\"><option value=\"name\">" + Html(c.t("col.name")) +
          "</option><option value=\"state\"" + (sort == "state" ? " selected" : "") + ">" +
          Html(c.t("col.state")) + "</option><option value=\"contact\"" +
          (sort == "contact" ? " selected" : "") + ">" + Html(c.t("col.last_contact")) +
          "</option></select> <button type=\"submit\">OK</button></form>";
  return body;
}

}  // namespace

// Every kiosk, one row each, filtered by ?state= and sorted by ?sort=.
void AdminWeb::Fleet(Ctx& c) {
  const int64_t now = clock_.NowUnixSeconds();
  base::Result<std::vector<Device>> devices = store_.ListDevices();
  base::Result<std::optional<BundleRecord>> latest = store_.LatestBundle();
  base::Result<std::vector<Conflict>> conflicts = store_.ListConflicts();
  base::Result<std::vector<JournalChain>> chains = store_.ListChains();
  if (!devices.ok() || !latest.ok() || !conflicts.ok() || !chains.ok()) {
    return Fail(c, 500, "store unavailable");
  }
  std::map<int64_t, int64_t> conflicts_of, new_chains_of;
  for (const Conflict& x : *conflicts) ++conflicts_of[x.device_id];
  for (const JournalChain& x : *chains) new_chains_of[x.device_id] += x.chain > 1 ? 1 : 0;
  const std::string filter = c.req.arg("state");
  std::vector<FleetRow> rows;
  for (const Device& d : *devices) {
    FleetRow r{.d = d,
               .state = StateOf(d, now),
               .conflicts = conflicts_of[d.id],
               .new_chains = new_chains_of[d.id]};
    if (!filter.empty() && filter != "all" && filter != r.state) continue;
    base::Result<DeviceTail> tail = store_.LastEntry(d.id, journal::kMaxSeq);
    if (!tail.ok()) return Fail(c, 500, "store: " + tail.status().message());
    r.tail = *tail;
    rows.push_back(std::move(r));
  }
  const std::string sort = c.req.arg("sort");
  std::stable_sort(rows.begin(), rows.end(), [&](const FleetRow& a, const FleetRow& b) {
    if (sort == "contact") return a.d.last_contact < b.d.last_contact;
    if (sort == "state") return StateRank(a.state) < StateRank(b.state);
    return a.d.name < b.d.name;
  });
  std::string body = FilterForm(c, filter, sort);
  const int64_t latest_seq = *latest ? (*latest)->seq : 0;
  body += "<table id=\"fleet\"><thead><tr>";
  for (const char* k : {"col.name", "col.state", "col.mode", "col.last_contact", "col.app",
                        "col.registry", "col.journal", "col.acked", "col.gaps", "col.failed",
                        "col.clock", "col.alarms", "col.disk", "col.pi"}) {
    body += "<th>" + Html(c.t(k)) + "</th>";
  }
  body += "</tr></thead><tbody>";
  for (const FleetRow& r : rows) {
    std::string contact = LocalTime(r.d.last_contact, options_.utc_offset_seconds);
    if (r.state == "amber" || r.state == "red") {
      std::string silent(c.t("fleet.silent"));
      size_t at = silent.find("%d");
      if (at != std::string::npos) silent.replace(at, 2, Int((now - r.d.last_contact) / 3600));
      contact += "<br>" + Html(silent);
    }
    const std::string reg = r.tail.last_seq ? Int(r.tail.bundle_seq) : kDash;
    const bool behind = r.tail.last_seq && r.tail.bundle_seq < latest_seq;
    const std::string gaps =
        r.tail.last_seq > r.d.acked_seq ? "&gt; " + Int(r.d.acked_seq) : Html(c.t("none"));
    const std::string alarms = AlarmsText(r, Html(c.t("none")));
    body += "<tr class=\"state-" + r.state + "\" data-name=\"" + Html(r.d.name) + "\">" +
            Td("<a href=\"/admin/kiosk?name=" + Html(UrlEncode(r.d.name)) + "\">" + Html(r.d.name) +
               "</a>") +
            Td(Html(c.t("fleet." + r.state)), "c") + Td(kDash) + Td(contact, "c") + Td(kDash) +
            Td(reg + " (" + Int(latest_seq) + ")" + (behind ? " !" : ""), "n") +
            Td(Int(r.tail.last_seq), "n") + Td(Int(r.d.acked_seq), "n") + Td(gaps) + Td(kDash) +
            Td(kDash) + Td(alarms) + Td(kDash) + Td(kDash) + "</tr>";
  }
  body += "</tbody></table><p>" + Int(static_cast<int64_t>(rows.size())) + " / " +
          Int(static_cast<int64_t>(devices->size())) + "</p>";
  if (c.is_operator())
    body += "<p><a href=\"/admin/enroll\">" + Html(c.t("act.enroll")) + "</a></p>";
  SendPage(c, c.t("nav.fleet"), body);
}

// One kiosk: its facts, redemptions per day and its last entries.
void AdminWeb::Kiosk(Ctx& c) {
  const std::string name = c.req.arg("name");
  base::Result<std::optional<Device>> dev = store_.FindDeviceByName(name);
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
  if (!st.ok()) return Fail(c, 500, "store: " + st.message());
  std::string body = "<table id=\"kiosk\"><tr><th>" + Html(c.t("col.name")) + "</th><td>" +
                     Html(d.name) + "</td></tr><tr><th>kid</th><td>" + Html(d.kid_hex) +
                     "</td></tr><tr><th>" + Html(c.t("col.state")) + "</th><td>" +
                     Html(c.t("fleet." + StateOf(d, clock_.NowUnixSeconds()))) +
                     "</td></tr><tr><th>" + Html(c.t("col.mode")) + "</th><td>" +
                     ScopeOf(last.empty() ? nullptr : &last.back()) + "</td></tr><tr><th>" +
                     Html(c.t("col.last_contact")) + "</th><td>" + LocalTime(d.last_contact, off) +
                     "</td></tr><tr><th>" + Html(c.t("col.acked")) + "</th><td>" +
                     Int(d.acked_seq) + "</td></tr></table>";
  body += "<h2>" + Html(c.t("kiosk.contacts")) + "</h2><p>" + Html(c.t("not_reported")) + "</p>";
  body += "<h2>" + Html(c.t("kiosk.per_day")) + "</h2>";
  std::vector<Bar> bars;
  if (!per_day.empty()) {
    const int64_t to = per_day.rbegin()->first, from = std::max(per_day.begin()->first, to - 29);
    for (int64_t day = from; day <= to; ++day) {
      bars.push_back({base::FormatIso8601Utc(day * 86400).substr(5, 5), per_day[day]});
    }
  }
  body += BarChartSvg(std::string(c.t("kiosk.per_day")), bars);
  body += "<h2>" + Html(c.t("kiosk.entries")) + "</h2><table id=\"entries\"><tr><th>" +
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
  body += "</table>";
  if (c.is_operator() && !d.withdrawn) {
    body += "<form method=\"post\" action=\"/admin/withdraw\">" + c.csrf_field() +
            "<input type=\"hidden\" name=\"name\" value=\"" + Html(d.name) + "\"><p>" +
            Html(c.t("act.withdraw_confirm")) +
            " <label><input type=\"checkbox\" name=\"confirm\" "
            "value=\"yes\" required> " +
            Html(c.t("act.withdraw")) + "</label> <button type=\"submit\">" +
            Html(c.t("act.withdraw")) + "</button></p></form>";
  }
  SendPage(c, d.name, body);
}

}  // namespace hub::web
