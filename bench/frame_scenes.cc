#include "frame_scenes.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "scanner/qr_codec.h"
#include "scene_parts.h"

namespace scenes {
namespace {

using namespace parts;  // NOLINT(google-build-using-namespace): the scene vocabulary

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

const std::array<TierSpec, 18> kTiers = {{
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
    {"tilt40", MakeTilt40, 20, 1920, 1080},
    {"tilt50", MakeTilt50, 20, 1920, 1080},
    {"tilt60", MakeTilt60, 20, 1920, 1080},
    {"bend", MakeBend, 20, 1920, 1080},
    {"motion", MakeMotion, 20, 1920, 1080},
    {"exposure", MakeExposure, 20, 1920, 1080},
    {"large_4k", MakeLarge, 8, 3840, 2160, true, 75},
    {"none", MakeNone},
}};

}  // namespace scenes
