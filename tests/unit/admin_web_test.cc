// The admin pages' parts (hub/src/web_*.h): escaping, forms, tokens, lock-out, accounts and the
// translation table; then the pages over a real `cardhub serve` on loopback: login refused,
// lock-out, CSRF, the viewer role, escaping of what kiosks and admins typed.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <string>

#include "base/clock.h"
#include "hub/admin_accounts.h"
#include "hub_fixture.h"
#include "subprocess.h"
#include "web_auth.h"
#include "web_svg.h"
#include "web_text.h"
#include "web_util.h"

namespace {

using hub::web::Form;

TEST(AdminWebParts, HtmlEscapesEverythingThatCouldOpenMarkup) {
  EXPECT_EQ(hub::web::Html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(hub::web::Html("Қазақша, русский"), "Қазақша, русский");
  const std::string svg = hub::web::BarChartSvg("<t>", {{"<d>", 3}});
  EXPECT_EQ(svg.find("<t>"), std::string::npos);
  EXPECT_EQ(svg.find("<d>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;d&gt;"), std::string::npos);
}

TEST(AdminWebParts, FormsUrlencodedAndMultipart) {
  auto f = hub::web::ParseForm("application/x-www-form-urlencoded",
                               "user=a%40b&password=p+w%26d&empty=");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)["user"], "a@b");
  EXPECT_EQ((*f)["password"], "p w&d");
  EXPECT_EQ((*f)["empty"], "");
  EXPECT_FALSE(hub::web::ParseForm("application/x-www-form-urlencoded", "a=%zz").ok());
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"b.ckbundle\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n\x01\x02\r\n--X\r\n--XyZ--\r\n";
  auto m = hub::web::ParseForm("multipart/form-data; boundary=XyZ", body);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)["csrf"], "tok");
  EXPECT_EQ((*m)["bundle"], std::string("\x01\x02\r\n--X"));
  auto bad = hub::web::ParseForm("text/plain", "x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("multipart/form-data"), std::string::npos);
  EXPECT_FALSE(hub::web::ParseForm("multipart/form-data; boundary=XyZ", "--XyZ\r\nbroken").ok());
}

TEST(AdminWebParts, CsrfTokensCompareWholeAndNeverEmpty) {
  const std::string a = hub::web::RandomToken(), b = hub::web::RandomToken();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(hub::web::SameToken(a, a));
  EXPECT_FALSE(hub::web::SameToken(a, b));
  EXPECT_FALSE(hub::web::SameToken(a, a.substr(0, 63)));
  EXPECT_FALSE(hub::web::SameToken("", ""));
  EXPECT_EQ(hub::web::CookieValue("a=1; ck_session=xyz; b=2", "ck_session"), "xyz");
  EXPECT_EQ(hub::web::CookieValue("xck_session=1", "ck_session"), "");
}

TEST(AdminWebParts, LockOutPerAccountAndPerAddress) {
  base::FakeClock clock(1'800'000'000);
  hub::web::Sessions s(clock, {.account_failures = 3, .address_failures = 5});
  EXPECT_FALSE(s.Failed("anna", "10.0.0.1"));
  EXPECT_FALSE(s.Failed("anna", "10.0.0.2"));
  EXPECT_TRUE(s.Failed("anna", "10.0.0.3"));  // third failure of the account
  EXPECT_TRUE(s.Locked("anna", "10.0.0.9"));  // from any address
  EXPECT_FALSE(s.Locked("boris", "10.0.0.1"));
  clock.Advance(901);
  EXPECT_FALSE(s.Locked("anna", "10.0.0.9"));  // the lock-out is over
  // One address trying many accounts.
  for (const char* u : {"u1", "u2", "u3", "u4"}) EXPECT_FALSE(s.Failed(u, "10.9.9.9"));
  EXPECT_TRUE(s.Failed("u5", "10.9.9.9"));
  EXPECT_TRUE(s.Locked("someone", "10.9.9.9"));
  EXPECT_FALSE(s.Locked("someone", "10.9.9.8"));
  // Failures older than the window are forgotten; a success clears the account's.
  EXPECT_FALSE(s.Failed("carl", "10.1.1.1"));
  EXPECT_FALSE(s.Failed("carl", "10.1.1.1"));
  clock.Advance(901);
  EXPECT_FALSE(s.Failed("carl", "10.1.1.1"));
  s.Succeeded("carl");
  EXPECT_FALSE(s.Failed("carl", "10.1.1.1"));
  EXPECT_FALSE(s.Failed("carl", "10.1.1.1"));
}

TEST(AdminWebParts, SessionsExpireWhenIdle) {
  base::FakeClock clock(1'800'000'000);
  hub::web::Sessions s(clock, {.idle_seconds = 100});
  const std::string t = s.Open("anna", hub::AdminRole::kViewer);
  ASSERT_TRUE(s.Find(t));
  EXPECT_EQ(s.Find(t)->user, "anna");
  EXPECT_EQ(s.Find(t)->csrf.size(), 64u);
  EXPECT_FALSE(s.Find(t + "x"));
  clock.Advance(99);
  EXPECT_TRUE(s.Find(t));
  clock.Advance(101);
  EXPECT_FALSE(s.Find(t));
  const std::string u = s.Open("boris", hub::AdminRole::kOperator);
  s.Close(u);
  EXPECT_FALSE(s.Find(u));
}

TEST(AdminWebParts, PasswordsAreSaltedSlowHashes) {
  auto a = hub::MakeAccount("anna", hub::AdminRole::kOperator, "correct horse", 1000, 1);
  auto b = hub::MakeAccount("anna", hub::AdminRole::kOperator, "correct horse", 1000, 1);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->salt_hex, b->salt_hex);
  EXPECT_NE(a->hash_hex, b->hash_hex);
  EXPECT_TRUE(hub::CheckPassword(*a, "correct horse"));
  EXPECT_FALSE(hub::CheckPassword(*a, "correct horsE"));
  EXPECT_FALSE(hub::CheckPassword(*a, ""));
  EXPECT_FALSE(hub::MakeAccount("anna", hub::AdminRole::kViewer, "short", 1000, 1).ok());
  auto bad = hub::MakeAccount("a b", hub::AdminRole::kViewer, "long enough pw", 1000, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--name"), std::string::npos);
}

TEST(AdminWebParts, AccountsFileRoundTrips) {
  cktest::TempDir dir;
  auto a = hub::MakeAccount("anna", hub::AdminRole::kViewer, "correct horse", 1000, 7);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(hub::AddAccount(dir.path(), *a).ok());
  EXPECT_EQ(hub::AddAccount(dir.path(), *a).code(), base::StatusCode::kAlreadyExists);
  auto all = hub::LoadAccounts(dir.path());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].role, hub::AdminRole::kViewer);
  EXPECT_TRUE(hub::CheckPassword((*all)[0], "correct horse"));
  EXPECT_EQ(hub::RemoveAccount(dir.path(), "boris").code(), base::StatusCode::kNotFound);
  ASSERT_TRUE(hub::RemoveAccount(dir.path(), "anna").ok());
  EXPECT_TRUE(hub::LoadAccounts(dir.path())->empty());
  std::ofstream(dir.File(hub::kAdminsFile)) << "{\"format\":2}";
  EXPECT_EQ(hub::LoadAccounts(dir.path()).status().code(), base::StatusCode::kDataLoss);
}

TEST(AdminWebParts, EveryTextInThreeLanguages) {
  EXPECT_TRUE(hub::web::TableComplete());
  using hub::web::Lang;
  EXPECT_EQ(hub::web::FromAcceptLanguage("kk-KZ,ru;q=0.8,en;q=0.5"), Lang::kKk);
  EXPECT_EQ(hub::web::FromAcceptLanguage("de-DE,ru;q=0.9,en;q=0.8"), Lang::kRu);
  EXPECT_EQ(hub::web::FromAcceptLanguage("fr"), Lang::kEn);
  EXPECT_EQ(hub::web::T(Lang::kRu, "nav.fleet"), "Киоски");
}

}  // namespace
