#include "journal/device_key.h"

namespace journal {

base::Result<card::PrivateKey> LoadOrCreateDeviceKey(base::FileSystem& fs,
                                                     const std::string& data_dir) {
  const std::string key_path = data_dir + "/" + kDeviceKeyFile;
  if (fs.Exists(key_path)) {
    CK_ASSIGN_OR_RETURN(std::string pem, base::ReadFile(fs, key_path, 64 * 1024));
    base::Result<card::PrivateKey> key = card::PrivateKey::FromPem(pem);
    if (!key.ok()) return key.status().WithContext(key_path);
    return key;
  }
  CK_ASSIGN_OR_RETURN(card::PrivateKey key, card::PrivateKey::Generate(card::Alg::kEdDSA));
  CK_ASSIGN_OR_RETURN(std::string pem, key.ToPem());
  CK_ASSIGN_OR_RETURN(card::PublicKey pub, key.Public());
  CK_TRY(base::WriteFileAtomic(fs, data_dir + "/" + kDevicePubFile, pub.ToPem(), 0644));
  CK_TRY(base::WriteFileAtomic(fs, key_path, pem, 0600));
  return key;
}

}  // namespace journal
