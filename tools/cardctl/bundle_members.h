// The members export read for a bundle: each row's rid, status and minimum serial.
#pragma once

#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/fs.h"
#include "cardctl_export/members_export.h"
#include "registry/records.h"

namespace cardctl {

// Records sorted by rid; member IDs never leave this function. A member ID listed twice is
// refused with both lines. Prints what was detected (encoding, separator, rows, columns).
base::Result<std::vector<registry::MemberRecord>> ReadBundleMembers(
    base::FileSystem& fs, const std::string& path,
    const cardctl_export::MembersExportOptions& options, base::ByteSpan status_secret);

}  // namespace cardctl
