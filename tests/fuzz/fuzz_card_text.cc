// Fuzzes the whole card path from QR text: size check, prefix, base45, inflate, COSE, claims, key
// lookup, under the card profile and (for odd second bytes) the EU DCC profile. Inputs without the
// profile's prefix get it prepended half of the time so that the fuzzer spends its effort below it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/clock.h"
#include "card/verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const card::MemoryKeyStore keys;
  static const base::FakeClock clock(1'800'000'000);
  static card::Verifier card_verifier(keys, nullptr, clock, card::kCardProfile);
  static card::Verifier dcc_verifier(keys, nullptr, clock, card::kDccProfile);
  const bool dcc = size > 1 && (data[1] & 1) != 0;
  const std::string_view prefix = dcc ? card::kDccProfile.prefix : card::kCardProfile.prefix;
  std::string text(reinterpret_cast<const char*>(data), size);
  if (size > 0 && (data[0] & 1) != 0 && !text.starts_with(prefix)) text.insert(0, prefix);
  card::Verification v = (dcc ? dcc_verifier : card_verifier).Verify(text);
  if (v.verdict == card::Verdict::kValid) __builtin_trap();  // nothing is valid without a key
  return 0;
}
