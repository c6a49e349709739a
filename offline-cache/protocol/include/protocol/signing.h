// Device authentication for the hub protocol (docs/hub-protocol.md): the string a kiosk signs, the
// `Authorization: CK-Device kid=..., ts=..., sig=...` header, and its check. Pure functions shared
// by the hub (which checks) and the kiosk's network client (which signs); thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "card/crypto.h"

namespace ck_protocol {

inline constexpr char kAuthScheme[] = "CK-Device";
// A request whose ts is further than this from the hub's clock is refused (replay window).
inline constexpr int64_t kMaxClockSkewSeconds = 300;

// "ckhub-v1\n" + method + "\n" + path (query removed) + "\n" + ts + "\n" + hex(SHA-256(body)).
std::string SigningString(std::string_view method, std::string_view path, int64_t ts,
                          base::ByteSpan body);

// Base64url without padding (RFC 4648 section 5), and its strict decoder (no padding, no
// whitespace, unused trailing bits must be zero).
std::string Base64UrlEncode(base::ByteSpan data);
base::Result<base::Bytes> Base64UrlDecode(std::string_view text);

struct DeviceAuth {
  card::Kid kid{};
  int64_t ts = 0;
  base::Bytes sig;
};

// "CK-Device kid=<16 hex>, ts=<unix seconds>, sig=<base64url>".
std::string FormatAuthHeader(const DeviceAuth& auth);
// Parses an Authorization header value; kUnauthenticated when it is missing pieces or malformed.
base::Result<DeviceAuth> ParseAuthHeader(std::string_view value);

// Signs a request with the device key and returns the Authorization header value.
base::Result<std::string> SignRequest(const card::PrivateKey& device_key, std::string_view method,
                                      std::string_view path, int64_t ts, base::ByteSpan body);

// Checks `auth` against the device's public key (Ed25519 or ES256) and the hub's clock `now`:
// kUnauthenticated for a ts outside the window or a bad signature.
base::Status VerifyRequest(const card::PublicKey& device_pub, const DeviceAuth& auth,
                           std::string_view method, std::string_view path, base::ByteSpan body,
                           int64_t now);

}  // namespace ck_protocol
