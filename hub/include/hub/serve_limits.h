// What one `cardhub serve` holds at most (docs/hub.md, "Limits"), and how the config file sets it.
#pragma once

#include <cstddef>

namespace hub {

// What one server holds at most (docs/hub.md, "Limits").
struct ServeLimits {
  unsigned connections = 4096;           // open connections in total
  unsigned per_ip_connections = 64;      // per client address (not applied behind a trusted proxy)
  unsigned idle_timeout_seconds = 10;    // between two bytes of a request, and keep-alive idle
  size_t connection_memory = 32 * 1024;  // per connection: read buffer and request headers
  int listen_backlog = 1024;
  unsigned threads = 2;   // event loops: each serves many connections, never waits on the store
  unsigned workers = 16;  // threads that run requests (store, signatures), one request each
};

}  // namespace hub
