// What `cardctl issue --print FILE.pdf [--print-layout a4|card] [--phone] [--theme DIR]` adds:
// the union's theme as a card style, and each card's face.
#pragma once

#include <optional>
#include <string>

#include "args.h"
#include "cardctl_print/card_print.h"

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

// The face of a card with QR text `text`, valid until `exp` (Unix seconds, shown as dd.mm.yyyy).
base::Result<cardctl_print::CardFace> MakeFace(const std::string& text,
                                               const std::string& display_name,
                                               const std::string& org, const std::string& number,
                                               int64_t exp);

}  // namespace cardctl
