#include "scene_parts.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace scenes::parts {

[[gnu::format(printf, 1, 2)]] std::string Fmt(const char* fmt, ...) {
  char buf[64];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

uint8_t U8(double v) { return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

Box BoundsOf(const Quad& q) {
  Box b{1e9, 1e9, -1e9, -1e9};
  for (const Point& p : q) {
    b.x0 = std::min(b.x0, p.x), b.y0 = std::min(b.y0, p.y);
    b.x1 = std::max(b.x1, p.x), b.y1 = std::max(b.y1, p.y);
  }
  return b;
}

Quad MapRect(const synth::Homography& h, double x0, double y0, double x1, double y1) {
  return {h.Map(x0, y0), h.Map(x1, y0), h.Map(x1, y1), h.Map(x0, y1)};
}

double MeanSide(const Quad& q) {
  double s = 0;
  for (size_t i = 0; i < 4; ++i)
    s += std::hypot(q[(i + 1) % 4].x - q[i].x, q[(i + 1) % 4].y - q[i].y);
  return s / 4;
}

std::string Where(const Quad& q) {
  const double cx = (q[0].x + q[1].x + q[2].x + q[3].x) / 4;
  const double cy = (q[0].y + q[1].y + q[2].y + q[3].y) / 4;
  return Fmt(" qr=%.0f at=%.0f,%.0f", MeanSide(q), cx, cy);
}

void DrawModules(Texture& t, const scanner::GrayImage& m, int x0, int y0, int k, uint8_t ink) {
  for (int my = 0; my < m.height; ++my) {
    for (int mx = 0; mx < m.width; ++mx) {
      if (m.pixels[static_cast<size_t>(my * m.width + mx)] < 128) {
        t.FillRect(x0 + mx * k, y0 + my * k, k, k, ink);
      }
    }
  }
}

// An ID-1 card (85.6 x 54 mm): logo and printed text on the left, the QR code on the right. With
// no matrix, a photo-like patch takes the code's place (frames without a code).
Object MakeCard(const scanner::GrayImage* m, int modules, Rng& rng, Look look) {
  constexpr int k = 4;  // texels per module
  const int hm = modules + 2 * kQuiet + 6, wm = static_cast<int>(std::lround(hm * 1.585));
  Object o;
  o.tex = Texture(wm * k, hm * k, look.paper);
  const int qx = (wm - 3 - kQuiet - modules) * k, qy = (3 + kQuiet) * k;
  o.qr_x = qx, o.qr_y = qy, o.qr_side = modules * k, o.quiet = kQuiet * k;
  const int left_w = qx - kQuiet * k - 6 * k;
  o.tex.FillRect(3 * k, 3 * k, 9 * k, 9 * k, look.ink);  // logo
  synth::DrawTextLines(o.tex, rng, 14 * k, 4 * k, left_w - 11 * k, 7 * k, 3 * k, look.ink);
  synth::DrawTextLines(o.tex, rng, 3 * k, 16 * k, left_w, (hm - 19) * k, 3 * k, look.ink);
  if (m != nullptr) {
    DrawModules(o.tex, *m, qx, qy, k, look.ink);
  } else {
    for (int y = 0; y < modules * k; ++y) {  // a smooth "photo"
      for (int x = 0; x < modules * k; ++x) {
        const double v = 128 + 60 * std::sin(x * 0.05 + rng.Uniform(0, 0.02)) * std::cos(y * 0.04);
        o.tex.at(qx + x, qy + y) = U8(v);
      }
    }
  }
  return o;
}

Canvas Desk(Rng& rng, int w, int h, double level) {
  Canvas c(w, h, static_cast<float>(level));
  const double unit = w / 640.0;
  synth::AddValueNoise(c, rng, rng.Uniform(60, 200) * unit, rng.Uniform(8, 25));
  synth::AddValueNoise(c, rng, rng.Uniform(2, 5) * unit, rng.Uniform(1, 3));  // grain
  if (rng.Chance(0.4)) {  // a sheet of printed paper lying around
    Texture sheet(420, 594, U8(rng.Uniform(200, 245)));
    synth::DrawTextLines(sheet, rng, 30, 30, 360, 530, rng.Int(8, 14), U8(rng.Uniform(20, 70)));
    const Quad q = synth::ProjectRect(420, 594, rng.Uniform(0, w), rng.Uniform(0, h),
                                      rng.Uniform(0.5, 1.2) * unit, rng.Uniform(0, 360),
                                      rng.Uniform(-20, 20), rng.Uniform(-20, 20), 0.9 * w);
    synth::PaintTexture(c, sheet, q, 2);
  }
  return c;
}

// Finds where `o` can be put so that its code (with quiet zone) is in the frame and the object
// covers none of the `taken` codes (to which its own is added); prefers the whole object in the
// frame. False if nowhere fits.
bool Place(const Object& o, double qr_px, const Pose& pose, Rng& rng, int w, int h,
           std::vector<Box>* taken, Placement* out) {
  const double scale = qr_px / o.qr_side;
  for (int attempt = 0; attempt < 200; ++attempt) {
    const Quad quad =
        synth::ProjectRect(o.tex.width, o.tex.height, rng.Uniform(0, w), rng.Uniform(0, h), scale,
                           pose.roll, pose.pitch, pose.yaw, 0.9 * w);
    const Quad corners = {
        Point{0, 0}, Point{static_cast<double>(o.tex.width), 0},
        Point{static_cast<double>(o.tex.width), static_cast<double>(o.tex.height)},
        Point{0, static_cast<double>(o.tex.height)}};
    synth::Homography to_frame;
    if (!synth::Homography::FromPoints(corners, quad, &to_frame)) continue;
    const Box zone = BoundsOf(MapRect(to_frame, o.qr_x - o.quiet, o.qr_y - o.quiet,
                                      o.qr_x + o.qr_side + o.quiet, o.qr_y + o.qr_side + o.quiet));
    if (zone.x0 < 2 || zone.y0 < 2 || zone.x1 > w - 2 || zone.y1 > h - 2) continue;
    const Box all = BoundsOf(quad);
    const bool inside = all.x0 >= 0 && all.y0 >= 0 && all.x1 <= w && all.y1 <= h;
    if (!inside && attempt < 100) continue;
    bool clash = false;  // objects may overlap, but never cover a code placed before
    for (const Box& b : *taken) clash = clash || b.Overlaps(all);
    if (clash) continue;
    taken->push_back(zone);
    out->quad = quad;
    out->qr_quad = MapRect(to_frame, o.qr_x, o.qr_y, o.qr_x + o.qr_side, o.qr_y + o.qr_side);
    out->to_frame = to_frame;
    return true;
  }
  return false;
}

Optics DefaultOptics(Rng& rng) {
  Optics o;
  o.sigma = rng.Uniform(0.45, 0.75);
  o.noise = rng.Uniform(0.4, 0.8);
  o.shot = rng.Uniform(0.2, 1.0);
  o.gradient = rng.Uniform(0, 0.3);
  o.gradient_angle = rng.Uniform(0, 360);
  return o;
}

void Develop(Frame& f, Rng& rng, const Optics& o) {
  for (float& v : f.canvas.px) v *= static_cast<float>(o.gain);
  synth::LightGradient(f.canvas, o.gradient, o.gradient_angle);
  if (o.vignette > 0) synth::Vignette(f.canvas, o.vignette);
  synth::GaussianBlur(f.canvas, o.sigma);
  synth::MotionBlur(f.canvas, o.motion, o.motion_angle);
  if (o.zoom > 0) synth::ZoomBlur(f.canvas, o.zoom);
  synth::AddNoise(f.canvas, rng, o.noise, o.shot);
  f.params += Fmt(" sigma=%.2f", o.sigma) + Fmt(" noise=%.1f", o.noise);
  if (o.motion > 0) f.params += Fmt(" motion=%.1f", o.motion) + Fmt("@%.0f", o.motion_angle);
  if (o.gain != 1) f.params += Fmt(" gain=%.2f", o.gain);
  if (o.vignette > 0) f.params += Fmt(" vignette=%.2f", o.vignette);
  if (o.zoom > 0) f.params += Fmt(" zoom=%.3f", o.zoom);
}

Pose Tilted(Rng& rng, double roll, double tilt) {
  return {rng.Uniform(-roll, roll), rng.Uniform(-tilt, tilt), rng.Uniform(-tilt, tilt)};
}

// One card on a desk: the common start of most tiers.
Frame OneCard(const CardSet& cards, Rng& rng, int w, int h, double qr_px, const Pose& pose,
              Look look, double desk, Placement* placed) {
  Frame f;
  f.canvas = Desk(rng, w, h, desk);
  const size_t i = static_cast<size_t>(rng.Int(0, static_cast<int>(cards.size()) - 1));
  const Object o = MakeCard(&cards.matrix(i), cards.matrix(i).width, rng, look);
  std::vector<Box> taken;
  Placement p;
  if (!Place(o, qr_px, pose, rng, w, h, &taken, &p)) std::abort();  // sizes are chosen to fit
  synth::PaintTexture(f.canvas, o.tex, p.quad, 3);
  f.texts.push_back(cards.text(i));
  f.params = "card=" + std::to_string(i) + Where(p.qr_quad) + Fmt(" roll=%.0f", pose.roll) +
             Fmt(" pitch=%.0f", pose.pitch) + Fmt(" yaw=%.0f", pose.yaw);
  if (placed != nullptr) *placed = p;
  return f;
}

Look PrintedLook(Rng& rng) { return {U8(rng.Uniform(225, 250)), U8(rng.Uniform(15, 45))}; }

}  // namespace scenes::parts
