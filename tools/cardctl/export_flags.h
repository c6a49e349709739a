// The options every command that reads the members export takes: --encoding and --columns.
#pragma once

#include "args.h"
#include "base/fs.h"
#include "cardctl_export/members_export.h"

namespace cardctl {

inline constexpr const char* kEncodingFlag = "encoding";
inline constexpr const char* kColumnsFlag = "columns";

base::Result<cardctl_export::MembersExportOptions> MembersExportOptionsFrom(
    base::FileSystem& fs, const Args& args, cardctl_export::MembersUse use);

// "cardctl: FILE: Windows-1251, ';', 2,000 rows, columns: ..." on stderr.
void PrintDetected(const std::string& path, const cardctl_export::MembersExportSummary& s);

}  // namespace cardctl
