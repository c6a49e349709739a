#include "hub/server.h"

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "base/hex.h"
#include "base/text.h"
#include "card/crypto.h"
#include "deltas.h"
#include "http_server.h"
#include "hub/intake.h"
#include "protocol/hub_url.h"
#include "protocol/paths.h"
#include "protocol/signing.h"
#include "protocol/status_report.h"
#include "status_intake.h"
#include "web.h"

namespace hub {
namespace {

using json = nlohmann::json;

std::string_view CodeForStatus(int status) {
  switch (status) {
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "FORBIDDEN";
    case 404:
    case 405:
      return "NOT_FOUND";
    case 413:
      return "TOO_LARGE";
    case 409:
      return "CONFLICT";
    case 416:
      return "BAD_RANGE";
    default:
      return status >= 500 ? "INTERNAL" : "BAD_BATCH";
  }
}

using http::Request;
using http::Response;

// The answer to a refused batch (docs/hub-protocol.md, POST /v1/journal).
int HttpStatusOf(BatchRefusal why, base::StatusCode code) {
  switch (why) {
    case BatchRefusal::kUnknownDevice:
      return 401;
    case BatchRefusal::kWithdrawn:
    case BatchRefusal::kWrongSigner:
      return 403;
    case BatchRefusal::kNotABatch:
    case BatchRefusal::kBadSignature:
    case BatchRefusal::kBadBody:
    case BatchRefusal::kBadEntry:
    case BatchRefusal::kFromTheFuture:
      return 422;
    case BatchRefusal::kRefusedByStore:
      if (code == base::StatusCode::kInvalidArgument) return 400;
      if (code == base::StatusCode::kAlreadyExists || code == base::StatusCode::kFailedPrecondition)
        return 409;
      return 500;
    default:
      return 500;
  }
}

void SetError(Response& res, int status, std::string_view message,
              const json& extra = json::object()) {
  json body = extra;
  if (!body.contains("error")) body["error"] = CodeForStatus(status);
  body["message"] = message;
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// Accepts "bytes=N-" and "bytes=N-M"; nullopt when malformed.
std::optional<std::pair<uint64_t, std::optional<uint64_t>>> ParseRange(std::string_view v) {
  constexpr std::string_view kPrefix = "bytes=";
  if (v.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  v.remove_prefix(kPrefix.size());
  size_t dash = v.find('-');
  if (dash == 0 || dash == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view s) -> std::optional<uint64_t> {
    if (s.empty() || s.size() > 18) return std::nullopt;
    uint64_t n = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    return n;
  };
  std::optional<uint64_t> first = number(v.substr(0, dash));
  if (!first) return std::nullopt;
  std::string_view last_text = v.substr(dash + 1);
  if (last_text.empty()) return std::make_pair(*first, std::optional<uint64_t>());
  std::optional<uint64_t> last = number(last_text);
  if (!last || *last < *first) return std::nullopt;
  return std::make_pair(*first, last);
}

bool EtagMatches(const std::string& header, const std::string& etag) {
  if (header == "*") return true;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    if (comma == std::string::npos) comma = header.size();
    std::string part = header.substr(pos, comma - pos);
    size_t b = part.find_first_not_of(" \t");
    size_t e = part.find_last_not_of(" \t");
    if (b != std::string::npos) {
      part = part.substr(b, e - b + 1);
      if (part.rfind("W/", 0) == 0) part = part.substr(2);
      if (part == etag) return true;
    }
    pos = comma + 1;
  }
  return false;
}

class Hub {
 public:
  Hub(const ServeOptions& options, HubStore& store, base::FileSystem& fs, const base::Clock& clock)
      : options_(options),
        store_(store),
        clock_(clock),
        contacts_(store, options.record_contacts, options.contact_interval_seconds),
        admin_(web::WebOptions{.data_dir = options.data_dir,
                               .tls = !options.tls_cert.empty(),
                               .utc_offset_seconds = options.utc_offset_seconds},
               store, fs, clock) {}

  // Routes one request, answering errors as JSON (docs/hub-protocol.md).
  void Handle(const Request& req, Response& res) {
    try {
      Route(req, res);
    } catch (const std::exception& e) {
      res = Response();
      Log(req, 500, "", e.what());
      SetError(res, 500, "internal error");
    }
  }

 private:
  void Route(const Request& req, Response& res) {
    const bool get = req.method == "GET" || req.method == "HEAD";
    if (req.body_too_large) {
      Refuse(req, res, 413, "", "body larger than 8 MiB");
    } else if (web::AdminWeb::IsAdminPath(req.path)) {
      admin_.Handle(req, res);
    } else if (get && req.path == "/") {
      res.status = 303;
      res.set_header("Location", "/admin/");
    } else if (get && req.path == ck_protocol::kHealthPath) {
      GetHealth(res);
    } else if (get && req.path == ck_protocol::kBundlePath) {
      GetBundle(req, res);
    } else if (req.method == "POST" && req.path == ck_protocol::kJournalPath) {
      PostJournal(req, res);
    } else if (req.method == "POST" && req.path == ck_protocol::kStatusPath) {
      PostStatus(req, res);
    } else {
      Refuse(req, res, 404, "", "no such endpoint");
    }
  }

  void GetHealth(Response& res) {
    json body = {{"ok", true}, {"version", kHubVersion}, {"bundle_seq", 0}};
    base::Result<std::optional<BundleRecord>> latest = store_.LatestBundle();
    if (!latest.ok()) {
      SetError(res, 500, "store: " + latest.status().message());
      return;
    }
    if (*latest) body["bundle_seq"] = (*latest)->seq;
    res.set_content(body.dump(), "application/json");
  }

  // The client's address for the log: the TCP peer, or, when that is the trusted reverse proxy,
  // the last address it appended to X-Forwarded-For.
  std::string ClientForLog(const Request& req) const {
    std::string peer = req.remote_addr;
    peer.append(":").append(std::to_string(req.remote_port));
    if (options_.trust_proxy.empty() || req.remote_addr != options_.trust_proxy) return peer;
    std::string xff = req.header("X-Forwarded-For");
    if (xff.empty()) return peer;
    size_t comma = xff.rfind(',');
    std::string client(base::TrimBlanks(comma == std::string::npos ? xff : xff.substr(comma + 1)));
    if (client.empty() || client.size() > 64 ||
        client.find_first_not_of("0123456789abcdefABCDEF.:[]") != std::string::npos) {
      return peer;
    }
    return client.append(" via ").append(peer);
  }

  void Log(const Request& req, int status, const std::string& kid, const std::string& msg) {
    std::fprintf(stderr, "cardhub: refused %s %s from %s kid=%s: %d %s\n", req.method.c_str(),
                 req.path.c_str(), ClientForLog(req).c_str(), kid.empty() ? "-" : kid.c_str(),
                 status, msg.c_str());
    std::fflush(stderr);
  }

  void Refuse(const Request& req, Response& res, int status, const std::string& kid,
              const std::string& msg, const json& extra = json::object()) {
    Log(req, status, kid, msg);
    SetError(res, status, msg, extra);
  }

  // The enrolled, active device that signed this request; or an error answer already set.
  std::optional<Device> Authenticate(const Request& req, Response& res) {
    if (!req.has_header("Authorization")) {
      Refuse(req, res, 401, "", "missing Authorization header");
      return std::nullopt;
    }
    base::Result<ck_protocol::DeviceAuth> auth =
        ck_protocol::ParseAuthHeader(req.header("Authorization"));
    if (!auth.ok()) {
      Refuse(req, res, 401, "", auth.status().message());
      return std::nullopt;
    }
    std::string kid = base::ToHex(auth->kid);
    BatchRefusal why = BatchRefusal::kNone;
    base::Result<Device> dev = EnrolledDevice(store_, auth->kid, &why);
    if (!dev.ok()) {
      const int status = why == BatchRefusal::kUnknownDevice ? 401
                         : why == BatchRefusal::kWithdrawn   ? 403
                                                             : 500;
      Refuse(req, res, status, kid, (status == 500 ? "store: " : "") + dev.status().message());
      return std::nullopt;
    }
    base::Result<card::PublicKey> pub = DeviceKey(*dev);
    if (!pub.ok()) {
      Refuse(req, res, 500, kid, "enrolled key unreadable: " + pub.status().message());
      return std::nullopt;
    }
    base::Status st = ck_protocol::VerifyRequest(*pub, *auth, req.method, req.path,
                                                 base::AsBytes(req.body), clock_.NowUnixSeconds());
    if (!st.ok()) {
      Refuse(req, res, 401, kid, st.message());
      return std::nullopt;
    }
    (void)store_.TouchDevice(dev->id, clock_.NowUnixSeconds());
    return *dev;
  }

  // The bytes of the bundle file last sent (the latest full one, or a delta), cached until
  // another is asked for. Published files are never rewritten under the same name.
  std::shared_ptr<const std::string> LoadBundle(const std::string& file, std::string* error) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (cached_ && cached_file_ == file) return cached_;
    base::Result<std::string> data =
        base::ReadFile(options_.data_dir + "/" + file, kMaxBundleFileBytes);
    if (!data.ok()) {
      *error = data.status().ToString();
      return nullptr;
    }
    cached_ = std::make_shared<const std::string>(std::move(data).value());
    cached_file_ = file;
    return cached_;
  }

  // The kiosk's applied seq, when it says it takes deltas.
  static std::optional<int64_t> RegistrySeqOf(const Request& req) {
    if (!req.has_header(ck_protocol::kRegistrySeqHeader)) return std::nullopt;
    const std::string v = req.header(ck_protocol::kRegistrySeqHeader);
    int64_t seq = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seq);
    if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
    return seq;
  }

  void GetBundle(const Request& req, Response& res) {
    std::optional<Device> dev = Authenticate(req, res);
    if (!dev) return;
    ContactNote note(contacts_, clock_.NowUnixSeconds(), *dev, "bundle", res);
    base::Result<std::optional<BundleRecord>> latest = store_.LatestBundle();
    if (!latest.ok()) {
      Refuse(req, res, 500, dev->kid_hex, "store: " + latest.status().message());
      return;
    }
    if (!*latest) {
      SetError(res, 404, "no bundle published yet");
      return;
    }
    if (req.has_header("If-None-Match") &&
        EtagMatches(req.header("If-None-Match"), FullEtag((*latest)->seq))) {
      res.set_header("ETag", FullEtag((*latest)->seq));
      res.status = 304;
      note.detail = "up to date at " + FullEtag((*latest)->seq);
      return;
    }
    const std::optional<int64_t> have = RegistrySeqOf(req);
    const BundleChoice choice = ChooseBundle(
        **latest, have ? ListDeltas(options_.data_dir) : std::vector<DeltaFile>{}, have);
    std::string error;
    std::shared_ptr<const std::string> data = LoadBundle(choice.file, &error);
    if (!data) {
      Refuse(req, res, 500, dev->kid_hex, "bundle file: " + error);
      return;
    }
    const std::string& etag = choice.etag;
    note.detail = "sent " + etag;
    res.set_header("ETag", etag);
    res.set_header("Accept-Ranges", "bytes");
    const uint64_t size = data->size();
    bool use_range = req.has_header("Range");
    if (use_range && req.has_header("If-Range") && req.header("If-Range") != etag) {
      use_range = false;  // the bundle changed: the whole new one
    }
    if (use_range) {
      auto range = ParseRange(req.header("Range"));
      if (!range || range->first >= size) {
        res.set_header("Content-Range", "bytes */" + std::to_string(size));
        Refuse(req, res, 416, dev->kid_hex,
               "unsatisfiable range '" + req.header("Range") + "' for " + std::to_string(size) +
                   " bytes");
        return;
      }
      uint64_t last = range->second ? std::min(*range->second, size - 1) : size - 1;
      res.status = 206;
      note.detail += " from byte " + std::to_string(range->first);
      res.set_header("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                          std::to_string(last) + "/" + std::to_string(size));
      // Both below the size of a file in memory: they fit a size_t.
      res.set_shared_content(data, static_cast<size_t>(range->first),
                             static_cast<size_t>(last - range->first + 1),
                             "application/octet-stream");
      return;
    }
    res.status = 200;
    res.set_shared_content(data, 0, data->size(), "application/octet-stream");
  }

  void PostJournal(const Request& req, Response& res) {
    std::optional<Device> dev = Authenticate(req, res);
    if (!dev) return;
    ContactNote note(contacts_, clock_.NowUnixSeconds(), *dev, "journal", res);
    BatchIntake intake;
    base::Status st =
        TakeBatch(store_, *dev, base::AsBytes(req.body), clock_.NowUnixSeconds(), &intake);
    if (!st.ok()) {
      const int http = HttpStatusOf(intake.refusal, st.code());
      json extra = json::object();
      if (intake.refusal == BatchRefusal::kBadEntry) extra["first_bad_seq"] = intake.first_bad_seq;
      const bool store_failed = http == 500 && intake.refusal == BatchRefusal::kRefusedByStore;
      Refuse(req, res, http, dev->kid_hex, (store_failed ? "store: " : "") + st.message(), extra);
      return;
    }
    json body = {{"acked_seq", intake.put.acked_seq},
                 {"stored", intake.put.stored},
                 {"duplicates", intake.put.duplicates}};
    res.set_content(body.dump(), "application/json");
    note.detail =
        (intake.last_seq >= intake.first_seq && intake.first_seq > 0
             ? "seq " + std::to_string(intake.first_seq) + "-" + std::to_string(intake.last_seq) +
                   " stored " + std::to_string(intake.put.stored) + ", "
             : std::string("empty batch, ")) +
        "acked " + std::to_string(intake.put.acked_seq);
  }

  // POST /v1/status: the kiosk's report, checked strictly and kept (docs/hub-protocol.md).
  void PostStatus(const Request& req, Response& res) {
    std::optional<Device> dev = Authenticate(req, res);
    if (!dev) return;
    ContactNote note(contacts_, clock_.NowUnixSeconds(), *dev, "status", res);
    base::Result<ck_protocol::StatusReport> report = ck_protocol::ParseStatusReport(req.body);
    if (!report.ok()) {
      const int http = report.status().code() == base::StatusCode::kOutOfRange ? 413 : 400;
      Refuse(req, res, http, dev->kid_hex, report.status().message(),
             {{"error", http == 413 ? "TOO_LARGE" : "BAD_STATUS"}});
      return;
    }
    base::Status st =
        store_.RecordStatus(ToDeviceStatus(*report, dev->id, clock_.NowUnixSeconds()));
    if (!st.ok()) {
      Refuse(req, res, 500, dev->kid_hex, "store: " + st.message());
      return;
    }
    res.set_content(json{{"ok", true}}.dump(), "application/json");
    note.detail = "registry " + std::to_string(report->registry_seq) + ", journal " +
                  std::to_string(report->journal_last_seq);
  }

  const ServeOptions options_;
  HubStore& store_;
  const base::Clock& clock_;
  ContactLog contacts_;
  std::mutex cache_mu_;
  std::shared_ptr<const std::string> cached_;
  std::string cached_file_;
  web::AdminWeb admin_;
};

}  // namespace

base::Status ParseListen(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return base::InvalidArgument("--listen wants HOST:PORT, got '" + text + "'");
  }
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string p = text.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(p) > 65535) {
    return base::InvalidArgument("--listen: bad port '" + p + "'");
  }
  *host = h;
  *port = std::stoi(p);
  return base::Status::Ok();
}

struct HubServer::Impl {
  std::unique_ptr<Hub> hub;
  std::unique_ptr<http::Server> server;
  int port = 0;
};

HubServer::HubServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HubServer::~HubServer() = default;
int HubServer::port() const { return impl_->port; }

base::Result<std::unique_ptr<HubServer>> HubServer::Start(const ServeOptions& options,
                                                          HubStore& store, base::FileSystem& fs,
                                                          const base::Clock& clock) {
  const bool tls = !options.tls_cert.empty() || !options.tls_key.empty();
  if (tls && (options.tls_cert.empty() || options.tls_key.empty())) {
    return base::InvalidArgument("--tls-cert and --tls-key go together");
  }
  if (!tls && !IsLoopbackHost(options.host)) {
    return base::FailedPrecondition("refusing to serve plain HTTP on " + options.host +
                                    ": without --tls-cert/--tls-key only a loopback address "
                                    "(127.0.0.1, ::1) is allowed");
  }
  std::string cert, key;
  if (tls) {
    base::Result<std::string> c = base::ReadFile(options.tls_cert, 1 << 20);
    base::Result<std::string> k = base::ReadFile(options.tls_key, 1 << 20);
    if (!c.ok() || !k.ok()) {
      return base::InvalidArgument("cannot load the TLS certificate/key (" + options.tls_cert +
                                   ", " + options.tls_key + ")");
    }
    cert = std::move(c).value();
    key = std::move(k).value();
  }
  CK_ASSIGN_OR_RETURN(base::UniqueFd fd,
                      http::Listen(options.host, options.port, options.limits.listen_backlog));
  auto impl = std::make_unique<Impl>();
  impl->port = http::BoundPort(fd.get());
  impl->hub = std::make_unique<Hub>(options, store, fs, clock);
  http::Limits limits{
      .connection = options.limits, .max_body = kMaxJournalBody, .drain_body = kMaxDrainedBody};
  // Behind a trusted proxy every connection comes from the proxy: it limits per client instead.
  if (!options.trust_proxy.empty()) limits.connection.per_ip_connections = 0;
  Hub* hub = impl->hub.get();
  CK_ASSIGN_OR_RETURN(impl->server, http::Server::Start(std::move(fd), limits, cert, key,
                                                        [hub](const Request& req, Response& res) {
                                                          hub->Handle(req, res);
                                                        }));
  return std::unique_ptr<HubServer>(new HubServer(std::move(impl)));
}

base::Status Serve(const ServeOptions& options, HubStore& store, base::FileSystem& fs,
                   const base::Clock& clock) {
  CK_ASSIGN_OR_RETURN(std::unique_ptr<HubServer> server,
                      HubServer::Start(options, store, fs, clock));
  std::printf("listening on %s:%d\n", options.host.c_str(), server->port());
  std::fflush(stdout);
  for (;;) pause();  // serves until the process is stopped
}

}  // namespace hub
