// Helpers of the admin pages (web.h): HTML escaping, form bodies (urlencoded and multipart),
// cookies and random tokens. Pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace hub::web {

// Text for HTML element content and attribute values (double or single quoted): & < > " '.
std::string Html(std::string_view text);
// %XX and '+' decoded; nullopt for a broken escape.
std::optional<std::string> UrlDecode(std::string_view s);
// For a query string value.
std::string UrlEncode(std::string_view s);

// A submitted form's fields by name (the first of each name). A multipart part with a file
// keeps the file's bytes as the field's value. kInvalidArgument for a body that is neither
// application/x-www-form-urlencoded nor multipart/form-data, or is malformed.
using Form = std::map<std::string, std::string>;
base::Result<Form> ParseForm(std::string_view content_type, std::string_view body);

// The value of cookie `name` in a Cookie header, or "".
std::string CookieValue(std::string_view cookie_header, std::string_view name);

// 32 random bytes as 64 hex digits (OpenSSL's generator).
std::string RandomToken();
// Constant-time comparison of two tokens (false when the lengths differ or either is empty).
bool SameToken(std::string_view a, std::string_view b);

// "YYYY-MM-DD HH:MM" in the local time `utc_offset_seconds` east of UTC; "—" for 0.
std::string LocalTime(int64_t unix_seconds, int64_t utc_offset_seconds);

}  // namespace hub::web
