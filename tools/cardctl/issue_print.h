// What `cardctl issue --print FILE.pdf [--print-layout a4|card] [--phone] [--theme DIR]` adds:
// the union's theme as a card style, and each card's face.
#pragma once

#include <optional>
#include <string>

#include "args.h"
#include "cardctl_print/card_print.h"
#include "scanner/image.h"

namespace cardctl {

struct PrintOptions {
  std::optional<std::string> pdf;  // --print
  cardctl_print::PrintLayout layout = cardctl_print::PrintLayout::kA4;
  bool phone = false;     // --phone: DIR/<id>.card.png
  std::string theme_dir;  // --theme, else the installed (or source) assets/theme
};

base::Result<PrintOptions> PrintOptionsFrom(const Args& args);
bool WantsFaces(const PrintOptions& o);

// The theme's name, colours and logo (a union's theme dir has theme.conf and maybe logo.png).
base::Result<cardctl_print::CardStyle> LoadCardStyle(const std::string& theme_dir);

// The QR code of a card's text, encoded once for both the bare PNG and the card face.
base::Result<cardctl_print::QrModules> EncodeQr(const std::string& text);
constexpr int kPrintDpi = 300;  // the bare QR PNG's resolution: 6 px modules are 0.51 mm

// The bare QR PNG file's bytes: the code exactly as scanner::RenderQr draws it with its defaults
// (6 px per module, a 4-module quiet zone), at kPrintDpi.
base::Result<std::string> BareQrPng(const cardctl_print::QrModules& qr);

// The face of a card valid until `exp` (Unix seconds, shown as dd.mm.yyyy).
cardctl_print::CardFace MakeFace(cardctl_print::QrModules qr, const std::string& display_name,
                                 const std::string& org, const std::string& number, int64_t exp);

}  // namespace cardctl
