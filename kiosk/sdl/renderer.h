// Draws a kiosk_ui::View with SDL2's renderer and SDL_ttf: rectangles, wrapped text (rendered once
// and kept as textures while it stays on screen), the camera picture and the theme's logo.
#pragma once

#include <SDL2/SDL.h>
#include <SDL2/SDL_ttf.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "base/status.h"
#include "kiosk_ui/view.h"
#include "sdl_handles.h"

namespace kiosk_sdl {

class Renderer {
 public:
  // `font_regular` and `font_bold` are TTF files; `logo` may be empty.
  static base::Result<std::unique_ptr<Renderer>> Create(SDL_Renderer* renderer,
                                                        const std::string& font_regular,
                                                        const std::string& font_bold,
                                                        const std::string& logo);
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // The camera picture (8-bit luminance), copied into a streaming texture.
  void SetPreview(const uint8_t* gray, int width, int height, int stride);
  bool has_logo() const { return logo_ != nullptr; }
  // Draws `view` (does not present).
  void Draw(const kiosk_ui::View& view);
  // Textures made for texts no longer on screen are dropped after each Draw.
  size_t cached_texts() const { return texts_.size(); }
  // The font size `text` is drawn at in a box of `w` x `h` asked for at `px`: smaller when it
  // does not fit (down to 60% for its height), and as small as it takes (down to kMinTextPx) for
  // its widest word to fit a line, so that no word is ever broken across lines.
  int FitPx(const std::string& text, int w, int h, int px, bool bold);
  static constexpr int kMinTextPx = 8;

 private:
  explicit Renderer(SDL_Renderer* r) : r_(r) {}
  struct TextKey {
    std::string text;
    int px, wrap;
    bool bold;
    uint32_t rgb;
    auto operator<=>(const TextKey&) const = default;
  };
  struct TextTexture {
    TexturePtr texture;
    int w = 0, h = 0;
    bool used = false;
  };
  TTF_Font* Font(int px, bool bold);
  const TextTexture* Text(const std::string& text, int px, bool bold, kiosk_settings::Rgb color,
                          int wrap_width, kiosk_ui::Align align);
  int WidestWord(const std::string& text, int px, bool bold);
  const TextTexture* FitText(const std::string& text, int w, int h, int px, bool bold,
                             kiosk_settings::Rgb color, kiosk_ui::Align align, int* size_out);
  const TextTexture* MeasureFit(const std::string& text, int w, int h, int px, bool bold,
                                kiosk_settings::Rgb color, kiosk_ui::Align align, int* size_out);
  using FitKey = std::tuple<std::string, int, int, int, bool>;  // text, w, h, px, bold
  static constexpr size_t kMaxFitted = 1024;
  void DrawText(const std::string& text, const kiosk_ui::Rect& r, int px, bool bold,
                kiosk_settings::Rgb color, kiosk_ui::Align align);

  SDL_Renderer* r_;  // not owned: outlives this
  std::string font_path_[2];
  std::map<std::pair<int, bool>, FontPtr> fonts_;
  std::map<TextKey, TextTexture> texts_;
  std::map<FitKey, int> fitted_;  // the font size each text was fitted at
  TexturePtr preview_;
  int preview_w_ = 0, preview_h_ = 0;
  std::vector<uint8_t> chroma_;
  TexturePtr logo_;
  int logo_w_ = 0, logo_h_ = 0;
};

}  // namespace kiosk_sdl
