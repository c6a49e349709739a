// Fuzzes the whole card path from QR text: size check, prefix, base45, inflate, COSE, claims, key
// lookup. Inputs that start without "UC1:" get it prepended half of the time so that the fuzzer
// spends its effort below the prefix.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/clock.h"
#include "card/verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const card::MemoryKeyStore keys;
  static const base::FakeClock clock(1'800'000'000);
  static card::Verifier verifier(keys, nullptr, clock);
  std::string text(reinterpret_cast<const char*>(data), size);
  if (size > 0 && (data[0] & 1) != 0 && !text.starts_with("UC1:")) text.insert(0, "UC1:");
  card::Verification v = verifier.Verify(text);
  if (v.verdict == card::Verdict::kValid) __builtin_trap();  // nothing is valid without a key
  return 0;
}
