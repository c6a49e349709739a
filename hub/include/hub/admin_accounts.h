// The accounts of the admin pages (/admin/, docs/hub.md "Admin pages"): DATA_DIR/admins.json,
// written atomically (mode 0600) by `cardhub admin add|remove` and read by the server at every
// login, so an account added or removed takes effect without a restart. Passwords are kept as
// PBKDF2-HMAC-SHA256 (OpenSSL) with a random 16-byte salt and the iteration count stored beside
// the hash, so a later, higher cost applies to new passwords without breaking the old ones.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace hub {

enum class AdminRole { kViewer, kOperator };  // viewer: pages and exports; operator: also acts
std::string_view AdminRoleName(AdminRole r);  // "viewer" | "operator"
base::Result<AdminRole> ParseAdminRole(std::string_view s);

struct AdminAccount {
  std::string name;
  AdminRole role = AdminRole::kOperator;
  std::string salt_hex, hash_hex;  // 16 and 32 bytes
  int64_t iterations = 0;
  int64_t created = 0;  // Unix seconds
};

inline constexpr char kAdminsFile[] = "admins.json";
inline constexpr int64_t kPasswordIterations = 600'000;  // PBKDF2-HMAC-SHA256
inline constexpr size_t kMinPasswordBytes = 10, kMaxPasswordBytes = 1024;

// A new account's salt and hash. kInvalidArgument for a password shorter than 10 bytes or
// longer than 1024, and for a name that is not 1..64 of [A-Za-z0-9._@-].
base::Result<AdminAccount> MakeAccount(const std::string& name, AdminRole role,
                                       std::string_view password, int64_t iterations, int64_t now);
// True when `password` hashes to the account's hash (constant-time comparison).
bool CheckPassword(const AdminAccount& a, std::string_view password);

// The accounts of DATA_DIR/admins.json; none when the file is missing. kDataLoss for a file
// that is not what `cardhub admin` writes.
base::Result<std::vector<AdminAccount>> LoadAccounts(const std::string& data_dir);
base::Status SaveAccounts(const std::string& data_dir, const std::vector<AdminAccount>& accounts);

// `cardhub admin add`: kAlreadyExists for a name already there. `admin remove`: kNotFound.
base::Status AddAccount(const std::string& data_dir, const AdminAccount& account);
base::Status RemoveAccount(const std::string& data_dir, const std::string& name);

}  // namespace hub
