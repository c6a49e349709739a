// cardctl bundle build | inspect | apply
#include <unistd.h>

#include <charconv>
#include <cstdio>

#include "admin_inputs.h"
#include "args.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/fs.h"
#include "base/hex.h"
#include "base/time_format.h"
#include "bundle/delta.h"
#include "bundle/format.h"
#include "bundle/importer.h"
#include "bundle/writer.h"
#include "bundle_members.h"
#include "card/rid.h"
#include "commands.h"
#include "export_flags.h"
#include "registry/admin_tables.h"
#include "registry/builder.h"
#include "registry/registry.h"

namespace cardctl {
namespace {

base::Result<int64_t> ParsePositive(const Args& args, const std::string& name, int64_t max) {
  CK_ASSIGN_OR_RETURN(std::string v, args.Require(name));
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || out < 1 || out > max) {
    return base::InvalidArgument("--" + name + " must be a whole number 1-" + std::to_string(max));
  }
  return out;
}

base::Status WriteFull(base::FileSystem& fs, const std::string& db_path,
                       const registry::RegistryContents& c, const card::PrivateKey& key,
                       const std::string& out) {
  bundle::Manifest fields{.seq = c.meta.seq,
                          .created = c.meta.created,
                          .not_after = c.meta.not_after,
                          .issuer = c.meta.issuer};
  CK_ASSIGN_OR_RETURN(bundle::Manifest m, bundle::WriteBundle(fs, db_path, fields, key, out));
  std::fprintf(stderr,
               "cardctl: wrote %s: seq %lld, %zu members, %zu partners, %zu offers, %zu events, "
               "%zu roster rows, %llu bytes\n",
               out.c_str(), static_cast<long long>(m.seq), c.members.size(), c.partners.size(),
               c.offers.size(), c.events.size(), c.roster.size(),
               static_cast<unsigned long long>(m.content_size));
  return base::Status::Ok();
}

// --delta-from OLD.ckbundle: the delta from OLD's registry to the new one goes to --out, and
// the full bundle to --full when given.
base::Status WriteDelta(base::FileSystem& fs, const std::string& db_path,
                        const registry::RegistryContents& c, const card::PrivateKey& key,
                        const std::string& from, const std::string& out) {
  CK_ASSIGN_OR_RETURN(card::PublicKey pub, key.Public());
  const std::string base_db = out + ".base.tmp";
  base::Result<bundle::Manifest> base = bundle::ExtractRegistry(fs, from, pub, base_db);
  if (!base.ok()) return base.status().WithContext("--delta-from");
  bundle::Manifest fields{.seq = c.meta.seq,
                          .created = c.meta.created,
                          .not_after = c.meta.not_after,
                          .issuer = c.meta.issuer,
                          .base_seq = base->seq};
  base::Result<bundle::DeltaBuild> d =
      bundle::WriteDeltaBundle(fs, base_db, db_path, fields, key, out, &c.members);
  (void)fs.Remove(base_db);
  if (!d.ok()) return d.status();
  std::fprintf(stderr, "cardctl: wrote %s: delta from seq %lld to seq %lld (%s), %llu bytes\n",
               out.c_str(), static_cast<long long>(base->seq), static_cast<long long>(c.meta.seq),
               d->summary.ToString().c_str(),
               static_cast<unsigned long long>(d->manifest.content_size));
  return base::Status::Ok();
}

base::Status WriteBundles(base::FileSystem& fs, const Args& args, const std::string& db_path,
                          const registry::RegistryContents& c, const card::PrivateKey& key) {
  CK_ASSIGN_OR_RETURN(std::string out, args.Require("out"));
  std::optional<std::string> from = args.Get("delta-from");
  if (!from) {
    if (args.Has("full")) return base::InvalidArgument("--full goes with --delta-from");
    return WriteFull(fs, db_path, c, key, out);
  }
  CK_TRY(WriteDelta(fs, db_path, c, key, *from, out));
  if (std::optional<std::string> full = args.Get("full"))
    CK_TRY(WriteFull(fs, db_path, c, key, *full));
  return base::Status::Ok();
}

base::Status Build(base::FileSystem& fs, const Args& args) {
  registry::RegistryContents c;
  CK_ASSIGN_OR_RETURN(std::string members, args.Require("members"));
  CK_ASSIGN_OR_RETURN(std::string secret_path, args.Require("status-secret"));
  CK_ASSIGN_OR_RETURN(std::string sign_path, args.Require("sign"));
  CK_ASSIGN_OR_RETURN(std::string out, args.Require("out"));
  CK_ASSIGN_OR_RETURN(int64_t seq, ParsePositive(args, "seq", int64_t{1} << 53));
  CK_ASSIGN_OR_RETURN(int64_t days, ParsePositive(args, "valid-days", 3660));
  CK_ASSIGN_OR_RETURN(std::string mode, args.Require("mode"));
  CK_ASSIGN_OR_RETURN(c.meta.mode, registry::ParseListMode(mode));
  std::vector<std::string> issuer_keys = args.GetAll("issuer-pubkey");
  if (issuer_keys.empty()) return base::InvalidArgument("give at least one --issuer-pubkey FILE");
  const std::string iss = args.Get("iss").value_or("");
  for (const std::string& path : issuer_keys) {
    CK_ASSIGN_OR_RETURN(card::PublicKey key, card::PublicKey::FromPemFile(path));
    if (key.type() == card::KeyType::kRsa)
      return base::InvalidArgument(path + ": card keys are EC P-256 or Ed25519");
    c.issuer_keys.push_back({.kid = key.kid(), .iss = iss, .key = key});
  }
  for (const std::string& path : args.GetAll("withdrawn-pubkey")) {
    CK_ASSIGN_OR_RETURN(card::PublicKey key, card::PublicKey::FromPemFile(path));
    c.issuer_keys.push_back({.kid = key.kid(), .iss = iss, .key = key, .withdrawn = true});
  }
  base::Result<card::PrivateKey> sign_key = card::PrivateKey::FromPemFile(sign_path);
  if (!sign_key.ok()) return sign_key.status();
  CK_ASSIGN_OR_RETURN(base::Bytes secret, card::LoadStatusSecret(secret_path));
  CK_ASSIGN_OR_RETURN(cardctl_export::MembersExportOptions read,
                      MembersExportOptionsFrom(fs, args, cardctl_export::MembersUse::kBundle));
  CK_ASSIGN_OR_RETURN(c.members, ReadBundleMembers(fs, members, read, secret));
  CK_TRY(LoadAdminFiles(fs, args, secret, &c));
  if (auto f = args.Get("admin-keys")) {
    CK_ASSIGN_OR_RETURN(c.admin_keys, registry::ReadAdminKeysCsv(*f));
  }
  if (auto f = args.Get("withdrawn-admins")) {
    if (!args.Has("admin-keys"))
      return base::InvalidArgument("--withdrawn-admins needs --admin-keys (the keys of the cards)");
    CK_ASSIGN_OR_RETURN(c.withdrawn_admins, registry::ReadWithdrawnAdminsCsv(*f));
  }

  base::SystemClock clock;
  c.meta.seq = seq;
  c.meta.created = clock.NowUnixSeconds();
  c.meta.not_after = c.meta.created + days * 86400;
  c.meta.issuer = iss;
  const std::string db_path = out + ".registry.tmp";
  (void)fs.Remove(db_path);
  // A delta alone diffs the members in memory: the registry file then holds only the rest.
  const bool members_in_file = !args.Has("delta-from") || args.Has("full");
  base::Status st = registry::BuildRegistry(db_path, c, members_in_file);
  if (st.ok()) st = WriteBundles(fs, args, db_path, c, *sign_key);
  (void)fs.Remove(db_path);
  return st;
}

void PrintManifest(const bundle::Header& h) {
  const bundle::Manifest& m = h.manifest;
  std::printf("format version: %lld\nseq: %lld\ncreated: %s\nnot_after: %s\nissuer: %s\n",
              static_cast<long long>(m.version), static_cast<long long>(m.seq),
              base::FormatIso8601Utc(m.created).c_str(),
              base::FormatIso8601Utc(m.not_after).c_str(), m.issuer.c_str());
  std::printf("content: %llu bytes, %s, sha256 %s\nsigned by: %s (%s)\n",
              static_cast<unsigned long long>(m.content_size),
              std::string(bundle::CompressionName(m.compression)).c_str(),
              base::ToHex(m.content_sha256).c_str(), base::ToHex(h.kid).c_str(),
              std::string(card::AlgName(h.alg)).c_str());
  if (m.is_delta()) {
    std::printf("delta from seq: %lld\nbase state: %s\ntarget state: %s\n",
                static_cast<long long>(m.base_seq), base::ToHex(m.base_state).c_str(),
                base::ToHex(m.target_state).c_str());
  }
}

// A delta's content: the change records, counted.
base::Status InspectDelta(base::FileSystem& fs, const std::string& records_path) {
  CK_ASSIGN_OR_RETURN(std::string records,
                      base::ReadFile(fs, records_path, bundle::kMaxDeltaRecordBytes));
  CK_ASSIGN_OR_RETURN(
      registry::ChangeSummary summary,
      registry::ScanRecords({reinterpret_cast<const uint8_t*>(records.data()), records.size()}));
  std::printf("content: OK (hash matches)\nchanges: %lld (%s)\n",
              static_cast<long long>(summary.total()), summary.ToString().c_str());
  return base::Status::Ok();
}

// Inspect: manifest, signature (against --trust when given), then the content checked and counted.
int Inspect(base::FileSystem& fs, const Args& args) {
  if (args.positional().size() != 1)
    return Fail("usage: cardctl bundle inspect FILE.ckbundle [--trust bundle.pub.pem]");
  const std::string path = args.positional()[0];
  std::optional<card::PublicKey> trusted;
  if (auto t = args.Get("trust")) {
    auto key = card::PublicKey::FromPemFile(*t);
    if (!key.ok()) return Fail(key.status());
    trusted = *key;
  }
  auto in = fs.OpenSequential(path);
  if (!in.ok()) return Fail(in.status());
  auto header = bundle::ReadHeader(**in, trusted ? &*trusted : nullptr);
  if (!header.ok()) {
    std::printf("signature: REFUSED: %s\n", header.status().message().c_str());
    return kExitRefused;
  }
  PrintManifest(*header);
  std::printf("signature: %s\n",
              trusted ? "OK (matches the trusted key)" : "not checked (give --trust KEY)");
  char dir_template[] = "/tmp/ckinspect-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) return Fail(base::IoError("mkdtemp", errno));
  const std::string db = std::string(dir_template) + "/registry.db";
  base::Status st = [&]() -> base::Status {
    CK_ASSIGN_OR_RETURN(auto out, fs.OpenWritable(db, 0600));
    CK_TRY(bundle::ExtractContent(
        **in, header->manifest, *out,
        header->manifest.is_delta() ? bundle::kMaxDeltaRecordBytes : bundle::kMaxRegistryBytes));
    CK_TRY(out->Close());
    if (header->manifest.is_delta()) return InspectDelta(fs, db);
    CK_ASSIGN_OR_RETURN(auto reg, registry::Registry::Open(db));
    CK_ASSIGN_OR_RETURN(registry::Registry::Counts n, reg->CountRows());
    std::printf("content: OK (hash matches)\nmode: %s-list\n",
                std::string(registry::ListModeName(reg->mode())).c_str());
    std::printf(
        "issuer_keys: %lld\nmember_status: %lld\npartners: %lld\noffers: %lld\nevents: "
        "%lld\nroster: %lld\n",
        static_cast<long long>(n.issuer_keys), static_cast<long long>(n.members),
        static_cast<long long>(n.partners), static_cast<long long>(n.offers),
        static_cast<long long>(n.events), static_cast<long long>(n.roster));
    if (n.admin_keys > 0 || n.withdrawn_admins > 0) {
      std::printf("admin_keys: %lld\nwithdrawn_admins: %lld\n",
                  static_cast<long long>(n.admin_keys), static_cast<long long>(n.withdrawn_admins));
    }
    std::printf("schema_version: %lld\n", static_cast<long long>(reg->meta().schema_version));
    return base::Status::Ok();
  }();
  (void)fs.Remove(db);
  ::rmdir(dir_template);
  if (!st.ok()) {
    std::printf("content: REFUSED: %s\n", st.message().c_str());
    return st.code() == base::StatusCode::kIo ? kExitUsage : kExitRefused;
  }
  return kExitOk;
}

int Apply(base::FileSystem& fs, const Args& args) {
  if (args.positional().size() != 1)
    return Fail("usage: cardctl bundle apply --data-dir DIR --trust bundle.pub.pem FILE.ckbundle");
  auto dir = args.Require("data-dir");
  if (!dir.ok()) return Fail(dir.status());
  auto trust_path = args.Require("trust");
  if (!trust_path.ok()) return Fail(trust_path.status());
  auto trusted = card::PublicKey::FromPemFile(*trust_path);
  if (!trusted.ok()) return Fail(trusted.status());
  if (base::Status st = base::MakeDirs(*dir, 0700); !st.ok()) return Fail(st);
  base::SystemClock clock;
  bundle::Importer importer(fs, clock, *dir, *trusted);
  auto report = importer.Apply(args.positional()[0], {.reinstall_same_seq = args.Has("reinstall")});
  if (!report.ok()) {
    std::fprintf(stderr, "cardctl: bundle refused: %s\n", report.status().message().c_str());
    return report.status().code() == base::StatusCode::kIo ? kExitUsage : kExitRefused;
  }
  std::printf("applied bundle seq %lld (previous seq %lld), created %s, valid until %s\n",
              static_cast<long long>(report->manifest.seq),
              static_cast<long long>(report->previous_seq),
              base::FormatIso8601Utc(report->manifest.created).c_str(),
              base::FormatIso8601Utc(report->manifest.not_after).c_str());
  if (!report->warning.empty())
    std::fprintf(stderr, "cardctl: warning: %s\n", report->warning.c_str());
  return kExitOk;
}

}  // namespace

int RunBundle(base::FileSystem& fs, const std::vector<std::string>& argv) {
  if (argv.empty()) return Fail("usage: cardctl bundle build|inspect|apply ...");
  const std::string sub = argv[0];
  std::vector<std::string> rest(argv.begin() + 1, argv.end());
  if (sub == "build") {
    auto args = Args::Parse(rest, {"members",       "issuer-pubkey", "withdrawn-pubkey",
                                   "status-secret", "seq",           "valid-days",
                                   "mode",          "sign",          "out",
                                   "partners",      "offers",        "events",
                                   "roster",        "iss",           kEncodingFlag,
                                   kColumnsFlag,    "utc-offset",    "delta-from",
                                   "full",          "admin-keys",    "withdrawn-admins"},
                            {"allow-unknown-roster"});
    if (!args.ok()) return Fail(args.status());
    if (base::Status st = Build(fs, *args); !st.ok()) return Fail(st);
    return kExitOk;
  }
  if (sub == "inspect") {
    auto args = Args::Parse(rest, {"trust"}, {});
    if (!args.ok()) return Fail(args.status());
    return Inspect(fs, *args);
  }
  if (sub == "apply") {
    auto args = Args::Parse(rest, {"data-dir", "trust"}, {"reinstall"});
    if (!args.ok()) return Fail(args.status());
    return Apply(fs, *args);
  }
  return Fail("unknown bundle command '" + sub + "' (build, inspect, apply)");
}

}  // namespace cardctl
