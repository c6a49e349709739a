// COSE_Sign1 parsing rules, the Sig_structure, and the encoders.
#include "card/cose.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/hex.h"
#include "card/cbor.h"

namespace {

using base::Bytes;
using base::ByteSpan;
using base::StatusCode;
using card::CoseRules;
using card::Kid;
using card::ParseSign1;
using card::Sign1View;

Bytes H(std::string_view hex) { return base::FromHex(hex).value(); }

const Kid kKid = {1, 2, 3, 4, 5, 6, 7, 8};
const Kid kOtherKid = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8};
constexpr std::string_view kKidHex = "480102030405060708";       // bstr kKid
constexpr std::string_view kOtherKidHex = "48a1a2a3a4a5a6a7a8";  // bstr kOtherKid

// A COSE_Sign1 assembled part by part.
struct Parts {
  std::vector<uint64_t> tags = {18};
  Bytes protected_bytes =
      H("a20126"
        "04" +
        std::string(kKidHex));  // {1: -7, 4: kid}
  Bytes unprotected = {0xa0};   // raw CBOR
  Bytes payload = H("a10102");
  Bytes signature = Bytes(64, 0x5a);
  Bytes trailing;

  Bytes Encode() const {
    Bytes out;
    card::CborWriter w(&out);
    for (uint64_t t : tags) w.Tag(t);
    w.Array(4);
    w.ByteString(protected_bytes);
    w.Raw(unprotected);
    w.ByteString(payload);
    w.ByteString(signature);
    w.Raw(trailing);
    return out;
  }
};

base::Status Parse(const Bytes& cose, const CoseRules& rules, Sign1View* out) {
  return ParseSign1(cose, rules, out);
}

void ExpectMalformed(const Parts& parts, const CoseRules& rules, const std::string& part) {
  const Bytes cose = parts.Encode();
  Sign1View v;
  base::Status s = ParseSign1(cose, rules, &v);
  EXPECT_FALSE(s.ok()) << base::ToHex(cose);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find(part), std::string::npos) << "'" << part << "' not in " << s.message();
}

bool Within(ByteSpan inner, const Bytes& outer) {
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

// --- Encoders ------------------------------------------------------------------------------------

TEST(CoseEncodeTest, ProtectedHeaderIsDeterministic) {
  EXPECT_EQ(base::ToHex(card::EncodeProtectedHeader(card::Alg::kES256, kKid)),
            "a20126"
            "04" +
                std::string(kKidHex));
  EXPECT_EQ(base::ToHex(card::EncodeProtectedHeader(card::Alg::kEdDSA, kKid)),
            "a20127"
            "04" +
                std::string(kKidHex));
}

TEST(CoseEncodeTest, Sign1IsTag18ArrayOfFour) {
  EXPECT_EQ(base::ToHex(card::EncodeSign1(H("a0"), H("01"), H("0203"))),
            "d28441a0a041014202"
            "03");
}

TEST(CoseEncodeTest, SigStructureExactBytes) {
  Bytes out = {0xde, 0xad};  // cleared first
  card::BuildSigStructure(H("a10126"), base::AsBytes("hi"), &out);
  EXPECT_EQ(base::ToHex(out),
            "84"                      // array of 4
            "6a5369676e617475726531"  // "Signature1"
            "43a10126"                // protected
            "40"                      // external_aad = h''
            "426869");                // payload
}

TEST(CoseEncodeTest, SigStructureWithEmptyProtectedAndLongPayload) {
  Bytes out;
  const Bytes payload(300, 0x11);
  card::BuildSigStructure(Bytes{}, payload, &out);
  ASSERT_EQ(out.size(), 1u + 11u + 1u + 1u + 3u + 300u);
  EXPECT_EQ(base::ToHex(ByteSpan(out).first(17)),
            "846a5369676e6174757265314040"
            "59012c");
}

// --- Happy path ----------------------------------------------------------------------------------

TEST(ParseSign1Test, ParsesWhatTheEncodersWrite) {
  const Bytes prot = card::EncodeProtectedHeader(card::Alg::kES256, kKid);
  const Bytes payload = H("a3010203040506");
  const Bytes sig(64, 0x77);
  const Bytes cose = card::EncodeSign1(prot, payload, sig);
  Sign1View v;
  base::Status s = Parse(cose, CoseRules{}, &v);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(v.alg, -7);
  EXPECT_EQ(v.kid, kKid);
  EXPECT_FALSE(v.kid_from_unprotected);
  EXPECT_EQ(Bytes(v.protected_bytes.begin(), v.protected_bytes.end()), prot);
  EXPECT_EQ(Bytes(v.payload.begin(), v.payload.end()), payload);
  EXPECT_EQ(Bytes(v.signature.begin(), v.signature.end()), sig);
  // Views, not copies.
  EXPECT_TRUE(Within(v.protected_bytes, cose));
  EXPECT_TRUE(Within(v.payload, cose));
  EXPECT_TRUE(Within(v.signature, cose));
  EXPECT_EQ(v.signature.data() + v.signature.size(), cose.data() + cose.size());
}

TEST(ParseSign1Test, EdDsaAlgIsReportedAsFound) {
  const Bytes cose = card::EncodeSign1(card::EncodeProtectedHeader(card::Alg::kEdDSA, kOtherKid),
                                       H("a0"), Bytes(64, 1));
  Sign1View v;
  ASSERT_TRUE(Parse(cose, CoseRules{}, &v).ok());
  EXPECT_EQ(v.alg, -8);
  EXPECT_EQ(v.kid, kOtherKid);
}

TEST(ParseSign1Test, UnsupportedAlgIsLeftToTheCaller) {
  Parts p;
  p.protected_bytes =
      H("a2013822"
        "04" +
        std::string(kKidHex));  // alg -35 (ES384)
  const Bytes cose = p.Encode();
  Sign1View v;
  ASSERT_TRUE(Parse(cose, CoseRules{}, &v).ok());
  EXPECT_EQ(v.alg, -35);
}

TEST(ParseSign1Test, EmptyPayloadAndSignatureParse) {
  Parts p;
  p.payload.clear();
  p.signature.clear();
  const Bytes cose = p.Encode();
  Sign1View v;
  ASSERT_TRUE(Parse(cose, CoseRules{}, &v).ok());
  EXPECT_TRUE(v.payload.empty());
  EXPECT_TRUE(v.signature.empty());
}

// --- Tags ----------------------------------------------------------------------------------------

TEST(ParseSign1Test, RequireSign1Tag) {
  Parts p;
  p.tags.clear();
  ExpectMalformed(p, CoseRules{}, "missing COSE_Sign1 tag 18");
  CoseRules lenient;
  lenient.require_sign1_tag = false;
  const Bytes cose = p.Encode();
  Sign1View v;
  EXPECT_TRUE(Parse(cose, lenient, &v).ok());
}

TEST(ParseSign1Test, OtherTagsAreRefusedEvenWhenTheTagIsOptional) {
  CoseRules lenient;
  lenient.require_sign1_tag = false;
  for (uint64_t tag : {uint64_t{17}, uint64_t{98}, uint64_t{61}, uint64_t{24}}) {
    Parts p;
    p.tags = {tag};
    ExpectMalformed(p, lenient, "tag 18");
  }
}

TEST(ParseSign1Test, CwtTagOnlyWhenAllowed) {
  Parts p;
  p.tags = {61, 18};
  ExpectMalformed(p, CoseRules{}, "found tag 61");
  CoseRules dcc;
  dcc.allow_cwt_tag = true;
  const Bytes cose = p.Encode();
  Sign1View v;
  base::Status s = Parse(cose, dcc, &v);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(v.kid, kKid);
}

TEST(ParseSign1Test, CwtTagMustWrapTag18) {
  CoseRules dcc;
  dcc.allow_cwt_tag = true;
  Parts bare;
  bare.tags = {61};
  ExpectMalformed(bare, dcc, "expected a tag");
  Parts other;
  other.tags = {61, 17};
  ExpectMalformed(other, dcc, "found tag 17");
  Parts twice;
  twice.tags = {61, 61, 18};
  ExpectMalformed(twice, dcc, "found tag 61");
}

TEST(ParseSign1Test, Tag18InsideTag18IsRefused) {
  Parts p;
  p.tags = {18, 18};
  ExpectMalformed(p, CoseRules{}, "array");
}

// --- Unprotected header --------------------------------------------------------------------------

TEST(ParseSign1Test, UnprotectedMustBeEmptyByDefault) {
  Parts p;
  p.unprotected = H("a104" + std::string(kOtherKidHex));
  ExpectMalformed(p, CoseRules{}, "unprotected header must be empty");
  p.unprotected = H("a16178f6");  // {"x": null}
  ExpectMalformed(p, CoseRules{}, "unprotected header must be empty");
}

TEST(ParseSign1Test, UnprotectedMustBeAMap) {
  CoseRules lenient;
  lenient.allow_unprotected_headers = true;
  Parts p;
  p.unprotected = H("80");
  ExpectMalformed(p, lenient, "not a map");
  p.unprotected = H("40");
  ExpectMalformed(p, lenient, "not a map");
}

TEST(ParseSign1Test, KidFromUnprotectedOnlyWhenProtectedHasNone) {
  CoseRules dcc;
  dcc.allow_unprotected_headers = true;
  Parts p;
  p.protected_bytes = H("a10126");  // {1: -7}
  p.unprotected = H("a104" + std::string(kOtherKidHex));
  const Bytes cose = p.Encode();
  Sign1View v;
  base::Status s = Parse(cose, dcc, &v);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(v.kid, kOtherKid);
  EXPECT_TRUE(v.kid_from_unprotected);
  EXPECT_EQ(v.alg, -7);
}

TEST(ParseSign1Test, ProtectedKidWinsOverUnprotected) {
  CoseRules dcc;
  dcc.allow_unprotected_headers = true;
  Parts p;  // protected {1: -7, 4: kKid}
  p.unprotected = H("a104" + std::string(kOtherKidHex));
  const Bytes cose = p.Encode();
  Sign1View v;
  v.kid_from_unprotected = true;  // reset by the parser
  ASSERT_TRUE(Parse(cose, dcc, &v).ok());
  EXPECT_EQ(v.kid, kKid);
  EXPECT_FALSE(v.kid_from_unprotected);
}

TEST(ParseSign1Test, DuplicateLabelsInUnprotected) {
  CoseRules dcc;
  dcc.allow_unprotected_headers = true;
  Parts p;
  p.protected_bytes = H("a10126");
  p.unprotected = H("a204" + std::string(kOtherKidHex) + "04" + std::string(kOtherKidHex));
  ExpectMalformed(p, dcc, "duplicate header label 4");
}

TEST(ParseSign1Test, CritInUnprotectedIsRefused) {
  CoseRules dcc;
  dcc.allow_unprotected_headers = true;
  Parts p;
  p.unprotected = H("a1028101");
  ExpectMalformed(p, dcc, "critical");
}

// --- Protected header ----------------------------------------------------------------------------

TEST(ParseSign1Test, KidSizeIsEnforced) {
  Parts short_kid;
  short_kid.protected_bytes =
      H("a20126"
        "04"
        "4701020304050607");
  ExpectMalformed(short_kid, CoseRules{}, "kid must be 8 bytes, found 7");
  Parts long_kid;
  long_kid.protected_bytes =
      H("a20126"
        "04"
        "49010203040506070809");
  ExpectMalformed(long_kid, CoseRules{}, "kid must be 8 bytes, found 9");
  Parts empty_kid;
  empty_kid.protected_bytes =
      H("a20126"
        "04"
        "40");
  ExpectMalformed(empty_kid, CoseRules{}, "found 0");
}

// With a kid_size below sizeof(Kid) (allowed: cose.h only refuses a rule above 8 bytes), the
// parser must not take the bytes that follow the kid in the input as part of it: the rest of
// Sign1View::kid stays zero.
TEST(ParseSign1Test, ShortKidSizeDoesNotReadPastTheKid) {
  CoseRules rules;
  rules.kid_size = 4;
  Parts p;
  p.protected_bytes =
      H("a20126"
        "04"
        "4401020304");
  const Bytes cose = p.Encode();
  Sign1View v;
  v.kid.fill(0xEE);  // whatever the caller's view held before
  base::Status s = Parse(cose, rules, &v);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(v.kid, (Kid{1, 2, 3, 4, 0, 0, 0, 0}))
      << "kid tail copied from the bytes after the kid: " << base::ToHex(v.kid);
}

TEST(ParseSign1Test, KidMustBeAByteString) {
  Parts p;
  p.protected_bytes =
      H("a20126"
        "04"
        "6868656c6c6f212121");  // text "hello!!!" as the kid
  ExpectMalformed(p, CoseRules{}, "byte string");
}

TEST(ParseSign1Test, DuplicateLabelsInProtected) {
  Parts p;
  p.protected_bytes =
      H("a30126"
        "04" +
        std::string(kKidHex) + "0126");
  ExpectMalformed(p, CoseRules{}, "duplicate header label 1");
  p.protected_bytes =
      H("a30126"
        "04" +
        std::string(kKidHex) + "04" + std::string(kOtherKidHex));
  ExpectMalformed(p, CoseRules{}, "duplicate header label 4");
  p.protected_bytes =
      H("a40126"
        "04" +
        std::string(kKidHex) + "03000300");  // unknown label 3
  ExpectMalformed(p, CoseRules{}, "duplicate header label 3");
}

TEST(ParseSign1Test, CritIsRefused) {
  Parts p;
  p.protected_bytes =
      H("a30126"
        "0281"
        "01"
        "04" +
        std::string(kKidHex));  // crit: [1]
  ExpectMalformed(p, CoseRules{}, "critical");
  p.protected_bytes =
      H("a30126"
        "0280"
        "04" +
        std::string(kKidHex));  // even an empty crit
  ExpectMalformed(p, CoseRules{}, "critical");
}

TEST(ParseSign1Test, TextLabelsAndUnknownIntegerLabelsAreSkipped) {
  Parts p;
  // {1: -7, 4: kid, "x": [1, {2: 3}], 3: "application/cwt", "1": 5}
  p.protected_bytes =
      H("a50126"
        "04" +
        std::string(kKidHex) +
        "6178"
        "8201a10203"
        "03" +
        "6f6170706c69636174696f6e2f637774" +
        "6131"
        "05");
  const Bytes cose = p.Encode();
  Sign1View v;
  base::Status s = Parse(cose, CoseRules{}, &v);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(v.alg, -7);
  EXPECT_EQ(v.kid, kKid);
}

TEST(ParseSign1Test, TextLabelNamedLikeAlgDoesNotCount) {
  Parts p;
  p.protected_bytes =
      H("a2"
        "6131"
        "26"
        "04" +
        std::string(kKidHex));  // {"1": -7, 4: kid}
  ExpectMalformed(p, CoseRules{}, "no algorithm");
}

TEST(ParseSign1Test, EmptyProtectedBstrMeansNoAlgorithm) {
  Parts p;
  p.protected_bytes.clear();
  ExpectMalformed(p, CoseRules{}, "no algorithm");
}

TEST(ParseSign1Test, EmptyProtectedMapMeansNoAlgorithm) {
  Parts p;
  p.protected_bytes = H("a0");
  ExpectMalformed(p, CoseRules{}, "no algorithm");
}

TEST(ParseSign1Test, MissingKid) {
  Parts p;
  p.protected_bytes = H("a10126");
  ExpectMalformed(p, CoseRules{}, "no kid");
}

TEST(ParseSign1Test, AlgMustBeAnInteger) {
  Parts p;
  p.protected_bytes =
      H("a201654553323536"
        "04" +
        std::string(kKidHex));  // alg "ES256"
  ExpectMalformed(p, CoseRules{}, "integer");
}

TEST(ParseSign1Test, ProtectedHeaderMustBeAMapWithNothingAfterIt) {
  Parts p;
  p.protected_bytes =
      H("a20126"
        "04" +
        std::string(kKidHex) + "00");
  ExpectMalformed(p, CoseRules{}, "trailing bytes in protected header");
  p.protected_bytes = H("820126");
  ExpectMalformed(p, CoseRules{}, "expected a map");
}

TEST(ParseSign1Test, ProtectedHeaderNestingCountsAgainstTheLimit) {
  Parts p;
  // {1: -7, 4: kid, 99: [[[[0]]]]}: the map plus four arrays is depth 5.
  p.protected_bytes =
      H("a30126"
        "04" +
        std::string(kKidHex) +
        "1863"
        "8181818100");
  ExpectMalformed(p, CoseRules{}, "nesting too deep");
  p.protected_bytes =
      H("a30126"
        "04" +
        std::string(kKidHex) +
        "1863"
        "81818100");
  const Bytes cose = p.Encode();
  Sign1View v;
  EXPECT_TRUE(Parse(cose, CoseRules{}, &v).ok());
}

// --- Structure -----------------------------------------------------------------------------------

TEST(ParseSign1Test, MustBeAnArrayOfFour) {
  Bytes three =
      H("d283"
        "4d"
        "a20126"
        "04" +
        std::string(kKidHex) +
        "a0"
        "40");
  Sign1View v;
  base::Status s = Parse(three, CoseRules{}, &v);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("array of 4, found 3"), std::string::npos) << s.message();
  Bytes map = H("d2a0");
  EXPECT_FALSE(Parse(map, CoseRules{}, &v).ok());
}

TEST(ParseSign1Test, ProtectedMustBeAByteString) {
  Bytes cose;
  card::CborWriter w(&cose);
  w.Tag(18);
  w.Array(4);
  w.Raw(
      H("a20126"
        "04" +
        std::string(kKidHex)));  // the map itself instead of a bstr
  w.Raw(H("a0"));
  w.ByteString(H("a0"));
  w.ByteString(Bytes(64, 0));
  Sign1View v;
  EXPECT_FALSE(Parse(cose, CoseRules{}, &v).ok());
}

TEST(ParseSign1Test, DetachedPayloadIsRefused) {
  Bytes cose;
  card::CborWriter w(&cose);
  w.Tag(18);
  w.Array(4);
  w.ByteString(card::EncodeProtectedHeader(card::Alg::kES256, kKid));
  w.Map(0);
  w.Raw(H("f6"));  // nil
  w.ByteString(Bytes(64, 0));
  Sign1View v;
  base::Status s = Parse(cose, CoseRules{}, &v);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("detached"), std::string::npos) << s.message();
}

TEST(ParseSign1Test, SignatureMustBeAByteString) {
  Bytes cose;
  card::CborWriter w(&cose);
  w.Tag(18);
  w.Array(4);
  w.ByteString(card::EncodeProtectedHeader(card::Alg::kES256, kKid));
  w.Map(0);
  w.ByteString(H("a0"));
  w.Text("signature");
  Sign1View v;
  EXPECT_FALSE(Parse(cose, CoseRules{}, &v).ok());
}

TEST(ParseSign1Test, TrailingBytesAfterTheArray) {
  Parts p;
  p.trailing = {0x00};
  ExpectMalformed(p, CoseRules{}, "trailing bytes after COSE_Sign1");
}

TEST(ParseSign1Test, TruncatedInputsFailCleanly) {
  const Bytes cose = Parts().Encode();
  for (size_t len = 0; len < cose.size(); ++len) {
    const Bytes cut(cose.begin(), cose.begin() + static_cast<std::ptrdiff_t>(len));
    Sign1View v;
    EXPECT_FALSE(Parse(cut, CoseRules{}, &v).ok()) << len;
  }
}

}  // namespace
