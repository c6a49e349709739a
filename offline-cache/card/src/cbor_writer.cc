#include "card/cbor.h"

namespace card {

void CborWriter::Head(uint8_t major, uint64_t arg) {
  const auto mt = static_cast<uint8_t>(major << 5);
  if (arg < 24) {
    out_->push_back(static_cast<uint8_t>(mt | arg));
    return;
  }
  int len = arg <= 0xff ? 1 : arg <= 0xffff ? 2 : arg <= 0xffffffff ? 4 : 8;
  const uint8_t info = len == 1 ? 24 : len == 2 ? 25 : len == 4 ? 26 : 27;
  out_->push_back(static_cast<uint8_t>(mt | info));
  for (int i = len - 1; i >= 0; --i) out_->push_back(static_cast<uint8_t>(arg >> (8 * i)));
}

void CborWriter::Int(int64_t v) {
  if (v >= 0) {
    Head(0, static_cast<uint64_t>(v));
  } else {
    Head(1, static_cast<uint64_t>(-(v + 1)));
  }
}

void CborWriter::ByteString(base::ByteSpan v) {
  Head(2, v.size());
  Raw(v);
}

void CborWriter::Text(std::string_view v) {
  Head(3, v.size());
  Raw(base::AsBytes(v));
}

}  // namespace card
