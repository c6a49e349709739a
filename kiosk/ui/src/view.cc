// The view as data: what it shows and where its buttons are, and BuildView().
#include "kiosk_ui/view.h"

#include <algorithm>
#include <cctype>

#include "builder.h"

namespace kiosk_ui {
namespace {

// A letter or digit: ASCII, or a letter of the Latin, Greek and Cyrillic blocks (U+00C0..U+052F,
// without × and ÷). Punctuation, spaces (no-break space included) and symbols end a word.
bool IsWordChar(char32_t c) {
  if (c < 0x80) return std::isalnum(static_cast<int>(c)) != 0;
  return c >= 0xC0 && c <= 0x52F && c != 0xD7 && c != 0xF7;
}

// The code point whose UTF-8 sequence starts at s[i].
char32_t CodePointAt(std::string_view s, size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  const int more = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
  char32_t c = more == 0 ? lead : lead & (0x3Fu >> more);
  for (int k = 1; k <= more && i + static_cast<size_t>(k) < s.size(); ++k)
    c = (c << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3Fu);
  return c;
}

// The code point that ends just before s[i] (i > 0).
char32_t CodePointBefore(std::string_view s, size_t i) {
  size_t start = i - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  return CodePointAt(s, start);
}

// True if `needle` is in `text` as a reader sees it: where the needle begins or ends with a letter
// or digit, the text does not go on with one there ("VALID" is not in "INVALID").
bool ShowsAsWords(std::string_view text, std::string_view needle) {
  if (needle.empty()) return false;
  const bool word_start = IsWordChar(CodePointAt(needle, 0));
  const bool word_end = IsWordChar(CodePointBefore(needle, needle.size()));
  for (size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + 1)) {
    const size_t end = at + needle.size();
    if (word_start && at > 0 && IsWordChar(CodePointBefore(text, at))) continue;
    if (word_end && end < text.size() && IsWordChar(CodePointAt(text, end))) continue;
    return true;
  }
  return false;
}

}  // namespace

const Element* View::ButtonAt(int x, int y) const {
  for (auto it = elements.rbegin(); it != elements.rend(); ++it)
    if (it->kind == Kind::kButton && it->rect.Contains(x, y)) return &*it;
  return nullptr;
}

const Element* View::Button(std::string_view id) const {
  for (const Element& e : elements)
    if (e.kind == Kind::kButton && e.id == id) return &e;
  return nullptr;
}

bool View::Shows(std::string_view needle) const {
  for (const Element& e : elements)
    if ((e.kind == Kind::kText || e.kind == Kind::kButton) && ShowsAsWords(e.text, needle))
      return true;
  return false;
}

std::string View::AllText() const {
  std::string out;
  for (const Element& e : elements) {
    if ((e.kind != Kind::kText && e.kind != Kind::kButton) || e.text.empty()) continue;
    out += e.text;
    out += '\n';
  }
  return out;
}

bool View::operator==(const View& o) const {
  if (name != o.name || !(background == o.background) || elements.size() != o.elements.size())
    return false;
  for (size_t i = 0; i < elements.size(); ++i) {
    const Element& a = elements[i];
    const Element& b = o.elements[i];
    if (a.kind != b.kind || a.rect.x != b.rect.x || a.rect.y != b.rect.y || a.rect.w != b.rect.w ||
        a.rect.h != b.rect.h || !(a.color == b.color) || !(a.text_color == b.text_color) ||
        a.text != b.text || a.font_px != b.font_px || a.bold != b.bold || a.id != b.id)
      return false;
  }
  return true;
}

Tone ToneOf(Outcome outcome) {
  switch (outcome) {
    case Outcome::kValid:
    case Outcome::kVoided:  // the correction was recorded
      return Tone::kValid;
    case Outcome::kInvalid:
    case Outcome::kRefusedByRule:
      return Tone::kInvalid;
    case Outcome::kCannotCheck:
      return Tone::kWarning;
  }
  return Tone::kWarning;
}

View BuildView(const Model& model, const kiosk_settings::Strings& strings,
               const kiosk_settings::Theme& theme, int width, int height) {
  return view_internal::Builder(model, strings, theme, std::max(width, 320), std::max(height, 240))
      .Build();
}

}  // namespace kiosk_ui
