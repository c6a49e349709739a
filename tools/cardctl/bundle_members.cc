#include "bundle_members.h"

#include <algorithm>

#include "card/rid.h"
#include "export_flags.h"

namespace cardctl {

base::Result<std::vector<registry::MemberRecord>> ReadBundleMembers(
    base::FileSystem& fs, const std::string& path,
    const cardctl_export::MembersExportOptions& options, base::ByteSpan secret) {
  std::vector<registry::MemberRecord> out;
  card::RidHasher rids(secret);
  CK_ASSIGN_OR_RETURN(
      cardctl_export::MembersExportSummary summary,
      cardctl_export::ReadMembersExport(
          fs, path, options, [&](const cardctl_export::MemberExportRow& r) -> base::Status {
            out.push_back({.rid = rids.Compute(r.member_id),
                           .state = r.state,
                           .min_serial = r.min_serial,
                           .line = static_cast<uint32_t>(r.line)});
            return base::Status::Ok();
          }));
  PrintDetected(path, summary);
  std::sort(out.begin(), out.end(),
            [](const registry::MemberRecord& a, const registry::MemberRecord& b) {
              return a.rid < b.rid;
            });
  auto dup = std::adjacent_find(
      out.begin(), out.end(), [](const registry::MemberRecord& a, const registry::MemberRecord& b) {
        return a.rid == b.rid;
      });
  if (dup != out.end()) {
    const uint32_t a = std::min(dup->line, (dup + 1)->line);
    const uint32_t b = std::max(dup->line, (dup + 1)->line);
    return base::InvalidArgument(path + ":" + std::to_string(b) +
                                 ": member_id already listed on line " + std::to_string(a));
  }
  return out;
}

}  // namespace cardctl
