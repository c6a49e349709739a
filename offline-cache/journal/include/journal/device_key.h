// The device's own signing key (Ed25519): signs journal exports and uploads. Generated on first
// start, private key stored with mode 0600.
#pragma once

#include <string>

#include "base/fs.h"
#include "base/status.h"
#include "card/crypto.h"

namespace journal {

inline constexpr char kDeviceKeyFile[] = "device.key.pem";
inline constexpr char kDevicePubFile[] = "device.pub.pem";

// Loads DIR/device.key.pem through `fs`, creating it (and device.pub.pem, both written atomically
// and synced) on first use.
base::Result<card::PrivateKey> LoadOrCreateDeviceKey(base::FileSystem& fs,
                                                     const std::string& data_dir);

}  // namespace journal
