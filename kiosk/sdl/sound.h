// Feedback tones, generated (no sound files to lose): a rising two-note chime for valid, a low
// double buzz for invalid, three short mid beeps when the device could not decide. Opened through
// SDL audio; a device without sound (or volume 0) plays nothing and says so once.
#pragma once

#include <SDL2/SDL.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kiosk_ui/view.h"

namespace kiosk_sdl {

class Sound {
 public:
  explicit Sound(int volume_percent);  // 0..100
  ~Sound();
  Sound(const Sound&) = delete;
  Sound& operator=(const Sound&) = delete;

  bool available() const { return device_ != 0; }
  const std::string& problem() const { return problem_; }
  // Replaces whatever is still playing.
  void Play(kiosk_ui::Tone tone);

  // The samples of a tone (mono, signed 16-bit, `rate` Hz) at `volume_percent`.
  static std::vector<int16_t> Synthesize(kiosk_ui::Tone tone, int rate, int volume_percent);

 private:
  SDL_AudioDeviceID device_ = 0;
  int rate_ = 0;
  int volume_ = 0;
  std::string problem_;
  std::vector<int16_t> cache_[3];
};

}  // namespace kiosk_sdl
