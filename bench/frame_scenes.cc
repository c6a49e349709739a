#include "frame_scenes.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "scanner/qr_codec.h"

namespace scenes {
namespace {

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
};

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

// "qr=SIDE at=X,Y": the symbol's mean side and centre in the frame, for manifest.tsv.
std::string Where(const Quad& q);

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
  synth::GaussianBlur(f.canvas, o.sigma);
  synth::MotionBlur(f.canvas, o.motion, o.motion_angle);
  synth::AddNoise(f.canvas, rng, o.noise, o.shot);
  f.params += Fmt(" sigma=%.2f", o.sigma) + Fmt(" noise=%.1f", o.noise);
  if (o.motion > 0) f.params += Fmt(" motion=%.1f", o.motion) + Fmt("@%.0f", o.motion_angle);
  if (o.gain != 1) f.params += Fmt(" gain=%.2f", o.gain);
}

Pose Tilted(Rng& rng, double roll, double tilt) {
  return {rng.Uniform(-roll, roll), rng.Uniform(-tilt, tilt), rng.Uniform(-tilt, tilt)};
}

// One card on a desk: the common start of most tiers.
Frame OneCard(const CardSet& cards, Rng& rng, int w, int h, double qr_px, const Pose& pose,
              Look look, double desk, Placement* placed = nullptr) {
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

Frame MakeClean(const CardSet& cards, Rng& rng, int w, int h) {
  // Log-uniform 120..300 px: 1.8..4.9 px per module for the version 11-12 symbols cards use.
  const double qr = 120 * std::pow(300.0 / 120, rng.Uniform(0, 1));
  Frame f =
      OneCard(cards, rng, w, h, qr, Tilted(rng, 8, 12), PrintedLook(rng), rng.Uniform(60, 170));
  Develop(f, rng, DefaultOptics(rng));
  return f;
}

Frame MakeSmall(const CardSet& cards, Rng& rng, int w, int h) {
  Frame f = OneCard(cards, rng, w, h, rng.Uniform(80, 110), Tilted(rng, 10, 10), PrintedLook(rng),
                    rng.Uniform(60, 170));
  Develop(f, rng, DefaultOptics(rng));
  return f;
}

Frame MakeRotation(const CardSet& cards, Rng& rng, int w, int h) {
  Pose pose = Tilted(rng, 0, 10);
  pose.roll = rng.Uniform(0, 360);
  Frame f = OneCard(cards, rng, w, h, rng.Uniform(110, 260), pose, PrintedLook(rng),
                    rng.Uniform(60, 170));
  Develop(f, rng, DefaultOptics(rng));
  return f;
}

Frame MakePerspective(const CardSet& cards, Rng& rng, int w, int h) {
  const double sign_p = rng.Chance(0.5) ? 1 : -1, sign_y = rng.Chance(0.5) ? 1 : -1;
  Pose pose{rng.Uniform(-25, 25), sign_p * rng.Uniform(25, 50), sign_y * rng.Uniform(10, 45)};
  if (rng.Chance(0.5)) std::swap(pose.pitch, pose.yaw);
  Frame f = OneCard(cards, rng, w, h, rng.Uniform(130, 280), pose, PrintedLook(rng),
                    rng.Uniform(60, 170));
  Develop(f, rng, DefaultOptics(rng));
  return f;
}

Frame MakeBlur(const CardSet& cards, Rng& rng, int w, int h) {
  Frame f = OneCard(cards, rng, w, h, rng.Uniform(130, 280), Tilted(rng, 15, 12), PrintedLook(rng),
                    rng.Uniform(60, 170));
  Optics o = DefaultOptics(rng);
  if (rng.Chance(0.5)) {
    o.sigma = rng.Uniform(1.0, 2.6);  // out of focus
  } else {
    o.motion = rng.Uniform(3, 12);  // the card moves while the shutter is open
    o.motion_angle = rng.Uniform(0, 180);
  }
  Develop(f, rng, o);
  return f;
}

Frame MakeNoise(const CardSet& cards, Rng& rng, int w, int h) {
  Frame f = OneCard(cards, rng, w, h, rng.Uniform(120, 260), Tilted(rng, 15, 12), PrintedLook(rng),
                    rng.Uniform(60, 170));
  Optics o = DefaultOptics(rng);
  o.gain = rng.Uniform(0.35, 0.8);  // dim light, sensor gain up
  o.noise = rng.Uniform(4, 12);
  o.shot = rng.Uniform(2, 8);
  Develop(f, rng, o);
  return f;
}

Frame MakeLowContrast(const CardSet& cards, Rng& rng, int w, int h) {
  const double paper = rng.Uniform(110, 200), gap = rng.Uniform(20, 40);
  Look look{U8(paper), U8(paper - gap)};
  Frame f = OneCard(cards, rng, w, h, rng.Uniform(120, 280), Tilted(rng, 15, 12), look,
                    paper + rng.Uniform(-40, 10));
  f.params += Fmt(" paper=%.0f", paper) + Fmt(" ink=%.0f", paper - gap);
  Develop(f, rng, DefaultOptics(rng));
  return f;
}

Frame MakeGlare(const CardSet& cards, Rng& rng, int w, int h) {
  Placement p;
  Frame f = OneCard(cards, rng, w, h, rng.Uniform(130, 280), Tilted(rng, 15, 15), PrintedLook(rng),
                    rng.Uniform(60, 170), &p);
  const double side = MeanSide(p.qr_quad);
  const int blobs = rng.Chance(0.3) ? 2 : 1;
  for (int b = 0; b < blobs; ++b) {
    // A point of the symbol (bilinear in its quad), where the light reflects off the card.
    const double s = rng.Uniform(0.1, 0.9), t = rng.Uniform(0.1, 0.9);
    const Quad& q = p.qr_quad;
    const double cx =
        (1 - t) * ((1 - s) * q[0].x + s * q[1].x) + t * ((1 - s) * q[3].x + s * q[2].x);
    const double cy =
        (1 - t) * ((1 - s) * q[0].y + s * q[1].y) + t * ((1 - s) * q[3].y + s * q[2].y);
    const double rx = rng.Uniform(0.12, 0.35) * side, amount = rng.Uniform(150, 350);
    synth::Glare(f.canvas, cx, cy, rx, rx * rng.Uniform(0.4, 1.0), rng.Uniform(0, 180), amount);
    f.params += Fmt(" glare=%.0f", amount) + Fmt("/r%.0f", rx);
  }
  Develop(f, rng, DefaultOptics(rng));
  return f;
}

// A phone showing the card in its app: dark bezel, an emitting screen whose pixel grid aliases
// into moire on the sensor, and in dark mode the code inverted (light modules on black).
Frame MakePhone(const CardSet& cards, Rng& rng, int w, int h) {
  const bool dark = rng.Chance(0.4);
  const size_t i = static_cast<size_t>(rng.Int(0, static_cast<int>(cards.size()) - 1));
  const scanner::GrayImage& m = cards.matrix(i);
  const int spm = rng.Int(5, 9);  // screen pixels per module
  const int sw = (m.width + 2 * kQuiet + 4) * spm, sh = sw * 2;
  const uint8_t bg = dark ? U8(rng.Uniform(5, 25)) : U8(rng.Uniform(235, 255));
  const uint8_t ink = dark ? U8(rng.Uniform(190, 240)) : U8(rng.Uniform(10, 30));
  Texture screen(sw, sh, bg);
  synth::DrawTextLines(screen, rng, sw / 10, sh / 30, sw * 8 / 10, sh / 12, sh / 60, ink);
  const int qx = (sw - m.width * spm) / 2, qy = sh * 3 / 10;
  DrawModules(screen, m, qx, qy, spm, ink);
  synth::DrawTextLines(screen, rng, sw / 10, qy + m.width * spm + 8 * spm, sw * 8 / 10, sh / 5,
                       sh / 50, ink);
  // The body: the screen plus a bezel; placement is computed on it, the code offset by the bezel.
  const int bx = sw / 20, by = sh / 14;
  Object body;
  body.tex = Texture(sw + 2 * bx, sh + 2 * by, U8(rng.Uniform(15, 35)));
  body.qr_x = bx + qx, body.qr_y = by + qy, body.qr_side = m.width * spm, body.quiet = kQuiet * spm;
  Frame f;
  f.canvas = Desk(rng, w, h, rng.Uniform(60, 170));
  std::vector<Box> taken;
  Placement p;
  const Pose pose = Tilted(rng, 20, 15);
  if (!Place(body, rng.Uniform(140, 260), pose, rng, w, h, &taken, &p)) std::abort();
  synth::PaintTexture(f.canvas, body.tex, p.quad, 3);
  const synth::PixelGrid grid{1.0, rng.Uniform(0.6, 0.85),
                              static_cast<float>(rng.Uniform(0.2, 0.5))};
  synth::PaintTexture(f.canvas, screen, MapRect(p.to_frame, bx, by, bx + sw, by + sh), 4, grid);
  // Reflection on the glass.
  const Box b = BoundsOf(p.quad);
  synth::Glare(f.canvas, rng.Uniform(b.x0, b.x1), rng.Uniform(b.y0, b.y1), (b.x1 - b.x0) * 0.6,
               (b.y1 - b.y0) * 0.3, rng.Uniform(0, 180), rng.Uniform(10, 50));
  f.texts.push_back(cards.text(i));
  f.params = "card=" + std::to_string(i) + Where(p.qr_quad) + (dark ? " dark" : " light") +
             Fmt(" spm=%d", spm) + Fmt(" fill=%.2f", grid.fill) +
             Fmt(" gap=%.2f", static_cast<double>(grid.gap)) + Fmt(" roll=%.0f", pose.roll);
  Develop(f, rng, DefaultOptics(rng));
  return f;
}

Frame MakeMulti(const CardSet& cards, Rng& rng, int w, int h) {
  const int n = rng.Chance(0.5) ? 2 : 3;
  std::vector<size_t> order(cards.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (size_t i = order.size() - 1; i > 0; --i) {
    std::swap(order[i], order[static_cast<size_t>(rng.Int(0, static_cast<int>(i)))]);
  }
  Frame f;
  f.canvas = Desk(rng, w, h, rng.Uniform(60, 170));
  std::vector<Box> taken;
  const double unit = h / 480.0;  // 1280x720 frames: codes 1.5 times larger
  for (int c = 0; c < n; ++c) {
    const size_t i = order[static_cast<size_t>(c)];
    const Object o = MakeCard(&cards.matrix(i), cards.matrix(i).width, rng, PrintedLook(rng));
    const Pose pose = Tilted(rng, 30, 12);
    double qr = (n == 2 ? rng.Uniform(120, 170) : rng.Uniform(110, 150)) * unit;
    Placement p;
    while (!Place(o, qr, pose, rng, w, h, &taken, &p)) qr *= 0.9;
    synth::PaintTexture(f.canvas, o.tex, p.quad, 3);
    f.texts.push_back(cards.text(i));
    if (c > 0) f.params += ' ';
    f.params += "card=" + std::to_string(i);
    f.params += Where(p.qr_quad) + Fmt(" roll=%.0f", pose.roll);
  }
  Develop(f, rng, DefaultOptics(rng));
  return f;
}

// A code whose modules outside the finder patterns are replaced by coin flips: it looks like a
// QR code to a detector but cannot be decoded (a decoder must report nothing, not garbage).
scanner::GrayImage Scrambled(const scanner::GrayImage& m, Rng& rng) {
  scanner::GrayImage s = m;
  const int n = m.width;
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      const bool finder = (x < 8 && y < 8) || (x >= n - 8 && y < 8) || (x < 8 && y >= n - 8);
      if (!finder) s.pixels[static_cast<size_t>(y * n + x)] = rng.Chance(0.5) ? 0 : 255;
    }
  }
  return s;
}

Frame MakeNone(const CardSet& cards, Rng& rng, int w, int h) {
  Frame f;
  const int kind = rng.Int(0, 5);
  f.canvas = Desk(rng, w, h, rng.Uniform(60, 200));
  const double unit = w / 640.0;
  std::vector<Box> taken;
  Placement p;
  if (kind == 1 || kind == 5) {  // a card without a code, or with a scrambled one
    const scanner::GrayImage s = Scrambled(cards.matrix(0), rng);
    const Object o = MakeCard(kind == 5 ? &s : nullptr, s.width, rng, PrintedLook(rng));
    if (!Place(o, rng.Uniform(120, 260), Tilted(rng, 30, 15), rng, w, h, &taken, &p)) std::abort();
    synth::PaintTexture(f.canvas, o.tex, p.quad, 3);
  } else if (kind == 2) {  // a phone showing text
    const bool dark = rng.Chance(0.5);
    Texture screen(360, 720, dark ? 15 : 245);
    synth::DrawTextLines(screen, rng, 20, 20, 320, 680, rng.Int(10, 20), dark ? 220 : 20);
    synth::PaintTexture(f.canvas, screen,
                        synth::ProjectRect(360, 720, w / 2.0, h / 2.0, 0.6 * unit,
                                           rng.Uniform(-30, 30), rng.Uniform(-15, 15), 0, 0.9 * w),
                        3, {1.0, 0.75, 0.35f});
  } else if (kind == 3) {  // tiles, a keyboard, a chequered cloth
    const int cell = rng.Int(8, 30);
    Texture tiles(cell * 24, cell * 18, 0);
    for (int y = 0; y < 18; ++y) {
      for (int x = 0; x < 24; ++x) {
        const bool on = rng.Chance(0.2) ? rng.Chance(0.5) : (x + y) % 2 == 0;
        tiles.FillRect(x * cell, y * cell, cell, cell, on ? 220 : 30);
      }
    }
    synth::PaintTexture(f.canvas, tiles,
                        synth::ProjectRect(tiles.width, tiles.height, w / 2.0, h / 2.0,
                                           rng.Uniform(0.6, 1.5) * unit, rng.Uniform(0, 90),
                                           rng.Uniform(-30, 30), rng.Uniform(-30, 30), 0.9 * w),
                        3);
  } else if (kind == 4) {  // a page of text close up
    Texture page(640, 480, U8(rng.Uniform(200, 250)));
    synth::DrawTextLines(page, rng, 10, 10, 620, 460, rng.Int(10, 24), U8(rng.Uniform(10, 60)));
    synth::PaintTexture(
        f.canvas, page,
        synth::ProjectRect(640, 480, w / 2.0, h / 2.0, 1.1 * unit, rng.Uniform(-10, 10),
                           rng.Uniform(-20, 20), rng.Uniform(-20, 20), 0.9 * w),
        3);
  }
  f.params = "kind=" + std::to_string(kind);
  Develop(f, rng, DefaultOptics(rng));
  return f;
}

}  // namespace

CardSet::CardSet(std::vector<std::string> texts) : texts_(std::move(texts)) {
  for (const std::string& t : texts_) {
    base::Result<scanner::GrayImage> m =
        scanner::RenderQr(t, {.ecc = scanner::EccLevel::kQ, .module_px = 1, .quiet_modules = 0});
    if (!m.ok()) {
      std::fprintf(stderr, "cannot encode %s: %s\n", t.c_str(), m.status().ToString().c_str());
      std::abort();
    }
    matrices_.push_back(std::move(m).value());
  }
}

size_t CardSet::min_length() const {
  size_t n = SIZE_MAX;
  for (const std::string& t : texts_) n = std::min(n, t.size());
  return n;
}

size_t CardSet::max_length() const {
  size_t n = 0;
  for (const std::string& t : texts_) n = std::max(n, t.size());
  return n;
}

const std::array<TierSpec, 11> kTiers = {{
    {"clean", MakeClean},
    {"small", MakeSmall},
    {"rotation", MakeRotation},
    {"perspective", MakePerspective},
    {"blur", MakeBlur},
    {"noise", MakeNoise},
    {"low_contrast", MakeLowContrast},
    {"glare", MakeGlare},
    {"phone_screen", MakePhone},
    {"multi", MakeMulti},
    {"none", MakeNone},
}};

}  // namespace scenes
