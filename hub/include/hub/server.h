// `cardhub serve`: the HTTP(S) endpoints of docs/hub-protocol.md over a HubStore.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/fs.h"
#include "base/status.h"
#include "base/version.h"
#include "hub/serve_limits.h"
#include "hub/store.h"
#include "protocol/hub_url.h"

namespace hub {

// The version /v1/health answers: the project's one version (base/version.h).
inline constexpr const char* kHubVersion = base::kProjectVersion;
inline constexpr size_t kMaxJournalBody = size_t{8} << 20;  // 8 MiB
// A body over kMaxJournalBody up to this size is read (and dropped) before the 413 answer, so a
// client that sends its whole body before reading hears why; a larger one is refused unread.
inline constexpr size_t kMaxDrainedBody = size_t{16} << 20;  // 16 MiB

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port
  std::string data_dir;
  std::string tls_cert, tls_key;  // both or neither; neither = plain HTTP, loopback only
  // The address of a reverse proxy whose X-Forwarded-For is believed for the log; "" = none.
  std::string trust_proxy;
  ServeLimits limits;
  int64_t utc_offset_seconds = 3 * 3600;  // the kiosks' local time (reports, charts on /admin/)
  // Each authenticated request is a contact of its device (hub/device_status.h): refusals are
  // always written; an answered request at most once per device and kind per interval (0: every
  // one; 60 by default: a kiosk catching up in a burst of batches is one write, not one per
  // batch, which cost the load test 39 % of its requests/s). record_contacts = false writes none.
  bool record_contacts = true;
  int64_t contact_interval_seconds = 60;
};

// The protocol's one loopback rule (protocol/hub_url.h): 127.0.0.0/8 as a dotted quad, ::1 and
// "localhost".
using ck_protocol::IsLoopbackHost;

// Splits "HOST:PORT" ("[::1]:PORT" for IPv6).
base::Status ParseListen(const std::string& text, std::string* host, int* port);

// A running server: serves on its own threads until destroyed. The store, filesystem and clock
// must outlive it.
class HubServer {
 public:
  ~HubServer();
  HubServer(const HubServer&) = delete;
  HubServer& operator=(const HubServer&) = delete;

  // The admin pages (/admin/) read and write the data directory's files through `fs`.
  static base::Result<std::unique_ptr<HubServer>> Start(const ServeOptions& options,
                                                        HubStore& store, base::FileSystem& fs,
                                                        const base::Clock& clock);
  int port() const;  // the bound port (the ephemeral one when options.port was 0)

 private:
  struct Impl;
  explicit HubServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Starts a HubServer, prints "listening on HOST:PORT" on stdout (flushed), and serves until the
// process is stopped. Refusals are logged on stderr, one line each.
base::Status Serve(const ServeOptions& options, HubStore& store, base::FileSystem& fs,
                   const base::Clock& clock);

}  // namespace hub
