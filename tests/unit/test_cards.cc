#include "test_cards.h"

#include <gtest/gtest.h>

#include "card/base45.h"
#include "card/cose.h"
#include "card/issuer.h"
#include "card/zlib_codec.h"

namespace testing_cards {

card::PrivateKey MakeKey(card::Alg alg) {
  auto key = card::PrivateKey::Generate(alg);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return std::move(key).value();
}

card::Claims DefaultClaims() {
  card::MemberCard c;
  c.rid = {1, 2, 3, 4, 5, 6, 7, 8};
  c.serial = 3;
  c.org = "RU-EDU-69-SCH12";
  c.category = card::Category::kStudent;
  c.name = "Анна И.";
  c.number = "6900012345";
  return card::Claims{
      .iss = "RU-EDU-69", .iat = kNow - 86400, .exp = kNow + 365 * 86400, .card = c};
}

base::Bytes ProtectedHeader(int64_t alg, base::ByteSpan kid) {
  base::Bytes out;
  card::CborWriter w(&out);
  w.Map(2);
  w.Uint(1);
  w.Int(alg);
  w.Uint(4);
  w.ByteString(kid);
  return out;
}

base::Bytes SignParts(const card::PrivateKey& key, base::ByteSpan protected_bytes,
                      base::ByteSpan payload) {
  base::Bytes tbs;
  card::BuildSigStructure(protected_bytes, payload, &tbs);
  auto sig = key.Sign(tbs);
  EXPECT_TRUE(sig.ok());
  return std::move(sig).value();
}

base::Bytes EncodeCose(const CoseParts& p) {
  base::Bytes out;
  card::CborWriter w(&out);
  if (p.tag) w.Tag(*p.tag);
  w.Array(4);
  w.ByteString(p.protected_bytes);
  w.Raw(p.unprotected);
  w.ByteString(p.payload);
  w.ByteString(p.signature ? *p.signature : base::Bytes(64, 0));
  w.Raw(p.trailing);
  return out;
}

std::string Wrap(base::ByteSpan cose, bool compress) {
  if (!compress) return "UC1:" + card::Base45Encode(cose);
  auto text = card::WrapEnvelope("UC1:", cose);
  EXPECT_TRUE(text.ok());
  return *text;
}

std::string IssueCard(const card::PrivateKey& key, const card::Claims& claims) {
  auto payload = card::EncodeClaims(claims);
  EXPECT_TRUE(payload.ok()) << payload.status().ToString();
  return IssueRawPayload(key, *payload);
}

std::string IssueRawPayload(const card::PrivateKey& key, base::ByteSpan payload) {
  auto pub = key.Public();
  EXPECT_TRUE(pub.ok());
  auto cose = card::SignCose(key, pub->kid(), payload);
  EXPECT_TRUE(cose.ok());
  return Wrap(*cose);
}

}  // namespace testing_cards
