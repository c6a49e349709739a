// The corpus tiers of the codes people really hold up (docs/scanner.md): cards tilted at 40, 50
// and 60 degrees, bent cards, cards moving or out of focus, light cards filling a dark frame under
// uneven exposure, and very large codes in 4K frames.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "scene_parts.h"

namespace scenes {
namespace {

using namespace parts;  // NOLINT(google-build-using-namespace): the scene vocabulary

constexpr double kDeg = std::numbers::pi / 180.0;

double Unit(int h) { return h / 480.0; }

// A card somewhere on a desk, its code shrunk until it fits the frame (instead of aborting).
Frame FitCard(const CardSet& cards, Rng& rng, int w, int h, double qr_px, const Pose& pose,
              Look look, double desk) {
  Frame f;
  f.canvas = Desk(rng, w, h, desk);
  const size_t i = static_cast<size_t>(rng.Int(0, static_cast<int>(cards.size()) - 1));
  const Object o = MakeCard(&cards.matrix(i), cards.matrix(i).width, rng, look);
  std::vector<Box> taken;
  Placement p;
  while (!Place(o, qr_px, pose, rng, w, h, &taken, &p)) qr_px *= 0.95;
  synth::PaintTexture(f.canvas, o.tex, p.quad, 3);
  f.texts.push_back(cards.text(i));
  f.params = "card=" + std::to_string(i) + Where(p.qr_quad) + Fmt(" roll=%.0f", pose.roll) +
             Fmt(" pitch=%.0f", pose.pitch) + Fmt(" yaw=%.0f", pose.yaw);
  return f;
}

// Places `o` so that its code with quiet zone is in the frame, the code's centre as near the
// frame's centre as chance puts it (the object itself may reach out of the frame). False if the
// code does not fit at this size.
bool PlaceCentred(const Object& o, double qr_px, const Pose& pose, Rng& rng, int w, int h,
                  Placement* out) {
  const Quad q0 = synth::ProjectRect(o.tex.width, o.tex.height, 0, 0, qr_px / o.qr_side, pose.roll,
                                     pose.pitch, pose.yaw, 0.9 * w);
  const Quad corners = {Point{0, 0}, Point{static_cast<double>(o.tex.width), 0},
                        Point{static_cast<double>(o.tex.width), static_cast<double>(o.tex.height)},
                        Point{0, static_cast<double>(o.tex.height)}};
  synth::Homography h0;
  if (!synth::Homography::FromPoints(corners, q0, &h0)) return false;
  const Box zone = BoundsOf(MapRect(h0, o.qr_x - o.quiet, o.qr_y - o.quiet,
                                    o.qr_x + o.qr_side + o.quiet, o.qr_y + o.qr_side + o.quiet));
  const double sx_lo = 2 - zone.x0, sx_hi = w - 2 - zone.x1;
  const double sy_lo = 2 - zone.y0, sy_hi = h - 2 - zone.y1;
  if (sx_lo > sx_hi || sy_lo > sy_hi) return false;
  const double sx = rng.Uniform(sx_lo, sx_hi), sy = rng.Uniform(sy_lo, sy_hi);
  for (size_t k = 0; k < 4; ++k) out->quad[k] = {q0[k].x + sx, q0[k].y + sy};
  if (!synth::Homography::FromPoints(corners, out->quad, &out->to_frame)) return false;
  out->qr_quad = MapRect(out->to_frame, o.qr_x, o.qr_y, o.qr_x + o.qr_side, o.qr_y + o.qr_side);
  return true;
}

// Tilted by `angle` (+-2) degrees about the horizontal or the vertical axis, the far edge of the
// code much smaller than the near one; code sizes are frontal (before foreshortening).
Frame Tilt(const CardSet& cards, Rng& rng, int w, int h, double angle, double lo, double hi) {
  const double sign = rng.Chance(0.5) ? 1 : -1;
  Pose pose{rng.Uniform(-30, 30), sign * (angle + rng.Uniform(-2, 2)), rng.Uniform(-8, 8)};
  if (rng.Chance(0.5)) std::swap(pose.pitch, pose.yaw);
  Frame f = FitCard(cards, rng, w, h, rng.Uniform(lo, hi) * Unit(h), pose, PrintedLook(rng),
                    rng.Uniform(60, 170));
  Develop(f, rng, DefaultOptics(rng));
  return f;
}

// A card bent round a cylinder (curling in the hand, lying on a round surface): the axis runs
// through the code's centre, across or along the card; rows or columns of modules become arcs.
struct Bent {
  double qcx, qcy, scale, radius, sign, focal, cx, cy;
  bool vertical;  // axis along the card's height: the module rows bend
  Pose pose;
  Point operator()(double u, double v) const {
    const double a = (vertical ? u - qcx : v - qcy) * scale;  // arc length across the axis
    const double b = (vertical ? v - qcy : u - qcx) * scale;
    const double along = radius * std::sin(a / radius);
    const double z = sign * radius * (1 - std::cos(a / radius));  // + = away from the camera
    const double x = vertical ? along : b, y = vertical ? b : along;
    const double cr = std::cos(pose.roll * kDeg), sr = std::sin(pose.roll * kDeg);
    const double cp = std::cos(pose.pitch * kDeg), sp = std::sin(pose.pitch * kDeg);
    const double cw = std::cos(pose.yaw * kDeg), sw = std::sin(pose.yaw * kDeg);
    const double xr = x * cr - y * sr, yr = x * sr + y * cr;
    const double y2 = yr * cp - z * sp, z2 = yr * sp + z * cp;
    const double x3 = xr * cw + z2 * sw, z3 = -xr * sw + z2 * cw;
    const double depth = focal + z3;
    return {cx + focal * x3 / depth, cy + focal * y2 / depth};
  }
};

// The bounds of the code and its quiet zone under a bend, from points along its border.
Box BentZone(const Bent& b, const Object& o) {
  const double x0 = o.qr_x - o.quiet, y0 = o.qr_y - o.quiet;
  const double side = o.qr_side + 2 * o.quiet;
  Box box{1e9, 1e9, -1e9, -1e9};
  for (int k = 0; k <= 16; ++k) {
    const double t = side * k / 16;
    for (const Point& p :
         {b(x0 + t, y0), b(x0 + t, y0 + side), b(x0, y0 + t), b(x0 + side, y0 + t)}) {
      box.x0 = std::min(box.x0, p.x), box.y0 = std::min(box.y0, p.y);
      box.x1 = std::max(box.x1, p.x), box.y1 = std::max(box.y1, p.y);
    }
  }
  return box;
}

}  // namespace

Frame MakeTilt40(const CardSet& cards, Rng& rng, int w, int h) {
  return Tilt(cards, rng, w, h, 40, 150, 280);
}

Frame MakeTilt50(const CardSet& cards, Rng& rng, int w, int h) {
  return Tilt(cards, rng, w, h, 50, 170, 300);
}

Frame MakeTilt60(const CardSet& cards, Rng& rng, int w, int h) {
  return Tilt(cards, rng, w, h, 60, 190, 320);
}

Frame MakeBend(const CardSet& cards, Rng& rng, int w, int h) {
  Frame f;
  f.canvas = Desk(rng, w, h, rng.Uniform(60, 170));
  const size_t i = static_cast<size_t>(rng.Int(0, static_cast<int>(cards.size()) - 1));
  const Object o = MakeCard(&cards.matrix(i), cards.matrix(i).width, rng, PrintedLook(rng));
  double qr = rng.Uniform(150, 280) * Unit(h);
  const double k = rng.Uniform(1, 3);  // radius in code widths
  Bent b{.qcx = o.qr_x + o.qr_side / 2,
         .qcy = o.qr_y + o.qr_side / 2,
         .scale = 0,
         .radius = 0,
         .sign = rng.Chance(0.6) ? 1.0 : -1.0,
         .focal = 0.9 * w,
         .cx = 0,
         .cy = 0,
         .vertical = rng.Chance(0.5),
         .pose = {rng.Uniform(-20, 20), rng.Uniform(-25, 25), rng.Uniform(-10, 10)}};
  for (int attempt = 0;; ++attempt) {
    if (attempt > 0 && attempt % 100 == 0) qr *= 0.93;
    b.scale = qr / o.qr_side, b.radius = k * qr;
    b.cx = rng.Uniform(0, w), b.cy = rng.Uniform(0, h);
    const Box zone = BentZone(b, o);
    if (zone.x0 >= 2 && zone.y0 >= 2 && zone.x1 <= w - 2 && zone.y1 <= h - 2) break;
  }
  synth::PaintMapped(f.canvas, o.tex, b, 3, 2);
  const Quad corners = {b(o.qr_x, o.qr_y), b(o.qr_x + o.qr_side, o.qr_y),
                        b(o.qr_x + o.qr_side, o.qr_y + o.qr_side), b(o.qr_x, o.qr_y + o.qr_side)};
  f.texts.push_back(cards.text(i));
  f.params = "card=" + std::to_string(i) + Where(corners) + Fmt(" radius=%.1fx", k) +
             (b.vertical ? " rows" : " columns") + (b.sign > 0 ? " convex" : " concave") +
             Fmt(" roll=%.0f", b.pose.roll) + Fmt(" pitch=%.0f", b.pose.pitch) +
             Fmt(" yaw=%.0f", b.pose.yaw);
  Develop(f, rng, DefaultOptics(rng));
  return f;
}

// Motion blur along the module rows or across them (along the columns), a card moved towards the
// camera (zoom blur about the frame's centre, a little out of focus), or far out of focus.
Frame MakeMotion(const CardSet& cards, Rng& rng, int w, int h) {
  const int kind = rng.Int(0, 3);
  const Pose pose = Tilted(rng, 30, 12);
  Frame f = FitCard(cards, rng, w, h, rng.Uniform(150, 300) * Unit(h), pose, PrintedLook(rng),
                    rng.Uniform(60, 170));
  Optics o = DefaultOptics(rng);
  static constexpr const char* kKinds[] = {"along", "across", "approach", "focus"};
  if (kind <= 1) {
    o.motion = rng.Uniform(6, 16) * Unit(h);
    o.motion_angle = pose.roll + (kind == 1 ? 90 : 0);
  } else if (kind == 2) {
    o.zoom = rng.Uniform(0.03, 0.08);
    o.sigma = rng.Uniform(0.9, 1.6) * Unit(h);
  } else {
    o.sigma = rng.Uniform(2.2, 3.4) * Unit(h);
  }
  f.params += std::string(" kind=") + kKinds[kind];
  Develop(f, rng, o);
  return f;
}

// A light card held close in front of a dark background: the code with its quiet zone fills
// 80-100% of the frame's height, the exposure uneven (gradient, vignetting) and over or under.
Frame MakeExposure(const CardSet& cards, Rng& rng, int w, int h) {
  Frame f;
  f.canvas = Desk(rng, w, h, rng.Uniform(10, 45));
  const size_t i = static_cast<size_t>(rng.Int(0, static_cast<int>(cards.size()) - 1));
  const Look look{U8(rng.Uniform(225, 252)), U8(rng.Uniform(15, 45))};
  const Object o = MakeCard(&cards.matrix(i), cards.matrix(i).width, rng, look);
  const int modules = cards.matrix(i).width;
  const double fill = rng.Uniform(0.8, 1.0);
  double qr = fill * h * modules / (modules + 2.0 * 4);
  const Pose pose = Tilted(rng, 5, 6);
  Placement p;
  while (!PlaceCentred(o, qr, pose, rng, w, h, &p)) qr *= 0.98;
  synth::PaintTexture(f.canvas, o.tex, p.quad, 3);
  const Box zone = BoundsOf(MapRect(p.to_frame, o.qr_x - o.quiet, o.qr_y - o.quiet,
                                    o.qr_x + o.qr_side + o.quiet, o.qr_y + o.qr_side + o.quiet));
  f.texts.push_back(cards.text(i));
  f.params = "card=" + std::to_string(i) + Where(p.qr_quad) +
             Fmt(" fill=%.2f", (zone.y1 - zone.y0) / h) + Fmt(" roll=%.0f", pose.roll);
  Optics op = DefaultOptics(rng);
  const int kind = rng.Int(0, 2);
  static constexpr const char* kKinds[] = {"over", "under", "uneven"};
  if (kind == 0) {
    op.gain = rng.Uniform(1.3, 2.0);
  } else if (kind == 1) {
    op.gain = rng.Uniform(0.3, 0.55);
    op.noise = rng.Uniform(2, 5);
    op.shot = rng.Uniform(2, 5);
  } else {
    op.gain = rng.Uniform(0.9, 1.2);
  }
  op.gradient = rng.Uniform(0.5, 1.2);
  op.vignette = rng.Uniform(0.3, 0.6);
  f.params += std::string(" exposure=") + kKinds[kind];
  Develop(f, rng, op);
  return f;
}

// A code 1,500-2,500 px across in a 3840x2160 frame (a 4K camera close up): frontal up to what
// the frame's height holds, tilted back beyond that.
Frame MakeLarge(const CardSet& cards, Rng& rng, int w, int h) {
  Frame f;
  f.canvas = Desk(rng, w, h, rng.Uniform(60, 170));
  const size_t i = static_cast<size_t>(rng.Int(0, static_cast<int>(cards.size()) - 1));
  const Object o = MakeCard(&cards.matrix(i), cards.matrix(i).width, rng, PrintedLook(rng));
  const int modules = cards.matrix(i).width;
  double qr = 1500 * std::pow(2500.0 / 1500, rng.Uniform(0, 1));
  const double fits = (h - 60.0) / (qr * (modules + 8.0) / modules);  // < 1: tilt needed
  const double sign = rng.Chance(0.5) ? 1 : -1;
  const double pitch =
      fits >= 1 ? rng.Uniform(-8, 8) : sign * (std::acos(fits) / kDeg + rng.Uniform(3, 8));
  const Pose pose{rng.Uniform(-4, 4), pitch, rng.Uniform(-8, 8)};
  Placement p;
  while (!PlaceCentred(o, qr, pose, rng, w, h, &p)) qr *= 0.97;
  synth::PaintTexture(f.canvas, o.tex, p.quad, 2);
  const Box code = BoundsOf(p.qr_quad);
  f.texts.push_back(cards.text(i));
  f.params = "card=" + std::to_string(i) + Where(p.qr_quad) +
             Fmt(" width=%.0f", code.x1 - code.x0) + Fmt(" roll=%.0f", pose.roll) +
             Fmt(" pitch=%.0f", pose.pitch) + Fmt(" yaw=%.0f", pose.yaw);
  Optics op = DefaultOptics(rng);
  op.sigma = rng.Uniform(0.8, 1.6);
  Develop(f, rng, op);
  return f;
}

}  // namespace scenes
