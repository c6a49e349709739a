#include "admin_inputs.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>

#include "card/rid.h"
#include "cardctl_export/admin_files.h"
#include "cardctl_export/admin_values.h"
#include "registry/inputs.h"

namespace cardctl {
namespace {

// An anonymous in-memory file holding the canonical text, closed when this goes.
class MemFile {
 public:
  MemFile() : fd_(::memfd_create("cardctl-input", MFD_CLOEXEC)) {}
  ~MemFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;

  base::Status Write(const std::string& text) {
    if (fd_ < 0) return base::IoError("memfd_create", errno);
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
      if (n < 0) return base::IoError("writing the canonical input", errno);
      done += static_cast<size_t>(n);
    }
    return base::Status::Ok();
  }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

// Reads `path` as `kind`, then hands the canonical text to `parse` (a registry reader).
template <typename T, typename Parse>
base::Result<T> Load(base::FileSystem& fs, const std::string& path, cardctl_export::AdminFile kind,
                     const cardctl_export::AdminFileOptions& o, Parse parse) {
  CK_ASSIGN_OR_RETURN(cardctl_export::CanonicalFile canon,
                      cardctl_export::ReadAdminFile(fs, path, kind, o));
  std::fprintf(stderr, "cardctl: %s: %s\n", path.c_str(), canon.detected.c_str());
  for (const std::string& w : canon.warnings) std::fprintf(stderr, "cardctl: %s\n", w.c_str());
  MemFile mem;
  CK_TRY(mem.Write(canon.csv));
  base::Result<T> out = parse(mem.path());
  if (!out.ok()) {
    return base::Status(
        out.status().code(),
        cardctl_export::MapToSource(out.status().message(), mem.path(), path, canon.lines));
  }
  return out;
}

}  // namespace

base::Status LoadAdminFiles(base::FileSystem& fs, const Args& args, base::ByteSpan secret,
                            registry::RegistryContents* c) {
  cardctl_export::AdminFileOptions o;
  if (auto e = args.Get("encoding")) {
    CK_ASSIGN_OR_RETURN(o.read.encoding, cardctl_export::ParseEncodingName(*e));
  }
  if (auto u = args.Get("utc-offset")) {
    CK_ASSIGN_OR_RETURN(o.utc_offset_seconds, cardctl_export::ParseUtcOffset(*u));
  }
  using K = cardctl_export::AdminFile;
  std::set<std::string> partner_ids, event_ids;
  if (auto f = args.Get("partners")) {
    CK_ASSIGN_OR_RETURN(c->partners, (Load<std::vector<registry::Partner>>(
                                         fs, *f, K::kPartners, o, registry::ReadPartnersCsv)));
  }
  for (const auto& p : c->partners) partner_ids.insert(p.partner_id);
  if (auto f = args.Get("offers")) {
    if (!args.Has("partners")) return base::InvalidArgument("--offers needs --partners");
    CK_ASSIGN_OR_RETURN(c->offers, (Load<std::vector<registry::Offer>>(
                                       fs, *f, K::kOffers, o, [&](const std::string& p) {
                                         return registry::ReadOffersCsv(p, partner_ids);
                                       })));
  }
  if (auto f = args.Get("events")) {
    CK_ASSIGN_OR_RETURN(c->events, (Load<std::vector<registry::Event>>(fs, *f, K::kEvents, o,
                                                                       registry::ReadEventsCsv)));
  }
  for (const auto& e : c->events) event_ids.insert(e.event_id);
  if (auto f = args.Get("roster")) {
    if (!args.Has("events")) return base::InvalidArgument("--roster needs --events");
    o.allow_unknown_members = args.Has("allow-unknown-roster");
    auto rids = std::make_shared<card::RidHasher>(secret);
    o.is_member = [&c, rids](std::string_view id) {
      const card::Rid rid = rids->Compute(id);
      return std::binary_search(c->members.begin(), c->members.end(),
                                registry::MemberRecord{.rid = rid},
                                [](const registry::MemberRecord& a,
                                   const registry::MemberRecord& b) { return a.rid < b.rid; });
    };
    const std::string shown = *f;
    auto progress = [&shown](const std::string&, size_t rows) {
      std::fprintf(stderr, "cardctl: %s: %zu rows\n", shown.c_str(), rows);
    };
    using Roster = std::vector<std::pair<std::string, card::Rid>>;
    CK_ASSIGN_OR_RETURN(c->roster, (Load<Roster>(fs, *f, K::kRoster, o, [&](const std::string& p) {
                          return registry::ReadRosterCsv(p, secret, event_ids, progress);
                        })));
  }
  return base::Status::Ok();
}

}  // namespace cardctl
