#include "kiosk_scan_input/preview_tap.h"

#include <cstddef>

#include "scanner/scan_pipeline.h"

namespace kiosk_scan_input {

base::Result<std::optional<scanner::CapturedFrame>> PreviewTap::Next(int timeout_ms) {
  base::Result<std::optional<scanner::CapturedFrame>> f = inner_->Next(timeout_ms);
  if (f.ok() && f->has_value()) Keep((*f)->frame);
  return f;
}

bool PreviewTap::HasFresh() {
  std::lock_guard<std::mutex> lock(mu_);
  return fresh_;
}

bool PreviewTap::Take(std::vector<uint8_t>* pixels, int* width, int* height) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!fresh_) return false;
  fresh_ = false;
  pixels->swap(pixels_);
  *width = w_;
  *height = h_;
  return true;
}

void PreviewTap::Keep(const scanner::Frame& f) {
  const int step = f.width > 800 ? 4 : 2;
  const int w = f.width / step, h = f.height / step;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pixels_.resize(static_cast<size_t>(w) * static_cast<size_t>(h));
    for (int y = 0; y < h; ++y) {
      const uint8_t* row = f.data + static_cast<ptrdiff_t>(y * step) * f.stride;
      uint8_t* out = pixels_.data() + static_cast<ptrdiff_t>(y) * w;
      for (int x = 0; x < w; ++x) out[x] = row[x * step];
    }
    w_ = w;
    h_ = h;
    // A still picture (nobody at the counter) needs no redrawing: it looks the same.
    scanner::SceneSignature({pixels_.data(), w, h, w}, &signature_);
    const bool same = scanner::SameScene(signature_, drawn_signature_);
    if (fresh_ || same) return;  // nothing new to show, or the UI has not drawn the last one
    drawn_signature_ = signature_;
    fresh_ = true;
  }
  if (wake_) wake_();
}

}  // namespace kiosk_scan_input
