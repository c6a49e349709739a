#include "card_face.h"

#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace cardctl_print {
namespace {

constexpr double kBandMm = 11.0;
constexpr double kQrMaxMm = 40.0;  // with the quiet zone, after snapping
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

// The QR's modules as one image of 1 pixel per module, scaled up by a whole number of device
// units with nearest-neighbour sampling (PDF /Interpolate false): every module a sharp square, at
// any printer resolution, as a vector drawing would be, and a few hundred bytes per card instead of
// hundreds of rectangles. Position and module size are whole multiples of `unit` device units (a
// pixel, or half a point), so the modules are equal and their edges exact.
void Qr(cairo_t* cr, const QrModules& qr, double x, double y, double unit) {
  double per_mm = 1, unused = 0;
  cairo_user_to_device_distance(cr, &per_mm, &unused);
  double dx = x, dy = y;
  cairo_user_to_device(cr, &dx, &dy);
  const double m_dev =
      std::max(unit, std::round(ModuleMillimetres(qr.size) * per_mm / unit) * unit);
  dx = std::round(dx / unit) * unit;
  dy = std::round(dy / unit) * unit;
  cairo_save(cr);
  cairo_identity_matrix(cr);  // device space from here
  const double side = (qr.size + 2 * kQuietModules) * m_dev;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, dx, dy, side, side);
  cairo_fill(cr);
  // A surface that could not be made (no memory) is an error surface: setting it as the source
  // puts `cr` in its error state, which the caller reports.
  cairo_surface_t* modules = cairo_image_surface_create(CAIRO_FORMAT_RGB24, qr.size, qr.size);
  cairo_surface_flush(modules);
  if (unsigned char* data = cairo_image_surface_get_data(modules); data != nullptr) {
    const auto n = static_cast<size_t>(qr.size);
    const auto stride = static_cast<size_t>(cairo_image_surface_get_stride(modules));
    for (size_t r = 0; r < n; ++r) {
      // RGB24 pixels are native-endian 32-bit words; copied in, since the char pointer cairo
      // returns promises no alignment to the compiler (-Wcast-align on 32-bit ARM).
      for (size_t c = 0; c < n; ++c) {
        const uint32_t px = qr.dark[r * n + c] ? 0x000000u : 0xFFFFFFu;
        std::memcpy(data + r * stride + c * sizeof px, &px, sizeof px);
      }
    }
  }
  cairo_surface_mark_dirty(modules);
  cairo_translate(cr, dx + kQuietModules * m_dev, dy + kQuietModules * m_dev);
  cairo_scale(cr, m_dev, m_dev);
  cairo_set_source_surface(cr, modules, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_paint(cr);  // the image alone (no extend): in a PDF, one image drawn, not a pattern
  cairo_surface_destroy(modules);  // the PDF surface keeps its own reference until it is written
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
  return std::min(0.5, 37.0 / (modules + 2 * kQuietModules));
}

void DrawCard(cairo_t* cr, const CardFace& card, const CardStyle& style, cairo_surface_t* logo,
              double device_unit) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, 0, 0, kCardWidthMm, kCardHeightMm);
  cairo_fill(cr);
  Band(cr, style, logo);
  // Top-left under the band; snapping may make it up to 6% larger than nominal, within kQrMaxMm.
  Qr(cr, card.qr, 1.5, kBandMm + 2, device_unit);
  const double x = 1.5 + kQrMaxMm + 2, width = kCardWidthMm - x - 3;
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
  Text(cr, style, "Действителен до", x, y, width, 2.6, false);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  Text(cr, style, card.valid_until, x, y + 4, width, 3.0, true);
}

}  // namespace cardctl_print
