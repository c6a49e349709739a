#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>
#include <unordered_map>

#include "args.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/hex.h"
#include "base/time_format.h"
#include "card/issuer.h"
#include "card/rid.h"
#include "commands.h"
#include "export_flags.h"
#include "member_row.h"
#include "scanner/image.h"
#include "scanner/qr_codec.h"

namespace cardctl {
namespace {

constexpr int kPrintDpi = 300;

struct IssueOptions {
  std::string key_path, iss, secret_path, members_path, out_dir;
  cardctl_export::MembersExportOptions read;
  int valid_days = 365;
  std::optional<int64_t> iat;  // --iat: the issue time (default: now)
  NamePolicy names = NamePolicy::kNone;
};

base::Result<IssueOptions> ParseOptions(base::FileSystem& fs,
                                        const std::vector<std::string>& argv) {
  CK_ASSIGN_OR_RETURN(Args args,
                      Args::Parse(argv,
                                  {"key", "iss", "status-secret", "members", "out", "valid-days",
                                   "names", "iat", kEncodingFlag, kColumnsFlag},
                                  {}));
  if (!args.positional().empty())
    return base::InvalidArgument("unexpected argument " + args.positional()[0]);
  IssueOptions o;
  CK_ASSIGN_OR_RETURN(o.key_path, args.Require("key"));
  CK_ASSIGN_OR_RETURN(o.iss, args.Require("iss"));
  CK_ASSIGN_OR_RETURN(o.secret_path, args.Require("status-secret"));
  CK_ASSIGN_OR_RETURN(o.members_path, args.Require("members"));
  CK_ASSIGN_OR_RETURN(o.out_dir, args.Require("out"));
  if (auto days = args.Get("valid-days")) {
    auto [end, ec] = std::from_chars(days->data(), days->data() + days->size(), o.valid_days);
    if (ec != std::errc() || end != days->data() + days->size() || o.valid_days < 1 ||
        o.valid_days > 3660) {
      return base::InvalidArgument("--valid-days must be 1-3660");
    }
  }
  if (auto iat = args.Get("iat")) {
    base::Result<int64_t> t = base::ParseIso8601(*iat);
    if (!t.ok() || *t < 0)
      return base::InvalidArgument("--iat must be an ISO 8601 time (2027-01-15T10:00:00Z)");
    o.iat = *t;
  }
  if (auto names = args.Get("names")) {
    if (*names == "none") {
      o.names = NamePolicy::kNone;
    } else if (*names == "short") {
      o.names = NamePolicy::kShort;
    } else {
      return base::InvalidArgument("--names must be none or short");
    }
  }
  if (o.iss.empty() || o.iss.size() > card::kMaxIssBytes)
    return base::InvalidArgument("--iss must be 1-32 bytes");
  CK_ASSIGN_OR_RETURN(o.read,
                      MembersExportOptionsFrom(fs, args, cardctl_export::MembersUse::kIssue));
  return o;
}

// Reads and checks every row; on any bad row returns them all (with file and line) and nothing.
base::Result<std::vector<MemberRow>> ReadMembers(base::FileSystem& fs, const IssueOptions& o) {
  std::vector<MemberRow> rows;
  std::unordered_map<std::string, size_t> seen;  // member ID -> line
  CK_ASSIGN_OR_RETURN(cardctl_export::MembersExportSummary summary,
                      cardctl_export::ReadMembersExport(
                          fs, o.members_path, o.read,
                          [&](const cardctl_export::MemberExportRow& r) -> base::Status {
                            auto [it, fresh] = seen.emplace(r.member_id, r.line);
                            if (!fresh) {
                              return base::InvalidArgument("member_id '" + r.member_id +
                                                           "' appears twice (first on line " +
                                                           std::to_string(it->second) + ")");
                            }
                            rows.push_back(ToMemberRow(r, o.names));
                            return base::Status::Ok();
                          }));
  PrintDetected(o.members_path, summary);
  return rows;
}

}  // namespace

int RunIssue(base::FileSystem& fs, const std::vector<std::string>& argv) {
  auto opts = ParseOptions(fs, argv);
  if (!opts.ok()) return Fail(opts.status());
  auto key = card::PrivateKey::FromPemFile(opts->key_path);
  if (!key.ok()) return Fail(key.status());
  auto issuer = card::CardIssuer::Create(std::move(key).value());
  if (!issuer.ok()) return Fail(issuer.status().WithContext(opts->key_path));
  auto secret = card::LoadStatusSecret(opts->secret_path);
  if (!secret.ok()) return Fail(secret.status());
  auto rows = ReadMembers(fs, *opts);
  if (!rows.ok()) return Fail(rows.status());

  // Everything is signed and rendered in memory first: a failure writes nothing.
  base::SystemClock clock;
  const int64_t now = opts->iat.value_or(clock.NowUnixSeconds());
  struct Output {
    std::string id, text;
    scanner::GrayImage png;
  };
  std::vector<Output> outputs;
  outputs.reserve(rows->size());
  for (MemberRow& row : *rows) {
    row.card.rid = card::ComputeRid(*secret, row.member_id);
    card::Claims claims{.iss = opts->iss,
                        .iat = now,
                        .exp = now + int64_t{opts->valid_days} * 86400,
                        .card = row.card};
    auto text = issuer->Issue(claims);
    if (!text.ok())
      return Fail(text.status().WithContext(opts->members_path + ":" + std::to_string(row.line)));
    auto png = scanner::RenderQr(*text);
    if (!png.ok()) return Fail(png.status().WithContext(row.member_id));
    outputs.push_back(
        {CardFileName(row.member_id), std::move(text).value(), std::move(png).value()});
  }
  if (base::Status st = base::MakeDirs(opts->out_dir); !st.ok()) return Fail(st);
  for (const Output& o : outputs) {
    const std::string base_path = opts->out_dir + "/" + o.id;
    base::Status st =
        base::WriteFileAtomic(base_path + ".txt", o.text, 0644, base::Durability::kDeferred);
    if (st.ok())
      st = scanner::WriteBilevelPng(base_path + ".png", o.png, kPrintDpi,
                                    base::Durability::kDeferred);
    if (!st.ok()) return Fail(st);
  }
  if (base::Status st = base::SyncFilesystem(opts->out_dir); !st.ok()) return Fail(st);
  std::fprintf(stderr, "cardctl: issued %zu card(s) into %s (kid %s)\n", outputs.size(),
               opts->out_dir.c_str(), base::ToHex(issuer->kid()).c_str());
  return kExitOk;
}

}  // namespace cardctl
