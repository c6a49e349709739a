#include "export_flags.h"

#include <cstdio>

namespace cardctl {

base::Result<cardctl_export::MembersExportOptions> MembersExportOptionsFrom(
    base::FileSystem& fs, const Args& args, cardctl_export::MembersUse use) {
  cardctl_export::MembersExportOptions o;
  o.use = use;
  if (auto e = args.Get(kEncodingFlag)) {
    CK_ASSIGN_OR_RETURN(o.read.encoding, cardctl_export::ParseEncodingName(*e));
  }
  if (auto c = args.Get(kColumnsFlag)) {
    CK_ASSIGN_OR_RETURN(o.columns,
                        cardctl_export::ReadColumnsFile(fs, *c, cardctl_export::AllMemberFields()));
  }
  return o;
}

void PrintDetected(const std::string& path, const cardctl_export::MembersExportSummary& s) {
  std::fprintf(stderr, "cardctl: %s: %s\n", path.c_str(), s.Describe().c_str());
}

}  // namespace cardctl
