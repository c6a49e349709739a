// A small, strict CBOR (RFC 8949) reader and a deterministic writer, sized for QR payloads.
//
// The reader never allocates and never copies: strings come back as views into the input, which
// must outlive the reader and every view taken from it. Every length is checked against the bytes
// left before it is used, nesting is bounded, and indefinite lengths are refused unless a profile
// allows them. Not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace card {

enum class CborType : uint8_t { kUint, kNegInt, kBytes, kText, kArray, kMap, kTag, kSimple };

struct CborLimits {
  int max_depth = 4;              // arrays and maps nested in each other (tags do not count)
  bool allow_indefinite = false;  // indefinite-length strings, arrays and maps
};

class CborReader {
 public:
  CborReader(base::ByteSpan data, const CborLimits& limits) : data_(data), limits_(limits) {}

  bool AtEnd() const { return pos_ == data_.size(); }
  size_t offset() const { return pos_; }
  // Type of the next item; fails at the end of input or on a reserved head.
  base::Result<CborType> PeekType() const;

  base::Status ReadUint(uint64_t* v);
  // An unsigned or negative integer that fits in int64_t.
  base::Status ReadInt(int64_t* v);
  base::Status ReadBytes(base::ByteSpan* v);
  // Text must be valid UTF-8.
  base::Status ReadText(std::string_view* v);
  base::Status ReadTag(uint64_t* tag);
  // A half, single or double precision float (major type 7).
  base::Status ReadFloat(double* v);
  // Enter a definite-length container: one level deeper (checked against max_depth) until Leave().
  base::Status EnterArray(uint64_t* count);
  base::Status EnterMap(uint64_t* pairs);
  void Leave() { --depth_; }
  // Skips one complete item of any type, nested ones included.
  base::Status Skip();

 private:
  struct Head {
    uint8_t major;
    uint8_t info;
    uint64_t arg;
  };
  base::Status ReadHead(Head* h);
  base::Status Error(std::string_view what) const;
  base::Status SkipItem(int depth);
  base::Status SkipIndefinite(uint8_t major, int depth);

  base::ByteSpan data_;
  CborLimits limits_;
  size_t pos_ = 0;
  int depth_ = 0;
};

// Deterministic encoding (RFC 8949 section 4.2.1): shortest heads, definite lengths. The caller
// writes map keys in sorted order.
class CborWriter {
 public:
  explicit CborWriter(base::Bytes* out) : out_(out) {}
  void Uint(uint64_t v) { Head(0, v); }
  void Int(int64_t v);
  void ByteString(base::ByteSpan v);
  void Text(std::string_view v);
  void Array(uint64_t count) { Head(4, count); }
  void Map(uint64_t pairs) { Head(5, pairs); }
  void Tag(uint64_t tag) { Head(6, tag); }
  void Raw(base::ByteSpan v) { out_->insert(out_->end(), v.begin(), v.end()); }

 private:
  void Head(uint8_t major, uint64_t arg);
  base::Bytes* out_;
};

}  // namespace card
