#include "renderer.h"

#include <algorithm>

#include "png_rgb.h"

namespace kiosk_sdl {

using kiosk_ui::Align;
using kiosk_ui::Element;
using kiosk_ui::Kind;

namespace {

SDL_Rect ToSdl(const kiosk_ui::Rect& r) { return {r.x, r.y, r.w, r.h}; }

void SetColor(SDL_Renderer* r, kiosk_settings::Rgb c) {
  SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
}

// The largest w x h rectangle of a picture's aspect ratio centred inside `box`.
SDL_Rect FitInside(const SDL_Rect& box, int w, int h) {
  int fw = box.w, fh = box.w * h / std::max(1, w);
  if (fh > box.h) {
    fh = box.h;
    fw = box.h * w / std::max(1, h);
  }
  return {box.x + (box.w - fw) / 2, box.y + (box.h - fh) / 2, fw, fh};
}

}  // namespace

base::Result<std::unique_ptr<Renderer>> Renderer::Create(SDL_Renderer* renderer,
                                                         const std::string& font_regular,
                                                         const std::string& font_bold,
                                                         const std::string& logo) {
  std::unique_ptr<Renderer> out(new Renderer(renderer));
  out->font_path_[0] = font_regular;
  out->font_path_[1] = font_bold;
  // Open both now so a missing font is a clear start-up error, not a blank screen later.
  for (bool bold : {false, true})
    if (out->Font(24, bold) == nullptr)
      return base::NotFound("cannot open font " + out->font_path_[bold ? 1 : 0] + ": " +
                            TTF_GetError());
  if (!logo.empty()) {
    base::Result<RgbaImage> img = ReadRgbaPng(logo);
    if (!img.ok()) return img.status();
    SurfacePtr s(SDL_CreateRGBSurfaceWithFormatFrom(img->pixels.data(), img->width, img->height, 32,
                                                    img->width * 4, SDL_PIXELFORMAT_ABGR8888));
    if (s == nullptr) return base::Internal(std::string("logo surface: ") + SDL_GetError());
    out->logo_.reset(SDL_CreateTextureFromSurface(renderer, s.get()));
    if (out->logo_ == nullptr) return base::Internal(std::string("logo: ") + SDL_GetError());
    out->logo_w_ = img->width;
    out->logo_h_ = img->height;
  }
  return out;
}

TTF_Font* Renderer::Font(int px, bool bold) {
  auto it = fonts_.find({px, bold});
  if (it != fonts_.end()) return it->second.get();
  FontPtr f(TTF_OpenFont(font_path_[bold ? 1 : 0].c_str(), px));
  if (f == nullptr) return nullptr;
  TTF_SetFontHinting(f.get(), TTF_HINTING_LIGHT);
  TTF_Font* raw = f.get();
  fonts_[{px, bold}] = std::move(f);
  return raw;
}

const Renderer::TextTexture* Renderer::Text(const std::string& text, int px, bool bold,
                                            kiosk_settings::Rgb color, int wrap_width,
                                            Align align) {
  const uint32_t rgb =
      static_cast<uint32_t>(color.r) << 16 | static_cast<uint32_t>(color.g) << 8 | color.b;
  TextKey key{text, px, wrap_width, bold, rgb};
  auto it = texts_.find(key);
  if (it != texts_.end()) {
    it->second.used = true;
    return &it->second;
  }
  TTF_Font* font = Font(px, bold);
  if (font == nullptr) return nullptr;
  TTF_SetFontWrappedAlign(font, align == Align::kCenter  ? TTF_WRAPPED_ALIGN_CENTER
                                : align == Align::kRight ? TTF_WRAPPED_ALIGN_RIGHT
                                                         : TTF_WRAPPED_ALIGN_LEFT);
  SurfacePtr s(TTF_RenderUTF8_Blended_Wrapped(font, text.c_str(), {color.r, color.g, color.b, 255},
                                              static_cast<uint32_t>(std::max(wrap_width, 1))));
  if (s == nullptr) return nullptr;
  TextTexture t;
  t.texture.reset(SDL_CreateTextureFromSurface(r_, s.get()));
  t.w = s->w;
  t.h = s->h;
  t.used = true;
  if (t.texture == nullptr) return nullptr;
  return &texts_.emplace(std::move(key), std::move(t)).first->second;
}

// The width of the widest word (text between spaces and line breaks) at `px`.
int Renderer::WidestWord(const std::string& text, int px, bool bold) {
  TTF_Font* font = Font(px, bold);
  if (font == nullptr) return 0;
  int widest = 0;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find_first_of(" \n", start), text.size());
    if (end > start) {
      int w = 0, h = 0;
      if (TTF_SizeUTF8(font, text.substr(start, end - start).c_str(), &w, &h) == 0)
        widest = std::max(widest, w);
    }
    start = end + 1;
  }
  return widest;
}

int Renderer::FitPx(const std::string& text, int w, int h, int px, bool bold) {
  int size = px;
  (void)FitText(text, w, h, px, bold, {}, Align::kLeft, &size);
  return size;
}

const Renderer::TextTexture* Renderer::FitText(const std::string& text, int w, int h, int px,
                                               bool bold, kiosk_settings::Rgb color, Align align,
                                               int* size_out) {
  // The size found for this text and box before: measured once, not at every frame.
  const FitKey key{text, w, h, px, bold};
  if (auto it = fitted_.find(key); it != fitted_.end()) {
    *size_out = it->second;
    return Text(text, it->second, bold, color, w, align);
  }
  if (fitted_.size() >= kMaxFitted) fitted_.clear();
  const TextTexture* t = MeasureFit(text, w, h, px, bold, color, align, size_out);
  fitted_[key] = *size_out;
  return t;
}

const Renderer::TextTexture* Renderer::MeasureFit(const std::string& text, int w, int h, int px,
                                                  bool bold, kiosk_settings::Rgb color, Align align,
                                                  int* size_out) {
  for (int size = px;; size = size * 9 / 10) {
    *size_out = std::max(size, kMinTextPx);
    if (size <= kMinTextPx) return Text(text, kMinTextPx, bold, color, w, align);
    if (WidestWord(text, size, bold) > w) continue;  // SDL_ttf would break the word
    const TextTexture* t = Text(text, size, bold, color, w, align);
    if (t == nullptr || (t->h <= h && t->w <= w) || size * 10 < px * 6) return t;
  }
}

void Renderer::DrawText(const std::string& text, const kiosk_ui::Rect& r, int px, bool bold,
                        kiosk_settings::Rgb color, Align align) {
  // Longer translations shrink until they fit their box (down to 60%), rather than overflow it,
  // and until each word fits a line, rather than break inside it.
  int size = px;
  const TextTexture* t = FitText(text, r.w, r.h, px, bold, color, align, &size);
  if (t == nullptr) return;
  const int w = std::min(t->w, r.w), h = std::min(t->h, r.h);
  int x = r.x;
  if (align == Align::kCenter) x = r.x + (r.w - w) / 2;
  if (align == Align::kRight) x = r.x + r.w - w;
  const SDL_Rect src{0, 0, w, h};
  const SDL_Rect dst{x, r.y + (r.h - h) / 2, w, h};
  SDL_RenderCopy(r_, t->texture.get(), &src, &dst);
}

void Renderer::SetPreview(const uint8_t* gray, int width, int height, int stride) {
  if (preview_ == nullptr || width != preview_w_ || height != preview_h_) {
    preview_.reset(
        SDL_CreateTexture(r_, SDL_PIXELFORMAT_IYUV, SDL_TEXTUREACCESS_STREAMING, width, height));
    preview_w_ = width;
    preview_h_ = height;
    chroma_.assign(static_cast<size_t>((width + 1) / 2) * static_cast<size_t>((height + 1) / 2),
                   128);  // gray: neutral chroma
  }
  if (preview_ == nullptr) return;
  SDL_UpdateYUVTexture(preview_.get(), nullptr, gray, stride, chroma_.data(), (width + 1) / 2,
                       chroma_.data(), (width + 1) / 2);
}

void Renderer::Draw(const kiosk_ui::View& view) {
  for (auto& [key, t] : texts_) t.used = false;
  SetColor(r_, view.background);
  SDL_RenderClear(r_);
  for (const Element& e : view.elements) {
    const SDL_Rect rect = ToSdl(e.rect);
    switch (e.kind) {
      case Kind::kFill:
        SetColor(r_, e.color);
        SDL_RenderFillRect(r_, &rect);
        break;
      case Kind::kOutline:
        SetColor(r_, e.color);
        for (int i = 0; i < std::max(1, e.thickness); ++i) {
          const SDL_Rect in{rect.x + i, rect.y + i, rect.w - 2 * i, rect.h - 2 * i};
          SDL_RenderDrawRect(r_, &in);
        }
        break;
      case Kind::kText:
        DrawText(e.text, e.rect, e.font_px, e.bold, e.color, e.align);
        break;
      case Kind::kButton:
        SetColor(r_, e.color);
        SDL_RenderFillRect(r_, &rect);
        if (!e.text.empty()) {
          const int pad = std::max(2, e.rect.h / 10);
          DrawText(e.text, {e.rect.x + pad, e.rect.y + pad, e.rect.w - 2 * pad, e.rect.h - 2 * pad},
                   e.font_px, e.bold, e.text_color, Align::kCenter);
        }
        break;
      case Kind::kPreview:
        if (preview_ != nullptr) {
          const SDL_Rect dst = FitInside(rect, preview_w_, preview_h_);
          SDL_RenderCopy(r_, preview_.get(), nullptr, &dst);
        }
        break;
      case Kind::kLogo:
        if (logo_ != nullptr) {
          const SDL_Rect dst = FitInside(rect, logo_w_, logo_h_);
          SDL_RenderCopy(r_, logo_.get(), nullptr, &dst);
        }
        break;
    }
  }
  // Drop textures of texts that left the screen (the clock, amounts being typed).
  for (auto it = texts_.begin(); it != texts_.end();) {
    if (!it->second.used) {
      it = texts_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace kiosk_sdl
