#include "card/base45.h"

#include <array>

namespace card {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return t;
}
constexpr std::array<int8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

std::string Base45Encode(base::ByteSpan data) {
  std::string out;
  out.reserve(data.size() / 2 * 3 + 2);
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    unsigned n = data[i] * 256u + data[i + 1];
    out.push_back(kAlphabet[n % 45]);
    out.push_back(kAlphabet[n / 45 % 45]);
    out.push_back(kAlphabet[n / 2025]);
  }
  if (i < data.size()) {
    unsigned n = data[i];
    out.push_back(kAlphabet[n % 45]);
    out.push_back(kAlphabet[n / 45]);
  }
  return out;
}

base::Status Base45Decode(std::string_view text, base::Bytes* out) {
  out->clear();
  if (text.size() % 3 == 1) {
    return base::InvalidArgument("base45: length " + std::to_string(text.size()) +
                                 " leaves a dangling character");
  }
  out->reserve(text.size() / 3 * 2 + 1);
  for (size_t i = 0; i < text.size(); i += 3) {
    size_t group = text.size() - i >= 3 ? 3 : 2;
    unsigned n = 0;
    unsigned scale = 1;
    for (size_t k = 0; k < group; ++k) {
      int8_t v = kDecode[static_cast<uint8_t>(text[i + k])];
      if (v < 0) {
        return base::InvalidArgument("base45: invalid character at offset " +
                                     std::to_string(i + k));
      }
      n += static_cast<unsigned>(v) * scale;
      scale *= 45;
    }
    if (group == 3) {
      if (n > 0xffff)
        return base::InvalidArgument("base45: group overflows at offset " + std::to_string(i));
      out->push_back(static_cast<uint8_t>(n >> 8));
      out->push_back(static_cast<uint8_t>(n & 0xff));
    } else {
      if (n > 0xff) return base::InvalidArgument("base45: final group overflows");
      out->push_back(static_cast<uint8_t>(n));
    }
  }
  return base::Status::Ok();
}

}  // namespace card
