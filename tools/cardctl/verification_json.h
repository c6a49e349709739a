#pragma once

#include <nlohmann/json.hpp>

#include "card/verifier.h"

namespace cardctl {

// The JSON object `cardctl verify` prints for one card (docs/cardctl.md lists the fields).
nlohmann::json VerificationToJson(const card::Verification& v);

}  // namespace cardctl
