#include "sound.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace kiosk_sdl {
namespace {

struct Note {
  double hz;
  int ms;  // hz 0 = silence
  bool square;
};

std::vector<Note> NotesOf(kiosk_ui::Tone tone) {
  switch (tone) {
    case kiosk_ui::Tone::kValid:
      return {{880, 110, false}, {0, 20, false}, {1320, 180, false}};
    case kiosk_ui::Tone::kInvalid:
      return {{220, 220, true}, {0, 60, false}, {196, 320, true}};
    case kiosk_ui::Tone::kWarning:
      return {{660, 90, false}, {0, 70, false}, {660, 90, false}, {0, 70, false}, {660, 90, false}};
  }
  return {};
}

}  // namespace

std::vector<int16_t> Sound::Synthesize(kiosk_ui::Tone tone, int rate, int volume_percent) {
  std::vector<int16_t> out;
  const double amp = 20000.0 * std::clamp(volume_percent, 0, 100) / 100.0;
  for (const Note& n : NotesOf(tone)) {
    const int count = rate * n.ms / 1000;
    const int ramp = std::max(1, rate / 200);  // 5 ms fade in and out: no clicks
    for (int i = 0; i < count; ++i) {
      double v = 0;
      if (n.hz > 0) {
        const double phase = 2 * std::numbers::pi * n.hz * i / rate;
        v = n.square ? (std::sin(phase) >= 0 ? 0.6 : -0.6) : std::sin(phase);
        v *= std::min({1.0, static_cast<double>(i) / ramp, static_cast<double>(count - i) / ramp});
      }
      out.push_back(static_cast<int16_t>(std::lround(v * amp)));
    }
  }
  return out;
}

Sound::Sound(int volume_percent) : volume_(std::clamp(volume_percent, 0, 100)) {
  if (volume_ == 0) {
    problem_ = "sound off (volume 0)";
    return;
  }
  if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
    problem_ = std::string("no sound (results are shown without their tones): ") + SDL_GetError();
    return;
  }
  SDL_AudioSpec want{}, have{};
  want.freq = 22050;
  want.format = AUDIO_S16SYS;
  want.channels = 1;
  want.samples = 512;
  device_ = SDL_OpenAudioDevice(nullptr, 0, &want, &have, 0);
  if (device_ == 0) {
    problem_ = std::string("no sound: ") + SDL_GetError();
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    return;
  }
  rate_ = have.freq;
  for (int t = 0; t < 3; ++t)
    cache_[t] = Synthesize(static_cast<kiosk_ui::Tone>(t), rate_, volume_);
  SDL_PauseAudioDevice(device_, 0);
}

Sound::~Sound() {
  if (device_ != 0) {
    SDL_CloseAudioDevice(device_);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
  }
}

void Sound::Play(kiosk_ui::Tone tone) {
  if (device_ == 0) return;
  const std::vector<int16_t>& samples = cache_[static_cast<int>(tone)];
  SDL_ClearQueuedAudio(device_);
  SDL_QueueAudio(device_, samples.data(), static_cast<Uint32>(samples.size() * sizeof(int16_t)));
}

}  // namespace kiosk_sdl
