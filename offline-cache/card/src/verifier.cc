#include "card/verifier.h"

#include "card/base45.h"
#include "card/cose.h"

namespace card {
namespace {

void Refuse(Verification* out, Verdict v, std::string detail, Stage stage = Stage::kNone) {
  out->verdict = v;
  out->stage = stage;
  out->detail = std::move(detail);
}

}  // namespace

std::string_view StageName(Stage s) {
  switch (s) {
    case Stage::kNone:
      return "none";
    case Stage::kSize:
      return "size";
    case Stage::kPrefix:
      return "prefix";
    case Stage::kBase45:
      return "base45";
    case Stage::kZlib:
      return "zlib";
    case Stage::kCose:
      return "cose";
    case Stage::kClaims:
      return "claims";
  }
  return "none";
}

Verdict CheckValidityPeriod(const Claims& claims, int64_t now, const Profile& profile) {
  if (claims.iat > now + profile.iat_skew_seconds) return Verdict::kNotYetValid;
  if (profile.exp_inclusive ? now > claims.exp : now >= claims.exp) return Verdict::kExpired;
  return Verdict::kValid;
}

Verifier::Verifier(const KeyStore& keys, const StatusStore* status, const base::Clock& clock,
                   const Profile& profile)
    : keys_(keys), status_(status), clock_(clock), profile_(profile) {
  decoded_.reserve(profile_.max_text_bytes);
  inflated_.reserve(profile_.max_inflated_bytes + 1);
  tbs_.reserve(profile_.max_inflated_bytes + 64);
}

bool Verifier::AlgAllowed(int64_t alg) const {
  return (alg == static_cast<int64_t>(Alg::kES256) && profile_.allow_es256) ||
         (alg == static_cast<int64_t>(Alg::kEdDSA) && profile_.allow_eddsa) ||
         (alg == static_cast<int64_t>(Alg::kPS256) && profile_.allow_ps256);
}

bool Verifier::Decode(std::string_view text, Verification* out) {
  *out = Verification();
  out->verdict = Verdict::kMalformed;
  if (text.size() > profile_.max_text_bytes) {
    Refuse(out, Verdict::kMalformed,
           "QR text is " + std::to_string(text.size()) + " bytes, limit " +
               std::to_string(profile_.max_text_bytes),
           Stage::kSize);
    return false;
  }
  if (!text.starts_with(profile_.prefix)) {
    Refuse(out, Verdict::kMalformed, "missing prefix " + std::string(profile_.prefix),
           Stage::kPrefix);
    return false;
  }
  text.remove_prefix(profile_.prefix.size());
  if (base::Status st = Base45Decode(text, &decoded_); !st.ok()) {
    Refuse(out, Verdict::kMalformed, st.message(), Stage::kBase45);
    return false;
  }
  base::ByteSpan cose = decoded_;
  if (LooksLikeZlib(decoded_)) {
    if (base::Status st = inflater_.Inflate(decoded_, profile_.max_inflated_bytes, &inflated_);
        !st.ok()) {
      Refuse(out, Verdict::kMalformed, st.message(), Stage::kZlib);
      return false;
    }
    cose = inflated_;
  } else if (profile_.require_zlib) {
    Refuse(out, Verdict::kMalformed, "zlib: payload is not compressed", Stage::kZlib);
    return false;
  } else if (decoded_.size() > profile_.max_inflated_bytes) {
    Refuse(out, Verdict::kMalformed, "payload exceeds the size limit", Stage::kSize);
    return false;
  }
  if (base::Status st = ParseSign1(cose, profile_.cose, &sign1_); !st.ok()) {
    Refuse(out, Verdict::kMalformed, st.message(), Stage::kCose);
    return false;
  }
  out->kid = sign1_.kid;
  if (!AlgAllowed(sign1_.alg)) {
    Refuse(out, Verdict::kMalformed, "cose: unsupported algorithm " + std::to_string(sign1_.alg),
           Stage::kCose);
    return false;
  }
  out->alg = static_cast<Alg>(sign1_.alg);
  Claims claims;
  if (base::Status st = ParseClaims(sign1_.payload, profile_.claims, &claims); !st.ok()) {
    Refuse(out, Verdict::kMalformed, st.message(), Stage::kClaims);
    return false;
  }
  out->claims = std::move(claims);
  return true;
}

Verification Verifier::Verify(std::string_view text) {
  Verification out;
  if (clock_.NowUnixSeconds() < clock_floor_) {
    Refuse(&out, Verdict::kError,
           "the device clock is earlier than the registry's creation time; set the clock");
    out.error_code = "CLOCK_BEHIND";
    return out;
  }
  if (!Decode(text, &out)) return out;

  const IssuerKey* key = keys_.FindKey(sign1_.kid);
  if (key == nullptr) {
    Refuse(&out, Verdict::kUnknownKey, "no issuer key with this kid");
    return out;
  }
  const int64_t now = clock_.NowUnixSeconds();
  if (key->withdrawn) {
    Refuse(&out, Verdict::kKeyNotValid, "issuer key has been withdrawn");
    return out;
  }
  if (now < key->not_before || now >= key->not_after) {
    Refuse(&out, Verdict::kKeyNotValid, "issuer key is outside its validity period");
    return out;
  }
  if (!key->iss.empty() && key->iss != out.claims->iss) {
    Refuse(&out, Verdict::kKeyNotValid,
           "key belongs to issuer " + key->iss + ", card claims " + out.claims->iss);
    return out;
  }
  BuildSigStructure(sign1_.protected_bytes, sign1_.payload, &tbs_);
  if (base::Status st = sig_verifier_.Verify(*out.alg, key->key, tbs_, sign1_.signature);
      !st.ok()) {
    Refuse(&out,
           st.code() == base::StatusCode::kInternal ? Verdict::kError : Verdict::kBadSignature,
           st.message());
    return out;
  }
  out.signature_ok = true;
  CheckTimeAndStatus(&out);
  return out;
}

void Verifier::CheckTimeAndStatus(Verification* out) {
  const int64_t now = clock_.NowUnixSeconds();
  const Claims& c = *out->claims;
  switch (CheckValidityPeriod(c, now, profile_)) {
    case Verdict::kNotYetValid:
      Refuse(out, Verdict::kNotYetValid, "card issued in the future (check the device clock)");
      return;
    case Verdict::kExpired:
      Refuse(out, Verdict::kExpired, "card expired");
      return;
    default:
      break;
  }
  if (status_ == nullptr || !c.card) {
    out->verdict = Verdict::kValid;
    return;
  }
  out->status_checked = true;
  base::Result<std::optional<MemberStatus>> found = status_->FindMember(c.card->rid);
  if (!found.ok()) {
    Refuse(out, Verdict::kError, "member registry unreadable: " + found.status().message());
    out->error_code = "REGISTRY_UNREADABLE";
    return;
  }
  if (!found->has_value()) {
    if (status_->mode() == ListMode::kAllowList) {
      Refuse(out, Verdict::kNotAMember, "not in the member registry");
    } else {
      out->verdict = Verdict::kValid;
    }
    return;
  }
  const MemberStatus& ms = **found;
  if (ms.state == MemberState::kRevoked) {
    Refuse(out, Verdict::kRevoked, "membership revoked");
  } else if (c.card->serial < ms.min_serial) {
    Refuse(out, Verdict::kRevoked,
           "card serial " + std::to_string(c.card->serial) + " replaced (minimum " +
               std::to_string(ms.min_serial) + ")");
  } else if (ms.state == MemberState::kSuspended) {
    Refuse(out, Verdict::kSuspended, "membership suspended");
  } else {
    out->verdict = Verdict::kValid;
  }
}

}  // namespace card
