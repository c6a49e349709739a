// The QR code writer behind scanner::EncodeQrModules (ISO/IEC 18004:2015, model 2 symbols):
// one segment (numeric, alphanumeric or bytes, with the UTF-8 ECI for non-ASCII bytes), the
// smallest version 1-40 that holds it, Reed-Solomon blocks interleaved, and the mask the
// standard's four penalty rules score lowest (the lowest mask number on a tie), scored on whole
// rows of bytes. Internal to ck_scanner.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "scanner/qr_codec.h"

namespace scanner::qr {

struct Symbol {
  int version = 0;
  int mask = 0;
  QrModules modules;
};

// `mask` forces one of the 8 masks (0-7) instead of the scored choice.
base::Result<Symbol> Encode(std::string_view text, EccLevel ecc,
                            std::optional<int> mask = std::nullopt);

// The penalty of a finished symbol (rules N1-N4 of ISO/IEC 18004 section 7.8.3.1), as the
// writer scores each mask.
int Penalty(const QrModules& m);

}  // namespace scanner::qr
