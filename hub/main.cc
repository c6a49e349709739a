// cardhub: the sync service (docs/hub.md, docs/hub-protocol.md).
#include <csignal>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/time_format.h"
#include "hub/admin.h"
#include "hub/server.h"
#include "hub/store.h"

namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  cardhub serve --listen HOST:PORT --data-dir DIR [--tls-cert FILE --tls-key FILE]"
    " [--config FILE]\n"
    "  cardhub enroll --data-dir DIR --device-pubkey FILE --name NAME [--config FILE]\n"
    "  cardhub withdraw --data-dir DIR --name NAME [--config FILE]\n"
    "  cardhub publish --data-dir DIR [--trust KEY.pem] FILE.ckbundle [--config FILE]\n"
    "  cardhub devices --data-dir DIR [--config FILE]\n"
    "  cardhub entries --data-dir DIR [--device NAME] [--config FILE]\n"
    "  cardhub report --data-dir DIR --from DATE --to DATE [--config FILE]\n"
    "  cardhub flags --data-dir DIR [--config FILE]\n";

struct Args {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
};

int Fail(const std::string& msg) {
  std::fprintf(stderr, "cardhub: %s\n", msg.c_str());
  return 1;
}

int UsageError(const std::string& msg) {
  std::fprintf(stderr, "cardhub: %s\n%s", msg.c_str(), kUsage);
  return 2;
}

// The date (local midnight of the kiosks) or a full date-time.
base::Result<int64_t> ParseDate(const std::string& text, int64_t utc_offset) {
  CK_ASSIGN_OR_RETURN(int64_t t, base::ParseIso8601(text));
  if (text.size() == 10) t -= utc_offset;
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return UsageError("a command is required");
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  static const std::map<std::string, std::vector<std::string>> kAllowed = {
      {"serve", {"--listen", "--data-dir", "--tls-cert", "--tls-key", "--config"}},
      {"enroll", {"--data-dir", "--device-pubkey", "--name", "--config"}},
      {"withdraw", {"--data-dir", "--name", "--config"}},
      {"publish", {"--data-dir", "--trust", "--config"}},
      {"devices", {"--data-dir", "--config"}},
      {"entries", {"--data-dir", "--device", "--config"}},
      {"report", {"--data-dir", "--from", "--to", "--config"}},
      {"flags", {"--data-dir", "--config"}},
  };
  auto allowed = kAllowed.find(cmd);
  if (allowed == kAllowed.end()) return UsageError("unknown command '" + cmd + "'");
  Args args;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      bool ok = false;
      for (const std::string& f : allowed->second) ok = ok || f == a;
      if (!ok) return UsageError("unknown option " + a + " for " + cmd);
      if (i + 1 >= argc) return UsageError(a + " needs a value");
      if (args.flags.count(a)) return UsageError(a + " given twice");
      args.flags[a] = argv[++i];
    } else {
      args.positional.push_back(a);
    }
  }
  auto flag = [&](const char* name) -> std::optional<std::string> {
    auto it = args.flags.find(name);
    if (it == args.flags.end()) return std::nullopt;
    return it->second;
  };
  std::optional<std::string> data_dir = flag("--data-dir");
  if (!data_dir) return UsageError("--data-dir is required");
  if (cmd != "publish" && !args.positional.empty()) {
    return UsageError("unexpected argument '" + args.positional[0] + "'");
  }
  hub::Config config;
  if (auto path = flag("--config")) {
    base::Result<hub::Config> c = hub::LoadConfig(*path);
    if (!c.ok()) return Fail(c.status().ToString());
    config = *c;
  }
  base::SystemClock clock;
  const int64_t now = clock.NowUnixSeconds();

  // Check serve's arguments before touching the store.
  hub::ServeOptions serve;
  if (cmd == "serve") {
    std::optional<std::string> listen = flag("--listen");
    if (!listen) return UsageError("--listen HOST:PORT is required");
    base::Status st = hub::ParseListen(*listen, &serve.host, &serve.port);
    if (!st.ok()) return UsageError(st.message());
    serve.data_dir = *data_dir;
    serve.tls_cert = flag("--tls-cert").value_or("");
    serve.tls_key = flag("--tls-key").value_or("");
    if (serve.tls_cert.empty() != serve.tls_key.empty()) {
      return UsageError("--tls-cert and --tls-key go together");
    }
    if (serve.tls_cert.empty() && !hub::IsLoopbackHost(serve.host)) {
      return Fail("refusing to serve plain HTTP on " + serve.host +
                  ": give --tls-cert and --tls-key, or listen on a loopback address "
                  "(127.0.0.1, ::1)");
    }
  }

  base::Result<std::unique_ptr<hub::HubStore>> store = hub::OpenStore(*data_dir, config);
  if (!store.ok()) return Fail("opening the store: " + store.status().ToString());
  hub::HubStore& s = **store;
  base::Status st;
  if (cmd == "serve") {
    std::signal(SIGPIPE, SIG_IGN);
    st = hub::Serve(serve, s, clock);
  } else if (cmd == "enroll") {
    auto key = flag("--device-pubkey");
    auto name = flag("--name");
    if (!key || !name) return UsageError("--device-pubkey and --name are required");
    st = hub::Enroll(s, *key, *name, now, stdout);
  } else if (cmd == "withdraw") {
    auto name = flag("--name");
    if (!name) return UsageError("--name is required");
    st = hub::Withdraw(s, *name, stdout);
  } else if (cmd == "publish") {
    if (args.positional.size() != 1) return UsageError("publish takes one FILE.ckbundle");
    st = hub::Publish(s, *data_dir, args.positional[0], flag("--trust"), now, stdout);
  } else if (cmd == "devices") {
    st = hub::ListDevices(s, stdout);
  } else if (cmd == "entries") {
    st = hub::ListEntries(s, flag("--device"), stdout);
  } else if (cmd == "report") {
    auto from = flag("--from");
    auto to = flag("--to");
    if (!from || !to) return UsageError("--from and --to are required");
    base::Result<int64_t> f = ParseDate(*from, config.utc_offset_seconds);
    base::Result<int64_t> t = ParseDate(*to, config.utc_offset_seconds);
    if (!f.ok() || !t.ok()) return UsageError("--from/--to: YYYY-MM-DD or an ISO 8601 time");
    // A date for --to includes that whole day.
    int64_t end = to->size() == 10 ? *t + 86400 : *t;
    st = hub::Report(s, *f, end, stdout);
  } else if (cmd == "flags") {
    st = hub::Flags(s, *data_dir, config.utc_offset_seconds, stdout);
  }
  std::fflush(stdout);
  if (!st.ok()) return Fail(st.ToString());
  return 0;
}
