// The kiosk's feedback tones: three that a cashier can tell apart without looking, silent at
// volume 0, louder with the volume, no clicks at the edges; and played through SDL's audio path
// (its "disk" driver writes what the device would play).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "sound.h"

namespace kiosk_sdl {
namespace {

using kiosk_ui::Tone;

int Peak(const std::vector<int16_t>& s) {
  int peak = 0;
  for (int16_t v : s) peak = std::max(peak, std::abs(static_cast<int>(v)));
  return peak;
}

// Zero crossings per second over a stretch: twice the pitch of a clean tone.
double Pitch(const std::vector<int16_t>& s, size_t from, size_t to, int rate) {
  int crossings = 0;
  for (size_t i = from + 1; i < to; ++i)
    crossings += (s[i - 1] < 0) != (s[i] < 0) && s[i - 1] != 0 && s[i] != 0;
  return crossings / 2.0 / (static_cast<double>(to - from) / rate);
}

TEST(SoundTest, ThreeTonesThatSoundDifferent) {
  const int rate = 22050;
  const std::vector<int16_t> valid = Sound::Synthesize(Tone::kValid, rate, 60);
  const std::vector<int16_t> invalid = Sound::Synthesize(Tone::kInvalid, rate, 60);
  const std::vector<int16_t> warning = Sound::Synthesize(Tone::kWarning, rate, 60);
  // Short enough not to hold up the queue, long enough to hear.
  for (const auto* t : {&valid, &invalid, &warning}) {
    EXPECT_GT(t->size(), static_cast<size_t>(rate / 5));
    EXPECT_LT(t->size(), static_cast<size_t>(rate));
  }
  EXPECT_NE(valid.size(), invalid.size());
  EXPECT_NE(invalid.size(), warning.size());
  // Valid rises (a high chime), invalid is low.
  const double valid_first = Pitch(valid, 0, static_cast<size_t>(rate / 10), rate);
  const double valid_last =
      Pitch(valid, valid.size() - static_cast<size_t>(rate / 10), valid.size(), rate);
  EXPECT_NEAR(valid_first, 880, 60);
  EXPECT_NEAR(valid_last, 1320, 80);
  EXPECT_LT(Pitch(invalid, 0, static_cast<size_t>(rate / 5), rate), 300);
}

TEST(SoundTest, VolumeScalesAndZeroIsSilent) {
  EXPECT_EQ(Peak(Sound::Synthesize(Tone::kValid, 22050, 0)), 0);
  const int quiet = Peak(Sound::Synthesize(Tone::kValid, 22050, 20));
  const int loud = Peak(Sound::Synthesize(Tone::kValid, 22050, 100));
  EXPECT_GT(quiet, 0);
  EXPECT_NEAR(static_cast<double>(loud) / quiet, 5.0, 0.1);
  EXPECT_LE(loud, 32767);
  EXPECT_EQ(Peak(Sound::Synthesize(Tone::kValid, 22050, 250)), loud);  // clamped to 100
}

TEST(SoundTest, StartsAndEndsAtSilenceSoNoClick) {
  for (Tone t : {Tone::kValid, Tone::kInvalid, Tone::kWarning}) {
    const std::vector<int16_t> s = Sound::Synthesize(t, 22050, 100);
    EXPECT_LT(std::abs(s.front()), 200);
    EXPECT_LT(std::abs(s.back()), 200);
  }
}

// Whether the whole of `tone` is in `file` (after whatever silence the device began with).
bool Played(const std::string& file, const std::vector<int16_t>& tone) {
  std::ifstream in(file, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<int16_t> played(bytes.size() / 2);
  if (played.empty()) return tone.empty();  // nothing written yet (memcpy wants real pointers)
  std::memcpy(played.data(), bytes.data(), played.size() * 2);
  const auto at = std::search(played.begin(), played.end(), tone.begin(), tone.end());
  return at != played.end();
}

TEST(SoundTest, PlaysThroughTheAudioDevice) {
  const std::string file =
      (std::filesystem::temp_directory_path() / ("cksound-" + std::to_string(::getpid()))).string();
  ::setenv("SDL_AUDIODRIVER", "disk", 1);
  ::setenv("SDL_DISKAUDIOFILE", file.c_str(), 1);
  ::setenv("SDL_DISKAUDIODELAY", "1", 1);  // 1 ms per buffer: faster than real time, bounded
  const std::vector<int16_t> expected = Sound::Synthesize(Tone::kInvalid, 22050, 60);
  bool played = false;
  {
    Sound sound(60);
    ASSERT_TRUE(sound.available()) << sound.problem();
    sound.Play(Tone::kInvalid);
    // The device drains the queue on its own thread, a buffer at a time; wait (at most 5 s)
    // until the whole tone has reached the file.
    for (int i = 0; i < 500 && !played; ++i) {
      SDL_Delay(10);
      played = Played(file, expected);
    }
  }
  std::filesystem::remove(file);
  EXPECT_TRUE(played) << "the tone's samples did not reach the audio device";
}

}  // namespace
}  // namespace kiosk_sdl
