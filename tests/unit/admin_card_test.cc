// Admin cards (admin card format v1): the claim -70001, what a member card verifier makes of one,
// and the admin verifier's verdicts (its own key list, expiry, the withdrawn list).
#include "card/admin_card.h"

#include <gtest/gtest.h>

#include "card/cbor.h"
#include "card/issuer.h"
#include "test_cards.h"

namespace {

using card::Verdict;
using testing_cards::kNow;

const card::AdminId kAdminId = {1, 2, 3, 4, 5, 6, 7, 8};

card::Claims AdminClaims() {
  return card::Claims{.iss = "",
                      .iat = kNow - 3600,
                      .exp = kNow + 30 * 86400,
                      .admin = card::AdminCard{.id = kAdminId, .name = "Ирина Петровна"}};
}

std::string IssueAdmin(const card::PrivateKey& key, const card::Claims& claims) {
  auto issuer = card::CardIssuer::Create(card::PrivateKey::FromPem(key.ToPem().value()).value());
  EXPECT_TRUE(issuer.ok());
  auto text = issuer->Issue(claims);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
}

class AdminCardTest : public ::testing::Test {
 protected:
  AdminCardTest()
      : admin_key_(testing_cards::MakeKey(card::Alg::kEdDSA)),
        member_key_(testing_cards::MakeKey(card::Alg::kES256)),
        status_(card::ListMode::kDenyList),
        clock_(kNow) {
    admins_.AddKey({.kid = admin_key_.Public()->kid(), .key = *admin_key_.Public()});
    members_.Add(
        {.kid = member_key_.Public()->kid(), .iss = "RU-EDU-69", .key = *member_key_.Public()});
  }
  card::Verification VerifyAdmin(const std::string& text) {
    card::AdminCardVerifier v(admins_, clock_);
    return v.Verify(text);
  }
  card::Verification VerifyMember(const std::string& text) {
    card::Verifier v(members_, &status_, clock_);
    return v.Verify(text);
  }

  card::PrivateKey admin_key_, member_key_;
  card::MemoryAdminStore admins_;
  card::MemoryKeyStore members_;
  card::MemoryStatusStore status_;
  base::FakeClock clock_;
};

TEST_F(AdminCardTest, ValidAdminCardCarriesItsIdAndName) {
  card::Verification v = VerifyAdmin(IssueAdmin(admin_key_, AdminClaims()));
  EXPECT_EQ(v.verdict, Verdict::kValid) << v.detail;
  ASSERT_TRUE(v.claims && v.claims->admin);
  EXPECT_FALSE(v.claims->card);
  EXPECT_EQ(v.claims->admin->id, kAdminId);
  EXPECT_EQ(v.claims->admin->name, "Ирина Петровна");
  EXPECT_TRUE(v.signature_ok);
}

TEST_F(AdminCardTest, MemberVerifierRefusesAnAdminCardAsMalformed) {
  // A v1 member verifier skips -70001 as an unknown claim and misses -70000, even when the admin
  // card is signed by a key it trusts.
  card::Claims claims = AdminClaims();
  claims.iss = "RU-EDU-69";
  card::Verification v = VerifyMember(IssueAdmin(member_key_, claims));
  EXPECT_EQ(v.verdict, Verdict::kMalformed);
  EXPECT_EQ(v.stage, card::Stage::kClaims);
  EXPECT_NE(v.detail.find("card claim -70000 is required"), std::string::npos) << v.detail;
  // Without iss (optional on an admin card) it is refused one check earlier, at the same stage.
  card::Verification no_iss = VerifyMember(IssueAdmin(member_key_, AdminClaims()));
  EXPECT_EQ(no_iss.verdict, Verdict::kMalformed);
  EXPECT_EQ(no_iss.stage, card::Stage::kClaims);
  EXPECT_NE(no_iss.detail.find("iss is required"), std::string::npos) << no_iss.detail;
}

TEST_F(AdminCardTest, MemberKeyCannotMakeAnAdminCard) {
  card::Verification v = VerifyAdmin(IssueAdmin(member_key_, AdminClaims()));
  EXPECT_EQ(v.verdict, Verdict::kUnknownKey);
  EXPECT_NE(v.detail.find("admin key"), std::string::npos) << v.detail;
}

TEST_F(AdminCardTest, AdminKeyCannotMakeAMemberCard) {
  card::Claims claims = testing_cards::DefaultClaims();
  claims.iat = kNow - 60;
  claims.exp = kNow + 86400;
  const std::string member_card = testing_cards::IssueCard(admin_key_, claims);
  EXPECT_EQ(VerifyMember(member_card).verdict, Verdict::kUnknownKey);
  card::Verification v = VerifyAdmin(member_card);
  EXPECT_EQ(v.verdict, Verdict::kMalformed);
  EXPECT_NE(v.detail.find("not an admin card"), std::string::npos) << v.detail;
}

TEST_F(AdminCardTest, ExpiredWithdrawnAndBadSignatureAreRefused) {
  card::Claims expired = AdminClaims();
  expired.exp = kNow;
  EXPECT_EQ(VerifyAdmin(IssueAdmin(admin_key_, expired)).verdict, Verdict::kExpired);

  const std::string text = IssueAdmin(admin_key_, AdminClaims());
  admins_.Withdraw(kAdminId);
  card::Verification v = VerifyAdmin(text);
  EXPECT_EQ(v.verdict, Verdict::kRevoked);
  EXPECT_NE(v.detail.find("withdrawn"), std::string::npos) << v.detail;

  card::MemoryAdminStore withdrawn_key;
  withdrawn_key.AddKey(
      {.kid = admin_key_.Public()->kid(), .key = *admin_key_.Public(), .withdrawn = true});
  card::AdminCardVerifier verifier(withdrawn_key, clock_);
  EXPECT_EQ(verifier.Verify(text).verdict, Verdict::kKeyNotValid);
}

TEST_F(AdminCardTest, IssOnAnAdminCardIsOptionalAndRoundTrips) {
  card::Claims claims = AdminClaims();
  claims.iss = "RU-EDU-69";
  card::Verification v = VerifyAdmin(IssueAdmin(admin_key_, claims));
  EXPECT_EQ(v.verdict, Verdict::kValid) << v.detail;
  EXPECT_EQ(v.claims->iss, "RU-EDU-69");
}

// Raw payloads: the admin claim's own rules.
base::Bytes AdminPayload(uint64_t version, size_t id_bytes, std::string_view name, bool member) {
  base::Bytes out;
  card::CborWriter w(&out);
  w.Map(member ? 4 : 3);
  w.Int(card::kClaimExp);
  w.Int(kNow + 86400);
  w.Int(card::kClaimIat);
  w.Int(kNow - 60);
  w.Int(card::kClaimAdmin);
  w.Map(3);
  w.Uint(1);
  w.Uint(version);
  w.Uint(2);
  w.ByteString(base::Bytes(id_bytes, 7));
  w.Uint(3);
  w.Text(name);
  if (member) {
    w.Int(card::kClaimCard);
    w.Map(4);
    w.Uint(1);
    w.ByteString(base::Bytes(8, 1));
    w.Uint(2);
    w.Uint(0);
    w.Uint(3);
    w.Text("ORG");
    w.Uint(4);
    w.Uint(0);
  }
  return out;
}

TEST_F(AdminCardTest, MalformedAdminClaimsAreRefusedWithTheReason) {
  auto expect = [&](const base::Bytes& payload, std::string_view part) {
    card::Verification v = VerifyAdmin(testing_cards::IssueRawPayload(admin_key_, payload));
    EXPECT_EQ(v.verdict, Verdict::kMalformed);
    EXPECT_NE(v.detail.find(part), std::string::npos) << "'" << part << "' not in " << v.detail;
  };
  EXPECT_EQ(VerifyAdmin(testing_cards::IssueRawPayload(admin_key_, AdminPayload(1, 8, "A", false)))
                .verdict,
            Verdict::kValid);
  expect(AdminPayload(2, 8, "A", false), "admin card version 2, this device reads version 1");
  expect(AdminPayload(1, 7, "A", false), "admin id must be 8 bytes");
  expect(AdminPayload(1, 8, "", false), "lacks version, id or name");
  expect(AdminPayload(1, 8, std::string(41, 'x'), false), "admin name is 41 bytes");
  expect(AdminPayload(1, 8, "A", true), "not both");
}

TEST(AdminCardEncodeTest, RefusesWhatTheParserWould) {
  card::Claims both = AdminClaims();
  both.card = testing_cards::DefaultClaims().card;
  both.iss = "RU-EDU-69";
  EXPECT_FALSE(card::EncodeClaims(both).ok());
  card::Claims no_name = AdminClaims();
  no_name.admin->name.clear();
  EXPECT_FALSE(card::EncodeClaims(no_name).ok());
  card::Claims long_name = AdminClaims();
  long_name.admin->name = std::string(41, 'x');
  EXPECT_FALSE(card::EncodeClaims(long_name).ok());
}

}  // namespace
