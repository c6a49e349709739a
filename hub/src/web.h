// The admin pages of cardhub under /admin/ (docs/hub.md, "Admin pages"): server-rendered HTML in
// English, Russian and Kazakh over the hub's store, with login (hub/admin_accounts.h), sessions,
// CSRF tokens on every form, lock-out and an audit log. Served by the hub's HTTP server, so only
// over TLS or on loopback. Thread-safe: pages are rendered on the server's worker threads. The
// store, filesystem and clock must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/fs.h"
#include "http_server.h"
#include "hub/store.h"
#include "web_audit.h"
#include "web_auth.h"
#include "web_text.h"
#include "web_util.h"

namespace hub::web {

struct WebOptions {
  std::string data_dir;
  bool tls = false;                       // the session cookie gets Secure
  int64_t utc_offset_seconds = 3 * 3600;  // the kiosks' local time, for days and months
  AuthLimits auth;
};

// Silent this long, a kiosk is shown amber, then red.
inline constexpr int64_t kAmberSeconds = 6 * 3600, kRedSeconds = 24 * 3600;

class AdminWeb {
 public:
  AdminWeb(WebOptions options, HubStore& store, base::FileSystem& fs, const base::Clock& clock);
  static bool IsAdminPath(std::string_view path);  // "/admin" or under "/admin/"
  void Handle(const http::Request& req, http::Response& res);

  struct Ctx;  // one request: defined in web.cc

 private:
  // web.cc: routing, login, the page frame.
  void Route(Ctx& c);
  void LoginPage(Ctx& c, std::string_view error, int status);
  void PostLogin(Ctx& c);
  void Logout(Ctx& c);
  void SetLang(Ctx& c);
  void SendPage(Ctx& c, std::string_view title, const std::string& body, int status = 200);
  void Fail(Ctx& c, int status, std::string_view message);
  void Audit(const Ctx& c, const std::string& action, const std::string& detail,
             const std::string& outcome);
  // Reads the POST's form and checks its CSRF token (and that the user is an operator when
  // `operator_only`); false after answering 403/400.
  bool TakeForm(Ctx& c, bool operator_only);
  // web_fleet.cc
  void Fleet(Ctx& c);
  void Kiosk(Ctx& c);
  // web_reports.cc
  void Partners(Ctx& c);
  void Events(Ctx& c);
  void FlagsPage(Ctx& c);
  void Exports(Ctx& c);
  void Export(Ctx& c);
  void AuditPage(Ctx& c);
  // web_actions.cc
  void PublishForm(Ctx& c);
  void PublishUpload(Ctx& c);
  void PublishConfirm(Ctx& c);
  void EnrollForm(Ctx& c, std::string_view message = "");
  void PostEnroll(Ctx& c);
  void PostWithdraw(Ctx& c);

  const WebOptions options_;
  HubStore& store_;
  base::FileSystem& fs_;
  const base::Clock& clock_;
  Sessions sessions_;
  AuditLog audit_;
};

// What every page's code sees of one request.
struct AdminWeb::Ctx {
  const http::Request& req;
  http::Response& res;
  Lang lang = Lang::kEn;
  std::optional<Session> session;
  std::string token;  // the session cookie's value
  Form form;          // a POST's fields, after TakeForm
  std::string_view t(std::string_view key) const { return T(lang, key); }
  std::string csrf_field() const;  // the hidden input of every form
  std::string address() const { return req.remote_addr; }
  bool is_operator() const { return session && session->role == AdminRole::kOperator; }
};

}  // namespace hub::web
