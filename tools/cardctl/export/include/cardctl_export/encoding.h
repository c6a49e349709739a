// Text encodings of the union registry's exports: UTF-8 (with or without a byte-order mark) and
// Windows-1251, the code page Russian Excel and 1C save CSV in.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace cardctl_export {

enum class Encoding : uint8_t { kUtf8, kCp1251 };

// "UTF-8" / "Windows-1251", as the tool prints what it detected.
std::string_view EncodingName(Encoding e);
// --encoding: "utf-8" (or "utf8") | "cp1251" (or "windows-1251"), case-insensitive.
base::Result<Encoding> ParseEncodingName(std::string_view s);

// Decides the encoding of a whole file's bytes (after any byte-order mark). Looks at every line
// holding a byte above 0x7F: all valid UTF-8 -> UTF-8; none -> Windows-1251; some of each -> an
// error naming one line of each kind ("mixed encodings"). `file` names the file in messages.
base::Result<Encoding> DetectEncoding(std::string_view data, std::string_view file);

// Checks `data` is what `e` says: for UTF-8, names the first line that is not valid UTF-8 and says
// to try --encoding cp1251; for Windows-1251, names the first byte 0x98 (the one unassigned code).
base::Status CheckEncoding(std::string_view data, Encoding e, std::string_view file);

// The same two decisions over a file read in pieces: Add() takes whole lines (each piece ends with
// a line break, or is the file's end), numbering them on from the previous piece.
class EncodingScan {
 public:
  void Add(std::string_view lines);
  base::Result<Encoding> Detect(std::string_view file) const;   // as DetectEncoding
  base::Status Check(Encoding e, std::string_view file) const;  // as CheckEncoding

 private:
  size_t next_line_ = 1;
  size_t utf8_line_ = 0;   // the first line with a byte above 0x7F that is valid UTF-8
  size_t other_line_ = 0;  // the first that is not
  size_t x98_line_ = 0;    // the first with byte 0x98
};

// Appends the UTF-8 form of Windows-1251 bytes to *out. The one unassigned byte (0x98) becomes
// U+FFFD; CheckEncoding refuses it first.
void AppendCp1251AsUtf8(std::string_view in, std::string* out);

// The Unicode code point of a Windows-1251 byte (0x00-0x7F map to themselves; 0x98 -> 0xFFFD).
char32_t Cp1251CodePoint(unsigned char c);

}  // namespace cardctl_export
