#include <cairo-pdf.h>
#include <cairo.h>
#include <unistd.h>

#include <cstdio>

#include "base/time_format.h"
#include "card_face.h"
#include "cardctl_print/card_print.h"

namespace cardctl_print {
namespace {

constexpr double kPtPerMm = 72.0 / 25.4;
constexpr double kA4WidthMm = 210, kA4HeightMm = 297;
constexpr int kColumns = 2, kRows = 5;  // 10 cards per A4 page
constexpr double kMarginXMm = (kA4WidthMm - kColumns * kCardWidthMm) / 2;
constexpr double kMarginYMm = (kA4HeightMm - kRows * kCardHeightMm) / 2;
constexpr double kMarkGapMm = 2, kMarkLengthMm = 6;

// Crop marks in the margins, on every cut line of the grid.
void CropMarks(cairo_t* cr) {
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.1);
  const double right = kMarginXMm + kColumns * kCardWidthMm;
  const double bottom = kMarginYMm + kRows * kCardHeightMm;
  for (int c = 0; c <= kColumns; ++c) {
    const double x = kMarginXMm + c * kCardWidthMm;
    cairo_move_to(cr, x, kMarginYMm - kMarkGapMm);
    cairo_line_to(cr, x, kMarginYMm - kMarkGapMm - kMarkLengthMm);
    cairo_move_to(cr, x, bottom + kMarkGapMm);
    cairo_line_to(cr, x, bottom + kMarkGapMm + kMarkLengthMm);
  }
  for (int r = 0; r <= kRows; ++r) {
    const double y = kMarginYMm + r * kCardHeightMm;
    cairo_move_to(cr, kMarginXMm - kMarkGapMm, y);
    cairo_line_to(cr, kMarginXMm - kMarkGapMm - kMarkLengthMm, y);
    cairo_move_to(cr, right + kMarkGapMm, y);
    cairo_line_to(cr, right + kMarkGapMm + kMarkLengthMm, y);
  }
  cairo_stroke(cr);
}

base::Status CairoError(cairo_status_t st, const std::string& what) {
  return base::Internal(what + ": " + cairo_status_to_string(st));
}

}  // namespace

struct PdfWriter::Impl {
  cairo_surface_t* surface = nullptr;
  cairo_t* cr = nullptr;
  cairo_surface_t* logo = nullptr;
  CardStyle style;
  ~Impl() {
    if (cr != nullptr) cairo_destroy(cr);
    if (surface != nullptr) cairo_surface_destroy(surface);
    if (logo != nullptr) cairo_surface_destroy(logo);
  }
};

PdfWriter::PdfWriter(std::unique_ptr<Impl> impl, std::string path, PrintLayout layout)
    : impl_(std::move(impl)), path_(std::move(path)), layout_(layout) {}

PdfWriter::~PdfWriter() {
  if (!finished_) {
    impl_.reset();  // closes the file
    ::unlink((path_ + ".tmp").c_str());
  }
}

base::Result<std::unique_ptr<PdfWriter>> PdfWriter::Create(const std::string& path,
                                                           PrintLayout layout, CardStyle style,
                                                           int64_t created) {
  auto impl = std::make_unique<Impl>();
  const bool a4 = layout == PrintLayout::kA4;
  const std::string tmp = path + ".tmp";
  impl->surface = cairo_pdf_surface_create(tmp.c_str(), (a4 ? kA4WidthMm : kCardWidthMm) * kPtPerMm,
                                           (a4 ? kA4HeightMm : kCardHeightMm) * kPtPerMm);
  if (cairo_status_t st = cairo_surface_status(impl->surface); st != CAIRO_STATUS_SUCCESS)
    return CairoError(st, "creating " + tmp);
  cairo_pdf_surface_set_metadata(impl->surface, CAIRO_PDF_METADATA_TITLE,
                                 (style.union_name + ": membership cards").c_str());
  cairo_pdf_surface_set_metadata(impl->surface, CAIRO_PDF_METADATA_CREATOR, "cardctl");
  cairo_pdf_surface_set_metadata(impl->surface, CAIRO_PDF_METADATA_CREATE_DATE,
                                 base::FormatIso8601Utc(created).c_str());
  impl->cr = cairo_create(impl->surface);
  if (!style.logo_png.empty()) {
    impl->logo = cairo_image_surface_create_from_png(style.logo_png.c_str());
    if (cairo_status_t st = cairo_surface_status(impl->logo); st != CAIRO_STATUS_SUCCESS) {
      ::unlink(tmp.c_str());
      return CairoError(st, "reading the logo " + style.logo_png);
    }
  }
  impl->style = std::move(style);
  return std::unique_ptr<PdfWriter>(new PdfWriter(std::move(impl), path, layout));
}

base::Status PdfWriter::Add(const CardFace& card) {
  cairo_t* cr = impl_->cr;
  const bool a4 = layout_ == PrintLayout::kA4;
  const size_t per_page = a4 ? kColumns * kRows : 1;
  const size_t slot = added_ % per_page;
  if (added_ > 0 && slot == 0) cairo_show_page(cr);
  if (slot == 0) {
    ++pages_;
    cairo_identity_matrix(cr);
    cairo_scale(cr, kPtPerMm, kPtPerMm);
    if (a4) CropMarks(cr);
  }
  cairo_save(cr);
  if (a4) {
    cairo_translate(cr, kMarginXMm + static_cast<double>(slot % kColumns) * kCardWidthMm,
                    kMarginYMm + static_cast<double>(slot / kColumns) * kCardHeightMm);
  }
  DrawCard(cr, card, impl_->style, impl_->logo, 0.5);
  cairo_restore(cr);
  ++added_;
  if (cairo_status_t st = cairo_status(cr); st != CAIRO_STATUS_SUCCESS)
    return CairoError(st, "drawing into " + path_);
  return base::Status::Ok();
}

base::Status PdfWriter::Finish() {
  cairo_show_page(impl_->cr);
  cairo_surface_finish(impl_->surface);
  if (cairo_status_t st = cairo_surface_status(impl_->surface); st != CAIRO_STATUS_SUCCESS)
    return CairoError(st, "writing " + path_ + ".tmp");
  impl_.reset();
  if (std::rename((path_ + ".tmp").c_str(), path_.c_str()) != 0)
    return base::IoError("renaming " + path_ + ".tmp", errno);
  finished_ = true;
  return base::Status::Ok();
}

}  // namespace cardctl_print
