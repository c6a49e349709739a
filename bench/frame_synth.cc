#include "frame_synth.h"

#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>

namespace synth {
namespace {

constexpr double kDeg = std::numbers::pi / 180.0;

size_t Idx(int x, int y, int w) {
  return static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x);
}

}  // namespace

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Rng::Uniform(double lo, double hi) {
  const double unit = static_cast<double>(Next() >> 11) * 0x1.0p-53;
  return lo + (hi - lo) * unit;
}

int Rng::Int(int lo, int hi) {
  const auto span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int>(Next() % span);
}

double Rng::Normal() {
  const double u1 = Uniform(1e-12, 1.0), u2 = Uniform(0.0, 1.0);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

uint64_t SeedOf(const std::string& name, int index) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * uint64_t{1099511628211ULL};
  return h ^ (static_cast<uint64_t>(index) * uint64_t{0x9e3779b97f4a7c15ULL});
}

float Canvas::Bilinear(double x, double y) const {
  x = std::clamp(x, 0.0, width - 1.0);
  y = std::clamp(y, 0.0, height - 1.0);
  const int x0 = std::min(static_cast<int>(x), width - 2 < 0 ? 0 : width - 2);
  const int y0 = std::min(static_cast<int>(y), height - 2 < 0 ? 0 : height - 2);
  const int x1 = std::min(x0 + 1, width - 1), y1 = std::min(y0 + 1, height - 1);
  const auto fx = static_cast<float>(x - x0), fy = static_cast<float>(y - y0);
  const float top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
  const float bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
  return top * (1 - fy) + bottom * fy;
}

void Texture::FillRect(int x0, int y0, int w, int h, uint8_t v) {
  for (int y = std::max(0, y0); y < std::min(height, y0 + h); ++y) {
    for (int x = std::max(0, x0); x < std::min(width, x0 + w); ++x) at(x, y) = v;
  }
}

bool Homography::FromPoints(const std::array<Point, 4>& src, const std::array<Point, 4>& dst,
                            Homography* out) {
  double a[8][9];
  for (int i = 0; i < 4; ++i) {
    const double x = src[static_cast<size_t>(i)].x, y = src[static_cast<size_t>(i)].y;
    const double u = dst[static_cast<size_t>(i)].x, v = dst[static_cast<size_t>(i)].y;
    const double r0[9] = {x, y, 1, 0, 0, 0, -x * u, -y * u, u};
    const double r1[9] = {0, 0, 0, x, y, 1, -x * v, -y * v, v};
    std::copy(r0, r0 + 9, a[2 * i]);
    std::copy(r1, r1 + 9, a[2 * i + 1]);
  }
  for (int col = 0; col < 8; ++col) {  // Gauss-Jordan with partial pivoting
    int pivot = col;
    for (int r = col + 1; r < 8; ++r) {
      if (std::fabs(a[r][col]) > std::fabs(a[pivot][col])) pivot = r;
    }
    if (std::fabs(a[pivot][col]) < 1e-12) return false;
    std::swap(a[col], a[pivot]);
    for (int r = 0; r < 8; ++r) {
      if (r == col) continue;
      const double f = a[r][col] / a[col][col];
      for (int k = col; k < 9; ++k) a[r][k] -= f * a[col][k];
    }
  }
  for (int i = 0; i < 8; ++i) out->m_[static_cast<size_t>(i)] = a[i][8] / a[i][i];
  out->m_[8] = 1;
  return true;
}

Point Homography::Map(double x, double y) const {
  const double w = m_[6] * x + m_[7] * y + m_[8];
  return {(m_[0] * x + m_[1] * y + m_[2]) / w, (m_[3] * x + m_[4] * y + m_[5]) / w};
}

Homography Homography::Inverse() const {
  const auto& m = m_;
  Homography r;
  r.m_ = {m[4] * m[8] - m[5] * m[7], m[2] * m[7] - m[1] * m[8], m[1] * m[5] - m[2] * m[4],
          m[5] * m[6] - m[3] * m[8], m[0] * m[8] - m[2] * m[6], m[2] * m[3] - m[0] * m[5],
          m[3] * m[7] - m[4] * m[6], m[1] * m[6] - m[0] * m[7], m[0] * m[4] - m[1] * m[3]};
  return r;  // the adjugate: a homography is defined up to scale
}

std::array<Point, 4> ProjectRect(double w, double h, double cx, double cy, double scale,
                                 double roll_deg, double pitch_deg, double yaw_deg,
                                 double focal_px) {
  const double cr = std::cos(roll_deg * kDeg), sr = std::sin(roll_deg * kDeg);
  const double cp = std::cos(pitch_deg * kDeg), sp = std::sin(pitch_deg * kDeg);
  const double cyw = std::cos(yaw_deg * kDeg), syw = std::sin(yaw_deg * kDeg);
  const double corners[4][2] = {{-w / 2, -h / 2}, {w / 2, -h / 2}, {w / 2, h / 2}, {-w / 2, h / 2}};
  std::array<Point, 4> out;
  for (size_t i = 0; i < 4; ++i) {
    // Roll in the image plane, then pitch about x, then yaw about y, then the pinhole.
    double x = (corners[i][0] * cr - corners[i][1] * sr) * scale;
    double y = (corners[i][0] * sr + corners[i][1] * cr) * scale;
    double z = 0;
    const double y2 = y * cp - z * sp, z2 = y * sp + z * cp;
    const double x3 = x * cyw + z2 * syw, z3 = -x * syw + z2 * cyw;
    const double depth = focal_px + z3;
    out[i] = {cx + focal_px * x3 / depth, cy + focal_px * y2 / depth};
  }
  return out;
}

namespace {

// The canvas pixels a quad covers: its bounding box, clipped to the canvas (x0..x1, y0..y1).
struct PixelRange {
  int x0, x1, y0, y1;
};
PixelRange PixelBox(const Canvas& canvas, const std::array<Point, 4>& quad) {
  double x_lo = 1e9, x_hi = -1e9, y_lo = 1e9, y_hi = -1e9;
  for (const Point& p : quad) {
    x_lo = std::min(x_lo, p.x), x_hi = std::max(x_hi, p.x);
    y_lo = std::min(y_lo, p.y), y_hi = std::max(y_hi, p.y);
  }
  return {std::max(0, static_cast<int>(std::floor(x_lo))),
          std::min(canvas.width - 1, static_cast<int>(std::ceil(x_hi))),
          std::max(0, static_cast<int>(std::floor(y_lo))),
          std::min(canvas.height - 1, static_cast<int>(std::ceil(y_hi)))};
}

}  // namespace

void PaintTexture(Canvas& canvas, const Texture& tex, const std::array<Point, 4>& quad, int ss,
                  const PixelGrid& grid) {
  const std::array<Point, 4> corners = {
      Point{0, 0}, Point{static_cast<double>(tex.width), 0},
      Point{static_cast<double>(tex.width), static_cast<double>(tex.height)},
      Point{0, static_cast<double>(tex.height)}};
  Homography to_frame;
  if (!Homography::FromPoints(corners, quad, &to_frame)) return;
  const Homography to_tex = to_frame.Inverse();
  const auto [x0, x1, y0, y1] = PixelBox(canvas, quad);
  const double step = 1.0 / ss;
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      float sum = 0;
      int inside = 0;
      for (int j = 0; j < ss; ++j) {
        for (int i = 0; i < ss; ++i) {
          const Point t = to_tex.Map(x + (i + 0.5) * step, y + (j + 0.5) * step);
          if (t.x < 0 || t.y < 0 || t.x >= tex.width || t.y >= tex.height) continue;
          float v = tex.px[Idx(static_cast<int>(t.x), static_cast<int>(t.y), tex.width)];
          if (grid.pitch > 0) {
            const double fx = std::fmod(t.x, grid.pitch) / grid.pitch;
            const double fy = std::fmod(t.y, grid.pitch) / grid.pitch;
            if (fx >= grid.fill || fy >= grid.fill) v *= grid.gap;
          }
          sum += v;
          ++inside;
        }
      }
      if (inside == 0) continue;
      const float n = static_cast<float>(ss * ss);
      canvas.at(x, y) = (sum + canvas.at(x, y) * static_cast<float>(ss * ss - inside)) / n;
    }
  }
}

void PaintMapped(Canvas& canvas, const Texture& tex,
                 const std::function<Point(double, double)>& map, int ss, int cell) {
  const size_t n = canvas.px.size();
  std::vector<float> sum(n, 0);
  std::vector<uint16_t> hits(n, 0);
  const double step = 1.0 / ss;
  for (int v0 = 0; v0 < tex.height; v0 += cell) {
    for (int u0 = 0; u0 < tex.width; u0 += cell) {
      const int u1 = std::min(tex.width, u0 + cell), v1 = std::min(tex.height, v0 + cell);
      const std::array<Point, 4> src = {
          Point{double(u0), double(v0)}, Point{double(u1), double(v0)},
          Point{double(u1), double(v1)}, Point{double(u0), double(v1)}};
      const std::array<Point, 4> dst = {map(u0, v0), map(u1, v0), map(u1, v1), map(u0, v1)};
      Homography to_frame;
      if (!Homography::FromPoints(src, dst, &to_frame)) continue;
      const Homography to_tex = to_frame.Inverse();
      const auto [x0, x1, y0, y1] = PixelBox(canvas, dst);
      for (int y = y0; y <= y1; ++y) {
        for (int x = x0; x <= x1; ++x) {
          for (int j = 0; j < ss; ++j) {
            for (int i = 0; i < ss; ++i) {
              const Point t = to_tex.Map(x + (i + 0.5) * step, y + (j + 0.5) * step);
              if (t.x < u0 || t.y < v0 || t.x >= u1 || t.y >= v1) continue;
              sum[Idx(x, y, canvas.width)] +=
                  tex.px[Idx(static_cast<int>(t.x), static_cast<int>(t.y), tex.width)];
              ++hits[Idx(x, y, canvas.width)];
            }
          }
        }
      }
    }
  }
  const auto full = static_cast<float>(ss * ss);
  for (size_t i = 0; i < n; ++i) {
    if (hits[i] == 0) continue;
    const float h = std::min(static_cast<float>(hits[i]), full);
    const float mean = sum[i] / static_cast<float>(hits[i]);
    canvas.px[i] = (mean * h + canvas.px[i] * (full - h)) / full;
  }
}

void GaussianBlur(Canvas& c, double sigma) {
  if (sigma < 0.2) return;
  const int r = static_cast<int>(std::ceil(3 * sigma));
  std::vector<float> k(static_cast<size_t>(2 * r + 1));
  float total = 0;
  for (int i = -r; i <= r; ++i) {
    k[static_cast<size_t>(i + r)] = static_cast<float>(std::exp(-i * i / (2 * sigma * sigma)));
    total += k[static_cast<size_t>(i + r)];
  }
  for (float& v : k) v /= total;
  std::vector<float> tmp(c.px.size());
  for (int y = 0; y < c.height; ++y) {  // horizontal pass into tmp
    for (int x = 0; x < c.width; ++x) {
      float s = 0;
      for (int i = -r; i <= r; ++i) {
        s += k[static_cast<size_t>(i + r)] * c.at(std::clamp(x + i, 0, c.width - 1), y);
      }
      tmp[Idx(x, y, c.width)] = s;
    }
  }
  for (int y = 0; y < c.height; ++y) {  // vertical pass back
    for (int x = 0; x < c.width; ++x) {
      float s = 0;
      for (int i = -r; i <= r; ++i) {
        s += k[static_cast<size_t>(i + r)] *
             tmp[Idx(x, std::clamp(y + i, 0, c.height - 1), c.width)];
      }
      c.at(x, y) = s;
    }
  }
}

void MotionBlur(Canvas& c, double length_px, double angle_deg) {
  if (length_px < 1) return;
  const int n = static_cast<int>(std::ceil(length_px)) + 1;
  const double dx = std::cos(angle_deg * kDeg) * length_px / (n - 1);
  const double dy = std::sin(angle_deg * kDeg) * length_px / (n - 1);
  Canvas src = c;
  for (int y = 0; y < c.height; ++y) {
    for (int x = 0; x < c.width; ++x) {
      float s = 0;
      for (int i = 0; i < n; ++i) {
        const double t = i - (n - 1) / 2.0;
        s += src.Bilinear(x + t * dx, y + t * dy);
      }
      c.at(x, y) = s / static_cast<float>(n);
    }
  }
}

void ZoomBlur(Canvas& c, double zoom) {
  const double cx = c.width / 2.0, cy = c.height / 2.0;
  const double reach = zoom * std::hypot(cx, cy);  // the longest streak, at the corners
  const int n = std::max(2, static_cast<int>(std::ceil(reach)) + 1);
  Canvas src = c;
  for (int y = 0; y < c.height; ++y) {
    for (int x = 0; x < c.width; ++x) {
      float s = 0;
      for (int i = 0; i < n; ++i) {
        const double k = 1 / (1 + zoom * i / (n - 1));  // where this pixel's light came from
        s += src.Bilinear(cx + (x - cx) * k, cy + (y - cy) * k);
      }
      c.at(x, y) = s / static_cast<float>(n);
    }
  }
}

void Vignette(Canvas& c, double strength) {
  const double cx = c.width / 2.0, cy = c.height / 2.0, r2 = cx * cx + cy * cy;
  for (int y = 0; y < c.height; ++y) {
    for (int x = 0; x < c.width; ++x) {
      const double d2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / r2;
      c.at(x, y) *= static_cast<float>(1 - strength * d2);
    }
  }
}

void LightGradient(Canvas& c, double strength, double angle_deg) {
  const double ux = std::cos(angle_deg * kDeg), uy = std::sin(angle_deg * kDeg);
  const double half = 0.5 * (std::fabs(ux) * c.width + std::fabs(uy) * c.height);
  for (int y = 0; y < c.height; ++y) {
    for (int x = 0; x < c.width; ++x) {
      const double t = ((x - c.width / 2.0) * ux + (y - c.height / 2.0) * uy) / (2 * half);
      c.at(x, y) *= static_cast<float>(1 + strength * t);
    }
  }
}

void Glare(Canvas& c, double cx, double cy, double rx, double ry, double angle_deg, double amount) {
  const double ca = std::cos(angle_deg * kDeg), sa = std::sin(angle_deg * kDeg);
  for (int y = 0; y < c.height; ++y) {
    for (int x = 0; x < c.width; ++x) {
      const double dx = x - cx, dy = y - cy;
      const double u = (dx * ca + dy * sa) / rx, v = (-dx * sa + dy * ca) / ry;
      const double d2 = u * u + v * v;
      if (d2 > 16) continue;
      c.at(x, y) += static_cast<float>(amount * std::exp(-0.5 * d2));
    }
  }
}

void AddNoise(Canvas& c, Rng& rng, double base, double shot) {
  for (float& v : c.px) {
    const double level = std::clamp(static_cast<double>(v), 0.0, 255.0);
    v += static_cast<float>((base + shot * std::sqrt(level / 255.0)) * rng.Normal());
  }
}

void AddValueNoise(Canvas& c, Rng& rng, double cell, double amplitude) {
  const int gw = static_cast<int>(c.width / cell) + 2, gh = static_cast<int>(c.height / cell) + 2;
  std::vector<double> g(static_cast<size_t>(gw) * static_cast<size_t>(gh));
  for (double& v : g) v = rng.Uniform(-1, 1) * amplitude;
  for (int y = 0; y < c.height; ++y) {
    for (int x = 0; x < c.width; ++x) {
      const double gx = x / cell, gy = y / cell;
      const int ix = static_cast<int>(gx), iy = static_cast<int>(gy);
      double fx = gx - ix, fy = gy - iy;
      fx = fx * fx * (3 - 2 * fx), fy = fy * fy * (3 - 2 * fy);  // smoothstep: no grid lines
      const double top = g[Idx(ix, iy, gw)] * (1 - fx) + g[Idx(ix + 1, iy, gw)] * fx;
      const double bot = g[Idx(ix, iy + 1, gw)] * (1 - fx) + g[Idx(ix + 1, iy + 1, gw)] * fx;
      c.at(x, y) += static_cast<float>(top * (1 - fy) + bot * fy);
    }
  }
}

void DrawTextLines(Texture& t, Rng& rng, int x0, int y0, int w, int h, int glyph_h, uint8_t ink) {
  const int cell = std::max(1, glyph_h / 5);  // a 3x5 pixel font scaled by `cell`
  const int line_pitch = glyph_h + glyph_h / 2 + 1;
  for (int y = y0; y + glyph_h <= y0 + h; y += line_pitch) {
    const int line_end = x0 + static_cast<int>(w * rng.Uniform(0.4, 1.0));
    int x = x0;
    while (x + 3 * cell <= line_end) {
      const int word = rng.Int(2, 8);
      for (int g = 0; g < word && x + 3 * cell <= line_end; ++g, x += 4 * cell) {
        for (int cy = 0; cy < 5; ++cy) {
          for (int cx = 0; cx < 3; ++cx) {
            if (rng.Chance(0.5)) t.FillRect(x + cx * cell, y + cy * cell, cell, cell, ink);
          }
        }
      }
      x += 3 * cell;  // the space between words
    }
  }
}

std::vector<uint8_t> ToGray8(const Canvas& c) {
  std::vector<uint8_t> out(c.px.size());
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(std::lround(std::clamp(c.px[i], 0.0f, 255.0f)));
  }
  return out;
}

base::Result<std::string> EncodeJpeg(const std::vector<uint8_t>& gray, int width, int height,
                                     int quality) {
  struct TjDeleter {
    void operator()(void* h) const { tjDestroy(h); }
  };
  std::unique_ptr<void, TjDeleter> tj(tjInitCompress());
  if (!tj) return base::Internal("turbojpeg: cannot initialise");
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  if (tjCompress2(tj.get(), gray.data(), width, width, height, TJPF_GRAY, &buf, &size, TJSAMP_GRAY,
                  quality, TJFLAG_ACCURATEDCT) != 0) {
    tjFree(buf);
    return base::Internal(std::string("JPEG: ") + tjGetErrorStr2(tj.get()));
  }
  std::string out(reinterpret_cast<const char*>(buf), size);
  tjFree(buf);
  return out;
}

}  // namespace synth
