// The kiosk's window: SDL video and fonts started, one window (fullscreen or WxH) and its
// renderer, all owned here and shut down in reverse order. Also the pixel read-back for
// screenshots. Use it from the thread that opened it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "sdl_handles.h"

namespace kiosk_sdl {

// True when SDL draws on the console through KMS/DRM, as the device runs. SDL 2.26 names that
// driver "KMSDRM"; compared in any case, as SDL itself matches SDL_VIDEODRIVER.
bool IsConsoleVideo(std::string_view video_driver);

// Whether the kiosk reads the keyboards itself through evdev, for kiosk.conf's `evdev_keys` ("on",
// "off", "auto": on the console only) on `video_driver`.
bool ReadsEvdevKeys(std::string_view evdev_keys, std::string_view video_driver);

// The SDL render driver to ask for with kiosk.conf's `renderer` on `video_driver`: "opengles2" for
// "auto" on "kmsdrm", "" (SDL's own choice) for "auto" elsewhere, else `renderer` itself.
std::string RenderDriverFor(const std::string& renderer, std::string_view video_driver);

class KioskWindow {
 public:
  // Starts SDL (kmsdrm, x11, wayland or offscreen as SDL_VIDEODRIVER and the system offer) and
  // opens the window. SDL's own fallback to "offscreen" without a display is refused unless
  // SDL_VIDEODRIVER asked for it. Errors are the messages printed at start-up.
  //
  // `renderer` (kiosk.conf): "auto" is OpenGL ES 2 on KMSDRM (the device's console: SDL 2.26's
  // default "opengl" there needs libGL and draws black without it) and SDL's own choice elsewhere;
  // else the SDL render driver of that name ("opengles2", "opengl", "software"). SDL_RENDER_DRIVER
  // in the environment still wins. A renderer that cannot start (no GPU driver) is said on stderr
  // with what to install, and the kiosk draws in software.
  static base::Result<std::unique_ptr<KioskWindow>> Open(bool fullscreen, int width, int height,
                                                         const std::string& renderer = "auto");

  SDL_Window* window() const { return window_.get(); }
  SDL_Renderer* renderer() const { return renderer_.get(); }
  // The drawable size in pixels (HiDPI), read again after a resize.
  int width() const { return width_; }
  int height() const { return height_; }
  void UpdateSize();
  // A mouse position in window points as drawable pixels.
  void PointsToPixels(int* x, int* y) const;
  // Writes what was drawn (before presenting) to `path` as PNG.
  base::Status Screenshot(const std::string& path) const;

 private:
  KioskWindow() = default;

  SdlLibrary sdl_;  // first in, last out
  WindowPtr window_;
  RendererPtr renderer_;
  int width_ = 0, height_ = 0;
};

}  // namespace kiosk_sdl
