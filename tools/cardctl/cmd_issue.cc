#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>

#include "args.h"
#include "base/clock.h"
#include "base/csv.h"
#include "base/file.h"
#include "base/hex.h"
#include "base/time_format.h"
#include "card/issuer.h"
#include "card/rid.h"
#include "commands.h"
#include "member_row.h"
#include "scanner/image.h"
#include "scanner/qr_codec.h"

namespace cardctl {
namespace {

constexpr int kPrintDpi = 300;
constexpr size_t kMaxReportedErrors = 50;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

struct IssueOptions {
  std::string key_path, iss, secret_path, members_path, out_dir;
  int valid_days = 365;
  std::optional<int64_t> iat;  // --iat: the issue time (default: now)
  NamePolicy names = NamePolicy::kNone;
};

base::Result<IssueOptions> ParseOptions(const std::vector<std::string>& argv) {
  CK_ASSIGN_OR_RETURN(Args args, Args::Parse(argv,
                                             {"key", "iss", "status-secret", "members", "out",
                                              "valid-days", "names", "iat"},
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
  return o;
}

// Reads and checks every row; on any bad row returns them all (with file and line) and nothing.
base::Result<std::vector<MemberRow>> ReadMembers(const IssueOptions& o) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(o.members_path.c_str(), "rb"));
  if (!f) return base::IoError("opening " + o.members_path, errno);
  base::CsvReader reader(f.get(), o.members_path);
  base::CsvRecord rec;
  if (!reader.Next(&rec)) {
    if (!reader.status().ok()) return reader.status();
    return base::InvalidArgument(o.members_path + ": empty file (expected a header row)");
  }
  CK_ASSIGN_OR_RETURN(base::CsvHeader header,
                      base::CsvHeader::Parse(rec, kIssueColumns, o.members_path));
  std::vector<MemberRow> rows;
  std::set<std::string> seen;
  std::string errors;
  size_t error_count = 0;
  auto report = [&](size_t line, const std::string& msg) {
    if (++error_count <= kMaxReportedErrors) {
      errors += o.members_path + ":" + std::to_string(line) + ": " + msg + "\n";
    }
  };
  while (reader.Next(&rec)) {
    if (rec.fields.size() == 1 && rec.fields[0].empty()) continue;  // blank line
    base::Result<MemberRow> row = ParseMemberRow(rec, header, o.names);
    if (!row.ok()) {
      report(rec.line, row.status().message());
    } else if (!seen.insert(row->member_id).second) {
      report(rec.line, "member_id '" + row->member_id + "' appears twice");
    } else {
      rows.push_back(std::move(row).value());
    }
  }
  if (!reader.status().ok()) return reader.status();
  if (error_count > 0) {
    if (error_count > kMaxReportedErrors) {
      errors += "... and " + std::to_string(error_count - kMaxReportedErrors) + " more\n";
    }
    errors += std::to_string(error_count) + " bad row(s); no card was written";
    return base::InvalidArgument(errors);
  }
  if (rows.empty()) return base::InvalidArgument(o.members_path + ": no members");
  return rows;
}

}  // namespace

int RunIssue(const std::vector<std::string>& argv) {
  auto opts = ParseOptions(argv);
  if (!opts.ok()) return Fail(opts.status());
  auto key = card::PrivateKey::FromPemFile(opts->key_path);
  if (!key.ok()) return Fail(key.status());
  auto issuer = card::CardIssuer::Create(std::move(key).value());
  if (!issuer.ok()) return Fail(issuer.status().WithContext(opts->key_path));
  auto secret = card::LoadStatusSecret(opts->secret_path);
  if (!secret.ok()) return Fail(secret.status());
  auto rows = ReadMembers(*opts);
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
    outputs.push_back({row.member_id, std::move(text).value(), std::move(png).value()});
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
