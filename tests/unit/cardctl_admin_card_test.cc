// cardctl issue-admin and the admin tables of `bundle build` (--admin-keys, --withdrawn-admins),
// run as the real program: the card it writes verifies as an admin card against the key, a member
// card verifier refuses it, and the bundle carries the keys and the withdrawn ids to a kiosk.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/hex.h"
#include "card/admin_card.h"
#include "registry/registry.h"
#include "scanner/image.h"
#include "scanner/qr_codec.h"
#include "subprocess.h"

namespace {

cktest::ProcessResult Cardctl(const std::vector<std::string>& args) {
  return cktest::RunProcess(CK_CARDCTL_PATH, args, {});
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class CardctlAdminCardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* k : {"admin", "issuer"}) {
      ASSERT_EQ(Cardctl({"keygen", "--alg", "ed25519", "--out", dir_.File(k)}).exit_code, 0);
    }
    ASSERT_EQ(Cardctl({"keygen", "--alg", "es256", "--out", dir_.File("bundle")}).exit_code, 0);
    ASSERT_EQ(Cardctl({"secret", "--out", dir_.File("status.secret")}).exit_code, 0);
    Write(dir_.File("members.csv"), "member_id,status,min_serial\nM-1,active,0\n");
  }
  // Issues an admin card; returns its id (stdout) and fills *text.
  std::string Issue(const std::string& name, std::string* text) {
    cktest::ProcessResult r = Cardctl({"issue-admin", "--key", dir_.File("admin.key.pem"), "--name",
                                       name, "--valid-days", "30", "--out", dir_.File("cards")});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    std::string id = r.out;
    while (!id.empty() && id.back() == '\n') id.pop_back();
    *text = Read(dir_.File("cards/admin-" + id + ".txt"));
    return id;
  }
  cktest::ProcessResult Build(const std::string& out, std::vector<std::string> more) {
    std::vector<std::string> args = {"bundle",          "build",
                                     "--members",       dir_.File("members.csv"),
                                     "--issuer-pubkey", dir_.File("issuer.pub.pem"),
                                     "--status-secret", dir_.File("status.secret"),
                                     "--seq",           "1",
                                     "--valid-days",    "30",
                                     "--mode",          "deny",
                                     "--sign",          dir_.File("bundle.key.pem"),
                                     "--out",           dir_.File(out)};
    args.insert(args.end(), more.begin(), more.end());
    return Cardctl(args);
  }

  cktest::TempDir dir_;
};

TEST_F(CardctlAdminCardTest, IssuesAnAdminCardThatVerifiesOnlyAsAnAdminCard) {
  std::string text;
  const std::string id = Issue("Ирина Петровна", &text);
  ASSERT_EQ(id.size(), 16u) << id;
  ASSERT_TRUE(text.starts_with("UC1:")) << text;
  // The PNG holds the same text.
  auto image = scanner::LoadImage(dir_.File("cards/admin-" + id + ".png"));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  std::vector<scanner::QrSymbol> codes = scanner::ReadQrCodes(image->view());
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0].text, text);

  card::MemoryAdminStore admins;
  auto pub = card::PublicKey::FromPemFile(dir_.File("admin.pub.pem"));
  ASSERT_TRUE(pub.ok());
  admins.AddKey({.kid = pub->kid(), .key = *pub});
  base::SystemClock clock;
  card::AdminCardVerifier verifier(admins, clock);
  card::Verification v = verifier.Verify(text);
  EXPECT_EQ(v.verdict, card::Verdict::kValid) << v.detail;
  ASSERT_TRUE(v.claims && v.claims->admin);
  EXPECT_EQ(v.claims->admin->name, "Ирина Петровна");
  EXPECT_EQ(base::ToHex(v.claims->admin->id), id);
  EXPECT_GT(v.claims->exp - v.claims->iat, 29 * 86400);

  // A member card verifier, even trusting the same key, refuses it as malformed.
  cktest::ProcessResult r =
      Cardctl({"verify", "--pubkey", dir_.File("admin.pub.pem"), "--text", text});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.out.find("MALFORMED"), std::string::npos) << r.out;
}

TEST_F(CardctlAdminCardTest, BadArgumentsSayWhatIsAccepted) {
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "issue-admin");
    return Cardctl(args);
  };
  const std::string key = dir_.File("admin.key.pem"), out = dir_.File("x");
  cktest::ProcessResult r = run({"--key", key, "--name", "A", "--valid-days", "0", "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--valid-days must be a whole number 1-3660, got '0'"), std::string::npos)
      << r.err;
  r = run({"--key", key, "--name", std::string(41, 'x'), "--valid-days", "5", "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--name must be 1-40 bytes"), std::string::npos) << r.err;
  r = run({"--key", key, "--valid-days", "5", "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--name"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(CardctlAdminCardTest, BundleCarriesAdminKeysAndWithdrawnCardsToTheKiosk) {
  std::string text, lost_text;
  const std::string id = Issue("Ирина", &text);
  const std::string lost = Issue("Олег", &lost_text);
  Write(dir_.File("admin_keys.csv"),
        "key_file,not_before,not_after,withdrawn\nadmin.pub.pem,,,no\n");
  Write(dir_.File("withdrawn_admins.csv"), "admin_id,note\n" + lost + ",lost on 2027-01-10\n");
  cktest::ProcessResult r =
      Build("b.ckbundle", {"--admin-keys", dir_.File("admin_keys.csv"), "--withdrawn-admins",
                           dir_.File("withdrawn_admins.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  r = Cardctl(
      {"bundle", "inspect", dir_.File("b.ckbundle"), "--trust", dir_.File("bundle.pub.pem")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("admin_keys: 1\nwithdrawn_admins: 1\nschema_version: 3\n"),
            std::string::npos)
      << r.out;
  const std::string data = dir_.File("data");
  r = Cardctl({"bundle", "apply", "--data-dir", data, "--trust", dir_.File("bundle.pub.pem"),
               dir_.File("b.ckbundle")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();

  auto reg = registry::Registry::Open(data + "/registry.db");
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  base::SystemClock clock;
  card::AdminCardVerifier verifier(**reg, clock);
  EXPECT_EQ(verifier.Verify(text).verdict, card::Verdict::kValid);
  EXPECT_EQ(verifier.Verify(lost_text).verdict, card::Verdict::kRevoked);
}

TEST_F(CardctlAdminCardTest, BundleWithoutAdminKeysStaysVersion1AndRefusesMixedRoles) {
  cktest::ProcessResult r = Build("plain.ckbundle", {});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  r = Cardctl({"bundle", "inspect", dir_.File("plain.ckbundle")});
  EXPECT_NE(r.out.find("schema_version: 1\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("admin_keys"), std::string::npos) << r.out;

  // The issuer key as an admin key: a stolen member card key would make admin cards.
  Write(dir_.File("mixed.csv"), "key_file,not_before,not_after,withdrawn\nissuer.pub.pem,,,\n");
  r = Build("mixed.ckbundle", {"--admin-keys", dir_.File("mixed.csv")});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("is listed as an issuer key and as an admin key"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("mixed.ckbundle")));

  r = Build("w.ckbundle", {"--withdrawn-admins", dir_.File("mixed.csv")});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("--withdrawn-admins needs --admin-keys"), std::string::npos) << r.err;
}

// A delta from a bundle without admin cards to one with them (and back) carries the admin tables:
// applied on a kiosk's data directory, the admin card verifies, then is unknown again.
TEST_F(CardctlAdminCardTest, DeltaBundlesCarryTheAdminTables) {
  std::string text;
  Issue("Ирина", &text);
  Write(dir_.File("admin_keys.csv"), "key_file,not_before,not_after,withdrawn\nadmin.pub.pem,,,\n");
  auto build = [&](const std::string& seq, std::vector<std::string> more) {
    std::vector<std::string> args = {"bundle",          "build",
                                     "--members",       dir_.File("members.csv"),
                                     "--issuer-pubkey", dir_.File("issuer.pub.pem"),
                                     "--status-secret", dir_.File("status.secret"),
                                     "--seq",           seq,
                                     "--valid-days",    "30",
                                     "--mode",          "deny",
                                     "--sign",          dir_.File("bundle.key.pem")};
    args.insert(args.end(), more.begin(), more.end());
    return Cardctl(args);
  };
  ASSERT_EQ(build("1", {"--out", dir_.File("b1.ckbundle")}).exit_code, 0);
  cktest::ProcessResult r =
      build("2", {"--admin-keys", dir_.File("admin_keys.csv"), "--out", dir_.File("d2.ckbundle"),
                  "--delta-from", dir_.File("b1.ckbundle"), "--full", dir_.File("f2.ckbundle")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("admin_keys: 0 removed, 1 added"), std::string::npos) << r.err;
  r = build("3", {"--out", dir_.File("d3.ckbundle"), "--delta-from", dir_.File("f2.ckbundle")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("admin_keys: 1 removed, 0 added"), std::string::npos) << r.err;

  const std::string data = dir_.File("data");
  base::SystemClock clock;
  const std::vector<std::pair<std::string, card::Verdict>> steps = {
      {"b1.ckbundle", card::Verdict::kUnknownKey},
      {"d2.ckbundle", card::Verdict::kValid},
      {"d3.ckbundle", card::Verdict::kUnknownKey}};
  for (const auto& [bundle, verdict] : steps) {
    r = Cardctl({"bundle", "apply", "--data-dir", data, "--trust", dir_.File("bundle.pub.pem"),
                 dir_.File(bundle)});
    ASSERT_EQ(r.exit_code, 0) << bundle << ": " << r.Describe();
    auto reg = registry::Registry::Open(data + "/registry.db");
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    card::AdminCardVerifier verifier(**reg, clock);
    EXPECT_EQ(verifier.Verify(text).verdict, verdict) << bundle;
  }
}

}  // namespace
