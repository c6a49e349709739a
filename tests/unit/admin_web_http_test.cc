// The admin pages over a real `cardhub serve` on loopback with kiosks' journals pushed to it
// (signed POST /v1/journal): login and its refusals, lock-out, CSRF, roles, escaping, exports;
// then the same hub driven by headless Chromium (tests/browser/admin_browser.py).
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <string>

#include "hub_fixture.h"
#include "journal/journal.h"
#include "subprocess.h"

namespace {

constexpr int64_t kNovember = 1'794'301'200;  // 2026-11-10T09:00:00Z (the past: pushes accept it)
constexpr char kPassword[] = "correct horse battery";

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not in:\n" << text.substr(0, 4000);
}

class AdminWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx_.PublishBundle(1));
    fx_.clock().Set(kNovember);
    for (const char* name : {"shop-1", "shop-2", "door-1"}) {
      kiosks_.push_back(fx_.NewKiosk(name));
      ASSERT_TRUE(fx_.Enroll(kiosks_.back(), name));
    }
    ASSERT_TRUE(fx_.AppendDiscounts(kiosks_[0], 4, "M-1"));
    fx_.clock().Advance(86400);
    ASSERT_TRUE(fx_.AppendDiscounts(kiosks_[0], 2, "M-2"));
    ASSERT_TRUE(fx_.AppendDiscounts(kiosks_[1], 3, "M-3"));
    ASSERT_TRUE(fx_.AppendCheckins(kiosks_[2], 5, "M-1"));
    AddAdmin("anna", "operator");
    AddAdmin("vera", "viewer");
    ASSERT_TRUE(fx_.StartHub());
    for (size_t i = 0; i < 2; ++i) Push(kiosks_[i]);  // door-1 never synced
    // shop-1 reports its health (a Raspberry Pi short of power, deciding with registry 0 while 1
    // is published); shop-2 is an old kiosk that never sends a report.
    ReportStatus(kiosks_[0], R"({"format": 1, "app_version": "0.9.1", "mode": "shop",
        "scope_id": "P-1", "registry_seq": 0, "journal_last_seq": 6, "kiosk_time_utc": 1794387600,
        "uptime_seconds": 273600, "disk_free_bytes": 23900000000, "clock_corrections": 1,
        "failed_scans": {"EXPIRED": 1, "REVOKED": 2}, "temperature_celsius": 51.6,
        "undervoltage": true})");
  }

  void ReportStatus(const std::string& kiosk, const std::string& body) {
    httplib::Headers h = {
        {"Authorization", fx_.Sign(kiosk, "POST", "/v1/status", base::AsBytes(body))}};
    auto r = Client().Post("/v1/status", h, body, "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }

  void AddAdmin(const std::string& name, const std::string& role) {
    cktest::RunOptions o;
    o.stdin_text = std::string(kPassword) + "\n";
    cktest::ProcessResult r = cktest::RunProcess(
        CK_CARDHUB_PATH,
        {"admin", "add", "--data-dir", fx_.hub_dir(), "--name", name, "--role", role,
         "--pbkdf2-iterations", "1000"},  // cheap: the tests log in often on a loaded machine
        o);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_TRUE(Contains(r.out, "added admin " + name));
  }

  void Push(const std::string& kiosk) {
    base::Bytes batch = fx_.ExportBatch(kiosk, 1);
    httplib::Headers h = {{"Authorization", fx_.Sign(kiosk, "POST", "/v1/journal", batch)}};
    auto r = Client().Post("/v1/journal", h, std::string(base::AsChars(batch)),
                           "application/octet-stream");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }

  httplib::Client Client() { return httplib::Client(fx_.hub().host(), fx_.hub().port()); }

  // The login form's CSRF cookie and token.
  std::pair<std::string, std::string> LoginCsrf() {
    auto r = Client().Get("/admin/login");
    EXPECT_TRUE(r && r->status == 200);
    std::smatch m;
    std::string cookie = r->get_header_value("Set-Cookie");
    std::regex_search(cookie, m, std::regex("ck_login=([0-9a-f]{64})"));
    std::string c = m.size() > 1 ? m[1].str() : "";
    std::string body = r->body;
    std::regex_search(body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]{64})\""));
    return {c, m.size() > 1 ? m[1].str() : ""};
  }

  httplib::Result Login(const std::string& user, const std::string& password) {
    auto [cookie, token] = LoginCsrf();
    httplib::Params p = {{"csrf", token}, {"user", user}, {"password", password}};
    return Client().Post("/admin/login", {{"Cookie", "ck_login=" + cookie}}, p);
  }

  // The session cookie of a good login.
  std::string Session(const std::string& user) {
    auto r = Login(user, kPassword);
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, 303) << r->body;
    std::smatch m;
    std::string all;
    for (const auto& [k, v] : r->headers) {
      if (k == "Set-Cookie") all += v + "\n";
    }
    EXPECT_TRUE(Contains(all, "HttpOnly"));
    EXPECT_TRUE(Contains(all, "SameSite=Strict"));
    std::regex_search(all, m, std::regex("ck_session=([0-9a-f]{64})"));
    return m.size() > 1 ? "ck_session=" + m[1].str() : "";
  }

  std::string CsrfOf(const std::string& html) {
    std::smatch m;
    std::regex_search(html, m, std::regex("name=\"csrf\" value=\"([0-9a-f]{64})\""));
    return m.size() > 1 ? m[1].str() : "";
  }

  hubtest::HubFixture fx_;
  std::vector<std::string> kiosks_;
};

TEST_F(AdminWebTest, LoginRefusesWrongPasswordsAndLocksOut) {
  auto page = Client().Get("/admin/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 303);
  EXPECT_EQ(page->get_header_value("Location"), "/admin/login");
  auto bad = Login("anna", "wrong password!");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_TRUE(Contains(bad->body, "Wrong user name or password."));
  // Without the login form's token.
  auto no_csrf =
      Client().Post("/admin/login", httplib::Params{{"user", "anna"}, {"password", kPassword}});
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Login("anna", "wrong password!")->status, 401);
  auto locked = Login("anna", "wrong password!");  // the fifth
  EXPECT_EQ(locked->status, 429);
  auto even_right = Login("anna", kPassword);
  EXPECT_EQ(even_right->status, 429);
  EXPECT_TRUE(Contains(even_right->body, "Too many failed logins"));
  // Another account from the same address is not locked yet (20 per address).
  EXPECT_EQ(Login("vera", kPassword)->status, 303);
  // Russian when the browser asks for it.
  auto [cookie, token] = LoginCsrf();
  auto ru = Client().Post(
      "/admin/login", {{"Cookie", "ck_login=" + cookie}, {"Accept-Language", "ru-RU,ru"}},
      httplib::Params{{"csrf", token}, {"user", "vera"}, {"password", "nope nope nope"}});
  EXPECT_TRUE(Contains(ru->body, "Неверное имя или пароль."));
}

TEST_F(AdminWebTest, FleetPageListsKiosksAndEscapesNames) {
  const std::string s = Session("anna");
  auto fleet = Client().Get("/admin/", {{"Cookie", s}});
  ASSERT_TRUE(fleet);
  ASSERT_EQ(fleet->status, 200);
  EXPECT_TRUE(Contains(fleet->body, "data-name=\"shop-1\""));
  EXPECT_TRUE(Contains(fleet->body, "data-name=\"door-1\""));
  EXPECT_TRUE(Contains(fleet->get_header_value("Content-Security-Policy"), "default-src 'none'"));
  // A name with markup, enrolled through the page, is shown as text.
  std::string csrf = CsrfOf(Client().Get("/admin/enroll", {{"Cookie", s}})->body);
  const std::string k = fx_.NewKiosk("x");
  std::ifstream pem_in(k + "/device.pub.pem");
  std::string pem((std::istreambuf_iterator<char>(pem_in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(pem.empty());
  httplib::MultipartFormDataItems items = {
      {"csrf", csrf, "", ""}, {"name", "<b>evil</b>", "", ""}, {"pem", pem, "", ""}};
  auto enrolled = Client().Post("/admin/enroll", {{"Cookie", s}}, items);
  ASSERT_TRUE(enrolled);
  EXPECT_EQ(enrolled->status, 200) << enrolled->body;
  fleet = Client().Get("/admin/", {{"Cookie", s}});
  EXPECT_TRUE(Contains(fleet->body, "&lt;b&gt;evil&lt;/b&gt;"));
  EXPECT_EQ(fleet->body.find("<b>evil</b>"), std::string::npos);
  // Filtered by state.
  auto never = Client().Get("/admin/?state=never", {{"Cookie", s}});
  EXPECT_TRUE(Contains(never->body, "data-name=\"door-1\""));
  EXPECT_EQ(never->body.find("data-name=\"shop-1\""), std::string::npos);
  // The audit page shows the enrolment.
  auto audit = Client().Get("/admin/audit", {{"Cookie", s}});
  EXPECT_TRUE(Contains(audit->body, "enroll"));
  EXPECT_TRUE(Contains(audit->body, "&lt;b&gt;evil&lt;/b&gt;"));
}

// A kiosk whose journal was replaced uploads a new chain: its row's alarms say so.
TEST_F(AdminWebTest, FleetAlarmsShowANewJournalChain) {
  const std::string s = Session("vera");
  const std::string row = "data-name=\"shop-1\">";
  auto fleet = Client().Get("/admin/", {{"Cookie", s}});
  ASSERT_TRUE(fleet);
  EXPECT_EQ(fleet->body.find("new journal chain"), std::string::npos);
  ASSERT_EQ(::unlink((kiosks_[0] + "/journal.db").c_str()), 0);
  (void)::unlink((kiosks_[0] + "/journal.db-wal").c_str());
  (void)::unlink((kiosks_[0] + "/journal.db-shm").c_str());
  ASSERT_TRUE(fx_.AppendDiscounts(kiosks_[0], 1, "M-1"));
  Push(kiosks_[0]);
  fleet = Client().Get("/admin/", {{"Cookie", s}});
  ASSERT_TRUE(fleet);
  const size_t at = fleet->body.find(row);
  ASSERT_NE(at, std::string::npos) << fleet->body;
  const size_t end = fleet->body.find("</tr>", at);
  EXPECT_TRUE(Contains(fleet->body.substr(at, end - at), "1 new journal chain"));
}

TEST_F(AdminWebTest, FormsNeedTheirCsrfTokenAndActionsAnOperator) {
  const std::string anna = Session("anna");
  // Withdraw without a token, and with another session's token.
  auto no_token = Client().Post("/admin/withdraw", {{"Cookie", anna}},
                                httplib::Params{{"name", "shop-2"}, {"confirm", "yes"}});
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403);
  const std::string vera = Session("vera");
  const std::string vera_csrf = CsrfOf(Client().Get("/admin/", {{"Cookie", vera}})->body);
  auto wrong =
      Client().Post("/admin/withdraw", {{"Cookie", anna}},
                    httplib::Params{{"csrf", vera_csrf}, {"name", "shop-2"}, {"confirm", "yes"}});
  EXPECT_EQ(wrong->status, 403);
  // A viewer with her own token is refused: not an operator.
  auto viewer =
      Client().Post("/admin/withdraw", {{"Cookie", vera}},
                    httplib::Params{{"csrf", vera_csrf}, {"name", "shop-2"}, {"confirm", "yes"}});
  EXPECT_EQ(viewer->status, 403);
  EXPECT_TRUE(Contains(viewer->body, "Only an operator"));
  auto devices = fx_.Cardhub({"devices", "--data-dir", fx_.hub_dir()});
  EXPECT_TRUE(Contains(devices.out, "shop-2"));
  EXPECT_EQ(devices.out.find("withdrawn"), std::string::npos);
  // The operator with hers.
  const std::string csrf =
      CsrfOf(Client().Get("/admin/kiosk?name=shop-2", {{"Cookie", anna}})->body);
  auto ok = Client().Post("/admin/withdraw", {{"Cookie", anna}},
                          httplib::Params{{"csrf", csrf}, {"name", "shop-2"}, {"confirm", "yes"}});
  EXPECT_EQ(ok->status, 200) << ok->body;
  devices = fx_.Cardhub({"devices", "--data-dir", fx_.hub_dir()});
  EXPECT_TRUE(Contains(devices.out, "withdrawn"));
  // Logged out: the session no longer opens pages.
  EXPECT_EQ(
      Client().Post("/admin/logout", {{"Cookie", anna}}, httplib::Params{{"csrf", csrf}})->status,
      303);
  EXPECT_EQ(Client().Get("/admin/", {{"Cookie", anna}})->status, 303);
}

TEST_F(AdminWebTest, ReportPagesAndExports) {
  const std::string s = Session("vera");
  auto partners = Client().Get("/admin/partners?month=2026-11", {{"Cookie", s}});
  ASSERT_EQ(partners->status, 200);
  EXPECT_TRUE(Contains(partners->body, "<svg"));
  EXPECT_TRUE(Contains(partners->body, hubtest::kCappedOffer));
  auto csv = Client().Get("/admin/export?month=2026-11&by=partner&format=csv", {{"Cookie", s}});
  ASSERT_EQ(csv->status, 200);
  EXPECT_TRUE(Contains(csv->get_header_value("Content-Disposition"), "attachment"));
  EXPECT_TRUE(Contains(csv->body, hubtest::kPartner));
  auto xlsx = Client().Get("/admin/export?month=2026-11&by=offer&format=xlsx", {{"Cookie", s}});
  ASSERT_EQ(xlsx->status, 200);
  EXPECT_EQ(xlsx->body.substr(0, 2), "PK");
  auto bad = Client().Get("/admin/export?month=2026-13&format=csv", {{"Cookie", s}});
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(Client().Get("/admin/flags", {{"Cookie", s}})->status, 200);
  EXPECT_EQ(Client().Get("/admin/events?month=2026-11", {{"Cookie", s}})->status, 200);
}

// A second report of shop-1 brings its refused scans of the last 24 h to 21 (3 + 18): the Flags
// page lists it, with the sum per reason.
TEST_F(AdminWebTest, FlagsPageListsAKioskWithManyRefusedScans) {
  ReportStatus(kiosks_[0], R"({"format": 1, "app_version": "0.9.1", "mode": "shop",
      "scope_id": "P-1", "registry_seq": 1, "journal_last_seq": 6, "kiosk_time_utc": 1794387900,
      "clock_corrections": 1, "failed_scans": {"EXPIRED": 11, "REVOKED": 7}})");
  auto r = Client().Get("/admin/flags", {{"Cookie", Session("vera")}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_TRUE(Contains(r->body,
                       "<tr><td>refused_scans</td><td>refused_scans device=shop-1 refused=21 "
                       "reasons=EXPIRED:12,REVOKED:9 since="));
}

TEST_F(AdminWebTest, EveryPageHasAllItsWordsInEachLanguage) {
  const std::string s = Session("anna");
  for (const char* lang : {"en", "ru", "kk"}) {
    for (const char* page : {"/admin/", "/admin/kiosk?name=shop-1", "/admin/partners?month=2026-11",
                             "/admin/events?month=2026-11", "/admin/flags", "/admin/exports",
                             "/admin/audit", "/admin/publish", "/admin/enroll", "/admin/nope"}) {
      auto r = Client().Get(page, {{"Cookie", s + "; ck_lang=" + lang}});
      ASSERT_TRUE(r) << page;
      EXPECT_TRUE(Contains(r->body, std::string("<html lang=\"") + lang + "\""));
      EXPECT_EQ(r->body.find("(?)"), std::string::npos) << lang << " " << page;
    }
  }
}

// The Events page charts check-ins per local hour over the event's day (UTC+3 by default: the
// five check-ins from 09:00Z are at 12 local), counts the people let in without a card and the
// check-ins refused as repeats, and the Partners page counts voids per month.
TEST_F(AdminWebTest, EventsChartCheckinsPerHourAndPartnersCountVoids) {
  {
    auto j = journal::Journal::Open(kiosks_[2] + "/" + journal::kJournalFile, fx_.clock());
    ASSERT_TRUE(j.ok());
    journal::NewEntry e{.kind = journal::Kind::kManualCount,
                        .event_id = hubtest::kEvent,
                        .bundle_seq = 1,
                        .decision = journal::kAccepted,
                        .actor = "cashier"};
    for (int i = 0; i < 2; ++i) ASSERT_TRUE((*j)->Append(e).ok());
    e = {.kind = journal::Kind::kCheckin,
         .rid = card::Rid{1, 1, 1, 1, 1, 1, 1, 1},
         .event_id = hubtest::kEvent,
         .bundle_seq = 1,
         .verdict = "VALID",
         .decision = "ALREADY_CHECKED_IN"};
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*j)->Append(e).ok());
  }
  Push(kiosks_[2]);
  const std::string s = Session("anna");
  auto r = Client().Get("/admin/events?month=2026-11", {{"Cookie", s}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  // Check-ins 5, unique members 1, without a card 2, repeats refused 3, capacity.
  EXPECT_TRUE(Contains(r->body, "<th>Without a card</th><th>Repeats refused</th>"));
  EXPECT_TRUE(Contains(r->body,
                       "<td class=\"n\">5</td><td class=\"n\">1</td><td "
                       "class=\"n\">2</td><td class=\"n\">3</td>"));
  EXPECT_TRUE(Contains(r->body, "Check-ins per hour"));
  EXPECT_TRUE(Contains(r->body, "<title>12: 5</title>"));
  EXPECT_TRUE(Contains(r->body, "<title>11: 0</title>"));
  r = Client().Get("/admin/partners?month=2026-11", {{"Cookie", s}});
  ASSERT_TRUE(r);
  EXPECT_TRUE(Contains(r->body, "<th>Voids</th>"));
}

// A month in which an event's only check-ins were refused repeats still lists the event, named
// from the registry, with its repeats.
TEST_F(AdminWebTest, EventWithOnlyRefusedRepeatsHasARow) {
  fx_.clock().Set(kNovember + 21 * 86400);  // 2026-12-01T09:00:00Z
  {
    auto j = journal::Journal::Open(kiosks_[2] + "/" + journal::kJournalFile, fx_.clock());
    ASSERT_TRUE(j.ok());
    const journal::NewEntry e{.kind = journal::Kind::kCheckin,
                              .rid = card::Rid{2, 2, 2, 2, 2, 2, 2, 2},
                              .event_id = hubtest::kEvent,
                              .bundle_seq = 1,
                              .verdict = "VALID",
                              .decision = "ALREADY_CHECKED_IN"};
    for (int i = 0; i < 4; ++i) ASSERT_TRUE((*j)->Append(e).ok());
  }
  Push(kiosks_[2]);
  const std::string s = Session("vera");
  auto r = Client().Get("/admin/events?month=2026-12", {{"Cookie", s}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  // Check-ins 0, members 0, without a card 0, repeats refused 4.
  EXPECT_TRUE(Contains(r->body, std::string("(") + hubtest::kEvent + ")</td>"));
  EXPECT_TRUE(Contains(r->body,
                       "<td class=\"n\">0</td><td class=\"n\">0</td><td "
                       "class=\"n\">0</td><td class=\"n\">4</td>"));
  // November's accepted check-ins are not counted in December.
  r = Client().Get("/admin/events?month=2026-11", {{"Cookie", s}});
  ASSERT_TRUE(r);
  EXPECT_TRUE(Contains(r->body, "<td class=\"n\">5</td><td class=\"n\">1</td>"));
}

// Headless Chromium through Selenium against this hub: tests/browser/admin_browser.py. Its
// screenshots go to the build directory (CK_BROWSER_SHOTS_DIR).
TEST_F(AdminWebTest, InARealBrowser) {
  const std::string bundle = fx_.BuildBundle(2);
  ASSERT_FALSE(bundle.empty());
  cktest::RunOptions o;
  o.timeout = std::chrono::milliseconds(240000);
  cktest::ProcessResult r =
      cktest::RunProcess("/usr/bin/python3",
                         {CK_BROWSER_SCRIPT, "--url", fx_.hub().base_url(), "--user", "anna",
                          "--password", kPassword, "--bundle", bundle, "--shots",
                          CK_BROWSER_SHOTS_DIR, "--downloads", fx_.root() + "/downloads"},
                         o);
  EXPECT_EQ(r.exit_code, 0) << r.Describe() << "\n" << r.out;
  auto devices = fx_.Cardhub({"devices", "--data-dir", fx_.hub_dir()});
  auto health = Client().Get("/v1/health");
  EXPECT_TRUE(Contains(health->body, "\"bundle_seq\":2"));
}

}  // namespace
