#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
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
#include "issue_print.h"
#include "member_row.h"
#include "ordered_work.h"
#include "scanner/image.h"
#include "scanner/qr_codec.h"

namespace cardctl {
namespace {

constexpr size_t kCardsAhead = 256;  // QR codes made ahead of the PDF: ~1 MB

// One worker per core (the caller's thread draws the PDF meanwhile).
size_t WorkerThreads() { return std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8); }

struct IssueOptions {
  Args args;
  std::string key_path, iss, secret_path, members_path, out_dir;
  cardctl_export::MembersExportOptions read;
  int valid_days = 365;
  std::optional<int64_t> iat;  // --iat: the issue time (default: now)
  NamePolicy names = NamePolicy::kNone;
};

base::Result<IssueOptions> ParseOptions(base::FileSystem& fs,
                                        const std::vector<std::string>& argv) {
  CK_ASSIGN_OR_RETURN(Args args, Args::Parse(argv,
                                             {"key", "iss", "status-secret", "members", "out",
                                              "valid-days", "names", "iat", kEncodingFlag,
                                              kColumnsFlag, "print", "print-layout", "theme"},
                                             {"phone"}));
  if (!args.positional().empty())
    return base::InvalidArgument("unexpected argument " + args.positional()[0]);
  IssueOptions o;
  o.args = args;
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

// What a run killed part-way left behind: its DIR.partial, the PDF's temporary, and the temporaries
// (NAME.tmp-XXXXXX, base::WriteFileAtomic) of files it was replacing in an existing DIR. Removed
// before this run writes anything.
void SweepLeftovers(const std::string& out_dir, const std::optional<std::string>& pdf) {
  std::error_code ec;
  std::filesystem::remove_all(out_dir + ".partial", ec);
  if (pdf) std::filesystem::remove(*pdf + ".tmp", ec);
  if (!std::filesystem::is_directory(out_dir, ec)) return;
  std::vector<std::filesystem::path> stale;
  for (const auto& e : std::filesystem::directory_iterator(out_dir, ec)) {
    const std::string name = e.path().filename().string();
    const size_t at = name.rfind(".tmp-");
    if (at != std::string::npos && name.size() == at + 11) stale.push_back(e.path());
  }
  for (const auto& p : stale) std::filesystem::remove(p, ec);
}

// Writes the cards' files: into a new folder beside the output (renamed into place at the end,
// removed on failure) when the output folder does not exist yet, so a failure leaves none; the
// PDF goes to a temporary renamed when every card is in it.
struct CardWriter {
  const IssueOptions& o;
  const PrintOptions& print;
  const std::optional<cardctl_print::CardStyle>& style;
  int64_t iat, exp;
  std::mutex files_mu;
  bool fresh = false;  // writing into a new folder (WriteAll)

  base::Status WriteAll(const std::vector<MemberRow>& rows, const std::vector<std::string>& texts) {
    std::error_code ec;
    SweepLeftovers(o.out_dir, print.pdf);
    fresh = !std::filesystem::exists(o.out_dir, ec);
    const std::string dir = fresh ? o.out_dir + ".partial" : o.out_dir;
    base::Status st = Write(dir, rows, texts);
    if (st.ok() && fresh && std::rename(dir.c_str(), o.out_dir.c_str()) != 0)
      st = base::IoError("renaming " + dir, errno);
    if (!st.ok() && fresh) std::filesystem::remove_all(dir, ec);
    return st;
  }

  // In a new folder (renamed into place when complete) a file is simply created: half the folder
  // operations of a temporary file renamed over it. In an existing folder, replaced atomically.
  base::Status WriteCardFile(const std::string& path, std::string_view data) const {
    if (fresh) return base::WriteNewFile(path, data);
    return base::WriteFileAtomic(path, data, 0644, base::Durability::kDeferred);
  }

  // One card's QR code and its two files (DIR/<id>.txt, the bare DIR/<id>.png); called on the
  // worker threads. The files are created one thread at a time: every creation and rename takes
  // the folder's lock in the kernel, which a second thread waits for by spinning, so two threads
  // creating files in one folder of 100,000 cost twice the CPU of one (measured: most of a run's
  // time went to system CPU). The codes and the PNGs' compression stay on every core.
  base::Result<cardctl_print::QrModules> Prepare(const std::string& base_path,
                                                 const std::string& text) {
    CK_ASSIGN_OR_RETURN(cardctl_print::QrModules qr, EncodeQr(text));
    CK_ASSIGN_OR_RETURN(std::string png, BareQrPng(qr));
    std::lock_guard<std::mutex> lock(files_mu);
    CK_TRY(WriteCardFile(base_path + ".txt", text));
    CK_TRY(WriteCardFile(base_path + ".png", png));
    return qr;
  }

  base::Status Write(const std::string& dir, const std::vector<MemberRow>& rows,
                     const std::vector<std::string>& texts) {
    std::unique_ptr<cardctl_print::PdfWriter> pdf;
    if (print.pdf) {
      CK_ASSIGN_OR_RETURN(pdf,
                          cardctl_print::PdfWriter::Create(*print.pdf, print.layout, *style, iat));
    }
    CK_TRY(base::MakeDirs(dir));
    // QR codes and card files are made on every core; the PDF and the phone cards (cairo and
    // pango on this thread only) take them in the members' order, so every run writes the same.
    OrderedWork<base::Result<cardctl_print::QrModules>> cards(
        rows.size(), WorkerThreads(), kCardsAhead,
        [&](size_t i) { return Prepare(dir + "/" + CardFileName(rows[i].member_id), texts[i]); });
    for (size_t i = 0; i < rows.size(); ++i) {
      CK_ASSIGN_OR_RETURN(cardctl_print::QrModules qr, cards.Take());
      if (!pdf && !print.phone) continue;
      const cardctl_print::CardFace face =
          MakeFace(std::move(qr), rows[i].card.name.value_or(""), rows[i].card.org,
                   rows[i].card.number.value_or(""), exp);
      if (pdf) CK_TRY(pdf->Add(face));
      if (print.phone) {
        CK_ASSIGN_OR_RETURN(std::string card_png, cardctl_print::RenderCardPng(face, *style));
        CK_TRY(base::WriteFileAtomic(dir + "/" + CardFileName(rows[i].member_id) + ".card.png",
                                     card_png, 0644, base::Durability::kDeferred));
      }
    }
    CK_TRY(base::SyncFilesystem(dir));
    if (pdf) {
      CK_TRY(pdf->Finish());
      std::fprintf(stderr, "cardctl: wrote %s: %zu page(s)\n", print.pdf->c_str(), pdf->pages());
    }
    return base::Status::Ok();
  }
};

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
  auto print = PrintOptionsFrom(opts->args);
  if (!print.ok()) return Fail(print.status());
  std::optional<cardctl_print::CardStyle> style;
  if (WantsFaces(*print)) {
    auto s = LoadCardStyle(print->theme_dir);
    if (!s.ok()) return Fail(s.status().WithContext("--theme"));
    style = *s;
  }
  auto rows = ReadMembers(fs, *opts);
  if (!rows.ok()) return Fail(rows.status());

  // Everything is signed first: a failure writes nothing.
  base::SystemClock clock;
  const int64_t now = opts->iat.value_or(clock.NowUnixSeconds());
  const int64_t exp = now + int64_t{opts->valid_days} * 86400;
  // Signed on every core, each thread a share of the rows (the key is only read); the first
  // failure in the members' order is the one reported.
  std::vector<std::string> texts(rows->size());
  std::vector<base::Status> failed(rows->size());
  {
    const size_t threads = std::min(WorkerThreads(), std::max<size_t>(rows->size(), 1));
    std::vector<std::thread> signers;
    for (size_t t = 0; t < threads; ++t) {
      signers.emplace_back([&, t] {
        for (size_t i = t; i < rows->size(); i += threads) {
          MemberRow& row = (*rows)[i];
          row.card.rid = card::ComputeRid(*secret, row.member_id);
          card::Claims claims{.iss = opts->iss, .iat = now, .exp = exp, .card = row.card};
          base::Result<std::string> text = issuer->Issue(claims);
          if (text.ok()) {
            texts[i] = std::move(text).value();
          } else {
            failed[i] = text.status();
          }
        }
      });
    }
    for (std::thread& th : signers) th.join();
  }
  for (size_t i = 0; i < rows->size(); ++i) {
    if (!failed[i].ok()) {
      return Fail(
          failed[i].WithContext(opts->members_path + ":" + std::to_string((*rows)[i].line)));
    }
  }
  CardWriter writer{*opts, *print, style, now, exp};
  base::Status written = writer.WriteAll(*rows, texts);
  if (WantsFaces(*print)) cardctl_print::ReleaseSharedCaches();
  if (!written.ok()) return Fail(written);
  std::fprintf(stderr, "cardctl: issued %zu card(s) into %s (kid %s)\n", texts.size(),
               opts->out_dir.c_str(), base::ToHex(issuer->kid()).c_str());
  return kExitOk;
}

}  // namespace cardctl
