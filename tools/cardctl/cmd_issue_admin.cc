// cardctl issue-admin: one admin card (admin card format v1, docs/card-format.md), signed by an
// admin key that bundles list under --admin-keys.
#include <algorithm>
#include <charconv>
#include <cstdio>

#include "args.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/hex.h"
#include "base/time_format.h"
#include "base/utf8.h"
#include "card/issuer.h"
#include "commands.h"
#include "issue_print.h"
#include "scanner/image.h"

namespace cardctl {
namespace {

struct AdminOptions {
  std::string key_path, name, iss, out_dir;
  int valid_days = 0;
};

base::Result<AdminOptions> ParseAdminOptions(const std::vector<std::string>& argv) {
  CK_ASSIGN_OR_RETURN(Args args,
                      Args::Parse(argv, {"key", "name", "valid-days", "out", "iss"}, {}));
  if (!args.positional().empty())
    return base::InvalidArgument("unexpected argument " + args.positional()[0]);
  AdminOptions o;
  CK_ASSIGN_OR_RETURN(o.key_path, args.Require("key"));
  CK_ASSIGN_OR_RETURN(o.name, args.Require("name"));
  CK_ASSIGN_OR_RETURN(o.out_dir, args.Require("out"));
  CK_ASSIGN_OR_RETURN(std::string days, args.Require("valid-days"));
  auto [end, ec] = std::from_chars(days.data(), days.data() + days.size(), o.valid_days);
  if (ec != std::errc() || end != days.data() + days.size() || o.valid_days < 1 ||
      o.valid_days > 3660) {
    return base::InvalidArgument("--valid-days must be a whole number 1-3660, got '" + days + "'");
  }
  if (o.name.empty() || o.name.size() > card::kMaxNameBytes || !base::IsValidUtf8(o.name) ||
      base::HasControlChars(o.name)) {
    return base::InvalidArgument(
        "--name must be 1-40 bytes of UTF-8 text without control "
        "characters");
  }
  o.iss = args.Get("iss").value_or("");
  if (o.iss.size() > card::kMaxIssBytes) return base::InvalidArgument("--iss must be 1-32 bytes");
  return o;
}

base::Status WriteAdminCard(const std::string& dir, const std::string& stem,
                            const std::string& text) {
  CK_TRY(base::MakeDirs(dir));
  CK_ASSIGN_OR_RETURN(cardctl_print::QrModules qr, EncodeQr(text));
  const std::string base_path = dir + "/" + stem;
  CK_TRY(base::WriteFileAtomic(base_path + ".txt", text, 0644));
  CK_ASSIGN_OR_RETURN(std::string png, BareQrPng(qr));
  return base::WriteFileAtomic(base_path + ".png", png, 0644);
}

}  // namespace

int RunIssueAdmin(const std::vector<std::string>& argv) {
  auto opts = ParseAdminOptions(argv);
  if (!opts.ok()) return Fail(opts.status());
  auto key = card::PrivateKey::FromPemFile(opts->key_path);
  if (!key.ok()) return Fail(key.status());
  auto issuer = card::CardIssuer::Create(std::move(key).value());
  if (!issuer.ok()) return Fail(issuer.status().WithContext(opts->key_path));
  auto id_bytes = card::RandomBytes(8);
  if (!id_bytes.ok()) return Fail(id_bytes.status());

  base::SystemClock clock;
  card::Claims claims{.iss = opts->iss,
                      .iat = clock.NowUnixSeconds(),
                      .exp = clock.NowUnixSeconds() + int64_t{opts->valid_days} * 86400,
                      .admin = card::AdminCard{.name = opts->name}};
  std::copy(id_bytes->begin(), id_bytes->end(), claims.admin->id.begin());
  auto text = issuer->Issue(claims);
  if (!text.ok()) return Fail(text.status());
  const std::string id_hex = base::ToHex(claims.admin->id);
  base::Status st = WriteAdminCard(opts->out_dir, "admin-" + id_hex, *text);
  if (!st.ok()) return Fail(st);
  std::printf("%s\n", id_hex.c_str());
  std::fprintf(stderr,
               "cardctl: issued admin card %s for %s into %s (valid until %s, admin key kid %s)\n",
               id_hex.c_str(), opts->name.c_str(), opts->out_dir.c_str(),
               base::FormatIso8601Utc(claims.exp).c_str(), base::ToHex(issuer->kid()).c_str());
  return kExitOk;
}

}  // namespace cardctl
