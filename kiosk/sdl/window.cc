#include "window.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "png_rgb.h"

namespace kiosk_sdl {

namespace {

// What the device needs for SDL's KMSDRM video and its GLES2 renderer (loaded by name at run time).
constexpr char kGpuPackages[] = "libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri";

}  // namespace

bool IsConsoleVideo(std::string_view video_driver) {
  return base::AsciiLower(video_driver) == "kmsdrm";
}

bool ReadsEvdevKeys(std::string_view evdev_keys, std::string_view video_driver) {
  return evdev_keys == "on" || (evdev_keys == "auto" && IsConsoleVideo(video_driver));
}

std::string RenderDriverFor(const std::string& renderer, std::string_view video_driver) {
  if (renderer != "auto") return renderer;
  return IsConsoleVideo(video_driver) ? "opengles2" : "";
}

base::Result<std::unique_ptr<KioskWindow>> KioskWindow::Open(bool fullscreen, int width, int height,
                                                             const std::string& renderer) {
  SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");  // touches come as touches, not also as clicks
  std::unique_ptr<KioskWindow> w(new KioskWindow());
  if (!w->sdl_.ok()) return base::Unavailable(w->sdl_.error());
  // SDL falls back to its offscreen driver when there is no display at all: a kiosk nobody can
  // see is a mistake unless asked for (tests, the demo without a display).
  const char* asked = std::getenv("SDL_VIDEODRIVER");
  if (std::string_view(SDL_GetCurrentVideoDriver()) == "offscreen" &&
      (asked == nullptr || std::string_view(asked) != "offscreen")) {
    return base::Unavailable(
        "no display found (no X11 or Wayland session, no usable KMS device); "
        "run it on the device's console or in a desktop session, or set "
        "SDL_VIDEODRIVER=offscreen to run without a screen");
  }
  Uint32 flags = SDL_WINDOW_SHOWN | SDL_WINDOW_ALLOW_HIGHDPI;
  if (fullscreen) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
  w->window_.reset(SDL_CreateWindow("cardkiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                    width, height, flags));
  const std::string_view video = SDL_GetCurrentVideoDriver();
  if (w->window_ == nullptr) {
    std::string why = std::string("cannot open a window: ") + SDL_GetError();
    if (IsConsoleVideo(video)) {
      why +=
          " (on the console SDL needs /dev/dri (groups video and render), EGL and a GPU "
          "driver: " +
          std::string(kGpuPackages) + ")";
    }
    return base::Unavailable(why);
  }
  const std::string wanted = RenderDriverFor(renderer, video);
  // A hint, so that SDL_RENDER_DRIVER in the environment (tests, a person) still decides.
  if (!wanted.empty()) SDL_SetHint(SDL_HINT_RENDER_DRIVER, wanted.c_str());
  w->renderer_.reset(SDL_CreateRenderer(w->window_.get(), -1, SDL_RENDERER_ACCELERATED));
  if (w->renderer_ == nullptr) w->renderer_.reset(SDL_CreateRenderer(w->window_.get(), -1, 0));
  if (w->renderer_ == nullptr)
    return base::Unavailable(std::string("cannot draw: ") + SDL_GetError());
  w->UpdateSize();
  SDL_RendererInfo got{};
  SDL_GetRendererInfo(w->renderer(), &got);
  const char* env = std::getenv("SDL_RENDER_DRIVER");
  const std::string chosen = env != nullptr && env[0] != '\0' ? env : wanted;
  if (!chosen.empty() && chosen != got.name) {
    // SDL moved on to another driver by itself: say why the chosen one is not drawing.
    std::fprintf(stderr,
                 "kiosk: the %s renderer could not start (no GPU driver for it?): drawing with "
                 "%s instead; on the device install %s\n",
                 chosen.c_str(), got.name, kGpuPackages);
  }
  if (fullscreen) SDL_ShowCursor(SDL_DISABLE);  // a touch kiosk: no pointer on screen
  SDL_RendererInfo info{};
  SDL_GetRendererInfo(w->renderer(), &info);
  std::fprintf(stderr, "kiosk: video %s, renderer %s, %dx%d\n", SDL_GetCurrentVideoDriver(),
               info.name, w->width_, w->height_);
  return w;
}

void KioskWindow::UpdateSize() { SDL_GetRendererOutputSize(renderer(), &width_, &height_); }

void KioskWindow::PointsToPixels(int* x, int* y) const {
  int ww = 0, wh = 0;
  SDL_GetWindowSize(window(), &ww, &wh);
  if (ww > 0) *x = *x * width_ / ww;
  if (wh > 0) *y = *y * height_ / wh;
}

base::Status KioskWindow::Screenshot(const std::string& path) const {
  std::vector<uint8_t> rgb(static_cast<size_t>(width_) * static_cast<size_t>(height_) * 3);
  if (SDL_RenderReadPixels(renderer(), nullptr, SDL_PIXELFORMAT_RGB24, rgb.data(), width_ * 3) != 0)
    return base::Internal(std::string("screenshot: ") + SDL_GetError());
  return WriteRgbPng(path, width_, height_, rgb.data(), width_ * 3);
}

}  // namespace kiosk_sdl
