// The members file read for a bundle, today's reader against the export reader: CPU seconds of
// registry::ReadMembersCsv on a plain UTF-8 members.csv, and of cardctl_export::ReadMembersExport
// (with the rid of every row, sorted, as cardctl bundle build does) on that file and on a
// Windows-1251 registry export of the same members (gen_registry_inputs, gen_members_export).
//
//   export_read_bench MEMBERS_CSV EXPORT_CSV SECRET_FILE
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "card/rid.h"
#include "cardctl_export/members_export.h"
#include "registry/inputs.h"

namespace {

double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

size_t ReadExport(const std::string& path, base::ByteSpan secret) {
  base::PosixFileSystem fs;
  std::vector<card::Rid> rids;
  cardctl_export::MembersExportOptions o{.use = cardctl_export::MembersUse::kBundle};
  auto s = cardctl_export::ReadMembersExport(fs, path, o, [&](const auto& r) {
    rids.push_back(card::ComputeRid(secret, r.member_id));
    return base::Status::Ok();
  });
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.status().message().c_str());
    return 0;
  }
  std::sort(rids.begin(), rids.end());
  return rids.size();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: export_read_bench MEMBERS_CSV EXPORT_CSV SECRET_FILE\n");
    return 2;
  }
  auto secret = card::LoadStatusSecret(argv[3]);
  if (!secret.ok()) return 2;
  double t = CpuSeconds();
  auto old = registry::ReadMembersCsv(argv[1], *secret, nullptr);
  const double old_s = CpuSeconds() - t;
  t = CpuSeconds();
  const size_t plain = ReadExport(argv[1], *secret);
  const double plain_s = CpuSeconds() - t;
  t = CpuSeconds();
  const size_t cp = ReadExport(argv[2], *secret);
  const double cp_s = CpuSeconds() - t;
  std::printf("registry::ReadMembersCsv, %s: %zu rows, %.2f s CPU\n", argv[1],
              old.ok() ? old->size() : 0, old_s);
  std::printf("export reader, %s: %zu rows, %.2f s CPU\n", argv[1], plain, plain_s);
  std::printf("export reader, %s: %zu rows, %.2f s CPU\n", argv[2], cp, cp_s);
  return 0;
}
