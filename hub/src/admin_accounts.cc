#include "hub/admin_accounts.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "base/file.h"
#include "base/hex.h"
#include "card/crypto.h"

namespace hub {
namespace {

using json = nlohmann::json;

constexpr size_t kSaltBytes = 16, kHashBytes = 32;
constexpr int64_t kMaxIterations = 100'000'000;

base::Result<base::Bytes> Pbkdf2(std::string_view password, const base::Bytes& salt,
                                 int64_t iterations) {
  if (iterations < 1 || iterations > kMaxIterations) {
    return base::InvalidArgument("iterations must be 1.." + std::to_string(kMaxIterations));
  }
  base::Bytes out(kHashBytes);
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(out.size()), out.data()) != 1) {
    return base::Internal("PBKDF2 failed");
  }
  return out;
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

base::Result<AdminAccount> FromJson(const json& j) {
  if (!j.is_object()) return base::DataLoss("an account is not an object");
  AdminAccount a;
  try {
    a.name = j.at("name").get<std::string>();
    CK_ASSIGN_OR_RETURN(a.role, ParseAdminRole(j.at("role").get<std::string>()));
    a.salt_hex = j.at("salt").get<std::string>();
    a.hash_hex = j.at("pbkdf2_sha256").get<std::string>();
    a.iterations = j.at("iterations").get<int64_t>();
    a.created = j.at("created").get<int64_t>();
  } catch (const json::exception& e) {
    return base::DataLoss(std::string("an account: ") + e.what());
  }
  if (!ValidName(a.name) || a.iterations < 1 || a.iterations > kMaxIterations ||
      a.salt_hex.size() != 2 * kSaltBytes || a.hash_hex.size() != 2 * kHashBytes) {
    return base::DataLoss("account '" + a.name + "' is not what cardhub admin writes");
  }
  return a;
}

}  // namespace

std::string_view AdminRoleName(AdminRole r) {
  return r == AdminRole::kViewer ? "viewer" : "operator";
}

base::Result<AdminRole> ParseAdminRole(std::string_view s) {
  if (s == "viewer") return AdminRole::kViewer;
  if (s == "operator") return AdminRole::kOperator;
  return base::InvalidArgument("role must be viewer or operator, got '" + std::string(s) + "'");
}

base::Result<AdminAccount> MakeAccount(const std::string& name, AdminRole role,
                                       std::string_view password, int64_t iterations, int64_t now) {
  if (!ValidName(name)) {
    return base::InvalidArgument(
        "--name: 1 to 64 of the letters A-Z a-z, digits and . _ @ -, got '" + name + "'");
  }
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes) {
    return base::InvalidArgument("the password must be 10 to 1024 bytes long");
  }
  CK_ASSIGN_OR_RETURN(base::Bytes salt, card::RandomBytes(kSaltBytes));
  CK_ASSIGN_OR_RETURN(base::Bytes hash, Pbkdf2(password, salt, iterations));
  return AdminAccount{.name = name,
                      .role = role,
                      .salt_hex = base::ToHex(salt),
                      .hash_hex = base::ToHex(hash),
                      .iterations = iterations,
                      .created = now};
}

bool CheckPassword(const AdminAccount& a, std::string_view password) {
  base::Result<base::Bytes> salt = base::FromHex(a.salt_hex);
  base::Result<base::Bytes> want = base::FromHex(a.hash_hex);
  if (!salt.ok() || !want.ok() || want->size() != kHashBytes) return false;
  if (password.size() > kMaxPasswordBytes) return false;
  base::Result<base::Bytes> got = Pbkdf2(password, *salt, a.iterations);
  return got.ok() && CRYPTO_memcmp(got->data(), want->data(), kHashBytes) == 0;
}

base::Result<std::vector<AdminAccount>> LoadAccounts(const std::string& data_dir) {
  const std::string path = data_dir + "/" + kAdminsFile;
  base::Result<std::string> text = base::ReadFile(path, 4 << 20);
  if (!text.ok()) {
    if (text.status().code() == base::StatusCode::kNotFound) return std::vector<AdminAccount>{};
    return text.status();
  }
  json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("format", 0) != 1 || !j.contains("accounts") ||
      !j["accounts"].is_array()) {
    return base::DataLoss(path + ": not an accounts file of format 1");
  }
  std::vector<AdminAccount> out;
  for (const json& a : j["accounts"]) {
    base::Result<AdminAccount> acc = FromJson(a);
    if (!acc.ok()) return acc.status().WithContext(path);
    out.push_back(std::move(acc).value());
  }
  return out;
}

base::Status SaveAccounts(const std::string& data_dir, const std::vector<AdminAccount>& accounts) {
  json list = json::array();
  for (const AdminAccount& a : accounts) {
    list.push_back({{"name", a.name},
                    {"role", AdminRoleName(a.role)},
                    {"salt", a.salt_hex},
                    {"pbkdf2_sha256", a.hash_hex},
                    {"iterations", a.iterations},
                    {"created", a.created}});
  }
  json doc = {{"format", 1}, {"accounts", list}};
  CK_TRY(base::MakeDirs(data_dir, 0755));
  return base::WriteFileAtomic(data_dir + "/" + kAdminsFile, doc.dump(1) + "\n", 0600);
}

base::Status AddAccount(const std::string& data_dir, const AdminAccount& account) {
  CK_ASSIGN_OR_RETURN(std::vector<AdminAccount> all, LoadAccounts(data_dir));
  for (const AdminAccount& a : all) {
    if (a.name == account.name) {
      return base::AlreadyExists("an admin named '" + account.name + "' exists");
    }
  }
  all.push_back(account);
  return SaveAccounts(data_dir, all);
}

base::Status RemoveAccount(const std::string& data_dir, const std::string& name) {
  CK_ASSIGN_OR_RETURN(std::vector<AdminAccount> all, LoadAccounts(data_dir));
  for (auto it = all.begin(); it != all.end(); ++it) {
    if (it->name == name) {
      all.erase(it);
      return SaveAccounts(data_dir, all);
    }
  }
  return base::NotFound("no admin named '" + name + "'");
}

}  // namespace hub
