#include "qr_encoder.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <string>

#include "qr_masks.h"

namespace scanner::qr {
namespace {

// Per error correction level (L, M, Q, H) and version (1-40, index 0 unused): the error
// correction codewords of each block, and the number of blocks (ISO/IEC 18004 table 9).
constexpr int8_t kEccPerBlock[4][41] = {
    {-1, 7,  10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
     28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
    {-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
     26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28},
    {-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
     28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
    {-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
     30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30}};
constexpr int8_t kBlocks[4][41] = {
    {-1, 1, 1, 1,  1,  1,  2,  2,  2,  2,  4,  4,  4,  4,  4,  6,  6,  6,  6,  7, 8,
     8,  9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25},
    {-1, 1,  1,  1,  2,  2,  4,  4,  4,  5,  5,  5,  8,  9,  9,  10, 10, 11, 13, 14, 16,
     17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49},
    {-1, 1,  1,  2,  2,  4,  4,  6,  6,  8,  8,  8,  10, 12, 16, 12, 17, 16, 18, 21, 20,
     23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68},
    {-1, 1,  1,  2,  4,  4,  4,  5,  6,  8,  8,  11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
     25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81}};

constexpr int kEciUtf8 = 26;  // the ECI designator of UTF-8

int LevelIndex(EccLevel e) {
  switch (e) {
    case EccLevel::kL:
      return 0;
    case EccLevel::kM:
      return 1;
    case EccLevel::kQ:
      return 2;
    case EccLevel::kH:
      return 3;
  }
  return 2;
}

// The two format-information bits of a level (L 01, M 00, Q 11, H 10).
int LevelFormatBits(EccLevel e) {
  static constexpr int kBits[4] = {1, 0, 3, 2};
  return kBits[LevelIndex(e)];
}

// Modules of a version left for data and error correction, in bits.
int RawDataModules(int v) {
  int n = (16 * v + 128) * v + 64;
  if (v >= 2) {
    const int align = v / 7 + 2;
    n -= (25 * align - 10) * align - 55;
    if (v >= 7) n -= 36;
  }
  return n;
}

int DataCodewords(int v, int level) {
  return RawDataModules(v) / 8 - kEccPerBlock[level][v] * kBlocks[level][v];
}

enum class Mode { kNumeric, kAlphanumeric, kBytes };

int CountBits(Mode m, int v) {
  const int range = v <= 9 ? 0 : v <= 26 ? 1 : 2;
  static constexpr int kBits[3][3] = {{10, 12, 14}, {9, 11, 13}, {8, 16, 16}};
  return kBits[static_cast<int>(m)][range];
}

int AlphanumericValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  static constexpr std::string_view kRest = " $%*+-./:";
  const size_t at = kRest.find(c);
  return at == std::string_view::npos ? -1 : 36 + static_cast<int>(at);
}

class Bits {
 public:
  void Put(uint32_t value, int n) {
    for (int i = n - 1; i >= 0; --i) bits_.push_back(static_cast<uint8_t>((value >> i) & 1));
  }
  void Append(const Bits& other) {
    bits_.insert(bits_.end(), other.bits_.begin(), other.bits_.end());
  }
  size_t size() const { return bits_.size(); }
  // Whole bytes, most significant bit first (size() must be a multiple of 8).
  std::vector<uint8_t> Bytes() const {
    std::vector<uint8_t> out(bits_.size() / 8);
    for (size_t i = 0; i < bits_.size(); ++i)
      out[i / 8] = static_cast<uint8_t>(out[i / 8] | (bits_[i] << (7 - i % 8)));
    return out;
  }

 private:
  std::vector<uint8_t> bits_;
};

// The segment's data bits, without its header (mode, count: the count's width depends on the
// version).
struct Segment {
  Mode mode = Mode::kBytes;
  bool eci_utf8 = false;
  int count = 0;  // characters (numeric, alphanumeric) or bytes
  Bits payload;
};

Segment MakeSegment(std::string_view text) {
  Segment s;
  s.count = static_cast<int>(text.size());
  const bool digits =
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const bool alnum =
      std::all_of(text.begin(), text.end(), [](char c) { return AlphanumericValue(c) >= 0; });
  if (digits) {
    s.mode = Mode::kNumeric;
    for (size_t i = 0; i < text.size(); i += 3) {
      const size_t n = std::min<size_t>(3, text.size() - i);
      uint32_t value = 0;
      for (size_t k = 0; k < n; ++k) value = value * 10 + static_cast<uint32_t>(text[i + k] - '0');
      s.payload.Put(value, static_cast<int>(n * 3 + 1));
    }
  } else if (alnum) {
    s.mode = Mode::kAlphanumeric;
    size_t i = 0;
    for (; i + 1 < text.size(); i += 2) {
      s.payload.Put(
          static_cast<uint32_t>(AlphanumericValue(text[i]) * 45 + AlphanumericValue(text[i + 1])),
          11);
    }
    if (i < text.size()) s.payload.Put(static_cast<uint32_t>(AlphanumericValue(text[i])), 6);
  } else {
    s.mode = Mode::kBytes;
    s.eci_utf8 = std::any_of(text.begin(), text.end(),
                             [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    for (char c : text) s.payload.Put(static_cast<unsigned char>(c), 8);
  }
  return s;
}

size_t SegmentBits(const Segment& s, int v) {
  return (s.eci_utf8 ? 12u : 0u) + 4u + static_cast<size_t>(CountBits(s.mode, v)) +
         s.payload.size();
}

// Version v's data codewords: the segment, the terminator, zeros to a byte, pad bytes.
std::vector<uint8_t> DataOf(const Segment& s, int v, int level) {
  Bits b;
  if (s.eci_utf8) {
    b.Put(0b0111, 4);
    b.Put(kEciUtf8, 8);
  }
  static constexpr uint32_t kModeBits[3] = {0b0001, 0b0010, 0b0100};
  b.Put(kModeBits[static_cast<int>(s.mode)], 4);
  b.Put(static_cast<uint32_t>(s.count), CountBits(s.mode, v));
  b.Append(s.payload);
  const size_t capacity = static_cast<size_t>(DataCodewords(v, level)) * 8;
  b.Put(0, static_cast<int>(std::min<size_t>(4, capacity - b.size())));
  b.Put(0, static_cast<int>((8 - b.size() % 8) % 8));
  for (uint32_t pad = 0xEC; b.size() < capacity; pad ^= 0xEC ^ 0x11) b.Put(pad, 8);
  return b.Bytes();
}

// GF(256) with the polynomial x^8 + x^4 + x^3 + x^2 + 1.
struct Gf {
  std::array<uint8_t, 512> exp{};
  std::array<int, 256> log{};
  Gf() {
    int x = 1;
    for (int i = 0; i < 255; ++i) {
      exp[static_cast<size_t>(i)] = static_cast<uint8_t>(x);
      log[static_cast<size_t>(x)] = i;
      x <<= 1;
      if (x & 0x100) x ^= 0x11D;
    }
    for (size_t i = 255; i < exp.size(); ++i) exp[i] = exp[i - 255];
  }
  uint8_t Mul(uint8_t a, uint8_t b) const {
    if (a == 0 || b == 0) return 0;
    return exp[static_cast<size_t>(log[a] + log[b])];
  }
};
const Gf& Field() {
  static const Gf gf;
  return gf;
}

// The generator polynomial of degree n, coefficients from x^(n-1) down to x^0 (x^n's is 1).
std::vector<uint8_t> Generator(int n) {
  const Gf& gf = Field();
  std::vector<uint8_t> g(static_cast<size_t>(n), 0);
  g.back() = 1;
  uint8_t root = 1;
  for (int i = 0; i < n; ++i) {
    for (size_t j = 0; j < g.size(); ++j) {
      g[j] = gf.Mul(g[j], root);
      if (j + 1 < g.size()) g[j] ^= g[j + 1];
    }
    root = gf.Mul(root, 2);
  }
  return g;
}

std::vector<uint8_t> Remainder(const uint8_t* data, size_t n, const std::vector<uint8_t>& gen) {
  const Gf& gf = Field();
  std::vector<uint8_t> r(gen.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t factor = data[i] ^ r[0];
    std::rotate(r.begin(), r.begin() + 1, r.end());
    r.back() = 0;
    for (size_t j = 0; j < r.size(); ++j) r[j] ^= gf.Mul(gen[j], factor);
  }
  return r;
}

// The data split into blocks, each with its error correction, interleaved.
std::vector<uint8_t> Interleave(const std::vector<uint8_t>& data, int v, int level) {
  const int blocks = kBlocks[level][v], ecc = kEccPerBlock[level][v];
  const int raw = RawDataModules(v) / 8;
  const int short_blocks = blocks - raw % blocks;
  const int short_data = raw / blocks - ecc;
  const std::vector<uint8_t> gen = Generator(ecc);
  std::vector<std::vector<uint8_t>> ecc_of;
  std::vector<std::pair<size_t, size_t>> spans;  // (offset, length) of each block's data
  size_t at = 0;
  for (int i = 0; i < blocks; ++i) {
    const size_t len = static_cast<size_t>(short_data + (i < short_blocks ? 0 : 1));
    spans.emplace_back(at, len);
    ecc_of.push_back(Remainder(data.data() + at, len, gen));
    at += len;
  }
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(raw));
  for (size_t i = 0; i <= static_cast<size_t>(short_data); ++i) {
    for (const auto& [offset, len] : spans)
      if (i < len) out.push_back(data[offset + i]);
  }
  for (size_t i = 0; i < static_cast<size_t>(ecc); ++i) {
    for (const auto& e : ecc_of) out.push_back(e[i]);
  }
  return out;
}

// A symbol under construction: modules and which of them are function patterns.
class Grid {
 public:
  explicit Grid(int version) : v_(version), n_(17 + 4 * version) {
    dark_.assign(static_cast<size_t>(n_) * static_cast<size_t>(n_), 0);
    function_.assign(dark_.size(), 0);
    for (int i = 0; i < n_; ++i) {  // timing patterns
      Set(6, i, i % 2 == 0);
      Set(i, 6, i % 2 == 0);
    }
    Finder(3, 3);
    Finder(n_ - 4, 3);
    Finder(3, n_ - 4);
    const std::vector<int> at = AlignmentCentres();
    for (size_t i = 0; i < at.size(); ++i) {
      for (size_t j = 0; j < at.size(); ++j) {
        const bool corner =
            (i == 0 && j == 0) || (i == 0 && j + 1 == at.size()) || (i + 1 == at.size() && j == 0);
        if (!corner) Alignment(at[i], at[j]);
      }
    }
    Format(0, 0);  // reserves the format areas; written for real per mask
    if (v_ >= 7) VersionInfo();
  }

  int size() const { return n_; }
  bool IsFunction(int x, int y) const { return function_[Index(x, y)] != 0; }
  std::vector<uint8_t>& dark() { return dark_; }
  const std::vector<uint8_t>& function() const { return function_; }

  // The codewords along the standard's two-module-wide zigzag, right to left.
  void Place(const std::vector<uint8_t>& codewords) {
    size_t bit = 0;
    const size_t total = codewords.size() * 8;
    for (int right = n_ - 1; right >= 1; right -= 2) {
      if (right == 6) right = 5;
      const bool upward = ((right + 1) & 2) == 0;
      for (int vert = 0; vert < n_; ++vert) {
        const int y = upward ? n_ - 1 - vert : vert;
        for (int j = 0; j < 2; ++j) {
          const int x = right - j;
          if (IsFunction(x, y)) continue;
          if (bit < total) {
            dark_[Index(x, y)] = (codewords[bit / 8] >> (7 - bit % 8)) & 1;
            ++bit;
          }
        }
      }
    }
  }

  // Both copies of the format information (and the dark module).
  void Format(int level_bits, int mask) {
    const int data = level_bits << 3 | mask;
    int rem = data;
    for (int i = 0; i < 10; ++i) rem = (rem << 1) ^ ((rem >> 9) * 0x537);
    const int bits = (data << 10 | rem) ^ 0x5412;
    auto bit = [bits](int i) { return ((bits >> i) & 1) != 0; };
    for (int i = 0; i <= 5; ++i) Set(8, i, bit(i));
    Set(8, 7, bit(6));
    Set(8, 8, bit(7));
    Set(7, 8, bit(8));
    for (int i = 9; i < 15; ++i) Set(14 - i, 8, bit(i));
    for (int i = 0; i < 8; ++i) Set(n_ - 1 - i, 8, bit(i));
    for (int i = 8; i < 15; ++i) Set(8, n_ - 15 + i, bit(i));
    Set(8, n_ - 8, true);
  }

 private:
  size_t Index(int x, int y) const {
    return static_cast<size_t>(y) * static_cast<size_t>(n_) + static_cast<size_t>(x);
  }
  void Set(int x, int y, bool dark) {
    dark_[Index(x, y)] = dark ? 1 : 0;
    function_[Index(x, y)] = 1;
  }
  // A finder pattern centred at (x, y) with its separator.
  void Finder(int x, int y) {
    for (int dy = -4; dy <= 4; ++dy) {
      for (int dx = -4; dx <= 4; ++dx) {
        const int d = std::max(std::abs(dx), std::abs(dy));
        if (x + dx >= 0 && x + dx < n_ && y + dy >= 0 && y + dy < n_)
          Set(x + dx, y + dy, d != 2 && d != 4);
      }
    }
  }
  void Alignment(int x, int y) {
    for (int dy = -2; dy <= 2; ++dy)
      for (int dx = -2; dx <= 2; ++dx)
        Set(x + dx, y + dy, std::max(std::abs(dx), std::abs(dy)) != 1);
  }
  std::vector<int> AlignmentCentres() const {
    if (v_ == 1) return {};
    const int count = v_ / 7 + 2;
    const int step = v_ == 32 ? 26 : (v_ * 4 + count * 2 + 1) / (count * 2 - 2) * 2;
    std::vector<int> at(static_cast<size_t>(count));
    at[0] = 6;
    for (int i = count - 1, pos = n_ - 7; i >= 1; --i, pos -= step)
      at[static_cast<size_t>(i)] = pos;
    return at;
  }
  void VersionInfo() {
    int rem = v_;
    for (int i = 0; i < 12; ++i) rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
    const int bits = v_ << 12 | rem;
    for (int i = 0; i < 18; ++i) {
      const bool b = ((bits >> i) & 1) != 0;
      const int a = n_ - 11 + i % 3, c = i / 3;
      Set(a, c, b);
      Set(c, a, b);
    }
  }

  int v_, n_;
  std::vector<uint8_t> dark_, function_;
};

}  // namespace

int Penalty(const QrModules& m) { return PenaltyOf(m.dark.data(), m.size); }

base::Result<Symbol> Encode(std::string_view text, EccLevel ecc, std::optional<int> mask) {
  if (text.empty()) return base::InvalidArgument("QR encoding failed: no text");
  if (mask && (*mask < 0 || *mask > 7)) return base::InvalidArgument("QR mask must be 0-7");
  const int level = LevelIndex(ecc);
  const Segment seg = MakeSegment(text);
  int version = 0;
  for (int v = 1; v <= 40 && version == 0; ++v) {
    const bool count_fits = seg.count < (1 << CountBits(seg.mode, v));
    if (count_fits && SegmentBits(seg, v) <= static_cast<size_t>(DataCodewords(v, level)) * 8)
      version = v;
  }
  if (version == 0)
    return base::InvalidArgument("QR encoding failed: the text is too long for a QR code");
  Grid grid(version);
  grid.Place(Interleave(DataOf(seg, version, level), version, level));
  const int n = grid.size();
  const std::vector<uint8_t> base_modules = grid.dark();
  auto apply = [&](int m) {
    std::vector<uint8_t>& d = grid.dark();
    d = base_modules;
    const std::vector<uint8_t>& fn = grid.function();
    for (size_t y = 0; y < static_cast<size_t>(n); ++y) {
      const auto& tile_row = Tiles()[static_cast<size_t>(m)][y % kTileHeight];
      uint8_t* row = d.data() + y * static_cast<size_t>(n);
      const uint8_t* fn_row = fn.data() + y * static_cast<size_t>(n);
      for (size_t x = 0, tx = 0; x < static_cast<size_t>(n);
           ++x, tx = tx + 1 == kTileWidth ? 0 : tx + 1)
        row[x] ^= static_cast<uint8_t>(tile_row[tx] & (fn_row[x] ^ 1));
    }
    grid.Format(LevelFormatBits(ecc), m);
  };
  int best = mask.value_or(0);
  if (!mask) {
    int best_penalty = std::numeric_limits<int>::max();
    for (int m = 0; m < 8; ++m) {
      apply(m);
      const int p = PenaltyOf(grid.dark().data(), n);
      if (p < best_penalty) {
        best_penalty = p;
        best = m;
      }
    }
  }
  apply(best);
  return Symbol{.version = version, .mask = best, .modules = {.size = n, .dark = grid.dark()}};
}

}  // namespace scanner::qr
