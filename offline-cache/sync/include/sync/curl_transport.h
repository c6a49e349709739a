// The real HttpTransport: libcurl, TLS with the hub's public key pinned, plain HTTP only to a
// loopback host (docs/network-sync.md "Transport").
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "sync/http_transport.h"

namespace ck_sync {

inline constexpr uint64_t kDefaultMaxBundleBytes = uint64_t{512} << 20;

struct TransportOptions {
  // "https://hub.example.org[:port][/prefix]", or "http://127.0.0.1:PORT" (plain HTTP is refused
  // for anything but a loopback host: ck_protocol::ParseHubUrl).
  std::string hub_url;
  // The hub's certificate (PEM; pinned and used as the only CA) or its public key (PEM; pinned,
  // no CA check). Required for https.
  std::string hub_cert_path;
  std::chrono::seconds connect_timeout{15};
  // A transfer slower than 1 byte/s for this long is aborted (a resumable download keeps what it
  // has); a small request (POST, 304) never takes longer than request_timeout.
  std::chrono::seconds stall_timeout{60};
  std::chrono::seconds request_timeout{120};
  uint64_t max_bundle_bytes = kDefaultMaxBundleBytes;  // a download's size limit
  // Called from the transfer with the bytes sent and received so far (tests: cut the hub off
  // mid-upload). May be empty.
  std::function<void(uint64_t sent, uint64_t received)> on_progress;
};

// "sha256//<base64 of SHA-256 of the DER SubjectPublicKeyInfo>", the form libcurl's
// CURLOPT_PINNEDPUBLICKEY takes, from a PEM certificate or PEM public key.
base::Result<std::string> PinnedKeyFromPem(std::string_view pem);

// Checks the hub URL (ck_protocol::ParseHubUrl), reads and pins options.hub_cert_path for https,
// and returns a transport for requests to that hub's scheme. Each Send uses its own CURL handle
// (owned, RAII); the transport is not thread-safe: one request at a time.
base::Result<std::unique_ptr<HttpTransport>> MakeCurlTransport(TransportOptions options);

}  // namespace ck_sync
