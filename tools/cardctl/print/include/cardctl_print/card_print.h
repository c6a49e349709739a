// Membership cards people can print or keep on a phone, drawn with cairo and pango: a print-ready
// PDF (ID-1 cards, 85.6 x 54 mm, ten to an A4 page with crop marks, or one per page for card
// printers) and a PNG of one card. Text is real text (pango, fonts embedded by cairo as subsets);
// the QR code is an image of 1 pixel per module scaled up without smoothing, in whole pixels per
// module in the PNG.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace cardctl_print {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

// How the union's cards look (from its theme). The logo, if any, is a PNG.
struct CardStyle {
  std::string union_name = "cardkiosk";
  Rgb band{0x1E, 0x2A, 0x3A};  // the band across the top with the name and logo
  Rgb band_text{0xFF, 0xFF, 0xFF};
  Rgb accent{0x2F, 0x80, 0xED};             // the line under the band
  std::string logo_png;                     // empty: none
  std::string font_family = "DejaVu Sans";  // fonts-dejavu-core: Cyrillic and Kazakh letters
};

// A QR code's modules, row-major, 1 = dark; `size` x `size`, without the quiet zone.
struct QrModules {
  int size = 0;
  std::vector<uint8_t> dark;
};

struct CardFace {
  std::string display_name;  // may be empty (--names none)
  std::string org;
  std::string number;       // as printed; may be empty
  std::string valid_until;  // e.g. "31.12.2027"
  QrModules qr;
};

enum class PrintLayout : uint8_t { kA4, kCard };

// The QR's nominal module size on a card: 0.5 mm, a size phone cameras and the kiosk's camera read
// from paper at 10-25 cm and from a phone screen; smaller only if the code would not fit in 37 mm.
// Drawn, it is rounded to whole device units: 1.5 pt (0.53 mm) in the PDF, 6 px (0.51 mm) in the
// 300 dpi PNG.
double ModuleMillimetres(int modules);

// Writes cards into one PDF as they are added. Not thread-safe. The file is written to
// `path + ".tmp"` and renamed over `path` by Finish(); destroyed unfinished, it removes the
// temporary, so a failed run leaves no partial PDF. The PDF's creation date is `created` (Unix
// seconds: the cards' issue time), so the same cards give the same file, byte for byte.
class PdfWriter {
 public:
  static base::Result<std::unique_ptr<PdfWriter>> Create(const std::string& path,
                                                         PrintLayout layout, CardStyle style,
                                                         int64_t created);
  ~PdfWriter();
  PdfWriter(const PdfWriter&) = delete;
  PdfWriter& operator=(const PdfWriter&) = delete;

  base::Status Add(const CardFace& card);
  base::Status Finish();
  size_t pages() const { return pages_; }

 private:
  struct Impl;
  PdfWriter(std::unique_ptr<Impl> impl, std::string path, PrintLayout layout);
  std::unique_ptr<Impl> impl_;
  std::string path_;
  PrintLayout layout_;
  size_t added_ = 0, pages_ = 0;
  bool finished_ = false;
};

// One card as a PNG for a phone: 300 dpi (1011 x 638 pixels), the QR in whole pixels per module.
base::Result<std::string> RenderCardPng(const CardFace& card, const CardStyle& style);

// Frees what pango, cairo and fontconfig keep for the life of the process (so a leak checker sees
// only real leaks). Call once, at the end, when no writer or rendering is left.
void ReleaseSharedCaches();

}  // namespace cardctl_print
