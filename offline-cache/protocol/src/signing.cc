#include "protocol/signing.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "base/hex.h"
#include "base/text.h"

namespace ck_protocol {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

card::Alg AlgOf(const card::PublicKey& key) {
  return key.type() == card::KeyType::kEd25519 ? card::Alg::kEdDSA : card::Alg::kES256;
}

}  // namespace

std::string SigningString(std::string_view method, std::string_view path, int64_t ts,
                          base::ByteSpan body) {
  size_t q = path.find('?');
  if (q != std::string_view::npos) path = path.substr(0, q);
  std::array<uint8_t, 32> digest{};
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), digest.data(), &len, EVP_sha256(), nullptr);
  std::string out = "ckhub-v1\n";
  out.append(method);
  out += '\n';
  out.append(path);
  out += '\n';
  out += std::to_string(ts);
  out += '\n';
  out += base::ToHex(digest);
  return out;
}

std::string Base64UrlEncode(base::ByteSpan data) {
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{data[i]} << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
  } else if (rest == 2) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
  }
  return out;
}

base::Result<base::Bytes> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return base::InvalidArgument("base64url: bad length");
  base::Bytes out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = B64Value(c);
    if (v < 0) return base::InvalidArgument("base64url: bad character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return base::InvalidArgument("base64url: non-zero trailing bits");
  }
  return out;
}

std::string FormatAuthHeader(const DeviceAuth& auth) {
  return std::string(kAuthScheme) + " kid=" + base::ToHex(auth.kid) +
         ", ts=" + std::to_string(auth.ts) + ", sig=" + Base64UrlEncode(auth.sig);
}

base::Result<DeviceAuth> ParseAuthHeader(std::string_view value) {
  value = base::TrimBlanks(value);
  std::string_view scheme = kAuthScheme;
  if (value.size() <= scheme.size() || value.substr(0, scheme.size()) != scheme ||
      value[scheme.size()] != ' ') {
    return base::Unauthenticated("Authorization: not a CK-Device header");
  }
  value.remove_prefix(scheme.size() + 1);
  DeviceAuth auth;
  bool have_kid = false, have_ts = false, have_sig = false;
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view part = base::TrimBlanks(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) return base::Unauthenticated("Authorization: bad parameter");
    std::string_view key = part.substr(0, eq), val = part.substr(eq + 1);
    if (key == "kid" && !have_kid) {
      auto bytes = base::FromHex(val);
      if (val.size() != 16 || !bytes.ok()) return base::Unauthenticated("Authorization: bad kid");
      std::copy(bytes->begin(), bytes->end(), auth.kid.begin());
      have_kid = true;
    } else if (key == "ts" && !have_ts) {
      if (val.empty() || val.size() > 15) return base::Unauthenticated("Authorization: bad ts");
      int64_t ts = 0;
      for (char c : val) {
        if (c < '0' || c > '9') return base::Unauthenticated("Authorization: bad ts");
        ts = ts * 10 + (c - '0');
      }
      auth.ts = ts;
      have_ts = true;
    } else if (key == "sig" && !have_sig) {
      auto sig = Base64UrlDecode(val);
      if (!sig.ok() || sig->empty() || sig->size() > 512) {
        return base::Unauthenticated("Authorization: bad sig");
      }
      auth.sig = std::move(sig).value();
      have_sig = true;
    } else {
      return base::Unauthenticated("Authorization: unknown or repeated parameter");
    }
  }
  if (!have_kid || !have_ts || !have_sig) {
    return base::Unauthenticated("Authorization: kid, ts and sig are required");
  }
  return auth;
}

base::Result<std::string> SignRequest(const card::PrivateKey& device_key, std::string_view method,
                                      std::string_view path, int64_t ts, base::ByteSpan body) {
  CK_ASSIGN_OR_RETURN(card::PublicKey pub, device_key.Public());
  std::string tbs = SigningString(method, path, ts, body);
  DeviceAuth auth;
  auth.kid = pub.kid();
  auth.ts = ts;
  CK_ASSIGN_OR_RETURN(auth.sig, device_key.Sign(base::AsBytes(tbs)));
  return FormatAuthHeader(auth);
}

base::Status VerifyRequest(const card::PublicKey& device_pub, const DeviceAuth& auth,
                           std::string_view method, std::string_view path, base::ByteSpan body,
                           int64_t now) {
  if (auth.kid != device_pub.kid()) return base::Unauthenticated("kid does not match the key");
  if (auth.ts > now + kMaxClockSkewSeconds || auth.ts < now - kMaxClockSkewSeconds) {
    return base::Unauthenticated("ts outside the allowed clock skew");
  }
  std::string tbs = SigningString(method, path, auth.ts, body);
  card::SignatureVerifier verifier;
  base::Status st = verifier.Verify(AlgOf(device_pub), device_pub, base::AsBytes(tbs), auth.sig);
  if (!st.ok()) return base::Unauthenticated("bad request signature");
  return base::Status::Ok();
}

}  // namespace ck_protocol
