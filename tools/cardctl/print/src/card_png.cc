#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include <cmath>

#include "card_face.h"
#include "cardctl_print/card_print.h"

namespace cardctl_print {
namespace {

constexpr double kPxPerMm = 300 / 25.4;  // 300 dpi

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

base::Result<std::string> RenderCardPng(const CardFace& card, const CardStyle& style) {
  const int w = static_cast<int>(std::lround(kCardWidthMm * kPxPerMm));
  const int h = static_cast<int>(std::lround(kCardHeightMm * kPxPerMm));
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t* cr = cairo_create(surface);
  cairo_surface_t* logo = nullptr;
  if (!style.logo_png.empty()) logo = cairo_image_surface_create_from_png(style.logo_png.c_str());
  if (logo != nullptr && cairo_surface_status(logo) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(logo);
    logo = nullptr;  // the PDF writer refuses a bad logo first
  }
  cairo_scale(cr, kPxPerMm, kPxPerMm);
  DrawCard(cr, card, style, logo, 1);
  std::string png;
  cairo_status_t st = cairo_status(cr);
  if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_write_to_png_stream(surface, Append, &png);
  if (logo != nullptr) cairo_surface_destroy(logo);
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS)
    return base::Internal(std::string("rendering a card: ") + cairo_status_to_string(st));
  return png;
}

void ReleaseSharedCaches() {
  pango_cairo_font_map_set_default(nullptr);
  cairo_debug_reset_static_data();
  FcFini();
}

}  // namespace cardctl_print
