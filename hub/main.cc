// cardhub: the sync service (docs/hub.md, docs/hub-protocol.md).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/fs.h"
#include "base/time_format.h"
#include "hub/admin.h"
#include "hub/admin_cli.h"
#include "hub/import.h"
#include "hub/report.h"
#include "hub/server.h"
#include "hub/store.h"

namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  cardhub serve --listen HOST:PORT --data-dir DIR [--tls-cert FILE --tls-key FILE]"
    " [--trust-proxy ADDR] [--config FILE]\n"
    "  cardhub enroll --data-dir DIR --device-pubkey FILE --name NAME [--config FILE]\n"
    "  cardhub withdraw --data-dir DIR --name NAME [--config FILE]\n"
    "  cardhub publish --data-dir DIR [--trust KEY.pem] FILE.ckbundle [--config FILE]\n"
    "  cardhub import --data-dir DIR FILE.ckjournal... [--config FILE]\n"
    "  cardhub acks --data-dir DIR --bundle-key KEY.pem --out-dir DIR [--config FILE]\n"
    "  cardhub devices --data-dir DIR [--config FILE]\n"
    "  cardhub entries --data-dir DIR [--device NAME] [--config FILE]\n"
    "  cardhub report --data-dir DIR (--month YYYY-MM | --from DATE --to DATE)"
    " [--by partner|offer|device|day] [--format csv|xlsx] [--out FILE] [--config FILE]\n"
    "  cardhub cashback --data-dir DIR --month YYYY-MM [--out FILE.csv] [--config FILE]\n"
    "  cardhub flags --data-dir DIR [--format text|csv] [--out FILE] [--config FILE]\n"
    "  cardhub admin add --data-dir DIR --name NAME [--role viewer|operator]"
    " [--pbkdf2-iterations N]   (password from the terminal, or stdin's first line)\n"
    "  cardhub admin remove --data-dir DIR --name NAME\n"
    "  cardhub admin list --data-dir DIR\n"
    "  cardhub version\n";

struct Args {
  std::string cmd;
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;

  std::optional<std::string> flag(const char* name) const {
    auto it = flags.find(name);
    if (it == flags.end()) return std::nullopt;
    return it->second;
  }
};

// What a command runs with; main() owns each part.
struct Context {
  const Args& args;
  const std::string& data_dir;
  const hub::Config& config;
  const base::Clock& clock;
  base::FileSystem& fs;
  hub::HubStore& store;
  int64_t now = 0;
};

int Fail(const std::string& msg) {
  std::fprintf(stderr, "cardhub: %s\n", msg.c_str());
  return 1;
}

int UsageError(const std::string& msg) {
  std::fprintf(stderr, "cardhub: %s\n%s", msg.c_str(), kUsage);
  return 2;
}

// The exit status of a finished command.
int Done(const base::Status& st) {
  std::fflush(stdout);
  if (!st.ok()) return Fail(st.ToString());
  return 0;
}

// The date (local midnight of the kiosks) or a full date-time.
base::Result<int64_t> ParseDate(const std::string& text, int64_t utc_offset) {
  CK_ASSIGN_OR_RETURN(int64_t t, base::ParseIso8601(text));
  if (text.size() == 10) t -= utc_offset;
  return t;
}

// The options each command takes.
const std::map<std::string, std::vector<std::string>>& AllowedFlags() {
  static const std::map<std::string, std::vector<std::string>> kAllowed = {
      {"serve", {"--listen", "--data-dir", "--tls-cert", "--tls-key", "--trust-proxy", "--config"}},
      {"enroll", {"--data-dir", "--device-pubkey", "--name", "--config"}},
      {"withdraw", {"--data-dir", "--name", "--config"}},
      {"publish", {"--data-dir", "--trust", "--config"}},
      {"import", {"--data-dir", "--config"}},
      {"acks", {"--data-dir", "--bundle-key", "--out-dir", "--config"}},
      {"devices", {"--data-dir", "--config"}},
      {"entries", {"--data-dir", "--device", "--config"}},
      {"report",
       {"--data-dir", "--month", "--from", "--to", "--by", "--format", "--out", "--config"}},
      {"cashback", {"--data-dir", "--month", "--out", "--config"}},
      {"flags", {"--data-dir", "--format", "--out", "--config"}},
      {"admin", {"--data-dir", "--name", "--role", "--pbkdf2-iterations"}},
  };
  return kAllowed;
}

// Splits argv[2..] into the command's flags and positional arguments; 0, or the exit status of a
// usage error.
int ParseArgs(int argc, char** argv, Args* args) {
  auto allowed = AllowedFlags().find(args->cmd);
  if (allowed == AllowedFlags().end()) return UsageError("unknown command '" + args->cmd + "'");
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      bool ok = false;
      for (const std::string& f : allowed->second) ok = ok || f == a;
      if (!ok) return UsageError("unknown option " + a + " for " + args->cmd);
      if (i + 1 >= argc) return UsageError(a + " needs a value");
      if (args->flags.count(a)) return UsageError(a + " given twice");
      args->flags[a] = argv[++i];
    } else {
      args->positional.push_back(a);
    }
  }
  if (!args->flag("--data-dir")) return UsageError("--data-dir is required");
  if (args->cmd == "admin" && args->positional.size() != 1) {
    return UsageError("admin takes one of add, remove, list");
  }
  if (args->cmd != "publish" && args->cmd != "import" && args->cmd != "admin" &&
      !args->positional.empty()) {
    return UsageError("unexpected argument '" + args->positional[0] + "'");
  }
  return 0;
}

// serve's arguments, checked before the store is touched; 0 or the exit status.
int ParseServe(const Args& args, hub::ServeOptions* serve) {
  std::optional<std::string> listen = args.flag("--listen");
  if (!listen) return UsageError("--listen HOST:PORT is required");
  base::Status st = hub::ParseListen(*listen, &serve->host, &serve->port);
  if (!st.ok()) return UsageError(st.message());
  serve->data_dir = *args.flag("--data-dir");
  serve->tls_cert = args.flag("--tls-cert").value_or("");
  serve->tls_key = args.flag("--tls-key").value_or("");
  serve->trust_proxy = args.flag("--trust-proxy").value_or("");
  if (serve->tls_cert.empty() != serve->tls_key.empty()) {
    return UsageError("--tls-cert and --tls-key go together");
  }
  if (serve->tls_cert.empty() && !hub::IsLoopbackHost(serve->host)) {
    return Fail("refusing to serve plain HTTP on " + serve->host +
                ": give --tls-cert and --tls-key, or listen on a loopback address "
                "(127.0.0.1, ::1)");
  }
  return 0;
}

int RunEnroll(const Context& c) {
  auto key = c.args.flag("--device-pubkey");
  auto name = c.args.flag("--name");
  if (!key || !name) return UsageError("--device-pubkey and --name are required");
  return Done(hub::Enroll(c.store, *key, *name, c.now, stdout));
}

int RunWithdraw(const Context& c) {
  auto name = c.args.flag("--name");
  if (!name) return UsageError("--name is required");
  return Done(hub::Withdraw(c.store, *name, stdout));
}

int RunPublish(const Context& c) {
  if (c.args.positional.size() != 1) return UsageError("publish takes one FILE.ckbundle");
  return Done(hub::Publish(c.store, c.fs, c.data_dir, c.args.positional[0], c.args.flag("--trust"),
                           c.now, stdout));
}

// Exit 0 when every file was stored or already held, 1 when any was refused, 2 when any could not
// be read.
int RunImport(const Context& c) {
  if (c.args.positional.empty()) return UsageError("import takes one or more FILE.ckjournal");
  hub::ImportTally tally = hub::ImportFiles(c.store, c.fs, c.args.positional, c.now, stdout);
  return tally.ExitStatus();
}

// --from/--to: a month YYYY-MM (its first day / its whole), a date YYYY-MM-DD (local midnight /
// that whole day) or an ISO 8601 time (taken as given, --to exclusive).
base::Result<int64_t> PeriodEdge(const std::string& text, bool is_end, int64_t utc_offset) {
  if (text.size() == 7) {
    CK_ASSIGN_OR_RETURN(hub::ReportPeriod month, hub::MonthPeriod(text, utc_offset));
    return is_end ? month.to : month.from;
  }
  base::Result<int64_t> t = ParseDate(text, utc_offset);
  if (!t.ok()) return base::InvalidArgument("'" + text + "': YYYY-MM, YYYY-MM-DD or ISO 8601");
  return is_end && text.size() == 10 ? *t + 86400 : *t;
}

base::Result<hub::ReportPeriod> ReportPeriodOf(const Args& args, int64_t utc_offset) {
  auto month = args.flag("--month");
  auto from = args.flag("--from");
  auto to = args.flag("--to");
  if (month && (from || to)) return base::InvalidArgument("give --month or --from/--to, not both");
  if (month) return hub::MonthPeriod(*month, utc_offset);
  if (!from || !to) return base::InvalidArgument("--month YYYY-MM or --from DATE --to DATE");
  hub::ReportPeriod p;
  CK_ASSIGN_OR_RETURN(p.from, PeriodEdge(*from, false, utc_offset));
  CK_ASSIGN_OR_RETURN(p.to, PeriodEdge(*to, true, utc_offset));
  if (p.to <= p.from) return base::InvalidArgument("--to must be after --from");
  p.label = *from + " - " + *to;
  return p;
}

int RunReport(const Context& c) {
  base::Result<hub::ReportPeriod> period = ReportPeriodOf(c.args, c.config.utc_offset_seconds);
  if (!period.ok()) return UsageError(period.status().message());
  base::Result<hub::ReportBy> by = hub::ParseReportBy(c.args.flag("--by").value_or("partner"));
  if (!by.ok()) return UsageError(by.status().message());
  const std::string format = c.args.flag("--format").value_or("csv");
  if (format != "csv" && format != "xlsx") return UsageError("--format must be csv or xlsx");
  auto out = c.args.flag("--out");
  if (format == "xlsx" && !out) return UsageError("--format xlsx needs --out FILE.xlsx");
  base::Result<hub::Settlement> s =
      hub::BuildSettlement(c.store, c.fs, c.data_dir, *period, *by, c.config.utc_offset_seconds);
  if (!s.ok()) return Done(s.status());
  if (format == "xlsx") return Done(hub::WriteSettlementXlsx(*s, c.fs, *out));
  const std::string csv = hub::SettlementCsv(*s);
  if (out) return Done(base::WriteFileAtomic(c.fs, *out, csv, 0644));
  std::fwrite(csv.data(), 1, csv.size(), stdout);
  return Done(base::Status::Ok());
}

// Accrued cashback per member per partner over a month, as CSV (stdout or --out).
int RunCashback(const Context& c) {
  auto month = c.args.flag("--month");
  if (!month) return UsageError("--month YYYY-MM is required");
  base::Result<hub::ReportPeriod> period = hub::MonthPeriod(*month, c.config.utc_offset_seconds);
  if (!period.ok()) return UsageError(period.status().message());
  base::Result<std::string> csv = hub::CashbackCsv(c.store, c.fs, c.data_dir, *period);
  if (!csv.ok()) return Done(csv.status());
  if (auto out = c.args.flag("--out")) return Done(base::WriteFileAtomic(c.fs, *out, *csv, 0644));
  std::fwrite(csv->data(), 1, csv->size(), stdout);
  return Done(base::Status::Ok());
}

// The flags as text lines (stdout) or, --format csv, as CSV (stdout or --out).
int RunFlags(const Context& c) {
  const std::string format = c.args.flag("--format").value_or("text");
  if (format != "text" && format != "csv") {
    return UsageError("--format: text or csv, got '" + format + "'");
  }
  auto out = c.args.flag("--out");
  if (format == "text") {
    if (out) return UsageError("--out is for --format csv");
    return Done(hub::Flags(c.store, c.fs, c.data_dir, c.config.utc_offset_seconds, c.now, stdout));
  }
  base::Result<std::string> csv =
      hub::FlagsCsv(c.store, c.fs, c.data_dir, c.config.utc_offset_seconds, c.now);
  if (!csv.ok()) return Done(csv.status());
  if (out) return Done(base::WriteFileAtomic(c.fs, *out, *csv, 0644));
  std::fwrite(csv->data(), 1, csv->size(), stdout);
  return Done(base::Status::Ok());
}

// `cardhub admin add|remove|list` (the accounts file; no store).
int RunAdminAccounts(const Args& args, const std::string& data_dir) {
  hub::AdminCommand cmd{.action = args.positional[0],
                        .data_dir = data_dir,
                        .name = args.flag("--name").value_or(""),
                        .role = args.flag("--role").value_or("operator"),
                        .now = base::SystemClock().NowUnixSeconds()};
  if (auto n = args.flag("--pbkdf2-iterations")) {
    char* end = nullptr;
    cmd.iterations = std::strtoll(n->c_str(), &end, 10);
    if (end == n->c_str() || *end != '\0' || cmd.iterations < 1000 ||
        cmd.iterations > 100'000'000) {
      return UsageError("--pbkdf2-iterations: a number from 1000 to 100000000, got '" + *n + "'");
    }
  }
  if (cmd.action != "add" && (args.flag("--role") || args.flag("--pbkdf2-iterations"))) {
    return UsageError("--role and --pbkdf2-iterations are for admin add");
  }
  base::Status st = hub::RunAdminAccounts(cmd, stdin, stdout, stderr);
  if (!st.ok() && st.code() == base::StatusCode::kInvalidArgument) return UsageError(st.message());
  return Done(st);
}

// Every command but serve, on the opened store.
int RunAdmin(const Context& c) {
  const std::string& cmd = c.args.cmd;
  if (cmd == "enroll") return RunEnroll(c);
  if (cmd == "withdraw") return RunWithdraw(c);
  if (cmd == "publish") return RunPublish(c);
  if (cmd == "import") return RunImport(c);
  if (cmd == "acks") {
    auto key = c.args.flag("--bundle-key");
    auto dir = c.args.flag("--out-dir");
    if (!key || !dir) return UsageError("--bundle-key and --out-dir are required");
    return Done(hub::WriteAcks(c.store, c.fs, *key, *dir, c.now, stdout));
  }
  if (cmd == "devices") return Done(hub::ListDevices(c.store, stdout));
  if (cmd == "entries") return Done(hub::ListEntries(c.store, c.args.flag("--device"), stdout));
  if (cmd == "report") return RunReport(c);
  if (cmd == "cashback") return RunCashback(c);
  if (cmd == "flags") return RunFlags(c);
  return UsageError("unknown command '" + cmd + "'");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return UsageError("a command is required");
  Args args;
  args.cmd = argv[1];
  if (args.cmd == "--help" || args.cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args.cmd == "version" || args.cmd == "--version") {
    std::printf("cardhub %s\n", hub::kHubVersion);
    return 0;
  }
  if (int rc = ParseArgs(argc, argv, &args); rc != 0) return rc;
  const std::string data_dir = *args.flag("--data-dir");
  if (args.cmd == "admin") return RunAdminAccounts(args, data_dir);
  hub::Config config;
  if (auto path = args.flag("--config")) {
    base::Result<hub::Config> c = hub::LoadConfig(*path);
    if (!c.ok()) return Fail(c.status().ToString());
    config = *c;
  }
  hub::ServeOptions serve;
  serve.limits = config.limits;
  serve.record_contacts = config.record_contacts;
  serve.contact_interval_seconds = config.contact_interval_seconds;
  serve.utc_offset_seconds = config.utc_offset_seconds;
  if (args.cmd == "serve") {
    if (int rc = ParseServe(args, &serve); rc != 0) return rc;
  }
  base::SystemClock clock;
  base::PosixFileSystem fs;  // the real filesystem, handed down from here
  base::Result<std::unique_ptr<hub::HubStore>> store = hub::OpenStore(data_dir, config);
  if (!store.ok()) return Fail("opening the store: " + store.status().ToString());
  if (args.cmd == "serve") {
    std::signal(SIGPIPE, SIG_IGN);
    return Done(hub::Serve(serve, **store, fs, clock));
  }
  return RunAdmin({args, data_dir, config, clock, fs, **store, clock.NowUnixSeconds()});
}
