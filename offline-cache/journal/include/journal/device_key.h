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

// TO BE REMOVED with base::PosixFs(): the same through the real filesystem, for the callers that
// do not yet get a FileSystem& from main(). New code passes one.
base::Result<card::PrivateKey> LoadOrCreateDeviceKey(const std::string& data_dir);

}  // namespace journal
