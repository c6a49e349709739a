// Draws one card face at the current origin, in millimetres (the caller sets the scale).
#pragma once

#include <cairo.h>

#include "cardctl_print/card_print.h"

namespace cardctl_print {

inline constexpr double kCardWidthMm = 85.6;
inline constexpr double kCardHeightMm = 54.0;

// Draws `card`. The QR's position and module size are snapped to whole multiples of
// `device_unit` (1 for a pixel of an image, 0.5 for half a point of a PDF). `logo` may be null.
void DrawCard(cairo_t* cr, const CardFace& card, const CardStyle& style, cairo_surface_t* logo,
              double device_unit);

}  // namespace cardctl_print
