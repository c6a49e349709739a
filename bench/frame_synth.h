// Synthetic camera frames for the scanner corpus (bench/gen_frames.cc): planar objects (cards,
// phones, paper) projected through a homography with supersampling, then the camera's optics and
// sensor (gaussian or motion blur, lighting, glare, noise) and JPEG. Everything is deterministic
// for a given seed: the PRNG, the normal deviates and the JPEG encoder are our own choices, not
// the standard library's implementation-defined distributions.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"

namespace synth {

// SplitMix64: small, fast and the same sequence on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  double Uniform(double lo, double hi);  // [lo, hi)
  int Int(int lo, int hi);               // [lo, hi]
  double Normal();                       // mean 0, standard deviation 1 (Box-Muller)
  bool Chance(double p) { return Uniform(0, 1) < p; }

 private:
  uint64_t state_;
};

// A seed from a name and a number, so that each frame's randomness is independent of the others.
uint64_t SeedOf(const std::string& name, int index);

// A float luminance image (0 = black, 255 = white; values outside are clipped at the end).
struct Canvas {
  int width = 0, height = 0;
  std::vector<float> px;
  Canvas(int w, int h, float fill)
      : width(w), height(h), px(static_cast<size_t>(w) * static_cast<size_t>(h), fill) {}
  float& at(int x, int y) {
    return px[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)];
  }
  float at(int x, int y) const {
    return px[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)];
  }
  float Bilinear(double x, double y) const;  // clamped at the borders
};

// An 8-bit texture in its own coordinates (texels), mapped onto the frame by a homography.
struct Texture {
  int width = 0, height = 0;
  std::vector<uint8_t> px;
  Texture(int w, int h, uint8_t fill)
      : width(w), height(h), px(static_cast<size_t>(w) * static_cast<size_t>(h), fill) {}
  uint8_t& at(int x, int y) {
    return px[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)];
  }
  void FillRect(int x0, int y0, int w, int h, uint8_t v);  // clipped
};

struct Point {
  double x = 0, y = 0;
};

// A plane-to-plane projective map.
class Homography {
 public:
  // The map taking src[i] to dst[i]; false if the points are degenerate.
  static bool FromPoints(const std::array<Point, 4>& src, const std::array<Point, 4>& dst,
                         Homography* out);
  Point Map(double x, double y) const;
  Homography Inverse() const;

 private:
  std::array<double, 9> m_{1, 0, 0, 0, 1, 0, 0, 0, 1};
};

// Where a w x h texture lands in the frame when it is held in front of the camera: centred at
// (cx, cy), `scale` frame pixels per texel when frontal, rotated by `roll` in the image plane and
// tilted by `pitch`/`yaw` (degrees) under a pinhole camera of focal length `focal_px`.
std::array<Point, 4> ProjectRect(double w, double h, double cx, double cy, double scale,
                                 double roll_deg, double pitch_deg, double yaw_deg,
                                 double focal_px);

// A screen's pixel grid seen through the camera (phone screens): each texel is drawn as a lit
// square of `fill` of its pitch; the gaps are `gap` times as bright. Sampling it aliases into
// moire.
struct PixelGrid {
  double pitch = 0;  // texels per screen pixel; 0 = no grid
  double fill = 0.8;
  float gap = 0.35f;
};

// Paints `tex` onto the canvas where `quad` (the texture's corners TL, TR, BR, BL in the frame)
// says, averaging ss x ss samples per pixel (the camera's pixel integrates the scene).
void PaintTexture(Canvas& canvas, const Texture& tex, const std::array<Point, 4>& quad, int ss,
                  const PixelGrid& grid = {});

// Paints `tex` onto the canvas through any smooth map from texels to frame points (a bent card):
// the texture is cut into cells of `cell` texels, each painted through the homography of its
// mapped corners, ss x ss samples per pixel. The map must not fold the texture onto itself.
void PaintMapped(Canvas& canvas, const Texture& tex,
                 const std::function<Point(double, double)>& map, int ss, int cell);

void GaussianBlur(Canvas& c, double sigma);
void MotionBlur(Canvas& c, double length_px, double angle_deg);
// An object approaching the camera while the shutter is open: the average of the frame scaled
// about its centre (the principal point) by 1 .. 1 + zoom.
void ZoomBlur(Canvas& c, double zoom);
// Light falling off from the centre: x (1 - strength * r^2), r = 1 at the corners.
void Vignette(Canvas& c, double strength);
// Multiplies by a linear light gradient: 1 - strength/2 .. 1 + strength/2 across the frame.
void LightGradient(Canvas& c, double strength, double angle_deg);
// Adds an elliptical gaussian highlight (glare) of peak `amount` luminance levels.
void Glare(Canvas& c, double cx, double cy, double rx, double ry, double angle_deg, double amount);
// Sensor noise: sigma = base + shot * sqrt(level / 255) luminance levels.
void AddNoise(Canvas& c, Rng& rng, double base, double shot);
// Low-frequency blotches (value noise on a `cell`-pixel grid), amplitude in levels.
void AddValueNoise(Canvas& c, Rng& rng, double cell, double amplitude);
// Lines of glyph-like blobs (text on paper, screens, labels) inside the rectangle.
void DrawTextLines(Texture& t, Rng& rng, int x0, int y0, int w, int h, int glyph_h, uint8_t ink);

std::vector<uint8_t> ToGray8(const Canvas& c);
// Grayscale baseline JPEG (libjpeg-turbo, accurate DCT): deterministic output for given pixels.
base::Result<std::string> EncodeJpeg(const std::vector<uint8_t>& gray, int width, int height,
                                     int quality);

}  // namespace synth
