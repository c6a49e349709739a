// `cardhub admin add|remove|list`: the accounts of the admin pages (hub/admin_accounts.h).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "base/status.h"
#include "hub/admin_accounts.h"

namespace hub {

struct AdminCommand {
  std::string action;  // "add" | "remove" | "list"
  std::string data_dir, name;
  std::string role = "operator";
  int64_t iterations = kPasswordIterations;  // the PBKDF2 cost of the new password
  int64_t now = 0;
};

// add reads the password from `in`: twice without echo when it is a terminal, else its first
// line. Prompts go to `err`, results to `out`.
base::Status RunAdminAccounts(const AdminCommand& cmd, std::FILE* in, std::FILE* out,
                              std::FILE* err);

}  // namespace hub
