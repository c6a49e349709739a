// A scripted ck_sync::HttpTransport for the protocol cases of the network sync: it replays the
// answers a test queued, one per request, and records every request. An answer can be cut after
// some body bytes (a connection lost mid-download) or be no answer at all (a Status). Not
// thread-safe; a request with nothing queued fails the test.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/text.h"
#include "sync/http_transport.h"

namespace cktest {

struct ScriptedAnswer {
  int status = 200;
  std::map<std::string, std::string> headers;  // any case; delivered lower-case
  std::string body;
  // Deliver only this many body bytes, then fail as a cut connection (kUnavailable).
  std::optional<size_t> cut_after;
  // No HTTP answer at all: Send returns this status.
  std::optional<base::Status> error;
};

struct RecordedRequest {
  std::string method, url;
  std::map<std::string, std::string> headers;  // names as sent
  std::string body;
  std::optional<uint64_t> range_from;
  bool download = false;  // a sink was given
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class ScriptedTransport final : public ck_sync::HttpTransport {
 public:
  void Queue(ScriptedAnswer answer) { script_.push_back(std::move(answer)); }
  const std::vector<RecordedRequest>& requests() const { return requests_; }
  size_t unused() const { return script_.size(); }

  base::Result<ck_sync::HttpResponse> Send(const ck_sync::HttpRequest& request) override {
    RecordedRequest r{.method = request.method,
                      .url = request.url,
                      .body = std::string(base::AsChars(request.body)),
                      .range_from = request.range_from,
                      .download = request.sink != nullptr};
    for (const auto& [name, value] : request.headers) r.headers[name] = value;
    requests_.push_back(std::move(r));
    if (script_.empty()) {
      ADD_FAILURE() << "unexpected request " << request.method << " " << request.url;
      return base::Internal("no scripted answer");
    }
    ScriptedAnswer a = std::move(script_.front());
    script_.pop_front();
    if (a.error) return *a.error;
    return Deliver(request, a);
  }

 private:
  static base::Result<ck_sync::HttpResponse> Deliver(const ck_sync::HttpRequest& request,
                                                     const ScriptedAnswer& a) {
    ck_sync::HttpResponse head{.status = a.status};
    for (const auto& [name, value] : a.headers) head.headers[base::AsciiLower(name)] = value;
    const std::string body = a.cut_after ? a.body.substr(0, *a.cut_after) : a.body;
    if (request.sink != nullptr && request.sink->Accept(head)) {
      // In two pieces, as a network delivers it.
      const size_t half = body.size() / 2;
      CK_TRY(request.sink->Write(std::string_view(body).substr(0, half)));
      CK_TRY(request.sink->Write(std::string_view(body).substr(half)));
    } else {
      head.body = body;
    }
    if (a.cut_after) return base::Unavailable("scripted: connection cut");
    return head;
  }

  std::deque<ScriptedAnswer> script_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace cktest
