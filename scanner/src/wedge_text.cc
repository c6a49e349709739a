// Key codes to characters, and undoing keyboard layouts on text that a US-layout scanner typed.
#include "wedge_text.h"

#include <linux/input-event-codes.h>

#include <array>
#include <cstdint>
#include <iterator>
#include <optional>

#include "scanner/keyboard_wedge.h"

namespace scanner {
namespace wedge {

std::u32string DecodeUtf8Lossy(std::string_view s) {
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  std::u32string out;
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    char32_t cp = 0;
    if (b0 < 0x80) {
      len = 1, cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2, cp = b0 & 0x1Fu;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, cp = b0 & 0x0Fu;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, cp = b0 & 0x07u;
    }
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if (ok && (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (!ok) {
      out.push_back(U'\uFFFD');
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void AppendUtf8(std::string& out, char32_t c) {
  auto byte = [&out](char32_t v) { out.push_back(static_cast<char>(static_cast<uint8_t>(v))); };
  if (c < 0x80) {
    byte(c);
  } else if (c < 0x800) {
    byte(0xC0 | (c >> 6));
    byte(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    byte(0xE0 | (c >> 12));
    byte(0x80 | ((c >> 6) & 0x3F));
    byte(0x80 | (c & 0x3F));
  } else {
    byte(0xF0 | (c >> 18));
    byte(0x80 | ((c >> 12) & 0x3F));
    byte(0x80 | ((c >> 6) & 0x3F));
    byte(0x80 | (c & 0x3F));
  }
}

}  // namespace wedge

namespace {

// The 47 keys of the main block that type a character (space aside), in row order: TLDE,
// AE01-AE12, AD01-AD12, AC01-AC11, AB01-AB10, BKSL (XKB names). Every table below has one
// character per key in this order, unshifted ("lower") and shifted ("upper").
constexpr size_t kKeys = 47;
// clang-format off
constexpr std::array<uint16_t, kKeys> kKeycodes = {
    KEY_GRAVE, KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9, KEY_0, KEY_MINUS,
    KEY_EQUAL,
    KEY_Q, KEY_W, KEY_E, KEY_R, KEY_T, KEY_Y, KEY_U, KEY_I, KEY_O, KEY_P, KEY_LEFTBRACE,
    KEY_RIGHTBRACE,
    KEY_A, KEY_S, KEY_D, KEY_F, KEY_G, KEY_H, KEY_J, KEY_K, KEY_L, KEY_SEMICOLON, KEY_APOSTROPHE,
    KEY_Z, KEY_X, KEY_C, KEY_V, KEY_B, KEY_N, KEY_M, KEY_COMMA, KEY_DOT, KEY_SLASH,
    KEY_BACKSLASH};
// clang-format on

// US (ANSI) layout: what a scanner emulates.
constexpr char kUsLower[] = "`1234567890-=qwertyuiop[]asdfghjkl;'zxcvbnm,./\\";
constexpr char kUsUpper[] = "~!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?|";

// Russian ЙЦУКЕН, as the default X11 layout "ru" (xkeyboard-config symbols/ru, "winkeys") and the
// Windows "Russian" layout (KBDRU), which agree on these keys: the shifted digits differ from US
// (" № ; : ?), '/' moves to shift+backslash and '.' ',' to the US '/' key.
constexpr char32_t kRuLower[] = U"ё1234567890-=йцукенгшщзхъфывапролджэячсмитьбю.\\";
constexpr char32_t kRuUpper[] = U"Ё!\"№;%:?*()_+ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,/";

// Kazakh, as X11 "kz" (xkeyboard-config symbols/kz, "basic", RST KazSSR 903-90) and the Windows
// "Kazakh" layout (KBDKAZ), which agree on these keys: the ЙЦУКЕН letters, the Kazakh letters
// ә і ң ғ ү ұ қ ө һ on the digit row (so no digits at all), ( ) on the grave key, № on the US '/'.
constexpr char32_t kKzLower[] = U"(\"әіңғ,.үұқөһйцукенгшщзхъфывапролджэячсмитьбю№\\";
constexpr char32_t kKzUpper[] = U")!ӘІҢҒ;:ҮҰҚӨҺЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ?/";

static_assert(std::size(kUsLower) == kKeys + 1 && std::size(kUsUpper) == kKeys + 1);
static_assert(std::size(kRuLower) == kKeys + 1 && std::size(kRuUpper) == kKeys + 1);
static_assert(std::size(kKzLower) == kKeys + 1 && std::size(kKzUpper) == kKeys + 1);

struct Layout {
  const char32_t* lower;
  const char32_t* upper;
};
constexpr Layout kRussian{kRuLower, kRuUpper};
constexpr Layout kKazakh{kKzLower, kKzUpper};

struct KeypadKey {
  uint16_t code;
  char c;
};
// Keypad keys as with Num Lock on (scanners in "keypad" mode send these for digits).
constexpr KeypadKey kKeypad[] = {{KEY_KP0, '0'},        {KEY_KP1, '1'},     {KEY_KP2, '2'},
                                 {KEY_KP3, '3'},        {KEY_KP4, '4'},     {KEY_KP5, '5'},
                                 {KEY_KP6, '6'},        {KEY_KP7, '7'},     {KEY_KP8, '8'},
                                 {KEY_KP9, '9'},        {KEY_KPDOT, '.'},   {KEY_KPSLASH, '/'},
                                 {KEY_KPASTERISK, '*'}, {KEY_KPMINUS, '-'}, {KEY_KPPLUS, '+'},
                                 {KEY_KPEQUAL, '='},    {KEY_KPCOMMA, ','}};

// Card texts: this prefix, then base45 (see card/).
constexpr std::string_view kCardPrefix = "UC1:";

bool IsCardText(std::string_view s) { return s.starts_with(kCardPrefix) && IsQrAlphanumeric(s); }

char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// A key whose both levels are letters of the layout, so caps lock swaps them.
bool IsLetterKey(const Layout& layout, size_t i) {
  return layout.lower[i] >= 0x80 && layout.upper[i] >= 0x80;
}

// The US character for the key (and level) that types `c` in `layout`, up-cased.
std::optional<char> MapBack(const Layout& layout, char32_t c, bool caps_lock) {
  if (c == U' ') return ' ';
  for (size_t i = 0; i < kKeys; ++i) {
    const bool lower = layout.lower[i] == c;
    if (!lower && layout.upper[i] != c) continue;
    const bool shifted = (caps_lock && IsLetterKey(layout, i)) ? lower : !lower;
    return Upper(shifted ? kUsUpper[i] : kUsLower[i]);
  }
  return std::nullopt;
}

std::optional<std::string> MapBack(const Layout& layout, const std::u32string& text,
                                   bool caps_lock) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    std::optional<char> us = MapBack(layout, c, caps_lock);
    if (!us) return std::nullopt;
    out.push_back(*us);
  }
  return out;
}

}  // namespace

std::optional<char> UsKeycodeToAscii(uint16_t code, bool shift) {
  if (code == KEY_SPACE) return ' ';
  for (size_t i = 0; i < kKeys; ++i) {
    if (kKeycodes[i] == code) return shift ? kUsUpper[i] : kUsLower[i];
  }
  for (const KeypadKey& k : kKeypad) {
    if (k.code == code) return k.c;
  }
  return std::nullopt;
}

bool IsQrAlphanumeric(std::string_view text) {
  static constexpr std::string_view kSymbols = " $%*+-./:";
  for (char c : text) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
                    kSymbols.find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

NormalizedText NormalizeWedgeText(std::string_view utf8) {
  NormalizedText raw{std::string(utf8), LayoutFix::kNone};
  if (IsQrAlphanumeric(utf8)) return raw;
  const std::u32string text = wedge::DecodeUtf8Lossy(utf8);
  bool ascii = true;
  for (char32_t c : text) ascii = ascii && c < 0x80;
  if (ascii) {
    // Lower case could be a genuine code (a URL); up-case only what then is a card text.
    std::string upper(utf8);
    for (char& c : upper) c = Upper(c);
    if (IsCardText(upper)) return {std::move(upper), LayoutFix::kCapsLock};
    return raw;
  }
  struct Candidate {
    const Layout* layout;
    bool caps_lock;
    LayoutFix fix;
  };
  static constexpr Candidate kCandidates[] = {
      {&kRussian, false, LayoutFix::kRussian},
      {&kRussian, true, LayoutFix::kRussianCapsLock},
      {&kKazakh, false, LayoutFix::kKazakh},
      {&kKazakh, true, LayoutFix::kKazakhCapsLock},
  };
  std::optional<NormalizedText> alphanumeric;
  for (const Candidate& cand : kCandidates) {
    std::optional<std::string> mapped = MapBack(*cand.layout, text, cand.caps_lock);
    if (!mapped || !IsQrAlphanumeric(*mapped)) continue;
    if (IsCardText(*mapped)) return {std::move(*mapped), cand.fix};
    if (!alphanumeric) alphanumeric = NormalizedText{std::move(*mapped), cand.fix};
  }
  return alphanumeric ? std::move(*alphanumeric) : raw;
}

}  // namespace scanner
