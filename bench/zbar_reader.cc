#include "zbar_reader.h"

#include <zbar.h>

namespace bench {
namespace {

zbar::zbar_image_scanner_t* Scanner(void* p) { return static_cast<zbar::zbar_image_scanner_t*>(p); }

}  // namespace

ZbarReader::ZbarReader(bool qr_only) : scanner_(zbar::zbar_image_scanner_create()) {
  if (qr_only) {
    zbar::zbar_image_scanner_set_config(Scanner(scanner_), zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE,
                                        0);
    zbar::zbar_image_scanner_set_config(Scanner(scanner_), zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE,
                                        1);
  }
}

ZbarReader::~ZbarReader() { zbar::zbar_image_scanner_destroy(Scanner(scanner_)); }

std::vector<std::string> ZbarReader::Read(const scanner::Frame& f) {
  std::vector<std::string> out;
  if (f.data == nullptr || f.stride != f.width) return out;  // zbar wants packed Y800
  constexpr unsigned long kY800 = 'Y' | ('8' << 8) | ('0' << 16) | (0x30UL << 24);
  zbar::zbar_image_t* img = zbar::zbar_image_create();
  zbar::zbar_image_set_format(img, kY800);
  zbar::zbar_image_set_size(img, static_cast<unsigned>(f.width), static_cast<unsigned>(f.height));
  zbar::zbar_image_set_data(
      img, f.data, static_cast<unsigned long>(f.width) * static_cast<unsigned long>(f.height),
      nullptr);
  if (zbar::zbar_scan_image(Scanner(scanner_), img) > 0) {
    for (const zbar::zbar_symbol_t* s = zbar::zbar_image_first_symbol(img); s != nullptr;
         s = zbar::zbar_symbol_next(s)) {
      out.emplace_back(zbar::zbar_symbol_get_data(s), zbar::zbar_symbol_get_data_length(s));
    }
  }
  zbar::zbar_image_destroy(img);
  return out;
}

}  // namespace bench
