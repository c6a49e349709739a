// The parts the scenes of the frame corpus are built from (bench/frame_scenes.cc,
// bench/frame_scenes_hard.cc): a card with its code, a desk, a pose, where a card lands in the
// frame, and the camera that develops the frame.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "frame_scenes.h"
#include "frame_synth.h"
#include "scanner/image.h"

namespace scenes::parts {

using synth::Canvas;
using synth::Point;
using synth::Rng;
using synth::Texture;
using Quad = std::array<Point, 4>;

constexpr int kQuiet = 4;  // modules, as issued (scanner::QrRenderOptions)

// Something held up to the camera whose QR symbol sits at (qr_x, qr_y), qr_side texels wide.
struct Object {
  Texture tex{1, 1, 0};
  double qr_x = 0, qr_y = 0, qr_side = 0, quiet = 0;
};

struct Look {
  uint8_t paper = 240, ink = 25;
};

struct Pose {
  double roll = 0, pitch = 0, yaw = 0;
};

struct Box {
  double x0, y0, x1, y1;
  bool Overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

struct Placement {
  Quad quad;                   // the object's corners in the frame
  Quad qr_quad;                // the symbol's corners (without quiet zone)
  synth::Homography to_frame;  // texels -> frame
};

// Camera: optics, exposure and sensor.
struct Optics {
  double sigma = 0.6, motion = 0, motion_angle = 0, noise = 1.5, shot = 2, gradient = 0,
         gradient_angle = 0, gain = 1;
  double vignette = 0;  // light falling off towards the corners: 1 - vignette at a corner
  double zoom = 0;      // the object approaching during the exposure: scale grows by 1 + zoom
};
[[gnu::format(printf, 1, 2)]] std::string Fmt(const char* fmt, ...);
uint8_t U8(double v);
Box BoundsOf(const Quad& q);
Quad MapRect(const synth::Homography& h, double x0, double y0, double x1, double y1);
double MeanSide(const Quad& q);
// " qr=SIDE at=X,Y": the symbol's mean side and centre in the frame, for manifest.tsv.
std::string Where(const Quad& q);
void DrawModules(Texture& t, const scanner::GrayImage& m, int x0, int y0, int k, uint8_t ink);
// An ID-1 card (85.6 x 54 mm): logo and printed text on the left, the QR code on the right. With
// no matrix, a photo-like patch takes the code's place (frames without a code).
Object MakeCard(const scanner::GrayImage* m, int modules, Rng& rng, Look look);
Canvas Desk(Rng& rng, int w, int h, double level);
// Finds where `o` can be put so that its code (with quiet zone) is in the frame and the object
// covers none of the `taken` codes (to which its own is added); prefers the whole object in the
// frame. False if nowhere fits.
bool Place(const Object& o, double qr_px, const Pose& pose, Rng& rng, int w, int h,
           std::vector<Box>* taken, Placement* out);
Optics DefaultOptics(Rng& rng);
void Develop(Frame& f, Rng& rng, const Optics& o);
Pose Tilted(Rng& rng, double roll, double tilt);
// One card on a desk: the common start of most tiers.
Frame OneCard(const CardSet& cards, Rng& rng, int w, int h, double qr_px, const Pose& pose,
              Look look, double desk, Placement* placed = nullptr);
Look PrintedLook(Rng& rng);

}  // namespace scenes::parts

namespace scenes {

// The tiers of bench/frame_scenes_hard.cc (the codes people hold up badly).
Frame MakeTilt40(const CardSet& cards, synth::Rng& rng, int width, int height);
Frame MakeTilt50(const CardSet& cards, synth::Rng& rng, int width, int height);
Frame MakeTilt60(const CardSet& cards, synth::Rng& rng, int width, int height);
Frame MakeBend(const CardSet& cards, synth::Rng& rng, int width, int height);
Frame MakeMotion(const CardSet& cards, synth::Rng& rng, int width, int height);
Frame MakeExposure(const CardSet& cards, synth::Rng& rng, int width, int height);
Frame MakeLarge(const CardSet& cards, synth::Rng& rng, int width, int height);

}  // namespace scenes
