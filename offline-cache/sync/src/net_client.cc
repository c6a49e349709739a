#include "sync/net_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "base/file.h"
#include "base/hex.h"
#include "hub/auth.h"
#include "journal/export.h"

namespace ck_sync {
namespace {

constexpr size_t kMaxSmallBody = 64 * 1024;
constexpr char kBundlePath[] = "/v1/bundle";
constexpr char kJournalPath[] = "/v1/journal";

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
struct SlistDeleter {
  void operator()(curl_slist* s) const { curl_slist_free_all(s); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

base::Status GlobalInit() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK)
    return base::Internal(std::string("curl_global_init: ") + curl_easy_strerror(rc));
  return base::Status::Ok();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  return host.starts_with("127.") && std::all_of(host.begin(), host.end(), [](char c) {
           return c == '.' || std::isdigit(static_cast<unsigned char>(c));
         });
}

// Splits "scheme://authority/prefix" and checks the scheme rules.
struct ParsedUrl {
  bool https = false;
  std::string base;    // scheme://authority
  std::string prefix;  // "" or "/something" without a trailing slash
};

base::Result<ParsedUrl> ParseHubUrl(const std::string& url) {
  ParsedUrl p;
  std::string_view rest;
  if (url.starts_with("https://")) {
    p.https = true;
    rest = std::string_view(url).substr(8);
  } else if (url.starts_with("http://")) {
    rest = std::string_view(url).substr(7);
  } else {
    return base::InvalidArgument("hub URL must start with https:// (or http:// for loopback): " +
                                 url);
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash);
    if (prefix.find_first_of("?#") != std::string_view::npos)
      return base::InvalidArgument("hub URL must not have a query: " + url);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    p.prefix = std::string(prefix);
  }
  if (authority.empty() || authority.find('@') != std::string_view::npos)
    return base::InvalidArgument("hub URL has no host (or has credentials): " + url);
  std::string_view host = authority;
  if (host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!p.https && !IsLoopbackHost(host)) {
    return base::InvalidArgument(
        "plain http:// is allowed only to a loopback host; use https:// for " + std::string(host));
  }
  p.base = std::string(url.substr(0, url.size() - rest.size())) + std::string(authority);
  return p;
}

std::string Base64Std(base::ByteSpan data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

// ---- Signing ----

base::Result<std::string> PinnedKeyFromPem(std::string_view pem) {
  base::Bytes spki;
  if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    if (bio == nullptr) return base::Internal("BIO_new_mem_buf failed");
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (cert == nullptr) return base::InvalidArgument("not a readable PEM certificate");
    const int len = i2d_PUBKEY(X509_get0_pubkey(cert), nullptr);
    if (len > 0) {
      spki.resize(static_cast<size_t>(len));
      unsigned char* p = spki.data();
      i2d_PUBKEY(X509_get0_pubkey(cert), &p);
    }
    X509_free(cert);
    if (len <= 0) return base::InvalidArgument("the certificate's public key cannot be read");
  } else {
    base::Result<card::PublicKey> key = card::PublicKey::FromPem(pem);
    if (!key.ok()) return key.status();
    spki = key->spki_der();
  }
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(spki.data(), spki.size(), digest);
  return "sha256//" + Base64Std(base::ByteSpan(digest, sizeof digest));
}

// ---- Transport ----

struct HubClient::Impl {
  TransportOptions options;
  ParsedUrl url;
  std::string pin;  // empty for plain http
  bool cert_is_ca = false;
  const card::PrivateKey* key = nullptr;
  const base::Clock* clock = nullptr;

  // State of the request in flight.
  HttpResponse* response = nullptr;
  DownloadTarget* target = nullptr;
  base::UniqueFd fd;
  bool decided = false;  // body destination chosen (first write callback)
  bool to_file = false;
  uint64_t written = 0;
  base::Status write_error;

  HttpResponse Perform(const std::string& method, const std::string& path, base::ByteSpan body,
                       const std::vector<std::string>& headers, DownloadTarget* dl,
                       std::optional<TransportError>* error);
  size_t OnBody(const char* data, size_t n, CURL* curl);

  struct WriteContext {
    Impl* impl;
    CURL* curl;
  };
  static size_t WriteCallback(char* data, size_t size, size_t n, void* user);
  static int ProgressCallback(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                              curl_off_t ulnow);
};

namespace {

size_t HeaderCallback(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    r->headers.clear();  // a new response (after 100 Continue)
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    r->headers[Lower(std::string(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
  }
  return size * n;
}

}  // namespace

size_t HubClient::Impl::OnBody(const char* data, size_t n, CURL* curl) {
  if (!decided) {
    decided = true;
    long code = 0;  // NOLINT(google-runtime-int)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    response->status = code;
    if (target != nullptr && (code == 200 || code == 206)) {
      to_file = true;
      const bool append = code == 206 && target->resume_from > 0;
      if (target->on_headers) target->on_headers(*response);
      const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
      fd = base::UniqueFd(::open(target->path.c_str(), flags, 0600));
      if (!fd.valid()) {
        write_error = base::IoError(target->path, errno);
        return 0;
      }
      written = append ? target->resume_from : 0;
    }
  }
  if (!to_file) {
    const size_t room = kMaxSmallBody - std::min(kMaxSmallBody, response->body.size());
    response->body.append(data, std::min(room, n));
    return n;
  }
  if (written + n > target->max_bytes) {
    write_error = base::OutOfRange("the bundle is larger than the limit of " +
                                   std::to_string(target->max_bytes) + " bytes");
    return 0;
  }
  size_t done = 0;
  while (done < n) {
    const ssize_t w = ::write(fd.get(), data + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      write_error = base::IoError(target->path, errno);
      return 0;
    }
    done += static_cast<size_t>(w);
  }
  written += n;
  return n;
}

int HubClient::Impl::ProgressCallback(void* user, curl_off_t, curl_off_t received, curl_off_t,
                                      curl_off_t sent) {
  auto* impl = static_cast<Impl*>(user);
  impl->options.on_progress(static_cast<uint64_t>(std::max<curl_off_t>(sent, 0)),
                            static_cast<uint64_t>(std::max<curl_off_t>(received, 0)));
  return 0;
}

size_t HubClient::Impl::WriteCallback(char* data, size_t size, size_t n, void* user) {
  auto* ctx = static_cast<WriteContext*>(user);
  return ctx->impl->OnBody(data, size * n, ctx->curl);
}

namespace {
bool IsTransientCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}
}  // namespace

HttpResponse HubClient::Impl::Perform(const std::string& method, const std::string& path,
                                      base::ByteSpan body, const std::vector<std::string>& headers,
                                      DownloadTarget* dl, std::optional<TransportError>* error) {
  HttpResponse r;
  error->reset();
  response = &r;
  target = dl;
  fd = base::UniqueFd();
  decided = false;
  to_file = false;
  written = 0;
  write_error = base::Status::Ok();

  auto fail = [&](base::Status st, bool transient) {
    *error = TransportError{std::move(st), transient};
    return r;
  };
  CurlPtr curl(curl_easy_init());
  if (!curl) return fail(base::Internal("curl_easy_init failed"), false);
  const std::string full_path = url.prefix + path;
  base::Result<std::string> auth =
      hub::SignRequest(*key, method, full_path, clock->NowUnixSeconds(), body);
  if (!auth.ok()) return fail(auth.status(), false);

  // curl_slist_append returns the head (the same one after the first) or null on failure.
  SlistPtr list;
  auto add = [&list](const std::string& h) {
    curl_slist* head = curl_slist_append(list.get(), h.c_str());
    if (head == nullptr) return false;
    if (!list) list.reset(head);
    return true;
  };
  bool ok = add("Authorization: " + *auth) && add("Expect:");
  for (const std::string& h : headers) ok = ok && add(h);
  if (!ok) return fail(base::Internal("curl_slist_append failed"), false);

  CURL* c = curl.get();
  WriteContext ctx{this, c};
  const std::string full_url = url.base + full_path;
  curl_easy_setopt(c, CURLOPT_URL, full_url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, url.https ? "https" : "http");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &HeaderCallback);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteCallback);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &ctx);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count() * 1000));  // NOLINT
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(options.stall_timeout.count()));  // NOLINT
  if (dl == nullptr) {
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(options.request_timeout.count() * 1000));  // NOLINT
  } else {
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(dl->max_bytes));
  }
  if (url.https) {
    curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, pin.c_str());
    if (cert_is_ca) {
      curl_easy_setopt(c, CURLOPT_CAINFO, options.hub_cert_path.c_str());
      curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    } else {
      // Only a public key configured: the pin is the whole check.
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  }
  if (method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  if (options.on_progress) {
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &ProgressCallback);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, this);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  }
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

  const CURLcode rc = curl_easy_perform(c);
  long code = 0;  // NOLINT(google-runtime-int)
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  r.status = code;
  fd = base::UniqueFd();
  response = nullptr;
  target = nullptr;
  if (!write_error.ok()) return fail(write_error, false);
  if (rc != CURLE_OK) {
    std::string what = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    return fail(base::Unavailable(method + " " + full_url + ": " + what), IsTransientCurlError(rc));
  }
  return r;
}

base::Result<std::unique_ptr<HubClient>> HubClient::Create(TransportOptions options,
                                                           const card::PrivateKey& device_key,
                                                           const base::Clock& clock) {
  CK_TRY(GlobalInit());
  auto impl = std::make_unique<Impl>();
  CK_ASSIGN_OR_RETURN(impl->url, ParseHubUrl(options.hub_url));
  if (impl->url.https) {
    if (options.hub_cert_path.empty()) {
      return base::InvalidArgument(
          "https needs the hub's certificate or public key to pin (--hub-cert)");
    }
    CK_ASSIGN_OR_RETURN(std::string pem, base::ReadFile(options.hub_cert_path, 256 * 1024));
    base::Result<std::string> pin = PinnedKeyFromPem(pem);
    if (!pin.ok()) return pin.status().WithContext(options.hub_cert_path);
    impl->pin = *pin;
    impl->cert_is_ca = pem.find("-----BEGIN CERTIFICATE-----") != std::string::npos;
  }
  impl->options = std::move(options);
  impl->key = &device_key;
  impl->clock = &clock;
  return std::unique_ptr<HubClient>(new HubClient(std::move(impl)));
}

HubClient::HubClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HubClient::~HubClient() = default;

HttpResponse HubClient::Get(const std::string& path, const std::vector<std::string>& extra_headers,
                            DownloadTarget* target, std::optional<TransportError>* error) {
  return impl_->Perform("GET", path, {}, extra_headers, target, error);
}

HttpResponse HubClient::Post(const std::string& path, base::ByteSpan body,
                             const std::string& content_type,
                             std::optional<TransportError>* error) {
  return impl_->Perform("POST", path, body, {"Content-Type: " + content_type}, nullptr, error);
}

// ---- Retry ----

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double uniform01) {
  const double base_ms = static_cast<double>(policy.base.count());
  const double cap_ms = static_cast<double>(policy.cap.count());
  const double ceiling = std::min(cap_ms, base_ms * std::ldexp(1.0, std::min(retry - 1, 60)));
  const double u = std::clamp(uniform01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(ceiling * u));
}

bool IsTransientHttpStatus(long status) {  // NOLINT(google-runtime-int)
  return status >= 500 || status == 408 || status == 429;
}

// ---- The cycle ----

bool SyncReport::refused() const {
  return pull.state == PullReport::State::kRefused || push.state == PushReport::State::kRefused;
}
bool SyncReport::error() const {
  return pull.state == PullReport::State::kError || push.state == PushReport::State::kError;
}

std::vector<std::string> SyncReport::Lines() const {
  std::vector<std::string> out;
  const std::string seq = std::to_string(pull.seq);
  switch (pull.state) {
    case PullReport::State::kNotRun:
      break;
    case PullReport::State::kNoBundle:
      out.push_back("bundle: the hub has no bundle published yet");
      break;
    case PullReport::State::kUpToDate:
      out.push_back("bundle: up to date (seq " + seq + ")");
      break;
    case PullReport::State::kApplied:
      out.push_back("bundle: applied seq " + seq + " (was " + std::to_string(pull.previous_seq) +
                    ")" + (pull.resumed ? " after resuming the download" : ""));
      break;
    case PullReport::State::kRefused:
      out.push_back("bundle: refused: " + pull.status.message());
      break;
    case PullReport::State::kError:
      out.push_back("bundle: failed: " + pull.status.message());
      break;
  }
  switch (push.state) {
    case PushReport::State::kNotRun:
      break;
    case PushReport::State::kNothingToSend:
      out.push_back("journal: nothing to send (acknowledged through " +
                    std::to_string(push.recorded_ack) + ")");
      break;
    case PushReport::State::kPushed:
      out.push_back("journal: pushed entries " + std::to_string(push.first_seq) + ".." +
                    std::to_string(push.last_seq) + ", hub acknowledged " +
                    std::to_string(push.acked_seq) + " (stored " + std::to_string(push.stored) +
                    ", duplicates " + std::to_string(push.duplicates) + ")");
      break;
    case PushReport::State::kRefused:
      out.push_back("journal: refused by the hub: " + push.status.message());
      break;
    case PushReport::State::kError:
      out.push_back("journal: failed: " + push.status.message());
      break;
  }
  return out;
}

NetSync::NetSync(base::FileSystem& fs, const base::Clock& clock, bundle::Importer& importer,
                 journal::Journal& journal, const card::PrivateKey& device_key,
                 NetSyncOptions options)
    : fs_(fs),
      clock_(clock),
      importer_(importer),
      journal_(journal),
      device_key_(device_key),
      options_(std::move(options)) {
  if (!options_.retry.sleep) {
    options_.retry.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
  if (!options_.retry.uniform01) {
    auto gen = std::make_shared<std::mt19937_64>(std::random_device{}());
    options_.retry.uniform01 = [gen] {
      return std::uniform_real_distribution<double>(0.0, 1.0)(*gen);
    };
  }
}

template <typename Fn>
void NetSync::Retry(Fn&& attempt, int* attempts) {
  for (int n = 1;; ++n) {
    *attempts = n;
    if (attempt() || n >= options_.retry.max_attempts) return;
    options_.retry.sleep(BackoffDelay(options_.retry, n, options_.retry.uniform01()));
  }
}

namespace {

// "The hub answered 403 FORBIDDEN: message" from the JSON error body.
base::Status HttpError(const char* what, const HttpResponse& r) {
  std::string detail;
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    if (j.contains("error") && j["error"].is_string())
      detail += " " + j["error"].get<std::string>();
    if (j.contains("message") && j["message"].is_string())
      detail += ": " + j["message"].get<std::string>();
  }
  const std::string text =
      std::string(what) + ": the hub answered " + std::to_string(r.status) + detail;
  if (r.status == 401) return base::Unauthenticated(text);
  if (r.status == 403) return base::PermissionDenied(text);
  if (IsTransientHttpStatus(r.status)) return base::Unavailable(text);
  return base::FailedPrecondition(text);
}

// Parses "bytes START-END/SIZE".
bool ParseContentRange(const std::string& v, uint64_t* start, uint64_t* size) {
  uint64_t end = 0;
  if (!v.starts_with("bytes ")) return false;
  const char* p = v.data() + 6;
  const char* e = v.data() + v.size();
  auto r1 = std::from_chars(p, e, *start);
  if (r1.ec != std::errc() || r1.ptr == e || *r1.ptr != '-') return false;
  auto r2 = std::from_chars(r1.ptr + 1, e, end);
  if (r2.ec != std::errc() || r2.ptr == e || *r2.ptr != '/') return false;
  auto r3 = std::from_chars(r2.ptr + 1, e, *size);
  return r3.ec == std::errc() && r3.ptr == e && end + 1 == *size && *start <= end;
}

uint64_t FileSize(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || st.st_size < 0) return 0;
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

PullReport NetSync::Pull(HubClient& client) {
  PullReport rep;
  base::Result<std::optional<registry::Meta>> meta = importer_.AppliedMeta();
  if (meta.ok() && meta->has_value()) rep.previous_seq = (*meta)->seq;
  rep.seq = rep.previous_seq;
  const std::string download = options_.data_dir + "/" + kBundleDownloadFile;
  const std::string etag_file = options_.data_dir + "/" + kBundleDownloadEtagFile;
  auto discard = [&] {
    (void)fs_.Remove(download);
    (void)fs_.Remove(etag_file);
  };

  bool complete = false;
  Retry(
      [&]() -> bool {
        rep.status = base::Status::Ok();
        // Resume only a partial download whose ETag we know.
        uint64_t have = 0;
        std::string etag;
        if (fs_.Exists(download) && fs_.Exists(etag_file)) {
          base::Result<std::string> e = base::ReadFile(etag_file, 256);
          if (e.ok()) etag = Trim(*e);
          have = etag.empty() ? 0 : FileSize(download);
        }
        std::vector<std::string> headers;
        if (rep.previous_seq > 0)
          headers.push_back("If-None-Match: \"" + std::to_string(rep.previous_seq) + "\"");
        if (have > 0) {
          headers.push_back("Range: bytes=" + std::to_string(have) + "-");
          headers.push_back("If-Range: " + etag);
        }
        DownloadTarget target{.path = download,
                              .resume_from = have,
                              .max_bytes = options_.transport.max_bundle_bytes,
                              .on_headers = [&](const HttpResponse& r) {
                                auto it = r.headers.find("etag");
                                const std::string tag = it == r.headers.end() ? "" : it->second;
                                if (r.status == 206 && tag == etag) return;
                                // A new download: remember its ETag before any byte lands.
                                (void)fs_.Remove(etag_file);
                                if (!tag.empty())
                                  (void)base::WriteFileAtomic(etag_file, tag + "\n", 0600);
                              }};
        std::optional<TransportError> err;
        HttpResponse r = client.Get(kBundlePath, headers, &target, &err);
        rep.unreachable = err.has_value() && r.status == 0;
        if (err) {
          rep.state = PullReport::State::kError;
          rep.status = err->status;
          return !err->transient;
        }
        if (r.status == 304) {
          discard();
          rep.state = PullReport::State::kUpToDate;
          return true;
        }
        if (r.status == 404) {
          discard();
          rep.state = PullReport::State::kNoBundle;
          return true;
        }
        if (r.status == 416) {
          // Our partial file is longer than the bundle: start over at once.
          discard();
          rep.state = PullReport::State::kError;
          rep.status = base::Unavailable("the hub refused the resume range (416); starting over");
          return false;
        }
        if (r.status == 200 || r.status == 206) {
          if (r.status == 206) {
            uint64_t start = 0, size = 0;
            auto it = r.headers.find("content-range");
            if (it == r.headers.end() || !ParseContentRange(it->second, &start, &size) ||
                start != have || FileSize(download) != size) {
              discard();
              rep.state = PullReport::State::kError;
              rep.status =
                  base::DataLoss("the hub's partial answer does not continue the download");
              return false;
            }
            rep.resumed = true;
          } else {
            auto it = r.headers.find("content-length");
            uint64_t len = 0;
            if (it != r.headers.end()) {
              auto [p, ec] =
                  std::from_chars(it->second.data(), it->second.data() + it->second.size(), len);
              if (ec == std::errc() && FileSize(download) != len) {
                rep.state = PullReport::State::kError;
                rep.status = base::DataLoss("the download is shorter than announced");
                return false;
              }
            }
          }
          complete = true;
          return true;
        }
        // 401/403 and other final 4xx: the hub refuses this device or request.
        rep.state = IsTransientHttpStatus(r.status) ? PullReport::State::kError
                                                    : PullReport::State::kRefused;
        rep.status = HttpError("GET /v1/bundle", r);
        return !IsTransientHttpStatus(r.status);
      },
      &rep.attempts);
  if (!complete) return rep;

  base::Result<bundle::ApplyReport> applied = importer_.Apply(download);
  discard();
  if (!applied.ok()) {
    rep.status = applied.status();
    rep.state = applied.status().code() == base::StatusCode::kIo ? PullReport::State::kError
                                                                 : PullReport::State::kRefused;
    return rep;
  }
  rep.state = PullReport::State::kApplied;
  rep.seq = applied->manifest.seq;
  rep.previous_seq = applied->previous_seq;
  return rep;
}

PushReport NetSync::Push(HubClient& client) {
  // Batches of kBatchEntries until the hub has everything, so a kiosk back from weeks offline
  // catches up in one cycle; bounded so that one cycle always ends.
  PushReport total;
  for (int batch = 0; batch < kMaxBatchesPerCycle; ++batch) {
    const int64_t before = total.recorded_ack;
    PushReport rep = PushBatch(client);
    if (batch == 0) {
      total = rep;
    } else {
      total.state = rep.state;
      total.status = rep.status;
      total.attempts += rep.attempts;
      if (rep.state == PushReport::State::kPushed) {
        total.last_seq = rep.last_seq;
        total.acked_seq = rep.acked_seq;
        total.stored += rep.stored;
        total.duplicates += rep.duplicates;
        total.recorded_ack = rep.recorded_ack;
      }
    }
    if (rep.state == PushReport::State::kNothingToSend && batch > 0) {
      total.state = PushReport::State::kPushed;
      total.status = base::Status::Ok();
      break;
    }
    if (rep.state != PushReport::State::kPushed || rep.recorded_ack >= journal_.last_seq() ||
        (batch > 0 && rep.recorded_ack <= before)) {
      break;
    }
  }
  return total;
}

PushReport NetSync::PushBatch(HubClient& client) {
  PushReport rep;
  base::Result<int64_t> acked = journal_.AckedSeq();
  if (!acked.ok()) {
    rep.state = PushReport::State::kError;
    rep.status = acked.status();
    return rep;
  }
  rep.recorded_ack = *acked;
  if (*acked >= journal_.last_seq()) {
    rep.state = PushReport::State::kNothingToSend;
    return rep;
  }
  base::Result<base::Bytes> batch =
      journal::WriteExport(journal_, *acked + 1, options_.device_id, device_key_,
                           clock_.NowUnixSeconds(), kBatchEntries);
  if (!batch.ok()) {
    rep.state = PushReport::State::kError;
    rep.status = batch.status();
    return rep;
  }
  if (batch->size() > kMaxBatchBytes) {
    // 5,000 entries are ~0.8 MB; this needs entries far larger than any the journal accepts.
    rep.state = PushReport::State::kError;
    rep.status = base::OutOfRange("the unacknowledged entries make a batch of " +
                                  std::to_string(batch->size()) +
                                  " bytes, above the hub's limit; collect them by USB stick");
    return rep;
  }
  rep.first_seq = *acked + 1;
  rep.last_seq = std::min(journal_.last_seq(), *acked + kBatchEntries);

  std::optional<HttpResponse> answer;
  Retry(
      [&]() -> bool {
        rep.status = base::Status::Ok();
        std::optional<TransportError> err;
        HttpResponse r = client.Post(kJournalPath, *batch, "application/octet-stream", &err);
        if (err) {
          rep.state = PushReport::State::kError;
          rep.status = err->status;
          return !err->transient;
        }
        if (r.status == 200) {
          answer = std::move(r);
          return true;
        }
        rep.state = IsTransientHttpStatus(r.status) ? PushReport::State::kError
                                                    : PushReport::State::kRefused;
        rep.status = HttpError("POST /v1/journal", r);
        return !IsTransientHttpStatus(r.status);
      },
      &rep.attempts);
  if (!answer) return rep;

  nlohmann::json j = nlohmann::json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("acked_seq") || !j["acked_seq"].is_number_integer()) {
    rep.state = PushReport::State::kError;
    rep.status =
        base::DataLoss("the hub's answer has no acked_seq: " + answer->body.substr(0, 200));
    return rep;
  }
  rep.acked_seq = j["acked_seq"].get<int64_t>();
  if (j.contains("stored") && j["stored"].is_number_integer())
    rep.stored = j["stored"].get<int64_t>();
  if (j.contains("duplicates") && j["duplicates"].is_number_integer())
    rep.duplicates = j["duplicates"].get<int64_t>();
  if (rep.acked_seq > journal_.last_seq()) {
    rep.state = PushReport::State::kError;
    rep.status = base::FailedPrecondition(
        "the hub acknowledged seq " + std::to_string(rep.acked_seq) + " but this journal ends at " +
        std::to_string(journal_.last_seq()) + " (a reinstalled kiosk with an enrolled old key?)");
    return rep;
  }
  // The hub's acked_seq stops at its first gap. Entries collected by USB stick (acknowledged here,
  // never uploaded) are such a gap for ever: when the hub says it holds every entry of this batch,
  // and everything before it was already acknowledged, the batch reached the union too.
  int64_t record = rep.acked_seq;
  if (rep.stored + rep.duplicates == rep.last_seq - rep.first_seq + 1) {
    record = std::max(record, rep.last_seq);
  }
  if (record > 0) {
    if (base::Status st = journal_.Ack(record); !st.ok()) {
      rep.state = PushReport::State::kError;
      rep.status = st;
      return rep;
    }
  }
  base::Result<int64_t> now_acked = journal_.AckedSeq();
  rep.recorded_ack = now_acked.ok() ? *now_acked : rep.acked_seq;
  rep.state = PushReport::State::kPushed;
  rep.status = base::Status::Ok();
  return rep;
}

SyncReport NetSync::RunOnce() {
  SyncReport report;
  base::Result<std::unique_ptr<HubClient>> client =
      HubClient::Create(options_.transport, device_key_, clock_);
  if (!client.ok()) {
    if (options_.pull)
      report.pull = {.state = PullReport::State::kError, .status = client.status()};
    if (options_.push)
      report.push = {.state = PushReport::State::kError, .status = client.status()};
    return report;
  }
  if (options_.pull) report.pull = Pull(**client);
  if (!options_.push) return report;
  if (report.pull.unreachable) {
    // Every pull attempt failed to reach the hub: do not spend another round of retries.
    report.push = {.state = PushReport::State::kError,
                   .status = base::Unavailable("not tried: the hub is unreachable")};
    return report;
  }
  report.push = Push(**client);
  return report;
}

}  // namespace ck_sync
