// cardctl journal export | verify | show | ack | list | new-chain: the admin's view of a kiosk's
// journal.db and of the signed .ckjournal batches it hands over (docs/journal.md).
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "args.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/fs.h"
#include "base/hex.h"
#include "base/time_format.h"
#include "card/claims.h"
#include "commands.h"
#include "journal/chain.h"
#include "journal/device_key.h"
#include "journal/export.h"
#include "journal/journal.h"
#include "sync/device_id.h"

namespace cardctl {
namespace {

constexpr char kUsage[] =
    "usage: cardctl journal export --data-dir DIR --out FILE.ckjournal\n"
    "       cardctl journal verify FILE.ckjournal [--device-pubkey FILE]\n"
    "       cardctl journal show FILE.ckjournal [--device-pubkey FILE]\n"
    "       cardctl journal verify --data-dir DIR\n"
    "       cardctl journal ack --data-dir DIR --through SEQ\n"
    "       cardctl journal list --data-dir DIR [--from SEQ]\n"
    "       cardctl journal new-chain --data-dir DIR --confirm";

constexpr size_t kMaxExportBytes = size_t{1} << 30;

base::Result<int64_t> ParseSeq(const Args& args, const std::string& name, int64_t min) {
  CK_ASSIGN_OR_RETURN(std::string v, args.Require(name));
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || out < min) {
    return base::InvalidArgument("--" + name + " must be a whole number >= " + std::to_string(min));
  }
  return out;
}

// Times come from files that may be hostile: only a plausible one goes through the calendar
// arithmetic (the range a card's times may take), anything else is printed as the raw number.
std::string TimeText(int64_t t) {
  if (t < -card::kMaxTime || t > card::kMaxTime) return std::to_string(t);
  return base::FormatIso8601Utc(t);
}

// Journal::Open creates a missing file: refuse a directory without one instead, so that a typo
// in --data-dir does not show an empty journal (or acknowledge into a new one).
base::Result<std::unique_ptr<journal::Journal>> OpenExisting(base::FileSystem& fs,
                                                             const std::string& dir,
                                                             const base::Clock& clock) {
  return journal::OpenExistingJournal(fs, dir, clock);
}

// Entries after the acknowledged seq, signed by the device key and named by the device id the
// USB receipts carry (DIR/device-id, made if missing). Acknowledges nothing.
int Export(base::FileSystem& fs, const Args& args) {
  auto dir = args.Require("data-dir");
  if (!dir.ok()) return Fail(dir.status());
  auto out = args.Require("out");
  if (!out.ok()) return Fail(out.status());
  base::SystemClock clock;
  auto j = OpenExisting(fs, *dir, clock);
  if (!j.ok()) return Fail(j.status());
  auto acked = (*j)->AckedSeq();
  if (!acked.ok()) return Fail(acked.status());
  auto key = journal::LoadOrCreateDeviceKey(fs, *dir);
  if (!key.ok()) return Fail(key.status());
  auto device_id = ck_sync::LoadOrCreateDeviceId(fs, *dir);
  if (!device_id.ok()) return Fail(device_id.status());
  auto bytes = journal::WriteExport(**j, *acked + 1, *device_id, *key, clock.NowUnixSeconds());
  if (!bytes.ok()) return Fail(bytes.status());
  if (base::Status st = base::WriteFileAtomic(*out, base::AsChars(*bytes), 0644); !st.ok()) {
    return Fail(st);
  }
  // The header fields, read back from what was written.
  auto pub = key->Public();
  if (!pub.ok()) return Fail(pub.status());
  auto check = journal::CheckExport(*bytes, *pub);
  if (!check.ok()) return Fail(check.status());
  const journal::ExportHeader& h = check->header;
  std::printf("device: %s\nfirst_seq: %lld\nlast_seq: %lld\ncount: %lld\nwrote: %s\n",
              device_id->c_str(), static_cast<long long>(h.first_seq),
              static_cast<long long>(h.last_seq), static_cast<long long>(h.count), out->c_str());
  if (h.count > 0) {
    std::fprintf(stderr,
                 "cardctl: once the union has it, record that with: cardctl journal ack "
                 "--data-dir %s --through %lld\n",
                 dir->c_str(), static_cast<long long>(h.last_seq));
  }
  return kExitOk;
}

void PrintTotals(const journal::ExportCheck& c) {
  for (const auto& [partner, t] : c.per_partner) {
    std::printf(
        "partner %s: discounts %lld, discount_minor %lld, purchase_minor %lld, refused %lld\n",
        partner.c_str(), static_cast<long long>(t.discounts),
        static_cast<long long>(t.discount_minor), static_cast<long long>(t.purchase_minor),
        static_cast<long long>(t.refused));
  }
  for (const auto& [event, t] : c.per_event) {
    std::printf("event %s: checkins %lld, refused %lld\n", event.c_str(),
                static_cast<long long>(t.checkins), static_cast<long long>(t.refused));
  }
  std::printf("rejected scans: %lld\n", static_cast<long long>(c.rejected_scans));
}

void PrintCheck(const journal::ExportCheck& c) {
  const journal::ExportHeader& h = c.header;
  std::printf("device: %s\ncreated: %s\nseq: %lld-%lld\ncount: %lld (%zu in the file)\n",
              h.device_id.c_str(), TimeText(h.created).c_str(), static_cast<long long>(h.first_seq),
              static_cast<long long>(h.last_seq), static_cast<long long>(h.count),
              c.entries.size());
  std::printf("signed by: %s\n", base::ToHex(c.signer).c_str());
  if (h.version != 1) std::printf("journal: %s\n", h.journal_id.c_str());
  std::printf("signature: %s\n", c.signature_ok ? "OK" : ("BAD: " + c.signature_problem).c_str());
  std::printf("body hash: %s\n",
              c.body_hash_ok ? "OK" : "BAD: the entries are not the ones signed");
  if (c.first_bad_seq == 0) {
    std::printf("entries: OK (hashes and links check)\n");
  } else {
    std::printf("entries: BAD: first bad seq %lld: %s\n", static_cast<long long>(c.first_bad_seq),
                c.problem.c_str());
  }
  PrintTotals(c);
}

// What a .ckjournal is checked with: the file's bytes and --device-pubkey if given. I/O and key
// errors here are usage errors (exit 2); what CheckWith finds is the file's fault.
struct FileToCheck {
  std::string bytes;
  std::optional<card::PublicKey> pub;
};

base::Result<FileToCheck> LoadFileToCheck(const std::string& path, const Args& args) {
  FileToCheck f;
  if (args.Has("device-pubkey")) {
    CK_ASSIGN_OR_RETURN(f.pub, card::PublicKey::FromPemFile(*args.Get("device-pubkey")));
  }
  CK_ASSIGN_OR_RETURN(f.bytes, base::ReadFile(path, kMaxExportBytes));
  return f;
}

// Against --device-pubkey, or without it against the key a format-2 file carries.
base::Result<journal::ExportCheck> CheckWith(const FileToCheck& f) {
  if (f.pub) return journal::CheckExport(base::AsBytes(f.bytes), *f.pub);
  base::Result<journal::ExportCheck> c = journal::CheckExportWithItsKey(base::AsBytes(f.bytes));
  if (c.status().code() == base::StatusCode::kFailedPrecondition) {
    return base::FailedPrecondition(c.status().message() + " (--device-pubkey FILE)");
  }
  return c;
}

std::string BadLine(const journal::ExportCheck& c) {
  return "BAD" + (c.first_bad_seq != 0 ? " (first bad seq " + std::to_string(c.first_bad_seq) + ")"
                                       : std::string());
}

int VerifyFile(const std::string& path, const Args& args) {
  base::Result<FileToCheck> f = LoadFileToCheck(path, args);
  if (!f.ok()) return Fail(f.status().ToString() + "\n" + kUsage);
  base::Result<journal::ExportCheck> check = CheckWith(*f);
  if (check.status().code() == base::StatusCode::kFailedPrecondition) return Fail(check.status());
  if (!check.ok()) {
    std::printf("result: BAD: %s\n", check.status().message().c_str());
    return kExitRefused;
  }
  if (!args.Has("device-pubkey")) {
    std::printf("device key: the one the file carries (the hub trusts only enrolled keys)\n");
  }
  PrintCheck(*check);
  if (check->ok()) {
    std::printf("result: OK\n");
    return kExitOk;
  }
  std::printf("result: %s\n", BadLine(*check).c_str());
  return kExitRefused;
}

// Journal::VerifyChain gives up with an error at a row it cannot read back (a kind or a rid no
// kiosk writes) instead of naming it. The same walk here, stopping there: the first bad seq is
// the first one that does not fit before that row, else the row after the last readable one.
journal::ChainReport WalkToUnreadable(journal::Journal& j, const base::Status& error) {
  journal::ChainReport r;
  journal::Hash prev{};
  int64_t expected = 1;
  auto bad = [&](int64_t seq, const std::string& why) {
    if (r.first_bad_seq != 0) return;
    r.first_bad_seq = seq;
    r.problem = why;
  };
  (void)j.ForEach(0, [&](const journal::Entry& e) {
    ++r.entries;
    if (e.seq != expected) bad(expected, "entry " + std::to_string(expected) + " is missing");
    if (e.prev_hash != prev) bad(e.seq, "does not link to the entry before it");
    if (journal::ComputeHash(e) != e.hash) bad(e.seq, "its contents do not match its hash");
    prev = e.hash;
    if (r.first_bad_seq == 0) expected = e.seq + 1;  // == expected + 1: no overflow
    return base::Status::Ok();
  });
  bad(expected, "the entry after seq " + std::to_string(expected - 1) +
                    " cannot be read (edited): " + error.message());
  return r;
}

// The chain of DIR/journal.db. A removed tail leaves a valid chain; it shows here only when the
// acknowledged seq (kept beside the entries) points past the end.
int VerifyDataDir(base::FileSystem& fs, const std::string& dir) {
  base::SystemClock clock;
  auto j = OpenExisting(fs, dir, clock);
  if (!j.ok()) return Fail(j.status());
  auto report = (*j)->VerifyChain();
  if (!report.ok()) {
    const base::StatusCode code = report.status().code();
    if (code != base::StatusCode::kDataLoss && code != base::StatusCode::kInvalidArgument) {
      return Fail(report.status());
    }
    report = WalkToUnreadable(**j, report.status());
  }
  auto acked = (*j)->AckedSeq();
  if (!acked.ok()) return Fail(acked.status());
  std::printf("entries: %lld\nlast_seq: %lld\nacked_seq: %lld\n",
              static_cast<long long>(report->entries), static_cast<long long>((*j)->last_seq()),
              static_cast<long long>(*acked));
  int64_t bad = report->first_bad_seq;
  std::string problem = report->problem;
  if (bad == 0 && *acked > (*j)->last_seq()) {
    bad = (*j)->last_seq() + 1;
    problem = "entries up to seq " + std::to_string(*acked) +
              " were acknowledged but the journal ends before (entries removed)";
  }
  if (bad == 0) {
    std::printf("chain: OK\n");
    return kExitOk;
  }
  std::printf("chain: BAD: first bad seq %lld: %s\n", static_cast<long long>(bad), problem.c_str());
  return kExitRefused;
}

int Verify(base::FileSystem& fs, const Args& args) {
  if (args.Has("data-dir")) {
    if (!args.positional().empty() || args.Has("device-pubkey")) {
      return Fail("give either FILE.ckjournal --device-pubkey FILE or --data-dir DIR\n" +
                  std::string(kUsage));
    }
    return VerifyDataDir(fs, *args.Get("data-dir"));
  }
  if (args.positional().size() != 1) return Fail(kUsage);
  return VerifyFile(args.positional()[0], args);
}

int Ack(base::FileSystem& fs, const Args& args) {
  auto dir = args.Require("data-dir");
  if (!dir.ok()) return Fail(dir.status());
  auto seq = ParseSeq(args, "through", 1);
  if (!seq.ok()) return Fail(seq.status());
  base::SystemClock clock;
  auto j = OpenExisting(fs, *dir, clock);
  if (!j.ok()) return Fail(j.status());
  auto before = (*j)->AckedSeq();
  if (!before.ok()) return Fail(before.status());
  if (base::Status st = (*j)->Ack(*seq); !st.ok()) {
    std::fprintf(stderr, "cardctl: ack refused: %s\n", st.message().c_str());
    return st.code() == base::StatusCode::kOutOfRange ? kExitRefused : kExitUsage;
  }
  auto after = (*j)->AckedSeq();
  if (!after.ok()) return Fail(after.status());
  std::printf("acked_seq: %lld (was %lld)\n", static_cast<long long>(*after),
              static_cast<long long>(*before));
  return kExitOk;
}

nlohmann::json EntryJson(const journal::Entry& e) {
  nlohmann::json j;
  j["seq"] = e.seq;
  j["uuid"] = e.uuid;
  j["kind"] = std::string(journal::KindName(e.kind));
  j["time"] = e.time_utc;
  j["time_utc"] = TimeText(e.time_utc);
  j["mono_ns"] = e.mono_ns;
  j["rid"] = e.rid ? nlohmann::json(base::ToHex(*e.rid)) : nlohmann::json(nullptr);
  j["partner_id"] = e.partner_id;
  j["event_id"] = e.event_id;
  j["offer_id"] = e.offer_id;
  j["purchase_minor"] = e.purchase_minor;
  j["discount_minor"] = e.discount_minor;
  if (e.cashback_minor != 0) j["cashback_minor"] = e.cashback_minor;  // format 2
  j["bundle_seq"] = e.bundle_seq;
  j["verdict"] = e.verdict;
  j["decision"] = e.decision;
  j["prev_hash"] = base::ToHex(e.prev_hash);
  j["hash"] = base::ToHex(e.hash);
  return j;
}

nlohmann::json EntryJson(const journal::Entry& e);

// The entries of a .ckjournal, one JSON object a line (as `list`), after checking the file: a file
// that does not verify is listed too (what it claims), and said so on stderr, exit 1.
int Show(const Args& args) {
  if (args.positional().size() != 1) return Fail(kUsage);
  const std::string& path = args.positional()[0];
  base::Result<FileToCheck> f = LoadFileToCheck(path, args);
  if (!f.ok()) return Fail(f.status());
  base::Result<journal::ExportCheck> check = CheckWith(*f);
  if (!check.ok()) {
    std::fprintf(stderr, "cardctl: %s: %s\n", path.c_str(), check.status().message().c_str());
    return check.status().code() == base::StatusCode::kFailedPrecondition ? kExitUsage
                                                                          : kExitRefused;
  }
  for (const journal::Entry& e : check->entries) {
    const std::string line =
        EntryJson(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::printf("%s\n", line.c_str());
  }
  if (check->ok()) return kExitOk;
  std::fprintf(stderr, "cardctl: %s does not verify: %s%s%s\n", path.c_str(),
               BadLine(*check).c_str(), check->signature_ok ? "" : "; signature: ",
               check->signature_ok ? "" : check->signature_problem.c_str());
  return kExitRefused;
}

int List(base::FileSystem& fs, const Args& args) {
  auto dir = args.Require("data-dir");
  if (!dir.ok()) return Fail(dir.status());
  int64_t from = 1;
  if (args.Has("from")) {
    auto f = ParseSeq(args, "from", 1);
    if (!f.ok()) return Fail(f.status());
    from = *f;
  }
  base::SystemClock clock;
  auto j = OpenExisting(fs, *dir, clock);
  if (!j.ok()) return Fail(j.status());
  base::Status st = (*j)->ForEach(from, [](const journal::Entry& e) {
    const std::string line =
        EntryJson(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::printf("%s\n", line.c_str());
    return base::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  return kExitOk;
}

// After journal.db was lost: a new chain that records the one it follows (DIR/journal.id), so that
// the kiosk starts again and the hub can tell a new chain from a rewritten one.
int NewChain(base::FileSystem& fs, const Args& args) {
  auto dir = args.Require("data-dir");
  if (!dir.ok()) return Fail(dir.status());
  if (!args.Has("confirm")) {
    return Fail(
        "new-chain starts a new journal at seq 1 after the old one was lost: give --confirm");
  }
  base::SystemClock clock;
  base::Result<journal::Identity> id = journal::StartNewChain(fs, *dir, clock);
  if (!id.ok()) {
    std::fprintf(stderr, "cardctl: new chain refused: %s\n", id.status().message().c_str());
    return id.status().code() == base::StatusCode::kAlreadyExists ? kExitRefused : kExitUsage;
  }
  std::printf("journal_id: %s\nprevious_journal_id: %s\nprevious_last_seq: %lld\n",
              id->journal_id.c_str(), id->previous_journal_id.c_str(),
              static_cast<long long>(id->previous_last_seq));
  return kExitOk;
}

}  // namespace

int RunJournal(base::FileSystem& fs, const std::vector<std::string>& argv) {
  if (argv.empty()) return Fail(kUsage);
  const std::string sub = argv[0];
  std::vector<std::string> rest(argv.begin() + 1, argv.end());
  auto parse = [&](const std::set<std::string>& valued) { return Args::Parse(rest, valued, {}); };
  base::Result<Args> args =
      base::InvalidArgument("unknown journal command '" + sub +
                            "' (export, verify, show, ack, list, new-chain)\n" + kUsage);
  if (sub == "export") args = parse({"data-dir", "out"});
  if (sub == "verify") args = parse({"data-dir", "device-pubkey"});
  if (sub == "show") args = parse({"device-pubkey"});
  if (sub == "ack") args = parse({"data-dir", "through"});
  if (sub == "list") args = parse({"data-dir", "from"});
  if (sub == "new-chain") args = Args::Parse(rest, {"data-dir"}, {"confirm"});
  if (!args.ok()) return Fail(args.status());
  if (sub != "verify" && sub != "show" && !args->positional().empty()) {
    return Fail("unexpected argument '" + args->positional()[0] + "'\n" + kUsage);
  }
  if (sub == "export") return Export(fs, *args);
  if (sub == "verify") return Verify(fs, *args);
  if (sub == "show") return Show(*args);
  if (sub == "ack") return Ack(fs, *args);
  if (sub == "new-chain") return NewChain(fs, *args);
  return List(fs, *args);
}

}  // namespace cardctl
