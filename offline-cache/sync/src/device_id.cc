#include "sync/device_id.h"

#include "base/fs.h"
#include "base/hex.h"
#include "card/crypto.h"

namespace ck_sync {
namespace {

constexpr size_t kRandomBytes = kDeviceIdChars / 2;
constexpr size_t kMaxFileBytes = 64;  // the id, a newline, and room to report a wrong size

base::Result<std::string> CreateDeviceId(base::FileSystem& fs, const std::string& path) {
  CK_ASSIGN_OR_RETURN(base::Bytes random, card::RandomBytes(kRandomBytes));
  std::string id = base::ToHex(random);
  CK_TRY(base::WriteFileAtomic(fs, path, id + "\n", 0644));
  return id;
}

}  // namespace

bool IsValidDeviceId(std::string_view id) {
  if (id.size() != kDeviceIdChars) return false;
  for (char c : id) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return false;
  }
  return true;
}

base::Result<std::string> LoadOrCreateDeviceId(base::FileSystem& fs, const std::string& data_dir) {
  const std::string path = data_dir + "/" + kDeviceIdFile;
  base::Result<std::string> text = base::ReadFile(fs, path, kMaxFileBytes);
  if (!text.ok() && text.status().code() == base::StatusCode::kNotFound) {
    return CreateDeviceId(fs, path);
  }
  if (!text.ok()) {
    if (text.status().code() == base::StatusCode::kOutOfRange) {
      return base::DataLoss(path + " is corrupt: too large for a device id");
    }
    return text.status().WithContext("reading the device id");
  }
  std::string id = std::move(text).value();
  if (!id.empty() && id.back() == '\n') id.pop_back();
  if (!IsValidDeviceId(id)) {
    return base::DataLoss(path + " is corrupt: expected " + std::to_string(kDeviceIdChars) +
                          " lower-case hex digits (remove the file to make a new id)");
  }
  return id;
}

}  // namespace ck_sync
