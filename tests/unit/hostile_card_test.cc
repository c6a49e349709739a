// Hostile input: every limit and every way a card can be broken gets a clear verdict and never a
// crash, a hang or an over-sized allocation.
#include <gtest/gtest.h>

#include <random>

#include "card/base45.h"
#include "card/cose.h"
#include "card/verifier.h"
#include "card/zlib_codec.h"
#include "test_cards.h"

namespace {

using card::Stage;
using card::Verdict;
using testing_cards::CoseParts;
using testing_cards::kNow;

class HostileCardTest : public ::testing::Test {
 protected:
  HostileCardTest() : key_(testing_cards::MakeKey(card::Alg::kES256)), clock_(kNow) {
    kid_ = key_.Public()->kid();
    keys_.Add({.kid = kid_, .iss = "", .key = *key_.Public()});
    payload_ = *card::EncodeClaims(testing_cards::DefaultClaims());
  }

  card::Verification Verify(const std::string& text) {
    card::Verifier v(keys_, nullptr, clock_);
    return v.Verify(text);
  }
  // A signed COSE with the given protected header and payload, wrapped as card text.
  std::string Signed(const base::Bytes& prot, const base::Bytes& payload, bool tag = true) {
    CoseParts p;
    if (!tag) p.tag.reset();
    p.protected_bytes = prot;
    p.payload = payload;
    p.signature = testing_cards::SignParts(key_, prot, payload);
    return testing_cards::Wrap(testing_cards::EncodeCose(p));
  }
  std::string SignedPayload(const base::Bytes& payload) {
    return Signed(testing_cards::ProtectedHeader(-7, kid_), payload);
  }
  void ExpectMalformed(const std::string& text, Stage stage, const std::string& detail_part = "") {
    card::Verification v = Verify(text);
    EXPECT_EQ(v.verdict, Verdict::kMalformed) << card::VerdictCode(v.verdict) << " " << v.detail;
    EXPECT_EQ(v.stage, stage) << card::StageName(v.stage) << ": " << v.detail;
    if (!detail_part.empty()) {
      EXPECT_NE(v.detail.find(detail_part), std::string::npos) << v.detail;
    }
  }

  card::PrivateKey key_;
  card::Kid kid_{};
  card::MemoryKeyStore keys_;
  base::FakeClock clock_;
  base::Bytes payload_;
};

TEST_F(HostileCardTest, GoodCardIsValidAsBaseline) {
  EXPECT_EQ(Verify(SignedPayload(payload_)).verdict, Verdict::kValid);
}

TEST_F(HostileCardTest, EmptyAndPrefixOnly) {
  ExpectMalformed("", Stage::kPrefix);
  ExpectMalformed("UC1:", Stage::kCose);
  ExpectMalformed("HC1:NCFOXN", Stage::kPrefix);
  ExpectMalformed("uc1:ABC", Stage::kPrefix);
}

TEST_F(HostileCardTest, OversizedTextIsRefusedBeforeDecoding) {
  ExpectMalformed("UC1:" + std::string(1021, '0'), Stage::kSize, "limit 1024");
  // 1024 bytes exactly passes the size check and fails later.
  card::Verification v = Verify("UC1:" + std::string(1020, '0'));
  EXPECT_NE(v.stage, Stage::kSize);
}

TEST_F(HostileCardTest, TruncatedTextAtEveryLength) {
  const std::string text = SignedPayload(payload_);
  for (size_t len = 0; len < text.size(); ++len) {
    card::Verification v = Verify(text.substr(0, len));
    EXPECT_EQ(v.verdict, Verdict::kMalformed) << "length " << len;
  }
}

TEST_F(HostileCardTest, BadBase45) {
  std::string text = SignedPayload(payload_);
  text[10] = 'a';  // lower case is outside the alphabet
  ExpectMalformed(text, Stage::kBase45, "invalid character");
  ExpectMalformed("UC1:GGW", Stage::kBase45, "overflows");  // 3-char group above 65535
  ExpectMalformed("UC1:ABCD", Stage::kBase45, "dangling");
}

TEST_F(HostileCardTest, ZlibBombIsStoppedAtTheLimit) {
  base::Bytes zeros(256 << 10, 0);  // 256 KiB that compress to a few hundred bytes
  auto z = card::Deflate(zeros);
  ASSERT_TRUE(z.ok());
  ASSERT_LT(z->size(), 600u);
  ExpectMalformed("UC1:" + card::Base45Encode(*z), Stage::kZlib, "exceeds the limit of 2048");
}

TEST_F(HostileCardTest, CorruptAndTruncatedZlib) {
  auto cose = testing_cards::EncodeCose(
      {.protected_bytes = testing_cards::ProtectedHeader(-7, kid_), .payload = payload_});
  base::Bytes z = *card::Deflate(cose);
  base::Bytes corrupt = z;
  corrupt[z.size() / 2] ^= 0xff;
  ExpectMalformed("UC1:" + card::Base45Encode(corrupt), Stage::kZlib);
  base::Bytes cut(z.begin(), z.end() - 6);
  ExpectMalformed("UC1:" + card::Base45Encode(cut), Stage::kZlib, "truncated");
  base::Bytes trailing = z;
  trailing.push_back(0);
  ExpectMalformed("UC1:" + card::Base45Encode(trailing), Stage::kZlib, "trailing");
}

TEST_F(HostileCardTest, UncompressedCoseIsAccepted) {
  const base::Bytes prot = testing_cards::ProtectedHeader(-7, kid_);
  CoseParts p{.protected_bytes = prot, .payload = payload_};
  p.signature = testing_cards::SignParts(key_, prot, payload_);
  EXPECT_EQ(Verify(testing_cards::Wrap(testing_cards::EncodeCose(p), false)).verdict,
            Verdict::kValid);
}

TEST_F(HostileCardTest, WrongOrMissingTag) {
  const base::Bytes prot = testing_cards::ProtectedHeader(-7, kid_);
  ExpectMalformed(Signed(prot, payload_, false), Stage::kCose, "missing COSE_Sign1 tag");
  for (uint64_t tag : {17u, 98u, 61u}) {
    CoseParts p{.tag = tag, .protected_bytes = prot, .payload = payload_};
    p.signature = testing_cards::SignParts(key_, prot, payload_);
    ExpectMalformed(testing_cards::Wrap(testing_cards::EncodeCose(p)), Stage::kCose, "tag");
  }
}

TEST_F(HostileCardTest, NotAFourElementArray) {
  base::Bytes cose = {0xd2, 0x83, 0x40, 0xa0, 0x40};
  ExpectMalformed(testing_cards::Wrap(cose), Stage::kCose, "array of 4");
  ExpectMalformed(testing_cards::Wrap(base::Bytes{0xd2, 0xa0}), Stage::kCose, "expected an array");
}

TEST_F(HostileCardTest, TrailingBytesAfterCose) {
  const base::Bytes prot = testing_cards::ProtectedHeader(-7, kid_);
  CoseParts p{.protected_bytes = prot, .payload = payload_, .trailing = {0x00}};
  p.signature = testing_cards::SignParts(key_, prot, payload_);
  ExpectMalformed(testing_cards::Wrap(testing_cards::EncodeCose(p)), Stage::kCose, "trailing");
}

TEST_F(HostileCardTest, WrongAlgorithmForTheKey) {
  // Header says EdDSA, the kid names a P-256 key.
  const base::Bytes prot = testing_cards::ProtectedHeader(-8, kid_);
  card::Verification v = Verify(Signed(prot, payload_));
  EXPECT_EQ(v.verdict, Verdict::kBadSignature) << v.detail;
  EXPECT_NE(v.detail.find("does not match"), std::string::npos) << v.detail;
}

TEST_F(HostileCardTest, UnsupportedAlgorithm) {
  for (int64_t alg : {-35, -37, 0, 1}) {
    ExpectMalformed(Signed(testing_cards::ProtectedHeader(alg, kid_), payload_), Stage::kCose,
                    "unsupported algorithm");
  }
}

TEST_F(HostileCardTest, Es256WithDerSignatureOf70Bytes) {
  const base::Bytes prot = testing_cards::ProtectedHeader(-7, kid_);
  base::Bytes der(70, 0x30);
  CoseParts p{.protected_bytes = prot, .payload = payload_, .signature = der};
  card::Verification v = Verify(testing_cards::Wrap(testing_cards::EncodeCose(p)));
  EXPECT_EQ(v.verdict, Verdict::kBadSignature);
  EXPECT_NE(v.detail.find("64 bytes"), std::string::npos) << v.detail;
}

TEST_F(HostileCardTest, SignatureOfWrongLengthOrFlippedBit) {
  const base::Bytes prot = testing_cards::ProtectedHeader(-7, kid_);
  base::Bytes sig = testing_cards::SignParts(key_, prot, payload_);
  for (size_t len : {0u, 1u, 63u, 65u, 128u}) {
    CoseParts p{.protected_bytes = prot, .payload = payload_, .signature = base::Bytes(len, 1)};
    EXPECT_EQ(Verify(testing_cards::Wrap(testing_cards::EncodeCose(p))).verdict,
              Verdict::kBadSignature)
        << len;
  }
  sig[5] ^= 0x01;
  CoseParts p{.protected_bytes = prot, .payload = payload_, .signature = sig};
  EXPECT_EQ(Verify(testing_cards::Wrap(testing_cards::EncodeCose(p))).verdict,
            Verdict::kBadSignature);
  // r or s of zero must not crash the DER conversion.
  p.signature = base::Bytes(64, 0);
  EXPECT_EQ(Verify(testing_cards::Wrap(testing_cards::EncodeCose(p))).verdict,
            Verdict::kBadSignature);
}

TEST_F(HostileCardTest, PayloadChangedAfterSigning) {
  const base::Bytes prot = testing_cards::ProtectedHeader(-7, kid_);
  base::Bytes sig = testing_cards::SignParts(key_, prot, payload_);
  card::Claims better = testing_cards::DefaultClaims();
  better.exp += 10 * 365 * 86400;
  CoseParts p{.protected_bytes = prot, .payload = *card::EncodeClaims(better), .signature = sig};
  EXPECT_EQ(Verify(testing_cards::Wrap(testing_cards::EncodeCose(p))).verdict,
            Verdict::kBadSignature);
}

TEST_F(HostileCardTest, KidOfSevenOrNineBytes) {
  base::Bytes seven(kid_.begin(), kid_.begin() + 7);
  base::Bytes nine(kid_.begin(), kid_.end());
  nine.push_back(0);
  ExpectMalformed(Signed(testing_cards::ProtectedHeader(-7, seven), payload_), Stage::kCose,
                  "kid must be 8 bytes");
  ExpectMalformed(Signed(testing_cards::ProtectedHeader(-7, nine), payload_), Stage::kCose,
                  "kid must be 8 bytes");
}

TEST_F(HostileCardTest, UnknownCriticalHeader) {
  base::Bytes prot;
  card::CborWriter w(&prot);
  w.Map(3);
  w.Uint(1);
  w.Int(-7);
  w.Uint(2);  // crit
  w.Array(1);
  w.Uint(99);
  w.Uint(4);
  w.ByteString(kid_);
  ExpectMalformed(Signed(prot, payload_), Stage::kCose, "critical");
}

TEST_F(HostileCardTest, MissingAlgOrKid) {
  base::Bytes only_kid;
  card::CborWriter w(&only_kid);
  w.Map(1);
  w.Uint(4);
  w.ByteString(kid_);
  ExpectMalformed(Signed(only_kid, payload_), Stage::kCose, "no algorithm");
  base::Bytes only_alg;
  card::CborWriter w2(&only_alg);
  w2.Map(1);
  w2.Uint(1);
  w2.Int(-7);
  ExpectMalformed(Signed(only_alg, payload_), Stage::kCose, "no kid");
}

TEST_F(HostileCardTest, NonEmptyUnprotectedHeader) {
  const base::Bytes prot = testing_cards::ProtectedHeader(-7, kid_);
  CoseParts p{
      .protected_bytes = prot, .unprotected = {0xa1, 0x04, 0x41, 0x00}, .payload = payload_};
  p.signature = testing_cards::SignParts(key_, prot, payload_);
  ExpectMalformed(testing_cards::Wrap(testing_cards::EncodeCose(p)), Stage::kCose, "unprotected");
}

TEST_F(HostileCardTest, DuplicateKeysInHeaderClaimsAndCard) {
  base::Bytes prot;
  card::CborWriter w(&prot);
  w.Map(3);
  w.Uint(1);
  w.Int(-7);
  w.Uint(4);
  w.ByteString(kid_);
  w.Uint(1);
  w.Int(-7);
  ExpectMalformed(Signed(prot, payload_), Stage::kCose, "duplicate");

  // Claims map with iss twice: patch the map header from 4 to 5 pairs and append iss again.
  base::Bytes claims = payload_;
  ASSERT_EQ(claims[0], 0xa4);
  claims[0] = 0xa5;
  card::CborWriter cw(&claims);
  cw.Uint(1);
  cw.Text("RU-EDU-99");
  ExpectMalformed(SignedPayload(claims), Stage::kClaims, "duplicate key 1");

  // Card map with serial twice.
  base::Bytes card_dup;
  card::CborWriter dw(&card_dup);
  dw.Map(4);
  dw.Int(1);
  dw.Text("X");
  dw.Int(4);
  dw.Int(kNow + 1000);
  dw.Int(6);
  dw.Int(kNow - 1000);
  dw.Int(-70000);
  dw.Map(5);
  dw.Uint(1);
  dw.ByteString(base::Bytes(8, 1));
  dw.Uint(2);
  dw.Uint(1);
  dw.Uint(2);
  dw.Uint(9);
  dw.Uint(3);
  dw.Text("ORG");
  dw.Uint(4);
  dw.Uint(0);
  ExpectMalformed(SignedPayload(card_dup), Stage::kClaims, "duplicate key 2");
}

TEST_F(HostileCardTest, IndefiniteLengthsAreRefused) {
  // The same claims as an indefinite-length map.
  base::Bytes indef = payload_;
  indef[0] = 0xbf;
  indef.push_back(0xff);
  ExpectMalformed(SignedPayload(indef), Stage::kClaims, "indefinite");
  // An indefinite-length byte string as the COSE payload.
  const base::Bytes prot = testing_cards::ProtectedHeader(-7, kid_);
  base::Bytes cose;
  card::CborWriter w(&cose);
  w.Tag(18);
  w.Array(4);
  w.ByteString(prot);
  w.Map(0);
  cose.push_back(0x5f);
  w.ByteString(payload_);
  cose.push_back(0xff);
  w.ByteString(base::Bytes(64, 0));
  ExpectMalformed(testing_cards::Wrap(cose), Stage::kCose, "indefinite");
}

TEST_F(HostileCardTest, DeepNestingIsRefused) {
  // An unknown claim nested 4 arrays deep puts the innermost at depth 5 (the claims map is 1).
  for (int depth : {3, 4}) {
    base::Bytes p = payload_;
    p[0] = 0xa5;
    card::CborWriter w(&p);
    w.Uint(100);
    for (int i = 0; i < depth; ++i) w.Array(1);
    w.Uint(0);
    card::Verification v = Verify(SignedPayload(p));
    if (depth == 3) {
      EXPECT_EQ(v.verdict, Verdict::kValid) << v.detail;  // depth 4 in all: allowed
    } else {
      EXPECT_EQ(v.verdict, Verdict::kMalformed);
      EXPECT_NE(v.detail.find("nesting too deep"), std::string::npos) << v.detail;
    }
  }
  // A thousand nested arrays: refused quickly, no stack overflow.
  base::Bytes deep(1000, 0x81);
  deep.push_back(0x00);
  ExpectMalformed(SignedPayload(deep), Stage::kClaims);
}

TEST_F(HostileCardTest, LongChainOfTagsInAClaim) {
  base::Bytes p = payload_;
  p[0] = 0xa5;
  p.push_back(0x18);
  p.push_back(100);
  for (int i = 0; i < 500; ++i) p.push_back(0xc1);
  p.push_back(0x00);
  ExpectMalformed(SignedPayload(p), Stage::kClaims, "tags");
}

TEST_F(HostileCardTest, ClaimLimitsAndTypes) {
  auto with_card_field = [&](uint64_t key, auto write_value) {
    base::Bytes p;
    card::CborWriter w(&p);
    w.Map(4);
    w.Int(1);
    w.Text("RU-EDU-69");
    w.Int(4);
    w.Int(kNow + 1000);
    w.Int(6);
    w.Int(kNow - 1000);
    w.Int(-70000);
    w.Map(5);
    w.Uint(1);
    w.ByteString(base::Bytes(8, 1));
    w.Uint(2);
    w.Uint(1);
    w.Uint(3);
    w.Text("ORG");
    w.Uint(4);
    w.Uint(0);
    w.Uint(key);
    write_value(w);
    return SignedPayload(p);
  };
  ExpectMalformed(with_card_field(5, [](card::CborWriter& w) { w.Text(std::string(41, 'a')); }),
                  Stage::kClaims, "name is 41 bytes");
  EXPECT_EQ(
      Verify(with_card_field(5, [](card::CborWriter& w) { w.Text(std::string(40, 'a')); })).verdict,
      Verdict::kValid);
  ExpectMalformed(with_card_field(6, [](card::CborWriter& w) { w.Text(std::string(21, '1')); }),
                  Stage::kClaims, "number is 21 bytes");
  ExpectMalformed(with_card_field(5, [](card::CborWriter& w) { w.Text("Anna\nI."); }),
                  Stage::kClaims, "control");
  ExpectMalformed(with_card_field(5,
                                  [](card::CborWriter& w) {
                                    w.Raw(base::Bytes{0x62, 0xc3, 0x28});  // invalid UTF-8
                                  }),
                  Stage::kClaims, "UTF-8");
  ExpectMalformed(with_card_field(5, [](card::CborWriter& w) { w.Uint(5); }), Stage::kClaims,
                  "text string");

  base::Bytes bad_cat = payload_;
  card::Claims c = testing_cards::DefaultClaims();
  base::Bytes p;
  card::CborWriter w(&p);
  w.Map(4);
  w.Int(1);
  w.Text(std::string(33, 'X'));
  w.Int(4);
  w.Int(c.exp);
  w.Int(6);
  w.Int(c.iat);
  w.Int(-70000);
  w.Map(0);
  ExpectMalformed(SignedPayload(p), Stage::kClaims, "iss is 33 bytes");
}

TEST_F(HostileCardTest, MissingOrMistypedClaims) {
  auto make = [&](bool with_iat, bool card_ok, int category, size_t rid_len) {
    base::Bytes p;
    card::CborWriter w(&p);
    w.Map(with_iat ? 4 : 3);
    w.Int(1);
    w.Text("RU-EDU-69");
    w.Int(4);
    w.Int(kNow + 1000);
    if (with_iat) {
      w.Int(6);
      w.Int(kNow - 1000);
    }
    w.Int(-70000);
    w.Map(card_ok ? 4 : 3);
    w.Uint(1);
    w.ByteString(base::Bytes(rid_len, 1));
    w.Uint(2);
    w.Uint(1);
    w.Uint(3);
    w.Text("ORG");
    if (card_ok) {
      w.Uint(4);
      w.Uint(static_cast<uint64_t>(category));
    }
    return SignedPayload(p);
  };
  EXPECT_EQ(Verify(make(true, true, 3, 8)).verdict, Verdict::kValid);
  ExpectMalformed(make(false, true, 0, 8), Stage::kClaims, "iat and exp");
  ExpectMalformed(make(true, false, 0, 8), Stage::kClaims, "lacks");
  ExpectMalformed(make(true, true, 4, 8), Stage::kClaims, "unknown category 4");
  ExpectMalformed(make(true, true, 0, 7), Stage::kClaims, "rid must be 8 bytes");
  ExpectMalformed(make(true, true, 0, 9), Stage::kClaims, "rid must be 8 bytes");
  ExpectMalformed(SignedPayload(base::Bytes{0x80}), Stage::kClaims, "expected a map");
}

TEST_F(HostileCardTest, RandomGarbageNeverCrashes) {
  std::mt19937 rng(12345);
  const std::string good = SignedPayload(payload_);
  for (int i = 0; i < 3000; ++i) {
    std::string text = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      text[4 + rng() % (text.size() - 4)] =
          "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"[rng() % 45];
    }
    card::Verification v = Verify(text);
    EXPECT_NE(v.verdict, Verdict::kError);
    if (text != good) {
      EXPECT_NE(v.verdict, Verdict::kValid) << text;
    }
  }
}

}  // namespace
