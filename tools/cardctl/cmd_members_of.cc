// cardctl members-of: the hub's reports by rid, with each member's ID and name added (office
// only: it needs the members export and the status secret).
#include <cstdio>

#include "args.h"
#include "base/file.h"
#include "card/rid.h"
#include "cardctl_export/rid_join.h"
#include "commands.h"
#include "export_flags.h"

namespace cardctl {
namespace {

constexpr size_t kMaxListed = 200;

base::Status MembersOf(base::FileSystem& fs, const Args& args) {
  if (!args.positional().empty())
    return base::InvalidArgument("unexpected argument " + args.positional()[0]);
  CK_ASSIGN_OR_RETURN(std::string members, args.Require("members"));
  CK_ASSIGN_OR_RETURN(std::string secret_path, args.Require("status-secret"));
  CK_ASSIGN_OR_RETURN(std::string in, args.Require("in"));
  CK_ASSIGN_OR_RETURN(std::string out, args.Require("out"));
  CK_ASSIGN_OR_RETURN(cardctl_export::MembersExportOptions read,
                      MembersExportOptionsFrom(fs, args, cardctl_export::MembersUse::kLookup));
  CK_ASSIGN_OR_RETURN(base::Bytes secret, card::LoadStatusSecret(secret_path));
  cardctl_export::MembersExportSummary summary;
  CK_ASSIGN_OR_RETURN(cardctl_export::MemberIndex index,
                      cardctl_export::MemberIndex::Build(fs, members, read, secret, &summary));
  PrintDetected(members, summary);
  cardctl_export::ReadOptions in_read;
  if (auto e = args.Get("in-encoding")) {
    CK_ASSIGN_OR_RETURN(in_read.encoding, cardctl_export::ParseEncodingName(*e));
  }
  CK_ASSIGN_OR_RETURN(cardctl_export::JoinResult joined,
                      cardctl_export::JoinMembers(fs, in, index, in_read));
  CK_TRY(base::WriteFileAtomic(out, joined.csv, 0600));
  for (size_t i = 0; i < joined.unmatched.size() && i < kMaxListed; ++i)
    std::fprintf(stderr, "cardctl: %s\n", joined.unmatched[i].c_str());
  if (joined.unmatched.size() > kMaxListed)
    std::fprintf(stderr, "cardctl: ... and %zu more\n", joined.unmatched.size() - kMaxListed);
  std::fprintf(stderr,
               "cardctl: wrote %s: %zu rows, %zu with a rid, %zu matched, %zu matching no member "
               "(kept with an empty member_id)\n",
               out.c_str(), joined.rows, joined.with_rid, joined.matched, joined.unmatched.size());
  return base::Status::Ok();
}

}  // namespace

int RunMembersOf(base::FileSystem& fs, const std::vector<std::string>& argv) {
  auto args = Args::Parse(
      argv, {"members", "status-secret", "in", "out", kEncodingFlag, kColumnsFlag, "in-encoding"},
      {});
  if (!args.ok()) return Fail(args.status());
  if (base::Status st = MembersOf(fs, *args); !st.ok()) return Fail(st);
  return kExitOk;
}

}  // namespace cardctl
