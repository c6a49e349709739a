#include "web_util.h"

#include <openssl/crypto.h>

#include <cstdlib>

#include "base/hex.h"
#include "base/text.h"
#include "base/time_format.h"
#include "card/crypto.h"

namespace hub::web {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

base::Result<Form> ParseUrlencoded(std::string_view body) {
  Form form;
  size_t pos = 0;
  while (pos <= body.size() && !body.empty()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view pair = body.substr(pos, amp - pos);
    size_t eq = pair.find('=');
    std::optional<std::string> k = UrlDecode(pair.substr(0, eq));
    std::optional<std::string> v =
        UrlDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!k || !v) return base::InvalidArgument("form: a broken %-escape");
    if (!k->empty()) form.emplace(std::move(*k), std::move(*v));
    pos = amp + 1;
  }
  return form;
}

// The value of parameter `name` (e.g. boundary, name) in a header value, quotes removed.
std::string Param(std::string_view header, std::string_view name) {
  const std::string lower = base::AsciiLower(header);
  const std::string key = std::string(name) + "=";
  size_t at = 0;
  for (;;) {
    at = lower.find(key, at);
    if (at == std::string::npos) return "";
    if (at == 0 || lower[at - 1] == ';' || lower[at - 1] == ' ') break;
    at += key.size();
  }
  std::string_view v = header.substr(at + key.size());
  if (!v.empty() && v.front() == '"') {
    size_t end = v.find('"', 1);
    return std::string(v.substr(1, end == std::string_view::npos ? v.size() - 1 : end - 1));
  }
  return std::string(v.substr(0, v.find(';')));
}

base::Result<Form> ParseMultipart(std::string_view boundary, std::string_view body) {
  if (boundary.empty() || boundary.size() > 70) {
    return base::InvalidArgument("form: multipart without a boundary");
  }
  const std::string delim = "--" + std::string(boundary);
  Form form;
  size_t pos = body.find(delim);
  if (pos == std::string_view::npos) return base::InvalidArgument("form: no multipart part");
  for (;;) {
    pos += delim.size();
    if (body.substr(pos, 2) == "--") return form;  // the closing delimiter
    if (body.substr(pos, 2) != "\r\n") return base::InvalidArgument("form: broken multipart");
    pos += 2;
    size_t head_end = body.find("\r\n\r\n", pos);
    size_t next = body.find("\r\n" + delim, pos);
    if (head_end == std::string_view::npos || next == std::string_view::npos || head_end > next) {
      return base::InvalidArgument("form: a multipart part without its end");
    }
    std::string_view head = body.substr(pos, head_end - pos);
    std::string name;
    for (size_t l = 0; l < head.size();) {
      size_t e = head.find("\r\n", l);
      if (e == std::string_view::npos) e = head.size();
      std::string_view line = head.substr(l, e - l);
      if (base::AsciiLower(line.substr(0, 20)) == "content-disposition:")
        name = Param(line, "name");
      l = e + 2;
    }
    if (!name.empty()) {
      form.emplace(name, std::string(body.substr(head_end + 4, next - head_end - 4)));
    }
    pos = next + 2;
  }
}

}  // namespace

std::string Html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::optional<std::string> UrlDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexDigit(s[i + 1]);
      int lo = HexDigit(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

base::Result<Form> ParseForm(std::string_view content_type, std::string_view body) {
  const std::string type = base::AsciiLower(content_type.substr(0, content_type.find(';')));
  std::string_view t = base::TrimBlanks(type);
  if (t == "application/x-www-form-urlencoded") return ParseUrlencoded(body);
  if (t == "multipart/form-data") return ParseMultipart(Param(content_type, "boundary"), body);
  return base::InvalidArgument(
      "form: Content-Type must be application/x-www-form-urlencoded or "
      "multipart/form-data, got '" +
      std::string(content_type) + "'");
}

std::string CookieValue(std::string_view cookie_header, std::string_view name) {
  size_t pos = 0;
  while (pos < cookie_header.size()) {
    size_t semi = cookie_header.find(';', pos);
    if (semi == std::string_view::npos) semi = cookie_header.size();
    std::string_view part = base::TrimBlanks(cookie_header.substr(pos, semi - pos));
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
    pos = semi + 1;
  }
  return "";
}

std::string RandomToken() {
  base::Result<base::Bytes> b = card::RandomBytes(32);
  if (!b.ok()) std::abort();  // no randomness: nothing here can be made safe
  return base::ToHex(*b);
}

bool SameToken(std::string_view a, std::string_view b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string LocalTime(int64_t unix_seconds, int64_t utc_offset_seconds) {
  if (unix_seconds == 0) return "\xE2\x80\x94";
  std::string iso = base::FormatIso8601Utc(unix_seconds + utc_offset_seconds);  // ...THH:MM:SSZ
  return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

}  // namespace hub::web
