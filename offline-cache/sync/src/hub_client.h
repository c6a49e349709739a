// Signed requests to one hub (docs/hub-protocol.md) over an HttpTransport, and the hub's error
// answers as a Status. Internal to ck_sync.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"
#include "card/crypto.h"
#include "protocol/hub_url.h"
#include "sync/http_transport.h"

namespace ck_sync {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// `transport`, `device_key` and `clock` must outlive the client. Not thread-safe.
class HubClient {
 public:
  HubClient(HttpTransport& transport, ck_protocol::HubUrl url, const card::PrivateKey& device_key,
            const base::Clock& clock)
      : transport_(transport), url_(std::move(url)), key_(device_key), clock_(clock) {}

  // GET `path` (protocol/paths.h) after the URL's prefix, signed; with a sink, a download.
  base::Result<HttpResponse> Get(std::string_view path, HttpHeaders headers,
                                 std::optional<uint64_t> range_from, BodySink* sink);
  // The latest `Date` (Unix seconds) of the hub's answers with a 2xx or 304 status; 0: none.
  int64_t latest_date() const { return latest_date_; }

  // POST `body` (must stay valid during the call).
  base::Result<HttpResponse> Post(std::string_view path, base::ByteSpan body,
                                  const std::string& content_type);

 private:
  base::Result<HttpResponse> Send(HttpRequest request, std::string_view path);

  HttpTransport& transport_;
  ck_protocol::HubUrl url_;
  const card::PrivateKey& key_;
  const base::Clock& clock_;
  int64_t latest_date_ = 0;
};

// "WHAT: the hub answered 403 FORBIDDEN: message" from the JSON error body: kUnauthenticated for
// 401, kPermissionDenied for 403, kUnavailable for a transient status, else kFailedPrecondition.
base::Status HttpError(std::string_view what, const HttpResponse& response);

}  // namespace ck_sync
