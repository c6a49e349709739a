// The SDL drawing's text fitting, on SDL's software renderer over a plain surface (no window, no
// display): a word is never broken across lines; a text that does not fit shrinks.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "renderer.h"

namespace kiosk_sdl {
namespace {

constexpr char kRegular[] = CK_ASSETS_DIR "/fonts/DejaVuSans.ttf";
constexpr char kBold[] = CK_ASSETS_DIR "/fonts/DejaVuSans-Bold.ttf";

class RendererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(TTF_Init(), 0) << TTF_GetError();
    surface_.reset(SDL_CreateRGBSurfaceWithFormat(0, 800, 480, 32, SDL_PIXELFORMAT_RGBA8888));
    ASSERT_NE(surface_, nullptr) << SDL_GetError();
    sdl_ = SDL_CreateSoftwareRenderer(surface_.get());
    ASSERT_NE(sdl_, nullptr) << SDL_GetError();
    base::Result<std::unique_ptr<Renderer>> r = Renderer::Create(sdl_, kRegular, kBold, "");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    gfx_ = std::move(*r);
  }
  void TearDown() override {
    gfx_.reset();  // its textures before the renderer
    if (sdl_ != nullptr) SDL_DestroyRenderer(sdl_);
    surface_.reset();
    TTF_Quit();
  }
  // The width of `word` in the bold font at `px`.
  static int WidthOf(const std::string& word, int px) {
    TTF_Font* font = TTF_OpenFont(kBold, px);
    EXPECT_NE(font, nullptr);
    int w = 0, h = 0;
    if (font != nullptr) TTF_SizeUTF8(font, word.c_str(), &w, &h);
    if (font != nullptr) TTF_CloseFont(font);
    return w;
  }

  SurfacePtr surface_;
  SDL_Renderer* sdl_ = nullptr;
  std::unique_ptr<Renderer> gfx_;
};

TEST_F(RendererTest, ALongWordShrinksUntilItFitsALineInsteadOfBeingSplit) {
  // A button label: at 26 px "Синхронизировать" alone is wider than the button.
  ASSERT_GT(WidthOf("Синхронизировать", 26), 170);
  const int px = gfx_->FitPx("Синхронизировать сейчас", 170, 64, 26, true);
  EXPECT_LT(px, 26);
  EXPECT_LE(WidthOf("Синхронизировать", px), 170) << px;
  // A file name (no space at all) is one word too.
  const std::string file = "journal-kiosk-0123456789abcdef.ckjournal";
  const int file_px = gfx_->FitPx(file, 300, 80, 18, true);
  EXPECT_LE(WidthOf(file, file_px), 300) << file_px;
}

TEST_F(RendererTest, TextThatFitsKeepsItsSizeAndLongTextWrapsAtSpaces) {
  EXPECT_EQ(gfx_->FitPx("OK", 170, 64, 26, true), 26);
  // Short words, many of them: wrapped at spaces, shrunk only for the height.
  const int px = gfx_->FitPx("one two three four five six seven", 200, 200, 20, true);
  EXPECT_EQ(px, 20);
}

TEST_F(RendererTest, NothingGoesBelowTheSmallestSize) {
  EXPECT_EQ(gfx_->FitPx(std::string(400, 'W'), 40, 40, 26, true), Renderer::kMinTextPx);
}

}  // namespace
}  // namespace kiosk_sdl
