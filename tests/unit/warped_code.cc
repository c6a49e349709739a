#include "warped_code.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

#include "scanner/qr_codec.h"

namespace scanner::test {
namespace {

constexpr double kInk = 35, kPaper = 225, kDesk = 70;
constexpr int kQuiet = 4, kCard = 10;  // quiet zone and card margin, modules
constexpr int kSuper = 3;

using Vec = std::array<double, 3>;
using Mat = std::array<Vec, 3>;  // rows

Vec MulT(const Mat& m, const Vec& v) {
  return {m[0][0] * v[0] + m[1][0] * v[1] + m[2][0] * v[2],
          m[0][1] * v[0] + m[1][1] * v[1] + m[2][1] * v[2],
          m[0][2] * v[0] + m[1][2] * v[1] + m[2][2] * v[2]};
}
Mat Dot(const Mat& a, const Mat& b) {
  Mat r{};
  for (size_t i = 0; i < 3; ++i)
    for (size_t j = 0; j < 3; ++j)
      for (size_t k = 0; k < 3; ++k) r[i][j] += a[i][k] * b[k][j];
  return r;
}
Mat Rotation(double pitch, double yaw, double roll) {
  const double d = std::numbers::pi / 180;
  const double cp = std::cos(pitch * d), sp = std::sin(pitch * d);
  const double cy = std::cos(yaw * d), sy = std::sin(yaw * d);
  const double cr = std::cos(roll * d), sr = std::sin(roll * d);
  const Mat rx{{{1, 0, 0}, {0, cp, -sp}, {0, sp, cp}}};
  const Mat ry{{{cy, 0, sy}, {0, 1, 0}, {-sy, 0, cy}}};
  const Mat rz{{{cr, -sr, 0}, {sr, cr, 0}, {0, 0, 1}}};
  return Dot(rz, Dot(ry, rx));
}

// The code's modules, one pixel each, with its quiet zone.
struct Modules {
  GrayImage img;
  int dim = 0;
  double At(double s, double t) const {  // s, t: module coordinates of the code's top left
    if (s < -kCard || t < -kCard || s >= dim + kCard || t >= dim + kCard) return kDesk;
    const int u = static_cast<int>(std::floor(s)) + kQuiet,
              v = static_cast<int>(std::floor(t)) + kQuiet;
    if (u < 0 || v < 0 || u >= img.width || v >= img.height) return kPaper;
    return img.pixels[static_cast<size_t>(v) * static_cast<size_t>(img.width) +
                      static_cast<size_t>(u)] < 128
               ? kInk
               : kPaper;
  }
};

// The code plane's (or cylinder's) point seen along the ray through (x, y), in module coordinates;
// false where the ray misses it.
struct Scene {
  const CodePose& pose;
  Mat rot;
  Vec centre;
  double focal, dim;

  bool Hit(double x, double y, double* s, double* t) const {
    const Vec dir = MulT(rot, {(x - pose.width / 2.0) / focal, (y - pose.height / 2.0) / focal, 1});
    const Vec o = MulT(rot, {-centre[0], -centre[1], -centre[2]});
    double X = 0, Y = 0;
    if (pose.bend <= 0) {
      if (std::fabs(dir[2]) < 1e-12) return false;
      const double k = -o[2] / dir[2];
      if (k <= 0) return false;
      X = o[0] + k * dir[0], Y = o[1] + k * dir[1];
    } else {
      // The cylinder X^2 + (Z - r)^2 = r^2 round the local Y axis shifted to Z = r: its near side.
      const double r = pose.bend * dim;
      const double a = dir[0] * dir[0] + dir[2] * dir[2];
      const double b = 2 * (o[0] * dir[0] + (o[2] - r) * dir[2]);
      const double c = o[0] * o[0] + (o[2] - r) * (o[2] - r) - r * r;
      const double disc = b * b - 4 * a * c;
      if (a < 1e-12 || disc < 0) return false;
      const double k = (-b - std::sqrt(disc)) / (2 * a);
      if (k <= 0) return false;
      const double px = o[0] + k * dir[0], pz = o[2] + k * dir[2];
      if (pz > r) return false;
      X = r * std::atan2(px, r - pz);
      Y = o[1] + k * dir[1];
    }
    *s = X + dim / 2, *t = Y + dim / 2;
    return true;
  }
};

void Gaussian(std::vector<float>* px, int w, int h, double sigma) {
  if (sigma <= 0) return;
  const int rad = static_cast<int>(std::ceil(3 * sigma));
  std::vector<float> k(static_cast<size_t>(2 * rad + 1));
  float sum = 0;
  for (int i = -rad; i <= rad; ++i)
    sum += k[static_cast<size_t>(i + rad)] =
        static_cast<float>(std::exp(-i * i / (2 * sigma * sigma)));
  for (float& v : k) v /= sum;
  std::vector<float> tmp(px->size());
  for (int pass = 0; pass < 2; ++pass) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        float acc = 0;
        for (int i = -rad; i <= rad; ++i) {
          const int xx = pass == 0 ? std::clamp(x + i, 0, w - 1) : x;
          const int yy = pass == 1 ? std::clamp(y + i, 0, h - 1) : y;
          acc += k[static_cast<size_t>(i + rad)] * (*px)[static_cast<size_t>(yy * w + xx)];
        }
        tmp[static_cast<size_t>(y * w + x)] = acc;
      }
    }
    px->swap(tmp);
  }
}

void Motion(std::vector<float>* px, int w, int h, double length, double angle) {
  if (length <= 0) return;
  const double dx = std::cos(angle * std::numbers::pi / 180),
               dy = std::sin(angle * std::numbers::pi / 180);
  const int n = static_cast<int>(std::ceil(length)) * 2 + 1;
  std::vector<float> out(px->size());
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      double acc = 0;
      for (int i = 0; i < n; ++i) {
        const double t = length * (static_cast<double>(i) / (n - 1) - 0.5);
        const int xx = std::clamp(static_cast<int>(std::lround(x + t * dx)), 0, w - 1);
        const int yy = std::clamp(static_cast<int>(std::lround(y + t * dy)), 0, h - 1);
        acc += static_cast<double>((*px)[static_cast<size_t>(yy * w + xx)]);
      }
      out[static_cast<size_t>(y * w + x)] = static_cast<float>(acc / n);
    }
  }
  px->swap(out);
}

}  // namespace

std::string CardText(int index) {
  constexpr char kSet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  std::string text = "UC1:";
  uint32_t state = 2654435761u * static_cast<uint32_t>(index + 1);
  const size_t length = 237 + static_cast<size_t>(index * 7 % 35);
  while (text.size() < length) {
    state = state * 1103515245 + 12345;
    text += kSet[(state >> 16) % 45];
  }
  return text;
}

GrayImage WarpedCode(const std::string& text, const CodePose& pose) {
  base::Result<GrayImage> code = RenderQr(text, {.ecc = EccLevel::kQ, .module_px = 1});
  EXPECT_TRUE(code.ok()) << code.status().ToString();
  if (!code.ok()) return {};
  Modules m{std::move(code).value(), 0};
  m.dim = m.img.width - 2 * kQuiet;
  const double focal = 0.9 * pose.width;
  const double depth = focal * m.dim / pose.side;  // the code's centre, in modules
  const Scene scene{pose,
                    Rotation(pose.pitch, pose.yaw, pose.roll),
                    {0, 0, depth},
                    focal,
                    static_cast<double>(m.dim)};
  const int w = pose.width, h = pose.height;
  std::vector<float> px(static_cast<size_t>(w) * static_cast<size_t>(h));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      double acc = 0;
      for (int j = 0; j < kSuper; ++j) {
        for (int i = 0; i < kSuper; ++i) {
          double s = 0, t = 0;
          const bool hit = scene.Hit(x + (i + 0.5) / kSuper, y + (j + 0.5) / kSuper, &s, &t);
          acc += hit ? m.At(s, t) : kDesk;
        }
      }
      px[static_cast<size_t>(y * w + x)] = static_cast<float>(acc / (kSuper * kSuper));
    }
  }
  Gaussian(&px, w, h, pose.focus);
  Motion(&px, w, h, pose.motion, pose.motion_angle);
  GrayImage out;
  out.width = w;
  out.height = h;
  out.pixels.resize(px.size());
  for (size_t i = 0; i < px.size(); ++i)
    out.pixels[i] = static_cast<uint8_t>(std::clamp(std::lround(px[i]), 0L, 255L));
  return out;
}

}  // namespace scanner::test
