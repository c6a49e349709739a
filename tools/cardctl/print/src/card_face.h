// Draws one card face at the current origin, in millimetres (the caller sets the scale).
#pragma once

#include <cairo.h>

#include "cardctl_print/card_print.h"

namespace cardctl_print {

inline constexpr double kCardWidthMm = 85.6;
inline constexpr double kCardHeightMm = 54.0;

// Draws `card`; `px_per_mm` > 0 snaps the QR's modules to whole device pixels (for images).
// `logo` may be null.
void DrawCard(cairo_t* cr, const CardFace& card, const CardStyle& style, cairo_surface_t* logo,
              double px_per_mm);

}  // namespace cardctl_print
