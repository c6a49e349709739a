// Who is logged in to the admin pages, and who may not try again yet: sessions (random tokens in
// an HttpOnly cookie, each with its CSRF token) and the lock-out after repeated failed logins,
// per account and per address. Kept in memory: a restart logs everyone out and forgets the
// counts. Thread-safe; the clock must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"
#include "hub/admin_accounts.h"

namespace hub::web {

struct Session {
  std::string user;
  AdminRole role = AdminRole::kViewer;
  std::string csrf;      // put in every form of the session's pages, checked on every POST
  int64_t last_use = 0;  // Unix seconds
};

struct AuthLimits {
  int account_failures = 5;         // failed logins of one account within the window lock it
  int address_failures = 20;        // ... of one address (any account)
  int64_t window_seconds = 900;     // failures older than this are forgotten
  int64_t lockout_seconds = 900;    // how long a lock-out lasts
  int64_t idle_seconds = 8 * 3600;  // a session unused this long is logged out
};

class Sessions {
 public:
  explicit Sessions(const base::Clock& clock, AuthLimits limits = {})
      : clock_(clock), limits_(limits) {}

  // A new session's token.
  std::string Open(const std::string& user, AdminRole role);
  // The session of `token` (its last use updated), or nullopt (unknown or idle too long).
  std::optional<Session> Find(const std::string& token);
  void Close(const std::string& token);
  // Ends every session of `user` (its account was removed or its role changed).
  void CloseUser(const std::string& user);

  // Whether a login of `user` from `address` may be tried now.
  bool Locked(const std::string& user, const std::string& address);
  // Records a failed login; true when it locked the account or the address.
  bool Failed(const std::string& user, const std::string& address);
  // A successful login clears the account's failures (not the address's).
  void Succeeded(const std::string& user);

 private:
  struct Failures {
    int count = 0;
    int64_t first = 0;         // of the current window
    int64_t locked_until = 0;  // 0: not locked
  };
  bool LockedLocked(Failures& f, int64_t now);
  bool Count(Failures& f, int limit, int64_t now);

  const base::Clock& clock_;
  const AuthLimits limits_;
  std::mutex mu_;
  std::map<std::string, Session> sessions_;
  std::map<std::string, Failures> by_user_, by_address_;
};

}  // namespace hub::web
