// Every verdict, and the order in which they are checked (DESIGN.md section 3).
#include "card/verifier.h"

#include <gtest/gtest.h>

#include "test_cards.h"

namespace {

using card::Verdict;
using testing_cards::kNow;

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest()
      : key_(testing_cards::MakeKey(card::Alg::kES256)),
        status_(card::ListMode::kDenyList),
        clock_(kNow) {
    auto pub = key_.Public();
    keys_.Add({.kid = pub->kid(), .iss = "RU-EDU-69", .key = *pub});
  }

  card::Verification Verify(const std::string& text, const card::StatusStore* status) {
    card::Verifier v(keys_, status, clock_);
    return v.Verify(text);
  }
  card::Verification Verify(const card::Claims& claims) {
    return Verify(testing_cards::IssueCard(key_, claims), &status_);
  }
  card::IssuerKey& MutableKey() {
    return const_cast<card::IssuerKey&>(*keys_.FindKey(key_.Public()->kid()));
  }

  card::PrivateKey key_;
  card::MemoryKeyStore keys_;
  card::MemoryStatusStore status_;
  base::FakeClock clock_;
  card::Claims claims_ = testing_cards::DefaultClaims();
};

TEST_F(VerifierTest, ValidCardCarriesItsClaims) {
  card::Verification v = Verify(claims_);
  EXPECT_EQ(v.verdict, Verdict::kValid) << v.detail;
  EXPECT_TRUE(v.signature_ok);
  EXPECT_TRUE(v.status_checked);
  ASSERT_TRUE(v.claims && v.claims->card);
  EXPECT_EQ(v.claims->iss, "RU-EDU-69");
  EXPECT_EQ(v.claims->card->serial, 3u);
  EXPECT_EQ(v.claims->card->org, "RU-EDU-69-SCH12");
  EXPECT_EQ(v.claims->card->category, card::Category::kStudent);
  EXPECT_EQ(v.claims->card->name, "Анна И.");
  EXPECT_EQ(v.claims->card->number, "6900012345");
  EXPECT_EQ(v.claims->card->rid, claims_.card->rid);
  EXPECT_EQ(*v.kid, key_.Public()->kid());
  EXPECT_EQ(*v.alg, card::Alg::kES256);
}

TEST_F(VerifierTest, EdDsaCardsVerify) {
  card::PrivateKey ed = testing_cards::MakeKey(card::Alg::kEdDSA);
  keys_.Add({.kid = ed.Public()->kid(), .iss = "", .key = *ed.Public()});
  card::Verification v = Verify(testing_cards::IssueCard(ed, claims_), &status_);
  EXPECT_EQ(v.verdict, Verdict::kValid) << v.detail;
  EXPECT_EQ(*v.alg, card::Alg::kEdDSA);
}

TEST_F(VerifierTest, OptionalNameAndNumberMayBeAbsent) {
  claims_.card->name.reset();
  claims_.card->number.reset();
  card::Verification v = Verify(claims_);
  EXPECT_EQ(v.verdict, Verdict::kValid) << v.detail;
  EXPECT_FALSE(v.claims->card->name);
  EXPECT_FALSE(v.claims->card->number);
}

TEST_F(VerifierTest, UnknownKey) {
  card::PrivateKey other = testing_cards::MakeKey(card::Alg::kES256);
  card::Verification v = Verify(testing_cards::IssueCard(other, claims_), &status_);
  EXPECT_EQ(v.verdict, Verdict::kUnknownKey);
  EXPECT_FALSE(v.signature_ok);
}

TEST_F(VerifierTest, WithdrawnKeyIsNotValid) {
  MutableKey().withdrawn = true;
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kKeyNotValid);
}

TEST_F(VerifierTest, KeyOutsideItsValidityIsNotValid) {
  MutableKey().not_before = kNow + 1;
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kKeyNotValid);
  MutableKey().not_before = kNow - 10;
  MutableKey().not_after = kNow;
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kKeyNotValid);
  MutableKey().not_after = kNow + 1;
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kValid);
}

TEST_F(VerifierTest, KeyOfAnotherIssuerIsNotValid) {
  claims_.iss = "RU-EDU-77";
  card::Verification v = Verify(claims_);
  EXPECT_EQ(v.verdict, Verdict::kKeyNotValid);
  EXPECT_NE(v.detail.find("RU-EDU-77"), std::string::npos);
}

TEST_F(VerifierTest, NotYetValidBeyondFiveMinutesOfSkew) {
  claims_.iat = kNow + 300;
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kValid);
  claims_.iat = kNow + 301;
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kNotYetValid);
}

TEST_F(VerifierTest, ExpiredAtExp) {
  claims_.exp = kNow + 1;
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kValid);
  claims_.exp = kNow;
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kExpired);
}

// The time rule on its own, as the conformance tests use it on claims whose signature failed.
TEST(CheckValidityPeriodTest, FollowsEachProfile) {
  card::Claims c = testing_cards::DefaultClaims();
  c.iat = kNow;
  c.exp = kNow + 10;
  using card::CheckValidityPeriod;
  using card::kCardProfile;
  using card::kDccProfile;
  EXPECT_EQ(CheckValidityPeriod(c, kNow, kCardProfile), Verdict::kValid);
  EXPECT_EQ(CheckValidityPeriod(c, kNow - 300, kCardProfile), Verdict::kValid);
  EXPECT_EQ(CheckValidityPeriod(c, kNow - 301, kCardProfile), Verdict::kNotYetValid);
  EXPECT_EQ(CheckValidityPeriod(c, kNow + 10, kCardProfile), Verdict::kExpired);
  EXPECT_EQ(CheckValidityPeriod(c, kNow - 1, kDccProfile), Verdict::kNotYetValid);
  EXPECT_EQ(CheckValidityPeriod(c, kNow + 10, kDccProfile), Verdict::kValid);  // exp inclusive
  EXPECT_EQ(CheckValidityPeriod(c, kNow + 11, kDccProfile), Verdict::kExpired);
}

TEST_F(VerifierTest, RevokedMember) {
  status_.Set(claims_.card->rid, {card::MemberState::kRevoked, 0});
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kRevoked);
}

TEST_F(VerifierTest, ReplacedCardSerialIsRevoked) {
  status_.Set(claims_.card->rid, {card::MemberState::kActive, 4});
  card::Verification v = Verify(claims_);
  EXPECT_EQ(v.verdict, Verdict::kRevoked);
  EXPECT_NE(v.detail.find("minimum 4"), std::string::npos);
  status_.Set(claims_.card->rid, {card::MemberState::kActive, 3});
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kValid);
}

TEST_F(VerifierTest, SuspendedMember) {
  status_.Set(claims_.card->rid, {card::MemberState::kSuspended, 0});
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kSuspended);
}

TEST_F(VerifierTest, AllowListNeedsTheMember) {
  card::MemoryStatusStore allow(card::ListMode::kAllowList);
  const std::string text = testing_cards::IssueCard(key_, claims_);
  EXPECT_EQ(Verify(text, &allow).verdict, Verdict::kNotAMember);
  allow.Set(claims_.card->rid, {card::MemberState::kActive, 0});
  EXPECT_EQ(Verify(text, &allow).verdict, Verdict::kValid);
}

TEST_F(VerifierTest, NoStatusStoreSkipsStatusChecks) {
  card::Verification v = Verify(testing_cards::IssueCard(key_, claims_), nullptr);
  EXPECT_EQ(v.verdict, Verdict::kValid);
  EXPECT_FALSE(v.status_checked);
}

class FailingStatusStore final : public card::StatusStore {
 public:
  card::ListMode mode() const override { return card::ListMode::kDenyList; }
  base::Result<std::optional<card::MemberStatus>> FindMember(const card::Rid&) const override {
    return base::DataLoss("disk image is malformed");
  }
};

TEST_F(VerifierTest, UnreadableRegistryIsAnErrorNeverValid) {
  FailingStatusStore failing;
  card::Verification v = Verify(testing_cards::IssueCard(key_, claims_), &failing);
  EXPECT_EQ(v.verdict, Verdict::kError);
  EXPECT_NE(v.detail.find("malformed"), std::string::npos);
}

// Order: a card wrong in several ways gets the verdict checked first.
TEST_F(VerifierTest, OrderUnknownKeyBeforeTimeAndStatus) {
  card::PrivateKey other = testing_cards::MakeKey(card::Alg::kES256);
  claims_.exp = kNow - 1;
  status_.Set(claims_.card->rid, {card::MemberState::kRevoked, 0});
  EXPECT_EQ(Verify(testing_cards::IssueCard(other, claims_), &status_).verdict,
            Verdict::kUnknownKey);
}

TEST_F(VerifierTest, OrderKeyNotValidBeforeBadSignature) {
  MutableKey().withdrawn = true;
  std::string text = testing_cards::IssueCard(key_, claims_);
  auto pub = key_.Public();
  base::Bytes payload = *card::EncodeClaims(claims_);
  testing_cards::CoseParts parts;
  parts.protected_bytes = testing_cards::ProtectedHeader(-7, pub->kid());
  parts.payload = payload;
  parts.signature = base::Bytes(64, 7);
  EXPECT_EQ(Verify(testing_cards::Wrap(testing_cards::EncodeCose(parts)), &status_).verdict,
            Verdict::kKeyNotValid);
}

TEST_F(VerifierTest, OrderBadSignatureBeforeExpired) {
  claims_.exp = kNow - 1;
  testing_cards::CoseParts parts;
  parts.protected_bytes = testing_cards::ProtectedHeader(-7, key_.Public()->kid());
  parts.payload = *card::EncodeClaims(claims_);
  parts.signature = base::Bytes(64, 7);
  EXPECT_EQ(Verify(testing_cards::Wrap(testing_cards::EncodeCose(parts)), &status_).verdict,
            Verdict::kBadSignature);
}

TEST_F(VerifierTest, OrderExpiredBeforeRevoked) {
  claims_.exp = kNow - 1;
  status_.Set(claims_.card->rid, {card::MemberState::kRevoked, 0});
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kExpired);
}

TEST_F(VerifierTest, OrderNotYetValidBeforeExpired) {
  claims_.iat = kNow + 3600;
  claims_.exp = kNow - 1;
  // EncodeClaims refuses exp <= iat, so build the payload by hand.
  base::Bytes payload;
  card::CborWriter w(&payload);
  w.Map(4);
  w.Int(1);
  w.Text("RU-EDU-69");
  w.Int(4);
  w.Int(claims_.exp);
  w.Int(6);
  w.Int(claims_.iat);
  w.Int(-70000);
  w.Map(4);
  w.Uint(1);
  w.ByteString(claims_.card->rid);
  w.Uint(2);
  w.Uint(1);
  w.Uint(3);
  w.Text("ORG");
  w.Uint(4);
  w.Uint(0);
  EXPECT_EQ(Verify(testing_cards::IssueRawPayload(key_, payload), &status_).verdict,
            Verdict::kNotYetValid);
}

TEST_F(VerifierTest, OrderRevokedBeforeSuspendedWhenSerialReplaced) {
  status_.Set(claims_.card->rid, {card::MemberState::kSuspended, 9});
  EXPECT_EQ(Verify(claims_).verdict, Verdict::kRevoked);
}

TEST_F(VerifierTest, VerdictCodesAreStableAndRoundTrip) {
  const char* codes[] = {"MALFORMED",     "UNKNOWN_KEY", "KEY_NOT_VALID", "BAD_SIGNATURE",
                         "NOT_YET_VALID", "EXPIRED",     "REVOKED",       "SUSPENDED",
                         "NOT_A_MEMBER",  "VALID",       "ERROR"};
  for (int i = 0; i < 11; ++i) {
    auto v = static_cast<Verdict>(i);
    EXPECT_EQ(card::VerdictCode(v), codes[i]);
    EXPECT_EQ(card::VerdictFromCode(codes[i]), v);
  }
  EXPECT_FALSE(card::VerdictFromCode("valid"));
}

}  // namespace
