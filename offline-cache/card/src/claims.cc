#include "card/claims.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/utf8.h"

namespace card {
namespace {

base::Status Malformed(std::string m) { return base::InvalidArgument("claims: " + std::move(m)); }

// Keeps track of integer keys seen in one map; maps here are small.
class KeySet {
 public:
  base::Status Add(int64_t key) {
    if (std::find(keys_, keys_ + count_, key) != keys_ + count_) {
      return Malformed("duplicate key " + std::to_string(key));
    }
    if (count_ == std::size(keys_)) return Malformed("too many keys");
    keys_[count_++] = key;
    return base::Status::Ok();
  }

 private:
  int64_t keys_[32];
  size_t count_ = 0;
};

base::Status ReadDisplayText(CborReader& r, size_t max, std::string_view field, std::string* out) {
  std::string_view v;
  CK_TRY(r.ReadText(&v));
  if (v.size() > max) {
    return Malformed(std::string(field) + " is " + std::to_string(v.size()) + " bytes, limit " +
                     std::to_string(max));
  }
  if (base::HasControlChars(v))
    return Malformed(std::string(field) + " contains control characters");
  out->assign(v);
  return base::Status::Ok();
}

base::Status ReadTime(CborReader& r, const ClaimsRules& rules, std::string_view field,
                      int64_t* out) {
  CK_ASSIGN_OR_RETURN(CborType t, r.PeekType());
  if (t == CborType::kSimple && rules.allow_float_time) {
    double v = 0;
    CK_TRY(r.ReadFloat(&v));
    if (!(v >= 0 && v <= static_cast<double>(kMaxTime))) {  // NaN fails too
      return Malformed(std::string(field) + " out of range");
    }
    *out = static_cast<int64_t>(std::floor(v));
    return base::Status::Ok();
  }
  if (t != CborType::kUint) return Malformed(std::string(field) + " must be an unsigned integer");
  uint64_t v = 0;
  CK_TRY(r.ReadUint(&v));
  if (v > static_cast<uint64_t>(kMaxTime)) return Malformed(std::string(field) + " out of range");
  *out = static_cast<int64_t>(v);
  return base::Status::Ok();
}

base::Status ReadCard(CborReader& r, MemberCard* card) {
  uint64_t pairs = 0;
  CK_TRY(r.EnterMap(&pairs));
  KeySet seen;
  bool has_rid = false, has_serial = false, has_org = false, has_category = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    int64_t key = 0;
    CK_TRY(r.ReadInt(&key));
    CK_TRY(seen.Add(key));
    switch (key) {
      case 1: {
        base::ByteSpan rid;
        CK_TRY(r.ReadBytes(&rid));
        if (rid.size() != card->rid.size()) return Malformed("rid must be 8 bytes");
        std::memcpy(card->rid.data(), rid.data(), rid.size());
        has_rid = true;
        break;
      }
      case 2: {
        uint64_t serial = 0;
        CK_TRY(r.ReadUint(&serial));
        if (serial > UINT32_MAX) return Malformed("serial out of range");
        card->serial = static_cast<uint32_t>(serial);
        has_serial = true;
        break;
      }
      case 3:
        CK_TRY(ReadDisplayText(r, kMaxOrgBytes, "org", &card->org));
        has_org = true;
        break;
      case 4: {
        uint64_t cat = 0;
        CK_TRY(r.ReadUint(&cat));
        if (cat > kMaxCategory) return Malformed("unknown category " + std::to_string(cat));
        card->category = static_cast<Category>(cat);
        has_category = true;
        break;
      }
      case 5:
        CK_TRY(ReadDisplayText(r, kMaxNameBytes, "name", &card->name.emplace()));
        break;
      case 6:
        CK_TRY(ReadDisplayText(r, kMaxNumberBytes, "number", &card->number.emplace()));
        break;
      default:
        CK_TRY(r.Skip());
    }
  }
  r.Leave();
  if (!has_rid || !has_serial || !has_org || !has_category) {
    return Malformed("card lacks rid, serial, org or category");
  }
  return base::Status::Ok();
}

// The admin claim (admin card format v1): {1: version 1, 2: admin id (8 bytes), 3: name}. A later
// version is refused, never read as this one.
base::Status ReadAdmin(CborReader& r, AdminCard* admin) {
  uint64_t pairs = 0;
  CK_TRY(r.EnterMap(&pairs));
  KeySet seen;
  bool has_version = false, has_id = false, has_name = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    int64_t key = 0;
    CK_TRY(r.ReadInt(&key));
    CK_TRY(seen.Add(key));
    if (key == 1) {
      uint64_t version = 0;
      CK_TRY(r.ReadUint(&version));
      if (version != kAdminCardVersion) {
        return Malformed("admin card version " + std::to_string(version) +
                         ", this device reads version " + std::to_string(kAdminCardVersion));
      }
      has_version = true;
    } else if (key == 2) {
      base::ByteSpan id;
      CK_TRY(r.ReadBytes(&id));
      if (id.size() != admin->id.size()) return Malformed("admin id must be 8 bytes");
      std::memcpy(admin->id.data(), id.data(), id.size());
      has_id = true;
    } else if (key == 3) {
      CK_TRY(ReadDisplayText(r, kMaxNameBytes, "admin name", &admin->name));
      has_name = !admin->name.empty();
    } else {
      CK_TRY(r.Skip());
    }
  }
  r.Leave();
  if (!has_version || !has_id || !has_name) {
    return Malformed("admin claim lacks version, id or name");
  }
  return base::Status::Ok();
}

// The EU DCC hcert claim: {1: {certificate map}}. Only its shape is checked here.
base::Status ReadDccHcert(CborReader& r) {
  uint64_t pairs = 0;
  CK_TRY(r.EnterMap(&pairs));
  bool has_v1 = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    int64_t key = 0;
    CK_TRY(r.ReadInt(&key));
    if (key == 1) {
      CK_ASSIGN_OR_RETURN(CborType t, r.PeekType());
      if (t != CborType::kMap) return Malformed("hcert entry 1 is not a map");
      has_v1 = true;
    }
    CK_TRY(r.Skip());
  }
  r.Leave();
  if (!has_v1) return Malformed("hcert lacks entry 1");
  return base::Status::Ok();
}

}  // namespace

std::string_view CategoryName(Category c) {
  switch (c) {
    case Category::kEmployee:
      return "employee";
    case Category::kStudent:
      return "student";
    case Category::kRetired:
      return "retired";
    case Category::kUnionStaff:
      return "union_staff";
  }
  return "unknown";
}

base::Status ParseClaims(base::ByteSpan payload, const ClaimsRules& rules, Claims* out) {
  CborReader r(payload, rules.cbor);
  uint64_t pairs = 0;
  CK_TRY(r.EnterMap(&pairs));
  KeySet seen;
  bool has_iss = false, has_iat = false, has_exp = false, has_hcert = false;
  for (uint64_t i = 0; i < pairs; ++i) {
    CK_ASSIGN_OR_RETURN(CborType kt, r.PeekType());
    if (kt == CborType::kText) {  // registered names are integers; text keys are foreign: skip
      std::string_view name;
      CK_TRY(r.ReadText(&name));
      CK_TRY(r.Skip());
      continue;
    }
    int64_t key = 0;
    CK_TRY(r.ReadInt(&key));
    CK_TRY(seen.Add(key));
    if (key == kClaimIss) {
      CK_TRY(ReadDisplayText(r, rules.max_iss_bytes, "iss", &out->iss));
      has_iss = true;
    } else if (key == kClaimIat) {
      CK_TRY(ReadTime(r, rules, "iat", &out->iat));
      has_iat = true;
    } else if (key == kClaimExp) {
      CK_TRY(ReadTime(r, rules, "exp", &out->exp));
      has_exp = true;
    } else if (key == kClaimCard) {
      CK_TRY(ReadCard(r, &out->card.emplace()));
    } else if (key == kClaimAdmin && rules.accept_admin) {
      CK_TRY(ReadAdmin(r, &out->admin.emplace()));
    } else if (key == kClaimDccHcert && rules.require_dcc_hcert) {
      CK_TRY(ReadDccHcert(r));
      has_hcert = true;
    } else {
      CK_TRY(r.Skip());
    }
  }
  r.Leave();
  if (!r.AtEnd()) return Malformed("trailing bytes after the claims map");
  if (!has_iat || !has_exp) return Malformed("iat and exp are required");
  if (rules.require_iss && !has_iss) return Malformed("iss is required");
  if (rules.accept_admin && out->card && out->admin)
    return Malformed("a card carries either claim -70000 (member) or -70001 (admin), not both");
  if (rules.require_card && !out->card && !out->admin) {
    return Malformed(rules.accept_admin ? "card claim -70000 or admin claim -70001 is required"
                                        : "card claim -70000 is required");
  }
  if (rules.require_dcc_hcert && !has_hcert) return Malformed("hcert claim -260 is required");
  return base::Status::Ok();
}

namespace {

bool BadText(std::string_view v, size_t max) {
  return v.size() > max || !base::IsValidUtf8(v) || base::HasControlChars(v);
}

base::Status CheckMember(const MemberCard& card) {
  if (card.org.empty() || BadText(card.org, kMaxOrgBytes))
    return base::InvalidArgument("org must be 1-32 bytes of text");
  if (card.name && BadText(*card.name, kMaxNameBytes))
    return base::InvalidArgument("name must be at most 40 bytes of text");
  if (card.number && BadText(*card.number, kMaxNumberBytes))
    return base::InvalidArgument("number must be at most 20 bytes of text");
  if (static_cast<uint64_t>(card.category) > kMaxCategory)
    return base::InvalidArgument("unknown category");
  return base::Status::Ok();
}

void WriteMember(const MemberCard& card, CborWriter& w) {
  w.Int(kClaimCard);
  w.Map(4u + (card.name ? 1u : 0u) + (card.number ? 1u : 0u));
  w.Uint(1);
  w.ByteString(card.rid);
  w.Uint(2);
  w.Uint(card.serial);
  w.Uint(3);
  w.Text(card.org);
  w.Uint(4);
  w.Uint(static_cast<uint64_t>(card.category));
  if (card.name) {
    w.Uint(5);
    w.Text(*card.name);
  }
  if (card.number) {
    w.Uint(6);
    w.Text(*card.number);
  }
}

void WriteAdmin(const AdminCard& admin, CborWriter& w) {
  w.Int(kClaimAdmin);
  w.Map(3);
  w.Uint(1);
  w.Uint(kAdminCardVersion);
  w.Uint(2);
  w.ByteString(admin.id);
  w.Uint(3);
  w.Text(admin.name);
}

}  // namespace

base::Result<base::Bytes> EncodeClaims(const Claims& c) {
  if (c.card.has_value() == c.admin.has_value())
    return base::InvalidArgument(c.card ? "a card is a member card or an admin card, not both"
                                        : "card claim missing");
  const bool iss_optional = c.admin.has_value();
  if ((c.iss.empty() && !iss_optional) || BadText(c.iss, kMaxIssBytes))
    return base::InvalidArgument("iss must be 1-32 bytes of text");
  if (c.card) CK_TRY(CheckMember(*c.card));
  if (c.admin && (c.admin->name.empty() || BadText(c.admin->name, kMaxNameBytes)))
    return base::InvalidArgument("admin name must be 1-40 bytes of text");
  if (c.iat < 0 || c.exp <= c.iat || c.exp > kMaxTime) {
    return base::InvalidArgument("exp must be after iat and before 2^40");
  }
  base::Bytes out;
  CborWriter w(&out);
  w.Map(c.iss.empty() ? 3 : 4);
  if (!c.iss.empty()) {
    w.Int(kClaimIss);
    w.Text(c.iss);
  }
  w.Int(kClaimExp);
  w.Int(c.exp);
  w.Int(kClaimIat);
  w.Int(c.iat);
  if (c.card) WriteMember(*c.card, w);
  if (c.admin) WriteAdmin(*c.admin, w);
  return out;
}

}  // namespace card
