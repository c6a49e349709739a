#include <cmath>
#include <cstring>
#include <limits>

#include "base/utf8.h"
#include "card/cbor.h"

namespace card {
namespace {
constexpr int kMaxTagChain = 4;
}  // namespace

base::Status CborReader::Error(std::string_view what) const {
  std::string m = "cbor: ";
  m += what;
  m += " at offset ";
  m += std::to_string(pos_);
  return base::InvalidArgument(std::move(m));
}

base::Result<CborType> CborReader::PeekType() const {
  if (pos_ >= data_.size()) return Error("unexpected end of input");
  const uint8_t info = data_[pos_] & 0x1f;
  if (info >= 28 && info <= 30) return Error("reserved additional information");
  return static_cast<CborType>(data_[pos_] >> 5);
}

base::Status CborReader::ReadHead(Head* h) {
  if (pos_ >= data_.size()) return Error("unexpected end of input");
  const uint8_t ib = data_[pos_];
  h->major = ib >> 5;
  h->info = ib & 0x1f;
  if (h->info < 24) {
    h->arg = h->info;
    ++pos_;
    return base::Status::Ok();
  }
  if (h->info == 31) {
    // Indefinite length (majors 2-5) or "break" (major 7); the caller decides what is allowed.
    h->arg = 0;
    ++pos_;
    return base::Status::Ok();
  }
  if (h->info > 27) return Error("reserved additional information");
  const size_t len = size_t{1} << (h->info - 24);
  if (data_.size() - pos_ - 1 < len) return Error("truncated head");
  uint64_t v = 0;
  for (size_t i = 0; i < len; ++i) v = (v << 8) | data_[pos_ + 1 + i];
  h->arg = v;
  pos_ += 1 + len;
  return base::Status::Ok();
}

base::Status CborReader::ReadUint(uint64_t* v) {
  Head h{};
  CK_TRY(ReadHead(&h));
  if (h.major != 0 || h.info == 31) return Error("expected an unsigned integer");
  *v = h.arg;
  return base::Status::Ok();
}

base::Status CborReader::ReadInt(int64_t* v) {
  Head h{};
  CK_TRY(ReadHead(&h));
  if ((h.major != 0 && h.major != 1) || h.info == 31) return Error("expected an integer");
  if (h.arg > static_cast<uint64_t>(INT64_MAX)) return Error("integer out of range");
  *v = h.major == 0 ? static_cast<int64_t>(h.arg) : -1 - static_cast<int64_t>(h.arg);
  return base::Status::Ok();
}

base::Status CborReader::ReadBytes(base::ByteSpan* v) {
  Head h{};
  CK_TRY(ReadHead(&h));
  if (h.major != 2) return Error("expected a byte string");
  if (h.info == 31) return Error("indefinite-length byte string");
  if (h.arg > data_.size() - pos_) return Error("byte string longer than the input");
  *v = data_.subspan(pos_, static_cast<size_t>(h.arg));
  pos_ += static_cast<size_t>(h.arg);
  return base::Status::Ok();
}

base::Status CborReader::ReadText(std::string_view* v) {
  Head h{};
  CK_TRY(ReadHead(&h));
  if (h.major != 3) return Error("expected a text string");
  if (h.info == 31) return Error("indefinite-length text string");
  if (h.arg > data_.size() - pos_) return Error("text string longer than the input");
  *v = base::AsChars(data_.subspan(pos_, static_cast<size_t>(h.arg)));
  if (!base::IsValidUtf8(*v)) return Error("text string is not valid UTF-8");
  pos_ += static_cast<size_t>(h.arg);
  return base::Status::Ok();
}

base::Status CborReader::ReadTag(uint64_t* tag) {
  Head h{};
  CK_TRY(ReadHead(&h));
  if (h.major != 6 || h.info == 31) return Error("expected a tag");
  *tag = h.arg;
  return base::Status::Ok();
}

base::Status CborReader::ReadFloat(double* v) {
  Head h{};
  CK_TRY(ReadHead(&h));
  if (h.major != 7 || h.info < 25 || h.info > 27) return Error("expected a float");
  if (h.info == 25) {  // IEEE 754 half precision
    const auto half = static_cast<uint16_t>(h.arg);
    const int exp = (half >> 10) & 0x1f;
    const int mant = half & 0x3ff;
    double val = exp == 0    ? std::ldexp(mant, -24)
                 : exp != 31 ? std::ldexp(mant + 1024, exp - 25)
                             : (mant == 0 ? std::numeric_limits<double>::infinity()
                                          : std::numeric_limits<double>::quiet_NaN());
    *v = (half & 0x8000) != 0 ? -val : val;
  } else if (h.info == 26) {
    float f = 0;
    const auto bits = static_cast<uint32_t>(h.arg);
    std::memcpy(&f, &bits, sizeof f);
    *v = static_cast<double>(f);
  } else {
    std::memcpy(v, &h.arg, sizeof *v);
  }
  return base::Status::Ok();
}

base::Status CborReader::EnterArray(uint64_t* count) {
  Head h{};
  CK_TRY(ReadHead(&h));
  if (h.major != 4) return Error("expected an array");
  if (h.info == 31) return Error("indefinite-length array");
  if (depth_ + 1 > limits_.max_depth) return Error("nesting too deep");
  if (h.arg > data_.size() - pos_) return Error("array longer than the input");
  ++depth_;
  *count = h.arg;
  return base::Status::Ok();
}

base::Status CborReader::EnterMap(uint64_t* pairs) {
  Head h{};
  CK_TRY(ReadHead(&h));
  if (h.major != 5) return Error("expected a map");
  if (h.info == 31) return Error("indefinite-length map");
  if (depth_ + 1 > limits_.max_depth) return Error("nesting too deep");
  if (h.arg > (data_.size() - pos_) / 2) return Error("map longer than the input");
  ++depth_;
  *pairs = h.arg;
  return base::Status::Ok();
}

base::Status CborReader::Skip() { return SkipItem(depth_); }

base::Status CborReader::SkipIndefinite(uint8_t major, int depth) {
  if (!limits_.allow_indefinite) return Error("indefinite length not allowed");
  if ((major == 4 || major == 5) && depth + 1 > limits_.max_depth) return Error("nesting too deep");
  for (;;) {
    if (pos_ >= data_.size()) return Error("unterminated indefinite-length item");
    if (data_[pos_] == 0xff) {
      ++pos_;
      return base::Status::Ok();
    }
    if (major == 2 || major == 3) {
      // Chunks must be definite strings of the same major type.
      if ((data_[pos_] >> 5) != major || (data_[pos_] & 0x1f) == 31)
        return Error("bad string chunk");
      CK_TRY(SkipItem(depth));
    } else {
      CK_TRY(SkipItem(depth + 1));
      if (major == 5) CK_TRY(SkipItem(depth + 1));
    }
  }
}

base::Status CborReader::SkipItem(int depth) {
  Head h{};
  CK_TRY(ReadHead(&h));
  if (h.info == 31) {
    if (h.major == 7) return Error("unexpected break");
    if (h.major < 2 || h.major == 6) return Error("reserved additional information");
    return SkipIndefinite(h.major, depth);
  }
  switch (h.major) {
    case 0:
    case 1:
      return base::Status::Ok();
    case 2:
    case 3:
      if (h.arg > data_.size() - pos_) return Error("string longer than the input");
      if (h.major == 3 &&
          !base::IsValidUtf8(base::AsChars(data_.subspan(pos_, static_cast<size_t>(h.arg))))) {
        return Error("text string is not valid UTF-8");
      }
      pos_ += static_cast<size_t>(h.arg);
      return base::Status::Ok();
    case 4:
    case 5: {
      if (depth + 1 > limits_.max_depth) return Error("nesting too deep");
      const uint64_t items = h.major == 5 ? h.arg * 2 : h.arg;
      if (h.arg > data_.size() - pos_ || items > data_.size() - pos_) {
        return Error("container longer than the input");
      }
      for (uint64_t i = 0; i < items; ++i) CK_TRY(SkipItem(depth + 1));
      return base::Status::Ok();
    }
    case 6: {
      // A tag adds no nesting level but must be followed by an item. Chains of tags are read in
      // a loop (not by recursion) and bounded.
      int tags = 1;
      while (pos_ < data_.size() && (data_[pos_] >> 5) == 6) {
        CK_TRY(ReadHead(&h));
        if (h.info == 31) return Error("reserved additional information");
        if (++tags > kMaxTagChain) return Error("too many nested tags");
      }
      return SkipItem(depth);
    }
    default:  // major 7: simple values and floats, already consumed by ReadHead
      if (h.info == 24 && h.arg < 32) return Error("invalid simple value");
      return base::Status::Ok();
  }
}

}  // namespace card
