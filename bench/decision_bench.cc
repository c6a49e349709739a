// What a cashier waits for, and what a durable record costs.
//
// A full decision is kiosk::Session::Scan (the card: envelope, signature, issuer key and member
// status from the registry) then Session::Amount (the partner's offers from the registry, the
// member's use of each capped offer counted in a journal of 100k entries, the offer chosen): the
// kiosk's own code path from scan to "discount and total on screen". It is timed in the same run,
// in alternating blocks, against a bare OpenSSL EVP_DigestVerify of the same card signature (the
// floor, as in card_bench), and the ratio of the medians is printed (target <= 1.2). Then durable
// appends: journal::Journal::Append (WAL, synchronous=FULL: one fsync per entry) on a real file
// (target: median <= 1 ms), alternating with a bare durable insert into a copy of the same
// journal (bench/durable_append.h): the difference is what the journal itself costs.
//
//   decision_bench [--work DIR] [--members N] [--entries N] [--iterations N] [--appends N]
//                  [--registry-work DIR] [--keep]
//
// --work: where registry.db and journal.db are made (default: a new directory under the current
// one). It must be on the device's real filesystem: on tmpfs an fsync costs nothing; the bench
// prints the filesystem type. --registry-work: the work directory of bench/run_registry_bench.sh
// (its data/registry.db, issuer.key.pem and status.secret, partner P0000, ES256 only) instead of
// a registry built here with --members random members.
//
// Setup (not timed): the registry is built with registry::BuildRegistry; the journal is created
// with journal::Journal::Open and pre-filled in ONE transaction through a second SQLite
// connection with synchronous=OFF (rows computed with journal::ComputeHash, so the chain is valid,
// which the bench checks with VerifyChain), then opened again with journal::Journal as the kiosk
// opens it (WAL, synchronous=FULL).
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <sys/vfs.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/file.h"
#include "card/cose.h"
#include "card/issuer.h"
#include "card/rid.h"
#include "durable_append.h"
#include "journal/entry_columns.h"
#include "journal/journal.h"
#include "kiosk/session.h"
#include "registry/builder.h"
#include "registry/registry.h"
#include "sqlite/db.h"

namespace {

using Nanos = std::chrono::nanoseconds;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string work, registry_work;
  size_t members = 100'000, entries = 100'000, iterations = 20'000, appends = 2'000;
  bool keep = false;
};

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "decision_bench: %s\n", why.c_str());
  std::exit(2);
}

template <typename T>
T Check(base::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

void Check(const base::Status& st, const char* what) {
  if (!st.ok()) Die(std::string(what) + ": " + st.ToString());
}

struct Stats {
  double median_us = 0, p99_us = 0;
};

Stats Summarize(std::vector<double> ns) {
  std::sort(ns.begin(), ns.end());
  const size_t p99 = std::min(ns.size() - 1, (ns.size() * 99 + 99) / 100 - 1);
  return {ns[ns.size() / 2] / 1000.0, ns[p99] / 1000.0};
}

// The first Wednesday 12:00 (+03:00) at least a day after `t`: inside every sample offer's
// weekdays and hours.
int64_t WednesdayNoonAfter(int64_t t) {
  int64_t day = t / 86400 + 1;
  while ((day + 3) % 7 + 1 != 3) ++day;  // 1970-01-01 was a Thursday (ISO 4)
  return day * 86400 + 9 * 3600;
}

std::string FsType(const std::string& dir) {
  struct statfs s {};
  if (::statfs(dir.c_str(), &s) != 0) return "unknown";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53:
      return "ext2/3/4";
    case 0x01021994:
      return "tmpfs (fsync is free here: append figures are not durable ones)";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x794C7630:
      return "overlayfs";
    default:
      return "0x" + std::to_string(static_cast<unsigned long>(s.f_type));
  }
}

// One card and what the bare baseline verifies: the same Sig_structure under the same key.
struct BenchCard {
  std::string name, text;
  card::PublicKey pub;
  base::Bytes tbs, sig;  // sig in the form EVP_DigestVerify takes (DER for ECDSA)
};

base::Bytes EcdsaRawToDer(const base::Bytes& raw) {
  ECDSA_SIG* s = ECDSA_SIG_new();
  ECDSA_SIG_set0(s, BN_bin2bn(raw.data(), 32, nullptr), BN_bin2bn(raw.data() + 32, 32, nullptr));
  const int len = i2d_ECDSA_SIG(s, nullptr);
  base::Bytes der(static_cast<size_t>(len));
  uint8_t* p = der.data();
  i2d_ECDSA_SIG(s, &p);
  ECDSA_SIG_free(s);
  return der;
}

BenchCard MakeCard(const std::string& name, const card::PrivateKey& key,
                   const card::Claims& claims) {
  BenchCard c{.name = name, .pub = Check(key.Public(), "public key")};
  const base::Bytes payload = Check(card::EncodeClaims(claims), "claims");
  const base::Bytes cose = Check(card::SignCose(key, c.pub.kid(), payload), "signing");
  c.text = Check(card::WrapEnvelope("UC1:", cose), "envelope");
  card::BuildSigStructure(card::EncodeProtectedHeader(key.alg(), c.pub.kid()), payload, &c.tbs);
  c.sig = Check(key.Sign(c.tbs), "signing");
  if (key.alg() == card::Alg::kES256) c.sig = EcdsaRawToDer(c.sig);
  return c;
}

card::Claims ClaimsFor(const card::Rid& rid, int64_t now) {
  return {.iss = "RU-EDU-69",
          .iat = now - 86400,
          .exp = now + 365 * 86400,
          .card = card::MemberCard{.rid = rid,
                                   .serial = 1,
                                   .org = "RU-EDU-69-SCH12",
                                   .category = card::Category::kEmployee,
                                   .name = "Anna I.",
                                   .number = "6900012345"}};
}

// What the decision runs against.
struct Scene {
  std::string registry_path, partner_id;
  int64_t now = 0;
  card::Rid member{};
  std::vector<BenchCard> cards;
  std::vector<std::string> offers;  // the partner's, as the registry lists them
};

registry::Offer MakeOffer(std::string id, registry::OfferKind kind, int64_t value) {
  registry::Offer o;
  o.offer_id = std::move(id);
  o.partner_id = "P-1";
  o.kind = kind;
  o.value = value;
  o.title = o.offer_id;
  return o;
}

// A registry built here: allow-list of `members` random rids plus the bench member, one ES256
// and one EdDSA issuer key, partner P-1 with two capped offers and one without caps.
Scene BuildScene(const Options& opt) {
  Scene s{.registry_path = opt.work + "/registry.db", .partner_id = "P-1"};
  base::SystemClock system;
  s.now = WednesdayNoonAfter(system.NowUnixSeconds());
  const base::Bytes secret(32, 0x42);
  s.member = card::ComputeRid(secret, "M-BENCH");
  registry::RegistryContents c;
  c.meta = {.seq = 1,
            .created = s.now - 86400,
            .not_after = s.now + 30 * 86400,
            .mode = card::ListMode::kAllowList,
            .issuer = "RU-EDU-69"};
  std::mt19937_64 rng(7);
  c.members.push_back({.rid = s.member});
  for (size_t i = 0; i < opt.members; ++i) {
    registry::MemberRecord m;
    for (uint8_t& b : m.rid) b = static_cast<uint8_t>(rng());
    c.members.push_back(m);
  }
  auto by_rid = [](const auto& a, const auto& b) { return a.rid < b.rid; };
  std::sort(c.members.begin(), c.members.end(), by_rid);
  c.members.erase(std::unique(c.members.begin(), c.members.end(),
                              [](const auto& a, const auto& b) { return a.rid == b.rid; }),
                  c.members.end());
  c.partners = {{.partner_id = "P-1", .name = "Books", .city = "Tver", .address = "1"}};
  registry::Offer count_cap = MakeOffer("O-1", registry::OfferKind::kPercent, 500);
  count_cap.cap_count = 1000;
  count_cap.cap_period = registry::CapPeriod::kMonth;
  registry::Offer amount_cap = MakeOffer("O-2", registry::OfferKind::kFixed, 10'000);
  amount_cap.cap_amount_minor = 100'000'000;
  amount_cap.cap_period = registry::CapPeriod::kWeek;
  c.offers = {count_cap, amount_cap, MakeOffer("O-3", registry::OfferKind::kPercent, 300)};
  for (card::Alg alg : {card::Alg::kES256, card::Alg::kEdDSA}) {
    card::PrivateKey key = Check(card::PrivateKey::Generate(alg), "key");
    s.cards.push_back(MakeCard(std::string(card::AlgName(alg)), key, ClaimsFor(s.member, s.now)));
    c.issuer_keys.push_back(
        {.kid = s.cards.back().pub.kid(), .iss = "RU-EDU-69", .key = s.cards.back().pub});
  }
  std::filesystem::remove(s.registry_path);
  Check(registry::BuildRegistry(s.registry_path, c), "building the registry");
  return s;
}

// The output of bench/run_registry_bench.sh: its registry, issuer key and status secret; the
// first of EDU-00000000... that its registry holds as active.
Scene LoadScene(const Options& opt) {
  const std::string dir = opt.registry_work;
  Scene s{.registry_path = dir + "/data/registry.db", .partner_id = "P0000"};
  auto reg = Check(registry::Registry::Open(s.registry_path), "opening the registry");
  s.now = WednesdayNoonAfter(reg->meta().created);
  const base::Bytes secret = Check(card::LoadStatusSecret(dir + "/status.secret"), "secret");
  for (int i = 0;; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "EDU-%08d", i);
    s.member = card::ComputeRid(secret, id);
    auto m = Check(reg->FindMember(s.member), "member lookup");
    if (m && m->state == card::MemberState::kActive && m->min_serial <= 1) break;
    if (i > 1000) Die("no active member among the first 1000");
  }
  const std::string pem = Check(base::ReadFile(dir + "/issuer.key.pem", 64 * 1024), "issuer key");
  card::PrivateKey key = Check(card::PrivateKey::FromPem(pem), "issuer key");
  s.cards.push_back(
      MakeCard(std::string(card::AlgName(key.alg())), key, ClaimsFor(s.member, s.now)));
  return s;
}

// `n` entries over the 60 days before `now`, in one transaction: discounts, check-ins and
// rejected scans of 20k members; every (n/20)th is an accepted discount of the bench member.
void PrefillJournal(const std::string& path, size_t n, const Scene& s) {
  const std::vector<std::string>& offers = s.offers;
  base::FakeClock clock(s.now);
  { Check(journal::Journal::Open(path, clock), "creating the journal"); }
  sqlite::Db db = Check(sqlite::Db::Open(path, sqlite::Db::Mode::kReadWrite), "opening journal");
  Check(db.Exec("PRAGMA synchronous=OFF; BEGIN"), "begin");
  sqlite::Stmt ins = Check(db.Prepare("INSERT INTO entries(" + journal::EntryColumnNames() +
                                      ") VALUES(" + journal::EntryPlaceholders() + ")"),
                           "prepare");
  std::mt19937_64 rng(11);
  std::vector<card::Rid> pool(20'000);
  for (card::Rid& r : pool) {
    for (uint8_t& b : r) b = static_cast<uint8_t>(rng());
  }
  journal::Hash prev{};
  const int64_t span = 60 * 86400;
  for (size_t i = 0; i < n; ++i) {
    journal::Entry e;
    e.seq = static_cast<int64_t>(i) + 1;
    e.uuid = journal::NewUuid();
    e.time_utc = s.now - span + static_cast<int64_t>(i) * span / static_cast<int64_t>(n);
    e.mono_ns = static_cast<int64_t>(i) * 1000;
    e.rid = pool[rng() % pool.size()];
    e.bundle_seq = 1;
    e.verdict = "VALID";
    e.decision = journal::kAccepted;
    const size_t k = i % 10;
    if (i % std::max<size_t>(1, n / 20) == 0 || k < 7) {
      if (i % std::max<size_t>(1, n / 20) == 0) e.rid = s.member;
      e.kind = journal::Kind::kDiscount;
      e.partner_id = s.partner_id;
      e.offer_id = offers[i % offers.size()];
      e.purchase_minor = 20'000;
      e.discount_minor = 1'000;
    } else if (k < 9) {
      e.kind = journal::Kind::kCheckin;
      e.event_id = "E-1";
    } else {
      e.kind = journal::Kind::kRejected;
      e.rid.reset();
      e.verdict = e.decision = "EXPIRED";
    }
    e.prev_hash = prev;
    e.hash = journal::ComputeHash(e);
    prev = e.hash;
    journal::BindEntryColumns(ins, 1, e);
    Check(ins.Run(), "insert");
  }
  Check(db.Exec("COMMIT"), "commit");
  ins = sqlite::Stmt();  // finalized before the connection closes
  Check(db.Close(), "close");
}

struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct EvpMdFree {
  void operator()(EVP_MD* m) const { EVP_MD_free(m); }
};

// The floor: one EVP_DigestVerify with a parsed key, a reused context, a pre-fetched digest.
class BareVerify {
 public:
  explicit BareVerify(const BenchCard& c)
      : card_(c), ctx_(EVP_MD_CTX_new()), sha256_(EVP_MD_fetch(nullptr, "SHA2-256", nullptr)) {}
  bool operator()() {
    EVP_MD_CTX_reset(ctx_.get());
    const EVP_MD* md = card_.pub.type() == card::KeyType::kEd25519 ? nullptr : sha256_.get();
    EVP_DigestVerifyInit(ctx_.get(), nullptr, md, nullptr, card_.pub.pkey());
    return EVP_DigestVerify(ctx_.get(), card_.sig.data(), card_.sig.size(), card_.tbs.data(),
                            card_.tbs.size()) == 1;
  }

 private:
  const BenchCard& card_;
  std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree> ctx_;
  std::unique_ptr<EVP_MD, EvpMdFree> sha256_;
};

template <typename F>
double TimeNs(F&& f) {
  const auto t0 = SteadyClock::now();
  f();
  return static_cast<double>(std::chrono::duration_cast<Nanos>(SteadyClock::now() - t0).count());
}

void PrintBreakdown(const Scene& s, const BenchCard& c, registry::Registry& reg,
                    journal::Journal& j, card::Verifier& verifier, const Options& opt);

void BenchDecision(const Scene& s, const BenchCard& c, registry::Registry& reg, journal::Journal& j,
                   const Options& opt) {
  base::FakeClock clock(s.now);
  card::Verifier verifier(reg, &reg, clock);
  verifier.set_clock_floor(std::max(reg.meta().created, j.last_time()));
  kiosk::Config config;
  config.partner_id = s.partner_id;
  kiosk::Session session(config, clock, &verifier, &reg, j);
  BareVerify bare(c);
  const int64_t purchase = 20'000;
  auto decide = [&] {
    session.Scan(c.text);
    session.Amount(purchase);
  };
  for (int i = 0; i < 500; ++i) decide();
  const kiosk::Screen& screen = session.screen();
  std::printf("%s decision: verdict %s, state %s, offer %s, discount %lld of %lld%s%s\n",
              c.name.c_str(), screen.verdict.c_str(),
              std::string(kiosk::StateName(screen.state)).c_str(), screen.offer_id.c_str(),
              static_cast<long long>(screen.discount_minor), static_cast<long long>(purchase),
              screen.decision.empty() ? "" : ", decision ", screen.decision.c_str());
  if (screen.state != kiosk::State::kConfirm && screen.state != kiosk::State::kResult) {
    Die("the decision did not reach a discount or a refusal");
  }
  if (!bare()) Die("bare verify failed");
  std::vector<double> full, floor;
  const size_t block = 500;  // alternating blocks: both see the same machine state
  for (size_t done = 0; done < opt.iterations; done += block) {
    for (size_t i = 0; i < block; ++i) full.push_back(TimeNs(decide));
    for (size_t i = 0; i < block; ++i) floor.push_back(TimeNs([&] { (void)bare(); }));
  }
  const Stats f = Summarize(full), b = Summarize(floor);
  std::printf("%s full decision:     median %8.2f us  p99 %8.2f us  (%zu runs)\n", c.name.c_str(),
              f.median_us, f.p99_us, full.size());
  std::printf("%s bare EVP verify:   median %8.2f us  p99 %8.2f us\n", c.name.c_str(), b.median_us,
              b.p99_us);
  std::printf("%s ratio decision/bare (medians): %.3f  (target <= 1.2)\n", c.name.c_str(),
              f.median_us / b.median_us);
  PrintBreakdown(s, c, reg, j, verifier, opt);
}

// Where the time above the bare verify goes: each step of the decision alone.
void PrintBreakdown(const Scene& s, const BenchCard& c, registry::Registry& reg,
                    journal::Journal& j, card::Verifier& verifier, const Options& opt) {
  const size_t n = opt.iterations / 4;
  auto median = [&](auto&& step, size_t runs = 0) {
    std::vector<double> ns;
    for (size_t i = 0; i < (runs != 0 ? runs : n); ++i) ns.push_back(TimeNs(step));
    return Summarize(ns).median_us;
  };
  const double verify = median([&] { (void)verifier.Verify(c.text); });
  const double member = median([&] { (void)reg.FindMember(s.member); });
  const double offers = median([&] { (void)reg.OffersOf(s.partner_id); });
  const double usage =
      median([&] { (void)j.Usage(s.member, s.offers[0], s.now - 30 * 86400, s.now); });
  // Not part of a shop decision: what an event desk asks the same journal at every check-in.
  // Counted from the journal once (ReloadTail forgets the count), then kept by Append.
  const double first_count = median(
      [&] {
        (void)j.ReloadTail();
        (void)j.Attendance("E-1");
      },
      20);
  (void)j.Attendance("E-1");
  const double attendance = median([&] { (void)j.Attendance("E-1"); }, 50);
  std::printf(
      "%s   breakdown (medians): card verify (incl. key + member lookup) %.2f us, "
      "member lookup %.2f us, offers of the partner %.2f us, one cap usage query %.2f us; "
      "(event desks) attendance %.2f us per check-in (counted from the journal once: %.2f us)\n",
      c.name.c_str(), verify, member, offers, usage, attendance, first_count);
}

void BenchAppends(const Scene& s, journal::Journal& j, const std::string& path,
                  const Options& opt) {
  const journal::NewEntry n{.kind = journal::Kind::kDiscount,
                            .rid = s.member,
                            .partner_id = s.partner_id,
                            .offer_id = "O-1",
                            .purchase_minor = 20'000,
                            .discount_minor = 1'000,
                            .bundle_seq = 1,
                            .verdict = "VALID",
                            .decision = journal::kAccepted};
  bench::BenchAppends(path, j, n, opt.appends);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    auto number = [&] { return static_cast<size_t>(std::strtoull(next().c_str(), nullptr, 10)); };
    if (a == "--work") {
      o.work = next();
    } else if (a == "--registry-work") {
      o.registry_work = next();
    } else if (a == "--members") {
      o.members = number();
    } else if (a == "--entries") {
      o.entries = std::max<size_t>(20, number());
    } else if (a == "--iterations") {
      o.iterations = std::max<size_t>(500, number());
    } else if (a == "--appends") {
      o.appends = std::max<size_t>(1, number());
    } else if (a == "--keep") {
      o.keep = true;
    } else {
      Die("unknown option " + a);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = ParseArgs(argc, argv);
  bool made_work = false;
  if (opt.work.empty()) {
    char tmpl[] = "decision_bench.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) Die("mkdtemp in the current directory failed");
    opt.work = std::filesystem::absolute(tmpl).string();
    made_work = true;
  }
  std::printf("work dir: %s (filesystem: %s)\n", opt.work.c_str(), FsType(opt.work).c_str());
  auto t0 = SteadyClock::now();
  Scene scene = opt.registry_work.empty() ? BuildScene(opt) : LoadScene(opt);
  auto reg = Check(registry::Registry::Open(scene.registry_path), "opening the registry");
  auto counts = Check(reg->CountRows(), "counting");
  for (const registry::Offer& o : Check(reg->OffersOf(scene.partner_id), "offers")) {
    scene.offers.push_back(o.offer_id);
  }
  if (scene.offers.empty()) Die("partner " + scene.partner_id + " has no offers");
  std::printf("registry: %lld members, %zu offers of %s (%.1f s)\n",
              static_cast<long long>(counts.members), scene.offers.size(), scene.partner_id.c_str(),
              std::chrono::duration<double>(SteadyClock::now() - t0).count());
  t0 = SteadyClock::now();
  const std::string journal_path = opt.work + "/journal.db";
  std::filesystem::remove(journal_path);
  std::filesystem::remove(journal_path + "-wal");
  std::filesystem::remove(journal_path + "-shm");
  PrefillJournal(journal_path, opt.entries, scene);
  base::FakeClock clock(scene.now);
  auto j = Check(journal::Journal::Open(journal_path, clock), "opening the journal");
  const journal::ChainReport chain = Check(j->VerifyChain(), "verifying the chain");
  if (chain.first_bad_seq != 0) Die("pre-filled chain is bad: " + chain.problem);
  std::printf("journal: %lld entries pre-filled in one transaction, chain verified (%.1f s)\n",
              static_cast<long long>(chain.entries),
              std::chrono::duration<double>(SteadyClock::now() - t0).count());
  for (const BenchCard& c : scene.cards) BenchDecision(scene, c, *reg, *j, opt);
  BenchAppends(scene, *j, journal_path, opt);
  j.reset();
  reg.reset();
  if (made_work && !opt.keep) std::filesystem::remove_all(opt.work);
  return 0;
}
