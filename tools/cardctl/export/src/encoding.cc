// Windows-1251 is decoded through a table of its 128 upper codes rather than iconv: the code page
// is a fixed single-byte table (it has not changed since 1990s), decoding is one lookup per byte
// with no conversion state, no locale and no per-call allocation, so a 3.5 M-row export decodes at
// memory speed; the unit test holds the table against glibc's iconv byte by byte.
#include "cardctl_export/encoding.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "base/text.h"
#include "base/utf8.h"

namespace cardctl_export {
namespace {

constexpr char32_t kUnassigned = 0xfffd;

// Windows-1251, 0x80-0xBF (0xC0-0xFF are U+0410-U+044F, А-я, in order).
constexpr std::array<char32_t, 64> kCp1251High = {
    0x0402,      0x0403, 0x201a, 0x0453, 0x201e, 0x2026, 0x2020, 0x2021,  // 80
    0x20ac,      0x2030, 0x0409, 0x2039, 0x040a, 0x040c, 0x040b, 0x040f,  // 88
    0x0452,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,  // 90
    kUnassigned, 0x2122, 0x0459, 0x203a, 0x045a, 0x045c, 0x045b, 0x045f,  // 98
    0x00a0,      0x040e, 0x045e, 0x0408, 0x00a4, 0x0490, 0x00a6, 0x00a7,  // a0
    0x0401,      0x00a9, 0x0404, 0x00ab, 0x00ac, 0x00ad, 0x00ae, 0x0407,  // a8
    0x00b0,      0x00b1, 0x0406, 0x0456, 0x0491, 0x00b5, 0x00b6, 0x00b7,  // b0
    0x0451,      0x2116, 0x0454, 0x00bb, 0x0458, 0x0405, 0x0455, 0x0457,  // b8
};

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

bool HasHighByte(std::string_view line) {
  for (char c : line) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

// Calls fn(line_number, line) for every line holding a byte above 0x7F; stops when fn returns
// false.
template <typename Fn>
void ForEachHighLine(std::string_view data, Fn fn) {
  size_t line = 1, start = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string_view::npos) end = data.size();
    std::string_view text = data.substr(start, end - start);
    if (HasHighByte(text) && !fn(line, text)) return;
    start = end + 1;
    ++line;
  }
}

std::string Where(std::string_view file, size_t line) {
  return std::string(file) + ":" + std::to_string(line);
}

}  // namespace

char32_t Cp1251CodePoint(unsigned char c) {
  if (c < 0x80) return c;
  if (c >= 0xc0) return static_cast<char32_t>(0x0410 + (c - 0xc0));
  return kCp1251High[static_cast<size_t>(c - 0x80)];
}

std::string_view EncodingName(Encoding e) {
  return e == Encoding::kUtf8 ? "UTF-8" : "Windows-1251";
}

base::Result<Encoding> ParseEncodingName(std::string_view s) {
  const std::string v = base::AsciiLower(s);
  if (v == "utf-8" || v == "utf8") return Encoding::kUtf8;
  if (v == "cp1251" || v == "windows-1251") return Encoding::kCp1251;
  return base::InvalidArgument("--encoding must be utf-8 or cp1251, got '" + std::string(s) + "'");
}

void EncodingScan::Add(std::string_view lines) {
  ForEachHighLine(lines, [&](size_t line, std::string_view text) {
    const size_t n = next_line_ + line - 1;
    size_t& slot = base::IsValidUtf8(text) ? utf8_line_ : other_line_;
    if (slot == 0) slot = n;
    if (x98_line_ == 0 && text.find('\x98') != std::string_view::npos) x98_line_ = n;
    return true;
  });
  next_line_ += static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n'));
}

base::Result<Encoding> EncodingScan::Detect(std::string_view file) const {
  if (utf8_line_ != 0 && other_line_ != 0) {
    return base::InvalidArgument(
        Where(file, std::max(utf8_line_, other_line_)) + ": mixed encodings: line " +
        std::to_string(utf8_line_) + " is UTF-8, line " + std::to_string(other_line_) +
        " is not (Windows-1251?); save the whole file again in one encoding (UTF-8 or "
        "Windows-1251)");
  }
  return other_line_ != 0 ? Encoding::kCp1251 : Encoding::kUtf8;
}

base::Status EncodingScan::Check(Encoding e, std::string_view file) const {
  if (e == Encoding::kUtf8 && other_line_ != 0) {
    return base::InvalidArgument(Where(file, other_line_) +
                                 ": text is not valid UTF-8; if the file was saved by Russian "
                                 "Excel or 1C, try --encoding cp1251");
  }
  if (e == Encoding::kCp1251 && x98_line_ != 0) {
    return base::InvalidArgument(Where(file, x98_line_) +
                                 ": byte 0x98 is not a Windows-1251 character; try --encoding "
                                 "utf-8");
  }
  return base::Status::Ok();
}

base::Result<Encoding> DetectEncoding(std::string_view data, std::string_view file) {
  EncodingScan scan;
  scan.Add(data);
  return scan.Detect(file);
}

base::Status CheckEncoding(std::string_view data, Encoding e, std::string_view file) {
  EncodingScan scan;
  scan.Add(data);
  return scan.Check(e, file);
}

void AppendCp1251AsUtf8(std::string_view in, std::string* out) {
  // The UTF-8 form of each upper code, made once: 2 or 3 bytes.
  struct Utf8Form {
    std::array<char, 3> bytes;
    uint8_t size;
  };
  static const std::array<Utf8Form, 128> kForms = [] {
    std::array<Utf8Form, 128> forms{};
    for (size_t c = 0; c < forms.size(); ++c) {
      std::string u;
      AppendUtf8(Cp1251CodePoint(static_cast<unsigned char>(0x80 + c)), &u);
      std::copy(u.begin(), u.end(), forms[c].bytes.begin());
      forms[c].size = static_cast<uint8_t>(u.size());
    }
    return forms;
  }();
  // Written through a pointer into room for the longest result (3 bytes per byte), ASCII eight
  // bytes at a time, then cut to what was written: a piece of an export decodes at a few bytes
  // per nanosecond instead of one push_back per byte.
  const size_t start = out->size();
  out->resize(start + 3 * in.size());
  char* dst = out->data() + start;
  const char* src = in.data();
  const char* const end = src + in.size();
  while (src < end) {
    uint64_t word = 0;
    if (end - src >= 8 && (std::memcpy(&word, src, 8), (word & 0x8080808080808080u) == 0)) {
      std::memcpy(dst, src, 8);
      src += 8;
      dst += 8;
      continue;
    }
    const auto c = static_cast<unsigned char>(*src++);
    if (c < 0x80) {
      *dst++ = static_cast<char>(c);
    } else {
      const Utf8Form& f = kForms[c - 0x80];
      std::memcpy(dst, f.bytes.data(), 3);
      dst += f.size;
    }
  }
  out->resize(static_cast<size_t>(dst - out->data()));
}

}  // namespace cardctl_export
