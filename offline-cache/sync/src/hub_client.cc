#include "hub_client.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "protocol/signing.h"
#include "sync/hub_time.h"
#include "sync/retry.h"

namespace ck_sync {

base::Result<HttpResponse> HubClient::Get(std::string_view path, HttpHeaders headers,
                                          std::optional<uint64_t> range_from, BodySink* sink) {
  return Send(
      {.method = "GET", .headers = std::move(headers), .range_from = range_from, .sink = sink},
      path);
}

base::Result<HttpResponse> HubClient::Post(std::string_view path, base::ByteSpan body,
                                           const std::string& content_type) {
  return Send({.method = "POST", .headers = {{"Content-Type", content_type}}, .body = body}, path);
}

base::Result<HttpResponse> HubClient::Send(HttpRequest request, std::string_view path) {
  const std::string signed_path = url_.PathOf(path);
  CK_ASSIGN_OR_RETURN(std::string auth,
                      ck_protocol::SignRequest(key_, request.method, signed_path,
                                               clock_.NowUnixSeconds(), request.body));
  request.url = url_.UrlOf(path);
  request.headers.insert(request.headers.begin(), {"Authorization", std::move(auth)});
  base::Result<HttpResponse> r = transport_.Send(request);
  if (r.ok() && ((r->status >= 200 && r->status < 300) || r->status == 304)) {
    auto date = r->headers.find("date");
    if (date != r->headers.end()) {
      if (std::optional<int64_t> t = ParseHttpDate(date->second))
        latest_date_ = std::max(latest_date_, *t);
    }
  }
  return r;
}

base::Status HttpError(std::string_view what, const HttpResponse& r) {
  std::string detail;
  const nlohmann::json j = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
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

}  // namespace ck_sync
