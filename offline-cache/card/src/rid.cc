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

RidHasher::RidHasher(base::ByteSpan secret)
    : secret_(secret.begin(), secret.end()),
      inner_(NewMdCtx()),
      outer_(NewMdCtx()),
      work_(NewMdCtx()) {
  if (!inner_ || !outer_ || !work_) return;
  constexpr size_t kBlock = 64;  // SHA-256's block: HMAC's pads (RFC 2104)
  std::array<uint8_t, kBlock> key{};
  if (secret.size() > kBlock) {
    unsigned int len = 0;
    if (EVP_Digest(secret.data(), secret.size(), key.data(), &len, EVP_sha256(), nullptr) != 1)
      return;
  } else {
    std::memcpy(key.data(), secret.data(), secret.size());
  }
  std::array<uint8_t, kBlock> ipad{}, opad{};
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = key[i] ^ 0x36;
    opad[i] = key[i] ^ 0x5c;
  }
  ok_ = EVP_DigestInit_ex(inner_.get(), EVP_sha256(), nullptr) == 1 &&
        EVP_DigestUpdate(inner_.get(), ipad.data(), ipad.size()) == 1 &&
        EVP_DigestInit_ex(outer_.get(), EVP_sha256(), nullptr) == 1 &&
        EVP_DigestUpdate(outer_.get(), opad.data(), opad.size()) == 1;
}

Rid RidHasher::Compute(std::string_view member_id) {
  if (!ok_) return ComputeRid(secret_, member_id);
  uint8_t inner[EVP_MAX_MD_SIZE], mac[EVP_MAX_MD_SIZE];
  unsigned int inner_len = 0, len = 0;
  if (EVP_MD_CTX_copy_ex(work_.get(), inner_.get()) != 1 ||
      EVP_DigestUpdate(work_.get(), member_id.data(), member_id.size()) != 1 ||
      EVP_DigestFinal_ex(work_.get(), inner, &inner_len) != 1 ||
      EVP_MD_CTX_copy_ex(work_.get(), outer_.get()) != 1 ||
      EVP_DigestUpdate(work_.get(), inner, inner_len) != 1 ||
      EVP_DigestFinal_ex(work_.get(), mac, &len) != 1) {
    return ComputeRid(secret_, member_id);
  }
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
