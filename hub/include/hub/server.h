// `cardhub serve`: the HTTP(S) endpoints of docs/hub-protocol.md over a HubStore.
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "hub/store.h"
#include "protocol/hub_url.h"

namespace hub {

inline constexpr char kHubVersion[] = "1.0";
inline constexpr size_t kMaxJournalBody = size_t{8} << 20;  // 8 MiB
inline constexpr int kIoTimeoutSeconds = 10;

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port
  std::string data_dir;
  std::string tls_cert, tls_key;  // both or neither; neither = plain HTTP, loopback only
};

// The protocol's one loopback rule (protocol/hub_url.h): 127.0.0.0/8 as a dotted quad, ::1 and
// "localhost".
using ck_protocol::IsLoopbackHost;

// Splits "HOST:PORT" ("[::1]:PORT" for IPv6).
base::Status ParseListen(const std::string& text, std::string* host, int* port);

// Binds, prints "listening on HOST:PORT" on stdout (flushed), and serves until the process is
// stopped. Refusals are logged on stderr, one line each.
base::Status Serve(const ServeOptions& options, HubStore& store, const base::Clock& clock);

}  // namespace hub
