// RAII owners for SDL2 and SDL_ttf handles: each frees its object with the matching SDL call.
// SdlLibrary is the process's SDL_Init/TTF_Init, undone (TTF_Quit, SDL_Quit) when it goes; the
// windows, renderers, textures and fonts made under it must go first. Not thread-safe (SDL's
// video calls belong to one thread).
#pragma once

#include <SDL2/SDL.h>
#include <SDL2/SDL_ttf.h>

#include <memory>
#include <string>

namespace kiosk_sdl {

struct SdlDeleter {
  void operator()(SDL_Window* w) const { SDL_DestroyWindow(w); }
  void operator()(SDL_Renderer* r) const { SDL_DestroyRenderer(r); }
  void operator()(SDL_Texture* t) const { SDL_DestroyTexture(t); }
  void operator()(SDL_Surface* s) const { SDL_FreeSurface(s); }
  void operator()(TTF_Font* f) const { TTF_CloseFont(f); }
};

using WindowPtr = std::unique_ptr<SDL_Window, SdlDeleter>;
using RendererPtr = std::unique_ptr<SDL_Renderer, SdlDeleter>;
using TexturePtr = std::unique_ptr<SDL_Texture, SdlDeleter>;
using SurfacePtr = std::unique_ptr<SDL_Surface, SdlDeleter>;
using FontPtr = std::unique_ptr<TTF_Font, SdlDeleter>;

// SDL's video and events and SDL_ttf, for as long as it lives. Check ok(); when false, error()
// says what failed (what did start is shut down again on destruction).
class SdlLibrary {
 public:
  SdlLibrary() {
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
      error_ = std::string("cannot start video: ") + SDL_GetError();
    } else if (TTF_Init() != 0) {
      error_ = std::string("fonts: ") + TTF_GetError();
    }
  }
  ~SdlLibrary() {
    if (TTF_WasInit() != 0) TTF_Quit();
    SDL_Quit();
  }
  SdlLibrary(const SdlLibrary&) = delete;
  SdlLibrary& operator=(const SdlLibrary&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

}  // namespace kiosk_sdl
