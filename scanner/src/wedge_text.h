// UTF-8 helpers shared by the keyboard-wedge sources (private to ck_scanner).
#pragma once

#include <string>
#include <string_view>

namespace scanner::wedge {

// Decodes UTF-8; each byte that does not start a valid sequence becomes U+FFFD.
std::u32string DecodeUtf8Lossy(std::string_view s);

void AppendUtf8(std::string& out, char32_t c);

}  // namespace scanner::wedge
