#include "verification_json.h"

#include "base/hex.h"
#include "base/time_format.h"

namespace cardctl {

nlohmann::json VerificationToJson(const card::Verification& v) {
  nlohmann::json j;
  j["verdict"] = std::string(card::VerdictCode(v.verdict));
  j["kid"] = v.kid ? nlohmann::json(base::ToHex(*v.kid)) : nlohmann::json(nullptr);
  if (v.alg) j["alg"] = std::string(card::AlgName(*v.alg));
  if (v.claims) {
    const card::Claims& c = *v.claims;
    j["iss"] = c.iss;
    j["iat"] = c.iat;
    j["exp"] = c.exp;
    j["iat_utc"] = base::FormatIso8601Utc(c.iat);
    j["exp_utc"] = base::FormatIso8601Utc(c.exp);
    if (c.card) {
      j["rid"] = base::ToHex(c.card->rid);
      j["serial"] = c.card->serial;
      j["org"] = c.card->org;
      j["category"] = static_cast<int>(c.card->category);
      j["category_name"] = std::string(card::CategoryName(c.card->category));
      if (c.card->name) j["name"] = *c.card->name;
      if (c.card->number) j["number"] = *c.card->number;
    }
  }
  if (v.verdict == card::Verdict::kMalformed) j["stage"] = std::string(card::StageName(v.stage));
  j["signature_ok"] = v.signature_ok;
  j["status_checked"] = v.status_checked;
  if (!v.error_code.empty()) j["error"] = v.error_code;
  if (!v.detail.empty()) j["detail"] = v.detail;
  return j;
}

}  // namespace cardctl
