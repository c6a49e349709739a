// What writing one card's QR code costs: the project's writer (scanner::EncodeQrModules: the
// version, the blocks, eight masks scored) against ZXing-cpp's writer on the same card text.
// `cardctl issue` makes one per card.
//
//   build/release/bench/qr_encode_bench
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <benchmark/benchmark.h>

#include <string>

#include "scanner/qr_codec.h"

namespace {

// A card's text: "UC1:" and about 180 characters of base45 (version 11-12 at Q).
const std::string kCardText =
    "UC1:NCF790920FFWTWGSLKC 486922M*+DB4WB/M97B0XK7EDPYA2Y8PYAL%6FN0KYD3WCWY0YND496/E736075ED7"
    "09GW.DL3HDF:1KB0DJ0B1A009ZM0%U0MGQMHQMHQ9HQU64XAJH 0*96DL6LX6798C-0RHK754-+FMDW$DGJ/69BE$A8";

void BM_EncodeQrModules(benchmark::State& state) {
  for (auto _ : state) {
    auto m = scanner::EncodeQrModules(kCardText);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_EncodeQrModules);

void BM_ZxingWriter(benchmark::State& state) {
  for (auto _ : state) {
    ZXing::BitMatrix m = ZXing::MultiFormatWriter(ZXing::BarcodeFormat::QRCode)
                             .setEccLevel(6)
                             .setMargin(0)
                             .encode(kCardText, 0, 0);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_ZxingWriter);

}  // namespace

BENCHMARK_MAIN();
