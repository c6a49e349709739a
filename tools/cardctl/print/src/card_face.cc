#include "card_face.h"

#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace cardctl_print {
namespace {

constexpr double kBandMm = 11.0;
constexpr double kQrMaxMm = 38.0;
constexpr double kQuietModules = 4;

void SetColour(cairo_t* cr, Rgb c) {
  cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0);
}

// One line of text at (x, y) (top-left), at most `width` mm wide, ellipsized.
void Text(cairo_t* cr, const CardStyle& style, const std::string& text, double x, double y,
          double width, double size_mm, bool bold) {
  if (text.empty()) return;
  PangoLayout* layout = pango_cairo_create_layout(cr);
  PangoFontDescription* font = pango_font_description_new();
  pango_font_description_set_family(font, style.font_family.c_str());
  pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_absolute_size(font, size_mm * PANGO_SCALE);
  pango_layout_set_font_description(layout, font);
  pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_text(layout, text.c_str(), static_cast<int>(text.size()));
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout);
  pango_font_description_free(font);
  g_object_unref(layout);
}

// The QR's dark modules, one rectangle per horizontal run, on a white quiet zone.
void Qr(cairo_t* cr, const QrModules& qr, double x, double y, double px_per_mm) {
  double m = ModuleMillimetres(qr.size);
  if (px_per_mm > 0) {  // whole pixels per module, origin on a pixel
    m = std::max(1.0, std::floor(m * px_per_mm)) / px_per_mm;
    x = std::round(x * px_per_mm) / px_per_mm;
    y = std::round(y * px_per_mm) / px_per_mm;
  }
  const double side = (qr.size + 2 * kQuietModules) * m;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, side, side);
  cairo_fill(cr);
  cairo_save(cr);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  cairo_set_source_rgb(cr, 0, 0, 0);
  const double ox = x + kQuietModules * m, oy = y + kQuietModules * m;
  for (int row = 0; row < qr.size; ++row) {
    const uint8_t* line = qr.dark.data() + static_cast<size_t>(row) * static_cast<size_t>(qr.size);
    for (int col = 0; col < qr.size;) {
      if (!line[col]) {
        ++col;
        continue;
      }
      int end = col;
      while (end < qr.size && line[end]) ++end;
      cairo_rectangle(cr, ox + col * m, oy + row * m, (end - col) * m, m);
      col = end;
    }
  }
  cairo_fill(cr);
  cairo_restore(cr);
}

void Band(cairo_t* cr, const CardStyle& style, cairo_surface_t* logo) {
  SetColour(cr, style.band);
  cairo_rectangle(cr, 0, 0, kCardWidthMm, kBandMm);
  cairo_fill(cr);
  SetColour(cr, style.accent);
  cairo_rectangle(cr, 0, kBandMm, kCardWidthMm, 0.8);
  cairo_fill(cr);
  double text_x = 4;
  if (logo != nullptr) {
    const int w = cairo_image_surface_get_width(logo), h = cairo_image_surface_get_height(logo);
    if (w > 0 && h > 0) {
      const double target = kBandMm - 3, scale = target / std::max(w, h);
      cairo_save(cr);
      cairo_translate(cr, 3, 1.5);
      cairo_scale(cr, scale, scale);
      cairo_set_source_surface(cr, logo, 0, 0);
      cairo_paint(cr);
      cairo_restore(cr);
      text_x = 3 + target + 2;
    }
  }
  SetColour(cr, style.band_text);
  Text(cr, style, style.union_name, text_x, 3.2, kCardWidthMm - text_x - 3, 3.6, true);
}

}  // namespace

double ModuleMillimetres(int modules) {
  return std::min(0.5, kQrMaxMm / (modules + 2 * kQuietModules));
}

void DrawCard(cairo_t* cr, const CardFace& card, const CardStyle& style, cairo_surface_t* logo,
              double px_per_mm) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, 0, 0, kCardWidthMm, kCardHeightMm);
  cairo_fill(cr);
  Band(cr, style, logo);
  const double qr_side = (card.qr.size + 2 * kQuietModules) * ModuleMillimetres(card.qr.size);
  Qr(cr, card.qr, 1.5, kCardHeightMm - qr_side - 1.5, px_per_mm);
  const double x = 1.5 + qr_side + 2, width = kCardWidthMm - x - 3;
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  double y = kBandMm + 4;
  Text(cr, style, card.display_name, x, y, width, 4.0, true);
  y += card.display_name.empty() ? 0 : 7;
  Text(cr, style, card.org, x, y, width, 3.0, false);
  y += 6;
  if (!card.number.empty()) {
    Text(cr, style, "Билет № " + card.number, x, y, width, 3.0, false);
    y += 6;
  }
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  Text(cr, style, "Действителен до " + card.valid_until, x, y, width, 2.6, false);
}

}  // namespace cardctl_print
