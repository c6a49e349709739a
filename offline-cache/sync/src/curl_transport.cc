#include "sync/curl_transport.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <algorithm>
#include <mutex>
#include <utility>

#include "base/file.h"
#include "base/text.h"
#include "card/crypto.h"
#include "protocol/hub_url.h"

namespace ck_sync {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
struct SlistDeleter {
  void operator()(curl_slist* s) const { curl_slist_free_all(s); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};

constexpr char kPemCertificate[] = "-----BEGIN CERTIFICATE-----";

base::Status GlobalInit() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK)
    return base::Internal(std::string("curl_global_init: ") + curl_easy_strerror(rc));
  return base::Status::Ok();
}

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

std::string Base64Std(base::ByteSpan data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

base::Result<base::Bytes> CertificateSpki(std::string_view pem) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return base::Internal("BIO_new_mem_buf failed");
  std::unique_ptr<X509, X509Deleter> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) return base::InvalidArgument("not a readable PEM certificate");
  const int len = i2d_PUBKEY(X509_get0_pubkey(cert.get()), nullptr);
  if (len <= 0) return base::InvalidArgument("the certificate's public key cannot be read");
  base::Bytes spki(static_cast<size_t>(len));
  unsigned char* p = spki.data();
  i2d_PUBKEY(X509_get0_pubkey(cert.get()), &p);
  return spki;
}

// The state of one transfer, shared with libcurl's callbacks.
struct Transfer {
  CURL* curl = nullptr;
  const HttpRequest* request = nullptr;
  const TransportOptions* options = nullptr;
  HttpResponse response;
  bool headers_done = false;  // the final response's headers are complete
  bool to_sink = false;       // the sink accepted the body
  base::Status sink_error;
};

// Called once per header line; a blank line ends a response's headers.
size_t HeaderCallback(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    t->response.headers.clear();  // a new response (after an interim 1xx)
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->response.headers[base::AsciiLower(line.substr(0, colon))] =
        std::string(base::TrimBlanks(line.substr(colon + 1)));
  } else if (base::TrimBlanks(line).empty() && !t->headers_done) {
    long code = 0;  // NOLINT(google-runtime-int): libcurl's type
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200) {
      t->headers_done = true;
      t->response.status = static_cast<int>(code);
      t->to_sink = t->request->sink != nullptr && t->request->sink->Accept(t->response);
    }
  }
  return size * n;
}

size_t WriteCallback(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (!t->to_sink) {
    const size_t room = kMaxSmallBody - std::min(kMaxSmallBody, t->response.body.size());
    t->response.body.append(data, std::min(room, len));
    return len;
  }
  t->sink_error = t->request->sink->Write(std::string_view(data, len));
  return t->sink_error.ok() ? len : 0;  // anything but len aborts the transfer
}

int ProgressCallback(void* user, curl_off_t, curl_off_t received, curl_off_t, curl_off_t sent) {
  auto* t = static_cast<Transfer*>(user);
  t->options->on_progress(static_cast<uint64_t>(std::max<curl_off_t>(sent, 0)),
                          static_cast<uint64_t>(std::max<curl_off_t>(received, 0)));
  return 0;
}

// curl_slist_append returns the head (the same one after the first) or null on failure.
base::Result<SlistPtr> HeaderList(const HttpRequest& request) {
  SlistPtr list;
  auto add = [&list](const std::string& h) {
    curl_slist* head = curl_slist_append(list.get(), h.c_str());
    if (head == nullptr) return false;
    if (!list) list.reset(head);
    return true;
  };
  bool ok = add("Expect:");
  for (const auto& [name, value] : request.headers) ok = ok && add(name + ": " + value);
  if (request.range_from)
    ok = ok && add("Range: bytes=" + std::to_string(*request.range_from) + "-");
  if (!ok) return base::Internal("curl_slist_append failed");
  return list;
}

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport(TransportOptions options, bool https, std::string pin, bool cert_is_ca)
      : options_(std::move(options)),
        https_(https),
        pin_(std::move(pin)),
        cert_is_ca_(cert_is_ca) {}

  base::Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  void SetTransferOptions(CURL* c, const HttpRequest& request) const;
  void SetTlsOptions(CURL* c) const;

  TransportOptions options_;
  bool https_;
  std::string pin_;  // empty for plain http
  bool cert_is_ca_;
};

void CurlTransport::SetTransferOptions(CURL* c, const HttpRequest& request) const {
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, https_ ? "https" : "http");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count() * 1000));  // NOLINT
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(options_.stall_timeout.count()));  // NOLINT
  if (request.sink == nullptr) {
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(options_.request_timeout.count() * 1000));  // NOLINT
  } else {
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(options_.max_bundle_bytes));
  }
  if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
}

void CurlTransport::SetTlsOptions(CURL* c) const {
  if (!https_) return;
  curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, pin_.c_str());
  if (cert_is_ca_) {
    curl_easy_setopt(c, CURLOPT_CAINFO, options_.hub_cert_path.c_str());
    curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  } else {
    // Only a public key configured: the pin is the whole check.
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

base::Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  CurlPtr curl(curl_easy_init());
  if (!curl) return base::Internal("curl_easy_init failed");
  CK_ASSIGN_OR_RETURN(SlistPtr headers, HeaderList(request));
  CURL* c = curl.get();
  Transfer t{.curl = c, .request = &request, .options = &options_};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &HeaderCallback);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteCallback);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  SetTransferOptions(c, request);
  SetTlsOptions(c);
  if (options_.on_progress) {
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &ProgressCallback);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  }
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

  const CURLcode rc = curl_easy_perform(c);
  long code = 0;  // NOLINT(google-runtime-int): libcurl's type
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  t.response.status = static_cast<int>(code);
  if (!t.sink_error.ok()) return t.sink_error;
  if (rc != CURLE_OK) {
    const std::string what = request.method + " " + request.url + ": " +
                             (errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
    if (IsTransientCurlError(rc)) return base::Unavailable(what);
    return base::FailedPrecondition(what);
  }
  return std::move(t.response);
}

}  // namespace

base::Result<std::string> PinnedKeyFromPem(std::string_view pem) {
  base::Bytes spki;
  if (pem.find(kPemCertificate) != std::string_view::npos) {
    CK_ASSIGN_OR_RETURN(spki, CertificateSpki(pem));
  } else {
    base::Result<card::PublicKey> key = card::PublicKey::FromPem(pem);
    if (!key.ok()) return key.status();
    spki = key->spki_der();
  }
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(spki.data(), spki.size(), digest);
  return "sha256//" + Base64Std(base::ByteSpan(digest, sizeof digest));
}

base::Result<std::unique_ptr<HttpTransport>> MakeCurlTransport(TransportOptions options) {
  CK_TRY(GlobalInit());
  CK_ASSIGN_OR_RETURN(ck_protocol::HubUrl url, ck_protocol::ParseHubUrl(options.hub_url));
  std::string pin;
  bool cert_is_ca = false;
  if (url.https) {
    if (options.hub_cert_path.empty()) {
      return base::InvalidArgument(
          "https needs the hub's certificate or public key to pin (--hub-cert)");
    }
    CK_ASSIGN_OR_RETURN(std::string pem, base::ReadFile(options.hub_cert_path, 256 * 1024));
    base::Result<std::string> pinned = PinnedKeyFromPem(pem);
    if (!pinned.ok()) return pinned.status().WithContext(options.hub_cert_path);
    pin = *pinned;
    cert_is_ca = pem.find(kPemCertificate) != std::string::npos;
  }
  return std::unique_ptr<HttpTransport>(
      new CurlTransport(std::move(options), url.https, std::move(pin), cert_is_ca));
}

}  // namespace ck_sync
