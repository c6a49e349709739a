// The hub's HTTP(S) transport: GNU libmicrohttpd run on its own small thread pool (epoll), with
// every resource bounded per connection and in total (docs/hub.md, "Limits"). It parses requests,
// buffers bodies up to a limit, and hands each complete request to one handler; it knows nothing
// of the hub's endpoints.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/file.h"
#include "base/status.h"
#include "hub/server.h"

namespace hub::http {

// One complete request. Header names are matched without regard to case.
struct Request {
  std::string method, path;  // path: without the query string, %-decoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> query;  // the query string's arguments, decoded
  std::string body;
  std::string remote_addr;  // the TCP peer, numeric
  int remote_port = 0;
  // The body was larger than the limit (it was not kept: `body` is empty).
  bool body_too_large = false;

  bool has_header(std::string_view name) const;
  std::string header(std::string_view name) const;  // the first one, or ""
  std::string arg(std::string_view name) const;     // the first query argument so named, or ""
};

// The answer to one request.
struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  // The body is body_data[body_offset, body_offset + body_size); shared so that a cached bundle is
  // sent without a copy.
  std::shared_ptr<const std::string> body_data;
  size_t body_offset = 0, body_size = 0;

  void set_header(std::string name, std::string value);
  void set_content(std::string body, std::string content_type);
  void set_shared_content(std::shared_ptr<const std::string> data, size_t offset, size_t size,
                          std::string content_type);
};

// Called on a pool thread, concurrently for different connections.
using Handler = std::function<void(const Request&, Response&)>;

struct Limits {
  ServeLimits connection;   // connections, per address (0: none), idle time, memory, threads
  uint64_t max_body = 0;    // larger bodies are answered by the handler with body_too_large
  uint64_t drain_body = 0;  // bodies up to this are read and dropped first, so that a client
                            // which sends its body before reading hears the answer; larger ones
                            // are answered at once, without reading them
};

// A bound, listening TCP socket on host:port (port 0: an ephemeral one).
base::Result<base::UniqueFd> Listen(const std::string& host, int port, int backlog);
// The port a socket is bound to.
int BoundPort(int fd);

// A running server. Thread-safe; the destructor stops it and waits for its threads.
class Server {
 public:
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves `listen` (taken over) with TLS when cert_pem/key_pem are not empty.
  static base::Result<std::unique_ptr<Server>> Start(base::UniqueFd listen, const Limits& limits,
                                                     const std::string& cert_pem,
                                                     const std::string& key_pem, Handler handler);

  struct State;  // the daemon and what its callbacks see; defined in http_server.cc

 private:
  explicit Server(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace hub::http
