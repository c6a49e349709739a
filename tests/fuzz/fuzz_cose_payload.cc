// Fuzzes the binary layers directly (what sits inside base45 and zlib): COSE_Sign1 structure and
// headers, then the CWT claims, under both the card profile and the more permissive DCC profile.
#include <cstddef>
#include <cstdint>

#include "card/claims.h"
#include "card/cose.h"
#include "card/profile.h"

namespace {

void Run(const card::Profile& profile, base::ByteSpan input) {
  card::Sign1View view;
  if (card::ParseSign1(input, profile.cose, &view).ok()) {
    card::Claims claims;
    (void)card::ParseClaims(view.payload, profile.claims, &claims);
  }
  // The claims parser also sees the raw input, so it is fuzzed without a valid COSE wrapper.
  card::Claims claims;
  (void)card::ParseClaims(input, profile.claims, &claims);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  base::ByteSpan input(data, size);
  Run(card::kCardProfile, input);
  Run(card::kDccProfile, input);
  return 0;
}
