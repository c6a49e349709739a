#include "protocol/hub_url.h"

namespace ck_protocol {
namespace {

// One decimal octet: 1-3 digits, no leading zero, at most 255.
bool IsDecimalOctet(std::string_view s, int* value) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s.front() == '0')) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *value = v;
  return v <= 255;
}

bool IsIpv4Loopback(std::string_view host) {
  int first = -1;
  for (int i = 0; i < 4; ++i) {
    const size_t dot = host.find('.');
    if ((i < 3) == (dot == std::string_view::npos)) return false;  // exactly three dots
    int octet = 0;
    if (!IsDecimalOctet(host.substr(0, dot), &octet)) return false;
    if (i == 0) first = octet;
    host = i < 3 ? host.substr(dot + 1) : std::string_view();
  }
  return first == 127;
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  return IsIpv4Loopback(host);
}

std::string HubUrl::UrlOf(std::string_view path) const { return base + PathOf(path); }

std::string HubUrl::PathOf(std::string_view path) const {
  std::string out = prefix;
  out.append(path);
  return out;
}

base::Result<HubUrl> ParseHubUrl(std::string_view url) {
  HubUrl p;
  std::string_view rest;
  if (url.starts_with("https://")) {
    p.https = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return base::InvalidArgument("hub URL must start with https:// (or http:// for loopback): " +
                                 std::string(url));
  }
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash);
    if (prefix.find_first_of("?#") != std::string_view::npos)
      return base::InvalidArgument("hub URL must not have a query: " + std::string(url));
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    p.prefix = std::string(prefix);
  }
  if (authority.empty() || authority.find('@') != std::string_view::npos)
    return base::InvalidArgument("hub URL has no host (or has credentials): " + std::string(url));
  std::string_view host = authority;
  if (host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!p.https && !IsLoopbackHost(host)) {
    return base::InvalidArgument(
        "plain http:// is allowed only to a loopback host; use https:// for " + std::string(host));
  }
  p.host = std::string(host);
  p.base = std::string(url.substr(0, url.size() - rest.size())) + std::string(authority);
  return p;
}

}  // namespace ck_protocol
