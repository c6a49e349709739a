// The HTTP seam of the network sync: one request in, one answer (or an error) out. The libcurl
// transport (sync/curl_transport.h) is the real one; tests replay scripted answers through the same
// interface. What to send (signed requests to the hub) is decided above it, in the sync cycle.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace ck_sync {

// Bodies kept in HttpResponse::body (errors, JSON answers) are capped at this size.
inline constexpr size_t kMaxSmallBody = 64 * 1024;

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-case; the last of repeated ones
  std::string body;                            // when no sink took it; capped at kMaxSmallBody
};

// Where a response body streams to (a download). The transport calls Accept once the status and
// headers of the final response are complete, before any body byte; when it returns true every
// body byte goes to Write, otherwise to HttpResponse::body.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual bool Accept(const HttpResponse& head) = 0;
  // A non-OK status aborts the transfer; Send then returns that status.
  virtual base::Status Write(std::string_view data) = 0;
};

struct HttpRequest {
  std::string method;  // "GET" or "POST"
  std::string url;     // absolute
  std::vector<std::pair<std::string, std::string>> headers;
  base::ByteSpan body;                 // POST body; must stay valid during Send
  std::optional<uint64_t> range_from;  // "Range: bytes=N-"
  // Not owned; may be null. With a sink the request is a download: no overall time limit (a slow
  // transfer is cut by the stall timeout instead) and a size limit (the transport's).
  BodySink* sink = nullptr;
};

// A transport error is a Status: kUnavailable when no complete answer came and trying again may
// help (resolve, connect, timeout, a cut connection); any other code is final (a TLS handshake or
// pin failure, a refused scheme, the sink's own error).
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // One request, one answer of any HTTP status. Implementations say whether they are thread-safe
  // (the libcurl one is not: one request at a time).
  virtual base::Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// True for the errors worth retrying (see HttpTransport).
inline bool IsTransientTransportError(const base::Status& status) {
  return status.code() == base::StatusCode::kUnavailable;
}

}  // namespace ck_sync
