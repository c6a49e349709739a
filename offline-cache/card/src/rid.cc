#include "card/rid.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>

#include "base/file.h"

namespace card {

Rid ComputeRid(base::ByteSpan secret, std::string_view member_id) {
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const uint8_t*>(member_id.data()), member_id.size(), mac, &len);
  Rid rid{};
  std::memcpy(rid.data(), mac, rid.size());
  return rid;
}

base::Result<base::Bytes> LoadStatusSecret(const std::string& path) {
  CK_ASSIGN_OR_RETURN(std::string data, base::ReadFile(path, 4096));
  if (data.size() < kMinStatusSecretBytes) {
    return base::InvalidArgument(path + ": status secret is " + std::to_string(data.size()) +
                                 " bytes; it must hold at least 32 random bytes");
  }
  return base::Bytes(data.begin(), data.end());
}

}  // namespace card
