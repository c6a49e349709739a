// The Fleet page: every kiosk, one row each, with its latest status report.
#include <algorithm>
#include <map>

#include "web.h"
#include "web_fleet_cells.h"

namespace hub::web {
namespace {

struct FleetRow {
  Device d;
  DeviceTail tail;
  const DeviceStatus* status = nullptr;  // its latest report; null: none yet
  std::string state;                     // ok | amber | red | never | withdrawn
  int64_t conflicts = 0;
  int64_t new_chains = 0;  // journal chains after the device's first (a lost journal)
};

// The state filter and the sort order of the Fleet page.
std::string FilterForm(const AdminWeb::Ctx& c, const std::string& filter, const std::string& sort) {
  std::string body = "<form method=\"get\" action=\"/admin/\">" + Html(c.t("fleet.filter")) +
                     " <select name=\"state\">";
  for (const char* s : {"all", "ok", "amber", "red", "never", "withdrawn"}) {
    body += std::string("<option value=\"") + s + "\"" + (filter == s ? " selected" : "") + ">" +
            Html(c.t(std::string("fleet.") + s)) + "</option>";
  }
  body += "</select> <select name=\"sort\">";
  for (const auto& [value, key] :
       {std::pair{"name", "col.name"}, {"state", "col.state"}, {"contact", "col.last_contact"}}) {
    body += std::string("<option value=\"") + value + "\"" + (sort == value ? " selected" : "") +
            ">" + Html(c.t(key)) + "</option>";
  }
  return body + "</select> <button type=\"submit\">OK</button></form>";
}

std::string ContactCell(const AdminWeb::Ctx& c, const FleetRow& r, int64_t now, int64_t off) {
  std::string contact = LocalTime(r.d.last_contact, off);
  if (r.state == "amber" || r.state == "red") {
    std::string silent(c.t("fleet.silent"));
    const size_t at = silent.find("%d");
    if (at != std::string::npos) silent.replace(at, 2, Int((now - r.d.last_contact) / 3600));
    contact += "<br><span class=\"silent\">" + Html(silent) + "</span>";
  }
  return contact;
}

// "12 (latest 14)", amber when the kiosk decides with an older registry than the latest.
std::string RegistryCell(const AdminWeb::Ctx& c, const FleetRow& r, int64_t latest_seq) {
  int64_t in_use = 0;
  if (r.status != nullptr) {
    in_use = r.status->registry_seq;
  } else if (r.tail.last_seq) {
    in_use = r.tail.bundle_seq;  // an old kiosk: the registry of its last entry
  } else {
    return Td(std::string(kDash) + " (" + Int(latest_seq) + ")", "n");
  }
  const bool behind = in_use < latest_seq;
  return Td(Int(in_use) + " (" + Int(latest_seq) + ")" +
                (behind ? " <span class=\"behind\">" + Html(c.t("fleet.behind")) + "</span>" : ""),
            behind ? "n amber" : "n");
}

// "%d" in a text replaced by n.
std::string Counted(std::string_view text, int64_t n) {
  std::string out(text);
  const size_t at = out.find("%d");
  if (at != std::string::npos) out.replace(at, 2, Int(n));
  return out;
}

// The alarms cell: conflicts and new journal chains, or "none".
std::string AlarmsCell(const AdminWeb::Ctx& c, const FleetRow& r) {
  std::string out;
  if (r.conflicts) out = Html(Counted(c.t("fleet.conflicts"), r.conflicts));
  if (r.new_chains) {
    out += (out.empty() ? "" : ", ") + Html(Counted(c.t("fleet.new_chains"), r.new_chains));
  }
  if (out.empty()) return Td(Html(c.t("none")));
  return Td(out, "red");
}

std::string RowHtml(const AdminWeb::Ctx& c, const FleetRow& r, int64_t now, int64_t off,
                    int64_t latest_seq) {
  const DeviceStatus* s = r.status;
  const std::string gaps =
      r.tail.last_seq > r.d.acked_seq ? "&gt; " + Int(r.d.acked_seq) : Html(c.t("none"));
  const bool undervolt = s != nullptr && s->undervoltage.value_or(false);
  return "<tr class=\"state-" + r.state + "\" data-name=\"" + Html(r.d.name) + "\">" +
         Td("<a href=\"/admin/kiosk?name=" + Html(UrlEncode(r.d.name)) + "\">" + Html(r.d.name) +
            "</a>") +
         Td(Html(c.t("fleet." + r.state)), "c") + Td(s ? ModeCell(*s) : kDash) +
         Td(ContactCell(c, r, now, off), "c") + Td(s ? Html(s->app_version) : kDash) +
         RegistryCell(c, r, latest_seq) + Td(Int(r.tail.last_seq), "n") +
         Td(Int(r.d.acked_seq), "n") + Td(gaps) +
         Td(FailedCell(c, s), s && !s->failed_scans.empty() ? "amber" : nullptr) +
         Td(s ? Int(s->clock_corrections) : kDash, "n") + AlarmsCell(c, r) +
         Td(s ? BytesCell(s->disk_free_bytes) : kDash, "n") +
         Td(s ? UptimeCell(s->uptime_seconds) : kDash, "n") +
         Td(PiCell(c, s), undervolt ? "red" : nullptr) + "</tr>";
}

}  // namespace

// Every kiosk, one row each, filtered by ?state= and sorted by ?sort=.
void AdminWeb::Fleet(Ctx& c) {
  const int64_t now = clock_.NowUnixSeconds();
  base::Result<std::vector<Device>> devices = store_.ListDevices();
  base::Result<std::optional<BundleRecord>> latest = store_.LatestBundle();
  base::Result<std::vector<Conflict>> conflicts = store_.ListConflicts();
  base::Result<std::vector<DeviceStatus>> statuses = store_.LatestStatuses();
  base::Result<std::vector<JournalChain>> chains = store_.ListChains();
  if (!devices.ok() || !latest.ok() || !conflicts.ok() || !statuses.ok() || !chains.ok())
    return Fail(c, 500, "store unavailable");
  std::map<int64_t, int64_t> conflicts_of, new_chains_of;
  for (const Conflict& x : *conflicts) ++conflicts_of[x.device_id];
  for (const JournalChain& x : *chains) new_chains_of[x.device_id] += x.chain > 1 ? 1 : 0;
  std::map<int64_t, const DeviceStatus*> status_of;
  for (const DeviceStatus& s : *statuses) status_of[s.device_id] = &s;
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
    if (auto it = status_of.find(d.id); it != status_of.end()) r.status = it->second;
    rows.push_back(std::move(r));
  }
  const std::string sort = c.req.arg("sort");
  std::stable_sort(rows.begin(), rows.end(), [&](const FleetRow& a, const FleetRow& b) {
    if (sort == "contact") return a.d.last_contact < b.d.last_contact;
    if (sort == "state") return StateRank(a.state) < StateRank(b.state);
    return a.d.name < b.d.name;
  });
  std::string body = FilterForm(c, filter, sort) + "<table id=\"fleet\"><thead><tr>";
  for (const char* k : {"col.name", "col.state", "col.mode", "col.last_contact", "col.app",
                        "col.registry", "col.journal", "col.acked", "col.gaps", "col.failed",
                        "col.clock", "col.alarms", "col.disk", "col.uptime", "col.pi"}) {
    body += "<th>" + Html(c.t(k)) + "</th>";
  }
  body += "</tr></thead><tbody>";
  const int64_t latest_seq = *latest ? (*latest)->seq : 0;
  for (const FleetRow& r : rows)
    body += RowHtml(c, r, now, options_.utc_offset_seconds, latest_seq);
  body += "</tbody></table><p>" + Int(static_cast<int64_t>(rows.size())) + " / " +
          Int(static_cast<int64_t>(devices->size())) + "</p>";
  if (c.is_operator())
    body += "<p><a href=\"/admin/enroll\">" + Html(c.t("act.enroll")) + "</a></p>";
  SendPage(c, c.t("nav.fleet"), body);
}

}  // namespace hub::web
