// zbar's image scanner behind a small class (zbar.h's C++ wrapper clashes with ZXing's macros, so
// it is included in zbar_reader.cc only).
#pragma once

#include <string>
#include <vector>

#include "scanner/image.h"

namespace bench {

// Not thread-safe: one per thread.
class ZbarReader {
 public:
  // QR only, or every symbology zbar enables by default.
  explicit ZbarReader(bool qr_only);
  ~ZbarReader();
  ZbarReader(const ZbarReader&) = delete;
  ZbarReader& operator=(const ZbarReader&) = delete;

  std::vector<std::string> Read(const scanner::Frame& frame);

 private:
  void* scanner_;  // zbar_image_scanner_t
};

}  // namespace bench
