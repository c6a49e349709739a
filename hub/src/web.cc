#include "web.h"

#include <cstdio>
#include <vector>

#include "hub/admin_accounts.h"

namespace hub::web {
namespace {

constexpr char kSessionCookie[] = "ck_session";
constexpr char kLoginCookie[] = "ck_login";  // the login form's CSRF token (double submit)
constexpr char kLangCookie[] = "ck_lang";

// Small and vendored: the pages' one style sheet, inline (no CDN). Prints without the menu.
constexpr char kCss[] = R"(
body{font:14px/1.4 "DejaVu Sans",Arial,sans-serif;margin:0;color:#111;background:#fff}
header{background:#1d2b3a;color:#fff;padding:6px 12px;display:flex;flex-wrap:wrap;gap:12px;align-items:center}
header a{color:#fff;text-decoration:none}header a.on{text-decoration:underline}
header form{display:inline;margin:0}header .me{margin-left:auto}
main{padding:12px}h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:18px 0 6px}
table{border-collapse:collapse;margin-bottom:12px}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eef1f4}td.n{text-align:right}tr.state-amber td.c{background:#ffe7a8}tr.state-red td.c{background:#f6b3b3}
td.amber{background:#ffe7a8}td.red{background:#f6b3b3}
tr.state-withdrawn td{color:#777}.err{color:#a00;font-weight:bold}.ok{color:#060;font-weight:bold}
.box{border:1px solid #ccc;padding:10px;max-width:640px;margin-bottom:12px}label{display:block;margin:6px 0 2px}
input[type=text],input[type=password],textarea,select{font:inherit;padding:3px}textarea{width:100%}
pre{background:#f4f4f4;padding:6px;white-space:pre-wrap}svg.chart{display:block;max-width:100%}
@media print{header{display:none}main{padding:0}}
)";

void SecurityHeaders(http::Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                 "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "same-origin");
  res.set_header("Cache-Control", "no-store");
}

void Redirect(http::Response& res, const std::string& to) {
  res.status = 303;
  res.set_header("Location", to);
  res.set_content("", "text/plain");
}

}  // namespace

std::string AdminWeb::Ctx::csrf_field() const {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + Html(session ? session->csrf : "") +
         "\">";
}

AdminWeb::AdminWeb(WebOptions options, HubStore& store, base::FileSystem& fs,
                   const base::Clock& clock)
    : options_(std::move(options)),
      store_(store),
      fs_(fs),
      clock_(clock),
      sessions_(clock, options_.auth),
      audit_(options_.data_dir) {}

bool AdminWeb::IsAdminPath(std::string_view path) {
  return path == "/admin" || path.substr(0, 7) == "/admin/";
}

void AdminWeb::Handle(const http::Request& req, http::Response& res) {
  Ctx c{.req = req, .res = res};
  Lang lang;
  if (ParseLang(CookieValue(req.header("Cookie"), kLangCookie), &lang)) {
    c.lang = lang;
  } else {
    c.lang = FromAcceptLanguage(req.header("Accept-Language"));
  }
  c.token = CookieValue(req.header("Cookie"), kSessionCookie);
  if (!c.token.empty()) c.session = sessions_.Find(c.token);
  SecurityHeaders(res);
  Route(c);
}

void AdminWeb::Route(Ctx& c) {
  const std::string& p = c.req.path;
  const bool get = c.req.method == "GET" || c.req.method == "HEAD";
  const bool post = c.req.method == "POST";
  if (p == "/admin") return Redirect(c.res, "/admin/");
  if (p == "/admin/login" && get) return LoginPage(c, "", 200);
  if (p == "/admin/login" && post) return PostLogin(c);
  if (p == "/admin/lang" && get) return SetLang(c);
  if (!c.session) {
    if (post) return Fail(c, 403, c.t("err.csrf"));
    return Redirect(c.res, "/admin/login");
  }
  if (p == "/admin/logout" && post) return Logout(c);
  if (get) {
    if (p == "/admin/") return Fleet(c);
    if (p == "/admin/kiosk") return Kiosk(c);
    if (p == "/admin/partners") return Partners(c);
    if (p == "/admin/events") return Events(c);
    if (p == "/admin/flags") return FlagsPage(c);
    if (p == "/admin/exports") return Exports(c);
    if (p == "/admin/export") return Export(c);
    if (p == "/admin/audit") return AuditPage(c);
    if (p == "/admin/publish") return PublishForm(c);
    if (p == "/admin/enroll") return EnrollForm(c);
  }
  if (post) {
    if (p == "/admin/publish") return PublishUpload(c);
    if (p == "/admin/publish/confirm") return PublishConfirm(c);
    if (p == "/admin/enroll") return PostEnroll(c);
    if (p == "/admin/withdraw") return PostWithdraw(c);
  }
  Fail(c, 404, c.t("err.not_found"));
}

void AdminWeb::LoginPage(Ctx& c, std::string_view error, int status) {
  const std::string login_csrf = RandomToken();
  c.res.headers.emplace_back("Set-Cookie", std::string(kLoginCookie) + "=" + login_csrf +
                                               "; Path=/admin; HttpOnly; SameSite=Strict" +
                                               (options_.tls ? "; Secure" : ""));
  std::string body = "<div class=\"box\"><form method=\"post\" action=\"/admin/login\">";
  if (!error.empty()) body += "<p class=\"err\" id=\"error\">" + Html(error) + "</p>";
  body += "<input type=\"hidden\" name=\"csrf\" value=\"" + login_csrf + "\">";
  body += "<label for=\"user\">" + Html(c.t("login.user")) +
          "</label><input type=\"text\" id=\"user\" name=\"user\" autocomplete=\"username\" "
          "required autofocus>";
  body += "<label for=\"password\">" + Html(c.t("login.password")) +
          "</label><input type=\"password\" id=\"password\" name=\"password\" "
          "autocomplete=\"current-password\" required>";
  body += "<p><button type=\"submit\">" + Html(c.t("login.submit")) + "</button></p></form></div>";
  SendPage(c, c.t("login.title"), body, status);
}

void AdminWeb::PostLogin(Ctx& c) {
  base::Result<Form> form = ParseForm(c.req.header("Content-Type"), c.req.body);
  if (!form.ok() ||
      !SameToken((*form)["csrf"], CookieValue(c.req.header("Cookie"), kLoginCookie))) {
    Audit(c, "login", "", "refused: CSRF token missing or wrong");
    return Fail(c, 403, c.t("err.csrf"));
  }
  const std::string user = (*form)["user"].substr(0, 64);
  if (sessions_.Locked(user, c.address())) {
    Audit(c, "login", user, "refused: locked out");
    return LoginPage(c, c.t("err.locked"), 429);
  }
  base::Result<std::vector<AdminAccount>> accounts = LoadAccounts(options_.data_dir);
  if (!accounts.ok()) return Fail(c, 500, accounts.status().ToString());
  const AdminAccount* found = nullptr;
  for (const AdminAccount& a : *accounts) {
    if (a.name == user) found = &a;
  }
  if (found == nullptr || !CheckPassword(*found, (*form)["password"])) {
    const bool locked = sessions_.Failed(user, c.address());
    Audit(c, "login", user,
          locked ? "refused: wrong password, now locked out" : "refused: wrong password");
    return LoginPage(c, c.t(locked ? "err.locked" : "err.login"), locked ? 429 : 401);
  }
  sessions_.Succeeded(user);
  const std::string token = sessions_.Open(found->name, found->role);
  c.res.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + token +
                                               "; Path=/admin; HttpOnly; SameSite=Strict" +
                                               (options_.tls ? "; Secure" : ""));
  c.res.headers.emplace_back(
      "Set-Cookie",
      std::string(kLoginCookie) + "=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict");
  c.session = Session{.user = found->name, .role = found->role};
  Audit(c, "login", found->name, "ok");
  Redirect(c.res, "/admin/");
}

void AdminWeb::Logout(Ctx& c) {
  if (!TakeForm(c, false)) return;
  sessions_.Close(c.token);
  Audit(c, "logout", "", "ok");
  c.res.headers.emplace_back(
      "Set-Cookie",
      std::string(kSessionCookie) + "=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict");
  Redirect(c.res, "/admin/login");
}

// /admin/lang?set=ru&back=/admin/partners: remembers the language in a cookie.
void AdminWeb::SetLang(Ctx& c) {
  Lang lang;
  if (!ParseLang(c.req.arg("set"), &lang)) return Fail(c, 400, "set= must be en, ru or kk");
  std::string back = c.req.arg("back");
  if (!IsAdminPath(back) || back.find("//") != std::string::npos) back = "/admin/";
  c.res.headers.emplace_back("Set-Cookie", std::string(kLangCookie) + "=" +
                                               std::string(LangCode(lang)) +
                                               "; Path=/admin; Max-Age=31536000; SameSite=Strict");
  Redirect(c.res, back);
}

void AdminWeb::SendPage(Ctx& c, std::string_view title, const std::string& body, int status) {
  std::string h = "<!DOCTYPE html><html lang=\"" + std::string(LangCode(c.lang)) +
                  "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                  "content=\"width=device-width\"><title>" +
                  Html(title) + " — cardhub</title><style>" + kCss +
                  "</style></head><body><header>";
  if (c.session) {
    static constexpr std::pair<const char*, const char*> kNav[] = {
        {"/admin/", "nav.fleet"},          {"/admin/partners", "nav.partners"},
        {"/admin/events", "nav.events"},   {"/admin/flags", "nav.flags"},
        {"/admin/exports", "nav.exports"}, {"/admin/publish", "nav.publish"},
        {"/admin/audit", "nav.audit"}};
    for (const auto& [href, key] : kNav) {
      h += std::string("<a href=\"") + href + "\"" + (c.req.path == href ? " class=\"on\"" : "") +
           ">" + Html(c.t(key)) + "</a>";
    }
  } else {
    h += "<b>cardhub</b>";
  }
  h += "<span class=\"me\">";
  for (Lang l : {Lang::kRu, Lang::kKk, Lang::kEn}) {
    h += "<a href=\"/admin/lang?set=" + std::string(LangCode(l)) +
         "&amp;back=" + Html(UrlEncode(c.req.path)) + "\">" + std::string(LangCode(l)) + "</a> ";
  }
  h += "</span>";
  if (c.session) {
    h += "<span>" + Html(c.session->user) + " (" + std::string(AdminRoleName(c.session->role)) +
         ")</span><form method=\"post\" action=\"/admin/logout\">" + c.csrf_field() +
         "<button type=\"submit\">" + Html(c.t("nav.logout")) + "</button></form>";
  }
  h += "</header><main><h1>" + Html(title) + "</h1>" + body + "</main></body></html>";
  c.res.status = status;
  c.res.set_content(std::move(h), "text/html; charset=utf-8");
}

void AdminWeb::Fail(Ctx& c, int status, std::string_view message) {
  SendPage(c, std::to_string(status), "<p class=\"err\" id=\"error\">" + Html(message) + "</p>",
           status);
}

void AdminWeb::Audit(const Ctx& c, const std::string& action, const std::string& detail,
                     const std::string& outcome) {
  base::Status st = audit_.Append({.time = clock_.NowUnixSeconds(),
                                   .user = c.session ? c.session->user : "",
                                   .address = c.address(),
                                   .action = action,
                                   .detail = detail,
                                   .outcome = outcome});
  if (!st.ok()) std::fprintf(stderr, "cardhub: audit log: %s\n", st.ToString().c_str());
}

bool AdminWeb::TakeForm(Ctx& c, bool operator_only) {
  base::Result<Form> form = ParseForm(c.req.header("Content-Type"), c.req.body);
  if (!form.ok()) {
    Fail(c, 400, form.status().message());
    return false;
  }
  c.form = std::move(form).value();
  if (!c.session || !SameToken(c.form["csrf"], c.session->csrf)) {
    Audit(c, c.req.path, "", "refused: CSRF token missing or wrong");
    Fail(c, 403, c.t("err.csrf"));
    return false;
  }
  if (operator_only && !c.is_operator()) {
    Audit(c, c.req.path, "", "refused: not an operator");
    Fail(c, 403, c.t("err.operator"));
    return false;
  }
  return true;
}

}  // namespace hub::web
