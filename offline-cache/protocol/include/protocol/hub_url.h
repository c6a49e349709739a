// Where the hub is: the hub URL a kiosk is configured with, and the one loopback rule that decides
// where plain HTTP is allowed (the hub refuses to serve it elsewhere, the client to send it
// elsewhere). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace ck_protocol {

// True for a loopback host: "localhost", "::1" or "[::1]", or an IPv4 address in 127.0.0.0/8
// written as a dotted quad of decimal octets ("127.0.0.1", "127.1.2.3"). Strict on purpose:
// "127.0.0.1.example.org", "127.1", "127.0.0.01" (leading zero) or "127.0.0.256" are not loopback.
bool IsLoopbackHost(std::string_view host);

// A parsed hub URL: "https://host[:port][/prefix]" or "http://LOOPBACK[:port][/prefix]".
struct HubUrl {
  bool https = false;
  std::string base;    // "scheme://authority"
  std::string prefix;  // "" or "/something", without a trailing slash
  std::string host;    // the authority's host ("[::1]" keeps its brackets)

  // base + prefix + path: the URL of an endpoint (path from protocol/paths.h).
  std::string UrlOf(std::string_view path) const;
  // prefix + path: what the request signature covers (docs/hub-protocol.md).
  std::string PathOf(std::string_view path) const;
};

// kInvalidArgument for another scheme, a query or fragment, credentials, no host, or plain http://
// to a host that is not loopback.
base::Result<HubUrl> ParseHubUrl(std::string_view url);

}  // namespace ck_protocol
