// CWT claims carrying the membership card: encoding, parsing and the rules between them.
#include "card/claims.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/hex.h"
#include "card/cbor.h"
#include "card/profile.h"

namespace {

using base::Bytes;
using base::StatusCode;
using card::Category;
using card::CborWriter;
using card::Claims;
using card::ClaimsRules;
using card::MemberCard;

constexpr int64_t kIat = 1'700'000'000;  // 2023-11-14T22:13:20Z
constexpr int64_t kExp = kIat + 365 * 86400;
const card::Rid kRid = {0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80};

Claims MakeClaims() {
  Claims c;
  c.iss = "RU-EDU-69";
  c.iat = kIat;
  c.exp = kExp;
  MemberCard& card = c.card.emplace();
  card.rid = kRid;
  card.serial = 3;
  card.org = "RU-EDU-69-SCH12";
  card.category = Category::kStudent;
  card.name = "Anna I.";
  card.number = "0012345";
  return c;
}

Bytes Build(const std::function<void(CborWriter&)>& write) {
  Bytes out;
  CborWriter w(&out);
  write(w);
  return out;
}

// A valid card map: {1: rid, 2: 3, 3: "ORG", 4: 1}.
void WriteCard(CborWriter& w) {
  w.Map(4);
  w.Uint(1);
  w.ByteString(kRid);
  w.Uint(2);
  w.Uint(3);
  w.Uint(3);
  w.Text("ORG");
  w.Uint(4);
  w.Uint(1);
}

base::Status Parse(const Bytes& payload, const ClaimsRules& rules, Claims* out) {
  return card::ParseClaims(payload, rules, out);
}

void ExpectRefused(const Bytes& payload, const ClaimsRules& rules, const std::string& part) {
  Claims out;
  base::Status s = Parse(payload, rules, &out);
  EXPECT_FALSE(s.ok()) << base::ToHex(payload);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find(part), std::string::npos) << "'" << part << "' not in " << s.message();
}

Claims RoundTrip(const Claims& in) {
  base::Result<Bytes> enc = card::EncodeClaims(in);
  EXPECT_TRUE(enc.ok()) << enc.status().ToString();
  Claims out;
  if (!enc.ok()) return out;
  base::Status s = Parse(*enc, ClaimsRules{}, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// EncodeClaims refuses `c` (InvalidArgument) and, when `part` is given, says why.
void ExpectEncodeRefused(const Claims& c, std::string_view part = "") {
  base::Result<Bytes> enc = card::EncodeClaims(c);
  ASSERT_FALSE(enc.ok()) << "encoded: " << base::ToHex(*enc);
  EXPECT_EQ(enc.status().code(), StatusCode::kInvalidArgument) << enc.status().ToString();
  EXPECT_NE(enc.status().message().find(part), std::string::npos)
      << "'" << part << "' not in " << enc.status().message();
}

// --- Round trip ----------------------------------------------------------------------------------

TEST(ClaimsTest, RoundTripWithNameAndNumber) {
  const Claims in = MakeClaims();
  const Claims out = RoundTrip(in);
  EXPECT_EQ(out.iss, "RU-EDU-69");
  EXPECT_EQ(out.iat, kIat);
  EXPECT_EQ(out.exp, kExp);
  ASSERT_TRUE(out.card.has_value());
  EXPECT_EQ(out.card->rid, kRid);
  EXPECT_EQ(out.card->serial, 3u);
  EXPECT_EQ(out.card->org, "RU-EDU-69-SCH12");
  EXPECT_EQ(out.card->category, Category::kStudent);
  EXPECT_EQ(out.card->name, std::optional<std::string>("Anna I."));
  EXPECT_EQ(out.card->number, std::optional<std::string>("0012345"));
}

TEST(ClaimsTest, RoundTripWithoutOptionalFields) {
  Claims in = MakeClaims();
  in.card->name.reset();
  in.card->number.reset();
  const Claims out = RoundTrip(in);
  ASSERT_TRUE(out.card.has_value());
  EXPECT_FALSE(out.card->name.has_value());
  EXPECT_FALSE(out.card->number.has_value());
}

TEST(ClaimsTest, RoundTripOnlyNumberOrOnlyName) {
  Claims only_number = MakeClaims();
  only_number.card->name.reset();
  Claims out = RoundTrip(only_number);
  ASSERT_TRUE(out.card.has_value());
  EXPECT_FALSE(out.card->name.has_value());
  EXPECT_EQ(out.card->number, std::optional<std::string>("0012345"));

  Claims only_name = MakeClaims();
  only_name.card->number.reset();
  out = RoundTrip(only_name);
  ASSERT_TRUE(out.card.has_value());
  EXPECT_EQ(out.card->name, std::optional<std::string>("Anna I."));
  EXPECT_FALSE(out.card->number.has_value());
}

TEST(ClaimsTest, RoundTripEveryCategoryAndExtremeValues) {
  for (Category cat :
       {Category::kEmployee, Category::kStudent, Category::kRetired, Category::kUnionStaff}) {
    Claims in = MakeClaims();
    in.card->category = cat;
    in.card->serial = UINT32_MAX;
    in.iat = 0;
    in.exp = 1;
    const Claims out = RoundTrip(in);
    ASSERT_TRUE(out.card.has_value());
    EXPECT_EQ(out.card->category, cat);
    EXPECT_EQ(out.card->serial, UINT32_MAX);
    EXPECT_EQ(out.iat, 0);
    EXPECT_EQ(out.exp, 1);
  }
}

TEST(ClaimsTest, CategoryNames) {
  EXPECT_EQ(card::CategoryName(Category::kEmployee), "employee");
  EXPECT_EQ(card::CategoryName(Category::kStudent), "student");
  EXPECT_EQ(card::CategoryName(Category::kRetired), "retired");
  EXPECT_EQ(card::CategoryName(Category::kUnionStaff), "union_staff");
}

TEST(ClaimsTest, NonAsciiNamesRoundTrip) {
  for (const std::string name :
       {"Анна Иванова", "Әлия Қайратқызы", "Жанар Өмірбекқызы", "Ғалым Ұ.", "Ёлка Ъ"}) {
    ASSERT_LE(name.size(), card::kMaxNameBytes) << name;
    Claims in = MakeClaims();
    in.card->name = name;
    in.card->org = "ҚР-БІЛІМ";
    const Claims out = RoundTrip(in);
    ASSERT_TRUE(out.card.has_value());
    EXPECT_EQ(out.card->name, std::optional<std::string>(name));
    EXPECT_EQ(out.card->org, "ҚР-БІЛІМ");
  }
}

TEST(ClaimsTest, NameOfExactlyFortyBytes) {
  std::string name;
  for (int i = 0; i < 20; ++i) name += "Ж";  // 2 bytes each
  ASSERT_EQ(name.size(), 40u);
  Claims in = MakeClaims();
  in.card->name = name;
  const Claims out = RoundTrip(in);
  ASSERT_TRUE(out.card.has_value());
  EXPECT_EQ(out.card->name, std::optional<std::string>(name));
}

TEST(ClaimsTest, LimitsAtTheirMaximum) {
  Claims in = MakeClaims();
  in.iss = std::string(32, 'I');
  in.card->org = std::string(32, 'O');
  in.card->number = std::string(20, '9');
  const Claims out = RoundTrip(in);
  EXPECT_EQ(out.iss.size(), 32u);
  ASSERT_TRUE(out.card.has_value());
  EXPECT_EQ(out.card->org.size(), 32u);
  EXPECT_EQ(out.card->number->size(), 20u);
}

// --- Deterministic encoding ----------------------------------------------------------------------

TEST(ClaimsTest, EncodingIsDeterministicWithKeysInOrder) {
  Claims c;
  c.iss = "X";
  c.iat = 100;
  c.exp = 200;
  MemberCard& card = c.card.emplace();
  card.rid = {1, 2, 3, 4, 5, 6, 7, 8};
  card.serial = 3;
  card.org = "O";
  card.category = Category::kStudent;
  base::Result<Bytes> enc = card::EncodeClaims(c);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(base::ToHex(*enc),
            "a4"  // map of 4
            "01"
            "6158"  // 1: "X"
            "04"
            "18c8"  // 4: 200
            "06"
            "1864"        // 6: 100
            "3a0001116f"  // -70000:
            "a4"          //   map of 4
            "01"
            "480102030405060708"  //   1: rid
            "02"
            "03"  //   2: 3
            "03"
            "614f"  //   3: "O"
            "04"
            "01");  //   4: 1
}

TEST(ClaimsTest, EncodingStartsWithIssAndHasOptionalCardKeysLast) {
  base::Result<Bytes> enc = card::EncodeClaims(MakeClaims());
  ASSERT_TRUE(enc.ok());
  const std::string hex = base::ToHex(*enc);
  EXPECT_EQ(hex.substr(0, 6), "a40169");  // {1: text(9) ...
  const size_t card_at = hex.find("3a0001116f");
  ASSERT_NE(card_at, std::string::npos);
  EXPECT_EQ(hex.substr(card_at + 10, 2), "a6");  // all six card keys
  EXPECT_LT(hex.find("04"
                     "1a"),
            hex.find("06"
                     "1a"));  // exp before iat
  EXPECT_EQ(hex.substr(hex.size() - 18),
            "06"
            "67"
            "30303132333435");  // 6: "0012345" ends it
}

TEST(ClaimsTest, SameClaimsEncodeToTheSameBytes) {
  EXPECT_EQ(card::EncodeClaims(MakeClaims()).value(), card::EncodeClaims(MakeClaims()).value());
}

// --- EncodeClaims refuses what the parser would refuse -------------------------------------------

TEST(EncodeClaimsTest, MissingCard) {
  Claims c = MakeClaims();
  c.card.reset();
  ExpectEncodeRefused(c);
}

TEST(EncodeClaimsTest, IssLimits) {
  Claims c = MakeClaims();
  c.iss = std::string(33, 'I');
  ExpectEncodeRefused(c);
  c.iss = "";
  ExpectEncodeRefused(c);
  c.iss = "RU\tEDU";
  ExpectEncodeRefused(c);
  c.iss = "RU\xc0\x80";
  ExpectEncodeRefused(c);
}

TEST(EncodeClaimsTest, OrgLimits) {
  Claims c = MakeClaims();
  c.card->org = "";
  ExpectEncodeRefused(c);
  c.card->org = std::string(33, 'O');
  ExpectEncodeRefused(c);
  c.card->org = "ORG\x7f";
  ExpectEncodeRefused(c);
}

TEST(EncodeClaimsTest, NameLimits) {
  Claims c = MakeClaims();
  std::string name;
  for (int i = 0; i < 20; ++i) name += "Ж";
  c.card->name = name + "x";  // 41 bytes
  ExpectEncodeRefused(c);
  c.card->name = "Anna\nI.";
  ExpectEncodeRefused(c);
  c.card->name = "\x1b[2JAnna";
  ExpectEncodeRefused(c);
  c.card->name = "Anna \xed\xa0\x80";  // surrogate
  ExpectEncodeRefused(c);
  c.card->name = "";  // empty but present is allowed
  EXPECT_TRUE(card::EncodeClaims(c).ok());
}

TEST(EncodeClaimsTest, NumberLimits) {
  Claims c = MakeClaims();
  c.card->number = std::string(21, '1');
  ExpectEncodeRefused(c);
  c.card->number = "12\r34";
  ExpectEncodeRefused(c);
}

TEST(EncodeClaimsTest, TimeOrder) {
  Claims c = MakeClaims();
  c.exp = c.iat;
  ExpectEncodeRefused(c);
  c.exp = c.iat - 1;
  ExpectEncodeRefused(c);
  c.iat = -1;
  c.exp = 100;
  ExpectEncodeRefused(c);
}

// claims.h: EncodeClaims "fails on values outside the limits the parser enforces, so that nothing
// is issued that a verifier would refuse". The parser refuses both of these values, so the encoder
// must refuse them (these tests once passed whether it did or not).
TEST(EncodeClaimsTest, WhatItEncodesTheParserAccepts_ExpBeyondTimeRange) {
  Claims c = MakeClaims();
  c.exp = (int64_t{1} << 40) + 1;  // the parser's limit for iat/exp is 2^40
  ExpectEncodeRefused(c, "2^40");
}

TEST(EncodeClaimsTest, WhatItEncodesTheParserAccepts_UnknownCategory) {
  Claims c = MakeClaims();
  c.card->category = static_cast<Category>(card::kMaxCategory + 1);
  ExpectEncodeRefused(c, "unknown category");
}

TEST(EncodeClaimsTest, TimeAtTheParserLimitRoundTrips) {
  Claims c = MakeClaims();
  c.exp = int64_t{1} << 40;
  const Claims out = RoundTrip(c);
  EXPECT_EQ(out.exp, int64_t{1} << 40);
}

// --- Parser --------------------------------------------------------------------------------------

// {1: iss, 4: exp, 6: iat, -70000: card} followed by `extra` pairs written by `more`.
Bytes Payload(int extra, const std::function<void(CborWriter&)>& more) {
  return Build([&](CborWriter& w) {
    w.Map(4 + static_cast<uint64_t>(extra));
    w.Int(card::kClaimIss);
    w.Text("ISS");
    w.Int(card::kClaimExp);
    w.Uint(static_cast<uint64_t>(kExp));
    w.Int(card::kClaimIat);
    w.Uint(static_cast<uint64_t>(kIat));
    w.Int(card::kClaimCard);
    WriteCard(w);
    more(w);
  });
}

TEST(ParseClaimsTest, ParsesAHandWrittenPayload) {
  Claims out;
  base::Status s = Parse(Payload(0, [](CborWriter&) {}), ClaimsRules{}, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out.iss, "ISS");
  ASSERT_TRUE(out.card.has_value());
  EXPECT_EQ(out.card->org, "ORG");
  EXPECT_EQ(out.card->category, Category::kStudent);
}

TEST(ParseClaimsTest, UnknownIntegerAndTextClaimsAreSkipped) {
  const Bytes payload = Payload(4, [](CborWriter& w) {
    w.Uint(7);  // cti
    w.ByteString(Bytes{1, 2, 3});
    w.Uint(99);
    w.Array(2);
    w.Uint(1);
    w.Map(1);
    w.Uint(2);
    w.Text("deep");
    w.Text("foo");
    w.Map(1);
    w.Text("bar");
    w.Int(-5);
    w.Int(-1000);
    w.Tag(1);
    w.Uint(12345);
  });
  Claims out;
  base::Status s = Parse(payload, ClaimsRules{}, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out.iat, kIat);
  EXPECT_EQ(out.exp, kExp);
}

TEST(ParseClaimsTest, UnknownCardKeysAreSkipped) {
  const Bytes payload = Build([](CborWriter& w) {
    w.Map(4);
    w.Int(1);
    w.Text("ISS");
    w.Int(4);
    w.Uint(static_cast<uint64_t>(kExp));
    w.Int(6);
    w.Uint(static_cast<uint64_t>(kIat));
    w.Int(card::kClaimCard);
    w.Map(5);
    w.Uint(1);
    w.ByteString(kRid);
    w.Uint(2);
    w.Uint(3);
    w.Uint(3);
    w.Text("ORG");
    w.Uint(4);
    w.Uint(2);
    w.Uint(9);
    w.Text("future field");
  });
  Claims out;
  base::Status s = Parse(payload, ClaimsRules{}, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out.card->category, Category::kRetired);
}

TEST(ParseClaimsTest, UnknownClaimsObeyTheNestingLimit) {
  auto nested = [](int arrays) {
    return Payload(1, [arrays](CborWriter& w) {
      w.Uint(99);
      for (int i = 0; i < arrays; ++i) w.Array(1);
      w.Uint(0);
    });
  };
  Claims out;
  EXPECT_TRUE(Parse(nested(3), ClaimsRules{}, &out).ok());  // claims map + 3 arrays = depth 4
  ExpectRefused(nested(4), ClaimsRules{}, "nesting too deep");
}

TEST(ParseClaimsTest, DuplicateKeysAreRefused) {
  ExpectRefused(Payload(1,
                        [](CborWriter& w) {
                          w.Int(card::kClaimIat);
                          w.Uint(1);
                        }),
                ClaimsRules{}, "duplicate key 6");
}

TEST(ParseClaimsTest, DisplayTextLimitsAreEnforced) {
  std::string forty_one;
  for (int i = 0; i < 20; ++i) forty_one += "Ж";
  forty_one += "x";
  auto with_card_text = [](uint64_t key, const std::string& text) {
    return Build([&](CborWriter& w) {
      w.Map(4);
      w.Int(1);
      w.Text("ISS");
      w.Int(4);
      w.Uint(static_cast<uint64_t>(kExp));
      w.Int(6);
      w.Uint(static_cast<uint64_t>(kIat));
      w.Int(card::kClaimCard);
      w.Map(5);
      w.Uint(1);
      w.ByteString(kRid);
      w.Uint(2);
      w.Uint(3);
      w.Uint(3);
      w.Text(key == 3 ? text : "ORG");
      w.Uint(4);
      w.Uint(1);
      w.Uint(key == 3 ? 5 : key);
      w.Text(key == 3 ? "ok" : text);
    });
  };
  ExpectRefused(with_card_text(5, forty_one), ClaimsRules{}, "name is 41 bytes");
  ExpectRefused(with_card_text(5, "Anna\nI."), ClaimsRules{}, "control characters");
  ExpectRefused(with_card_text(6, std::string(21, '7')), ClaimsRules{}, "number is 21 bytes");
  ExpectRefused(with_card_text(3, std::string(33, 'O')), ClaimsRules{}, "org is 33 bytes");
}

TEST(ParseClaimsTest, IssLimitIsEnforced) {
  const Bytes payload = Build([](CborWriter& w) {
    w.Map(1);
    w.Int(1);
    w.Text(std::string(33, 'I'));
  });
  ExpectRefused(payload, ClaimsRules{}, "iss is 33 bytes");
}

TEST(ParseClaimsTest, RequiredClaims) {
  const Bytes no_iss = Build([](CborWriter& w) {
    w.Map(3);
    w.Int(4);
    w.Uint(static_cast<uint64_t>(kExp));
    w.Int(6);
    w.Uint(static_cast<uint64_t>(kIat));
    w.Int(card::kClaimCard);
    WriteCard(w);
  });
  ExpectRefused(no_iss, ClaimsRules{}, "iss is required");
  ClaimsRules no_iss_ok;
  no_iss_ok.require_iss = false;
  Claims out;
  EXPECT_TRUE(Parse(no_iss, no_iss_ok, &out).ok());

  const Bytes no_card = Build([](CborWriter& w) {
    w.Map(3);
    w.Int(1);
    w.Text("ISS");
    w.Int(4);
    w.Uint(static_cast<uint64_t>(kExp));
    w.Int(6);
    w.Uint(static_cast<uint64_t>(kIat));
  });
  ExpectRefused(no_card, ClaimsRules{}, "card claim -70000 is required");

  const Bytes no_exp = Build([](CborWriter& w) {
    w.Map(3);
    w.Int(1);
    w.Text("ISS");
    w.Int(6);
    w.Uint(static_cast<uint64_t>(kIat));
    w.Int(card::kClaimCard);
    WriteCard(w);
  });
  ExpectRefused(no_exp, ClaimsRules{}, "iat and exp are required");
}

TEST(ParseClaimsTest, CardFieldsAreChecked) {
  auto card_payload = [](const std::function<void(CborWriter&)>& card_map) {
    return Build([&](CborWriter& w) {
      w.Map(4);
      w.Int(1);
      w.Text("ISS");
      w.Int(4);
      w.Uint(static_cast<uint64_t>(kExp));
      w.Int(6);
      w.Uint(static_cast<uint64_t>(kIat));
      w.Int(card::kClaimCard);
      card_map(w);
    });
  };
  auto four = [](const Bytes& rid, uint64_t serial, uint64_t category) {
    return [=](CborWriter& w) {
      w.Map(4);
      w.Uint(1);
      w.ByteString(rid);
      w.Uint(2);
      w.Uint(serial);
      w.Uint(3);
      w.Text("ORG");
      w.Uint(4);
      w.Uint(category);
    };
  };
  const Bytes rid8(8, 1);
  ExpectRefused(card_payload(four(Bytes(7, 1), 1, 0)), ClaimsRules{}, "rid must be 8 bytes");
  ExpectRefused(card_payload(four(Bytes(9, 1), 1, 0)), ClaimsRules{}, "rid must be 8 bytes");
  ExpectRefused(card_payload(four(rid8, uint64_t{UINT32_MAX} + 1, 0)), ClaimsRules{},
                "serial out of range");
  ExpectRefused(card_payload(four(rid8, 1, 4)), ClaimsRules{}, "unknown category 4");
  ExpectRefused(card_payload([](CborWriter& w) {
                  w.Map(3);
                  w.Uint(1);
                  w.ByteString(Bytes(8, 1));
                  w.Uint(2);
                  w.Uint(1);
                  w.Uint(3);
                  w.Text("ORG");
                }),
                ClaimsRules{}, "card lacks");
  ExpectRefused(card_payload([](CborWriter& w) { w.Array(0); }), ClaimsRules{}, "expected a map");
}

TEST(ParseClaimsTest, TimesMustBeUnsignedIntegersInRange) {
  auto with_iat = [](const std::function<void(CborWriter&)>& iat) {
    return Build([&](CborWriter& w) {
      w.Map(4);
      w.Int(1);
      w.Text("ISS");
      w.Int(4);
      w.Uint(static_cast<uint64_t>(kExp));
      w.Int(6);
      iat(w);
      w.Int(card::kClaimCard);
      WriteCard(w);
    });
  };
  ExpectRefused(with_iat([](CborWriter& w) { w.Int(-1); }), ClaimsRules{},
                "iat must be an unsigned integer");
  ExpectRefused(with_iat([](CborWriter& w) { w.Text("2023-11-14"); }), ClaimsRules{},
                "iat must be an unsigned integer");
  ExpectRefused(with_iat([](CborWriter& w) { w.Uint((uint64_t{1} << 40) + 1); }), ClaimsRules{},
                "iat out of range");
  Claims out;
  EXPECT_TRUE(
      Parse(with_iat([](CborWriter& w) { w.Uint(uint64_t{1} << 40); }), ClaimsRules{}, &out).ok());
}

TEST(ParseClaimsTest, TrailingBytesAreRefused) {
  Bytes payload = card::EncodeClaims(MakeClaims()).value();
  payload.push_back(0x00);
  ExpectRefused(payload, ClaimsRules{}, "trailing bytes");
}

TEST(ParseClaimsTest, NotAMap) {
  ExpectRefused(base::FromHex("80").value(), ClaimsRules{}, "expected a map");
  ExpectRefused(Bytes{}, ClaimsRules{}, "end of input");
}

// --- Float NumericDate ---------------------------------------------------------------------------

// {1: "ISS", 4: exp, 6: <iat as raw CBOR>, -70000: card}
Bytes WithRawIat(std::string_view iat_hex) {
  return Build([&](CborWriter& w) {
    w.Map(4);
    w.Int(1);
    w.Text("ISS");
    w.Int(4);
    w.Uint(static_cast<uint64_t>(kExp));
    w.Int(6);
    w.Raw(base::FromHex(iat_hex).value());
    w.Int(card::kClaimCard);
    WriteCard(w);
  });
}

ClaimsRules FloatRules() {
  ClaimsRules r;
  r.allow_float_time = true;
  return r;
}

TEST(FloatTimeTest, RefusedWithoutTheRule) {
  ExpectRefused(WithRawIat("fb41d954fc40000000"), ClaimsRules{}, "iat must be an unsigned integer");
}

TEST(FloatTimeTest, AcceptedWithTheRuleAndTruncated) {
  Claims out;
  ASSERT_TRUE(Parse(WithRawIat("fb41d954fc40000000"), FloatRules(), &out).ok());
  EXPECT_EQ(out.iat, kIat);
  ASSERT_TRUE(Parse(WithRawIat("fb41d954fc40300000"), FloatRules(), &out).ok());  // +0.75 s
  EXPECT_EQ(out.iat, kIat);
  ASSERT_TRUE(Parse(WithRawIat("fa4ecaa7e2"), FloatRules(), &out).ok());  // single precision
  EXPECT_EQ(out.iat, kIat);
  ASSERT_TRUE(Parse(WithRawIat("f93c00"), FloatRules(), &out).ok());  // half: 1.0
  EXPECT_EQ(out.iat, 1);
  ASSERT_TRUE(Parse(WithRawIat("fb4270000000000000"), FloatRules(), &out).ok());  // 2^40
  EXPECT_EQ(out.iat, int64_t{1} << 40);
}

TEST(FloatTimeTest, IntegersStillWorkWithTheRule) {
  Claims out;
  ASSERT_TRUE(Parse(WithRawIat("1a6553f100"), FloatRules(), &out).ok());
  EXPECT_EQ(out.iat, kIat);
}

TEST(FloatTimeTest, NanNegativeAndHugeAreRefused) {
  for (const char* hex : {"f97e00", "fb7ff8000000000000", "f9bc00", "fbbff0000000000000",
                          "fb7e37e43c8800759c", "f97c00", "fb4270000000001000"}) {
    ExpectRefused(WithRawIat(hex), FloatRules(), "iat out of range");
  }
}

TEST(FloatTimeTest, OtherSimpleValuesAreRefused) {
  ExpectRefused(WithRawIat("f5"), FloatRules(), "expected a float");
  ExpectRefused(WithRawIat("f6"), FloatRules(), "expected a float");
}

// --- EU DCC hcert --------------------------------------------------------------------------------

ClaimsRules DccRules() {
  ClaimsRules r;
  r.require_card = false;
  r.allow_float_time = true;
  r.require_dcc_hcert = true;
  return r;
}

// {1: "DE", 4: exp, 6: iat, -260: <hcert>}
Bytes DccPayload(const std::function<void(CborWriter&)>& hcert) {
  return Build([&](CborWriter& w) {
    w.Map(4);
    w.Int(1);
    w.Text("DE");
    w.Int(4);
    w.Uint(static_cast<uint64_t>(kExp));
    w.Int(6);
    w.Uint(static_cast<uint64_t>(kIat));
    w.Int(card::kClaimDccHcert);
    hcert(w);
  });
}

void WriteHcert(CborWriter& w) {
  w.Map(1);
  w.Uint(1);
  w.Map(2);
  w.Text("ver");
  w.Text("1.3.0");
  w.Text("nam");
  w.Map(1);
  w.Text("fn");
  w.Text("Mustermann");
}

TEST(DccHcertTest, AcceptedWhenRequired) {
  Claims out;
  base::Status s = Parse(DccPayload(WriteHcert), DccRules(), &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out.iss, "DE");
  EXPECT_FALSE(out.card.has_value());
}

TEST(DccHcertTest, MissingHcertIsRefused) {
  const Bytes payload = Build([](CborWriter& w) {
    w.Map(3);
    w.Int(1);
    w.Text("DE");
    w.Int(4);
    w.Uint(static_cast<uint64_t>(kExp));
    w.Int(6);
    w.Uint(static_cast<uint64_t>(kIat));
  });
  ExpectRefused(payload, DccRules(), "hcert claim -260 is required");
}

TEST(DccHcertTest, ShapeIsChecked) {
  ExpectRefused(DccPayload([](CborWriter& w) {
                  w.Map(1);
                  w.Uint(1);
                  w.Uint(5);
                }),
                DccRules(), "hcert entry 1 is not a map");
  ExpectRefused(DccPayload([](CborWriter& w) {
                  w.Map(1);
                  w.Uint(2);
                  w.Map(0);
                }),
                DccRules(), "hcert lacks entry 1");
  ExpectRefused(DccPayload([](CborWriter& w) { w.Array(0); }), DccRules(), "expected a map");
}

// {1: iss, 4: exp, 6: iat, -260: <hcert>}
Bytes DccPayloadWithIss(const std::string& iss) {
  return Build([&](CborWriter& w) {
    w.Map(4);
    w.Int(1);
    w.Text(iss);
    w.Int(4);
    w.Uint(static_cast<uint64_t>(kExp));
    w.Int(6);
    w.Uint(static_cast<uint64_t>(kIat));
    w.Int(card::kClaimDccHcert);
    WriteHcert(w);
  });
}

// The DCC profile does not inherit the card format's 32-byte iss: Georgia's vectors carry 80.
TEST(DccHcertTest, DccProfileTakesALongIss) {
  const std::string georgia =
      "Ministry of IDPs from the occupied territories, Labour, Health and SA of Georgia";
  ASSERT_EQ(georgia.size(), 80u);
  Claims out;
  base::Status s = Parse(DccPayloadWithIss(georgia), card::kDccProfile.claims, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out.iss, georgia);
  const std::string at_limit(card::kDccProfile.max_inflated_bytes - 64, 'G');
  EXPECT_TRUE(Parse(DccPayloadWithIss(at_limit), card::kDccProfile.claims, &out).ok());
}

// The member card keeps its 32-byte iss, in its profile and in the default rules.
TEST(DccHcertTest, CardProfileKeepsThirtyTwoByteIss) {
  EXPECT_EQ(card::kCardProfile.claims.max_iss_bytes, 32u);
  EXPECT_EQ(ClaimsRules{}.max_iss_bytes, 32u);
  Claims c = MakeClaims();
  c.iss = std::string(32, 'I');
  base::Result<Bytes> enc = card::EncodeClaims(c);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  Claims out;
  EXPECT_TRUE(Parse(*enc, card::kCardProfile.claims, &out).ok());
  c.iss = std::string(33, 'I');
  EXPECT_FALSE(card::EncodeClaims(c).ok());

  ClaimsRules no_card = card::kCardProfile.claims;
  no_card.require_card = false;
  ExpectRefused(DccPayloadWithIss(std::string(33, 'I')), card::kCardProfile.claims,
                "iss is 33 bytes");
  ExpectRefused(DccPayloadWithIss(std::string(80, 'I')), no_card, "iss is 80 bytes, limit 32");
}

TEST(DccHcertTest, HcertIsAnUnknownClaimWithoutTheRule) {
  // Without the rule, -260 is skipped, and the membership profile still wants its card.
  ExpectRefused(DccPayload(WriteHcert), ClaimsRules{}, "card claim -70000 is required");
  ClaimsRules no_card;
  no_card.require_card = false;
  Claims out;
  EXPECT_TRUE(Parse(DccPayload([](CborWriter& w) { w.Uint(5); }), no_card, &out).ok());
}

}  // namespace
