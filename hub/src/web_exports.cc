// The Exports page (every `cardhub report` as CSV and XLSX) and the Audit page.
#include "base/file.h"
#include "hub/report.h"
#include "web.h"

namespace hub::web {

void AdminWeb::Exports(Ctx& c) {
  const std::string month =
      LocalTime(clock_.NowUnixSeconds(), options_.utc_offset_seconds).substr(0, 7);
  std::string body = "<div class=\"box\"><h2>" + Html(c.t("report.settlement")) +
                     "</h2><form method=\"get\" action=\"/admin/export\" id=\"export\"><label>" +
                     Html(c.t("report.month")) +
                     "</label><input type=\"text\" name=\"month\" value=\"" + Html(month) +
                     "\" pattern=\"[0-9]{4}-[0-9]{2}\" required><label>" + Html(c.t("report.by")) +
                     "</label><select name=\"by\">";
  for (const char* by : {"partner", "offer", "device", "day"}) {
    body += std::string("<option>") + by + "</option>";
  }
  body +=
      "</select><p><button type=\"submit\" name=\"format\" value=\"csv\">CSV</button> "
      "<button type=\"submit\" name=\"format\" value=\"xlsx\">XLSX</button></p></form></div>";
  body += "<div class=\"box\"><h2>" + Html(c.t("report.cashback")) +
          "</h2><form method=\"get\" action=\"/admin/export\"><input type=\"hidden\" "
          "name=\"report\" value=\"cashback\"><label>" +
          Html(c.t("report.month")) + "</label><input type=\"text\" name=\"month\" value=\"" +
          Html(month) +
          "\" pattern=\"[0-9]{4}-[0-9]{2}\" required><p><button type=\"submit\" "
          "name=\"format\" value=\"csv\">CSV</button></p></form></div>";
  SendPage(c, c.t("nav.exports"), body);
}

// The settlement as CSV or XLSX, or the cashback CSV, as a download.
void AdminWeb::Export(Ctx& c) {
  const int64_t off = options_.utc_offset_seconds;
  const std::string month = c.req.arg("month"), format = c.req.arg("format");
  base::Result<ReportPeriod> period = MonthPeriod(month, off);
  if (!period.ok()) return Fail(c, 400, "month: " + period.status().message());
  if (format != "csv" && format != "xlsx") return Fail(c, 400, "format must be csv or xlsx");
  const std::string what = c.req.arg("report") == "cashback" ? "cashback" : "settlement";
  std::string name = "cardhub-" + what + "-" + month;
  std::string data;
  if (what == "cashback") {
    if (format != "csv") return Fail(c, 400, "the cashback report is CSV only");
    base::Result<std::string> csv = CashbackCsv(store_, fs_, options_.data_dir, *period);
    if (!csv.ok()) return Fail(c, 500, csv.status().message());
    data = std::move(csv).value();
  } else {
    base::Result<ReportBy> by =
        ParseReportBy(c.req.arg("by").empty() ? "partner" : c.req.arg("by"));
    if (!by.ok()) return Fail(c, 400, by.status().message());
    name += "-" + c.req.arg("by");
    base::Result<Settlement> s = BuildSettlement(store_, fs_, options_.data_dir, *period, *by, off);
    if (!s.ok()) return Fail(c, 500, s.status().message());
    if (format == "csv") {
      data = SettlementCsv(*s);
    } else {
      const std::string tmp =
          options_.data_dir + "/export-" + RandomToken().substr(0, 16) + ".xlsx";
      base::Status st = WriteSettlementXlsx(*s, fs_, tmp);
      base::Result<std::string> bytes =
          st.ok() ? base::ReadFile(tmp, size_t{256} << 20) : base::Result<std::string>(st);
      (void)fs_.Remove(tmp);
      if (!bytes.ok()) return Fail(c, 500, bytes.status().message());
      data = std::move(bytes).value();
    }
  }
  Audit(c, "export", name + "." + format, "ok");
  c.res.set_header("Content-Disposition", "attachment; filename=\"" + name + "." + format + "\"");
  c.res.set_content(std::move(data), format == "csv"
                                         ? "text/csv; charset=utf-8"
                                         : "application/vnd.openxmlformats-officedocument."
                                           "spreadsheetml.sheet");
}

void AdminWeb::AuditPage(Ctx& c) {
  base::Result<std::vector<AuditRecord>> records = audit_.Newest(500);
  if (!records.ok()) return Fail(c, 500, records.status().message());
  std::string body = "<table id=\"audit\"><tr><th>" + Html(c.t("col.time")) + "</th><th>" +
                     Html(c.t("audit.user")) + "</th><th>" + Html(c.t("audit.address")) +
                     "</th><th>" + Html(c.t("audit.action")) + "</th><th>" +
                     Html(c.t("col.detail")) + "</th><th>" + Html(c.t("audit.outcome")) +
                     "</th></tr>";
  for (const AuditRecord& r : *records) {
    body += "<tr><td>" + LocalTime(r.time, options_.utc_offset_seconds) + "</td><td>" +
            Html(r.user) + "</td><td>" + Html(r.address) + "</td><td>" + Html(r.action) +
            "</td><td>" + Html(r.detail) + "</td><td>" + Html(r.outcome) + "</td></tr>";
  }
  body += "</table>";
  SendPage(c, c.t("nav.audit"), body);
}

}  // namespace hub::web
