// The scenes of the frame corpus: cards and phones showing signed QR codes on a desk, one
// generator per difficulty tier (bench/gen_frames.cc writes them out, docs/scanner.md lists them).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "frame_synth.h"
#include "scanner/image.h"

namespace scenes {

// The issued card texts and their QR module matrices (1 pixel per module, 0 = dark).
class CardSet {
 public:
  explicit CardSet(std::vector<std::string> texts);  // aborts if a text cannot be encoded
  size_t size() const { return texts_.size(); }
  const std::string& text(size_t i) const { return texts_[i]; }
  const scanner::GrayImage& matrix(size_t i) const { return matrices_[i]; }
  size_t min_length() const;
  size_t max_length() const;

 private:
  std::vector<std::string> texts_;
  std::vector<scanner::GrayImage> matrices_;
};

struct Frame {
  synth::Canvas canvas{0, 0, 0};
  std::vector<std::string> texts;  // expected in the frame
  std::string params;              // how it was made, for manifest.tsv
};

struct TierSpec {
  const char* name;
  Frame (*make)(const CardSet& cards, synth::Rng& rng, int width, int height);
  int frames = 28;
  // Four frames in five at 640x480 (the kiosk camera), every fifth at big_width x big_height;
  // with big_only, all at the big size.
  int big_width = 1280, big_height = 720;
  bool big_only = false;
  int quality = 0;  // JPEG quality if lower than the run's (4K frames), 0 = the run's
};

extern const std::array<TierSpec, 18> kTiers;

}  // namespace scenes
