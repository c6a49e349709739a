// Test helpers for the kiosk core, the journal and the headless kiosk: a temporary data directory,
// an issuer key and a status secret, cards issued with the real card::CardIssuer, a registry.db
// built straight into the data directory with registry::BuildRegistry (no bundle, no CSV), a
// FakeClock, and kiosk::Device / kiosk::Session wired to all of them.
//
// Typical use:
//   kiosktest::KioskFixture fx;                       // clock at kiosktest::kNow
//   kiosktest::RegistrySpec spec;
//   spec.members = {{"M-1"}, {"M-2", card::MemberState::kRevoked}};
//   spec.partners = {kiosktest::MakePartner(kiosktest::kPartner)};
//   spec.offers = {kiosktest::PercentOffer("O-1", 1000)};
//   ASSERT_TRUE(fx.WriteRegistry(spec));
//   base::Result<kiosk::Device> dev = fx.OpenDevice();
//   ASSERT_TRUE(dev.ok()) << dev.status().ToString();
//   std::unique_ptr<kiosk::Session> s = fx.NewSession(*dev, kiosktest::ShopConfig());
//   s->Scan(fx.Card({.member_id = "M-1"}));
//
// Lifetimes: a Device and a Session made here refer to the fixture's clock, so the fixture must
// outlive them. Sessions refer to the Device's registry, verifier and journal: destroy a Session
// before its Device. Not thread-safe.
//
// Failures of the helpers themselves are reported with ADD_FAILURE and a false/empty result.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/fs.h"
#include "base/status.h"
#include "card/claims.h"
#include "card/crypto.h"
#include "card/issuer.h"
#include "card/stores.h"
#include "journal/entry.h"
#include "journal/journal.h"
#include "kiosk/device.h"
#include "kiosk/session.h"
#include "registry/builder.h"
#include "registry/records.h"
#include "subprocess.h"

namespace kiosktest {

// Wednesday 2027-01-13T12:00:00+03:00 (09:00 UTC): the default time of a fixture's FakeClock.
inline constexpr int64_t kNow = 1'799'830'800;
inline constexpr int64_t kDay = 86'400;
// The kiosk's default UTC offset (kiosk::Config): Moscow, +03:00.
inline constexpr int64_t kMoscow = 3 * 3600;
// The issuer code of the fixture's issuer key and of its cards.
inline constexpr char kIss[] = "RU-EDU-69";
// Default ids used by MakePartner / the offer and event helpers / ShopConfig / EventConfig.
inline constexpr char kPartner[] = "P-1";
inline constexpr char kEvent[] = "E-1";

// Unix seconds of an ISO 8601 date-time with an offset ("2027-01-13T12:00:00+03:00"); ADD_FAILURE
// and 0 if it does not parse.
int64_t At(std::string_view iso8601);

// A fresh directory, removed with its contents on destruction (the one cktest::TempDir).
using TempDir = cktest::TempDir;

// A member_status row, by member ID: the fixture turns the ID into the rid.
struct Member {
  std::string id;
  card::MemberState state = card::MemberState::kActive;
  uint32_t min_serial = 0;
};

// What one registry.db holds. Members and roster entries are given by member ID; the fixture
// computes the rids and sorts the rows as BuildRegistry wants them.
struct RegistrySpec {
  int64_t seq = 1;
  int64_t created = kNow - kDay;
  int64_t not_after = kNow + 30 * kDay;  // exclusive: at not_after the registry is stale
  card::ListMode mode = card::ListMode::kDenyList;
  std::vector<Member> members;
  std::vector<registry::Partner> partners;
  std::vector<registry::Offer> offers;  // inserted in this order (Registry::OffersOf sorts by id)
  std::vector<registry::Event> events;
  std::vector<std::pair<std::string, std::string>> roster;  // (event_id, member ID)
  bool list_issuer_key = true;  // put the fixture's issuer key (for kIss) into issuer_keys
  std::vector<card::IssuerKey> extra_issuer_keys;
};

// One card. iat/exp default to the fixture clock's now - 1 day and now + 365 days.
struct CardSpec {
  std::string member_id = "M-1001";
  card::Category category = card::Category::kEmployee;
  std::string org = kIss;
  uint32_t serial = 1;
  std::optional<std::string> name = "Anna I.";
  std::optional<std::string> number = "6900012345";
  std::optional<int64_t> iat, exp;
  std::string iss = kIss;
};

// Holds the temp dir, the clock, the issuer key and the status secret of one test.
class KioskFixture {
 public:
  // Generates an ES256 issuer key, takes a fixed 32-byte status secret (rids are the same in
  // every test) and creates data_dir() (empty).
  explicit KioskFixture(int64_t now = kNow);
  KioskFixture(const KioskFixture&) = delete;
  KioskFixture& operator=(const KioskFixture&) = delete;

  base::FakeClock& clock() { return clock_; }
  const TempDir& temp() const { return dir_; }
  // The kiosk's data directory: registry.db, journal.db and the device key live here.
  const std::string& data_dir() const { return data_dir_; }
  std::string DataFile(std::string_view name) const { return data_dir_ + "/" + std::string(name); }
  std::string registry_path() const { return DataFile("registry.db"); }
  std::string journal_path() const { return DataFile(journal::kJournalFile); }

  base::ByteSpan status_secret() const { return secret_; }
  const card::PublicKey& issuer_public() const { return *issuer_public_; }
  const card::Kid& issuer_kid() const { return issuer_->kid(); }
  card::Rid RidOf(std::string_view member_id) const;
  // The claims a card of `spec` carries (times resolved against the clock).
  card::Claims ClaimsOf(const CardSpec& spec) const;

  // QR text of a card issued with card::CardIssuer and the fixture's issuer key.
  std::string Card(const CardSpec& spec = {}) const;
  // A well-formed card signed by `key` under its own kid: UNKNOWN_KEY unless that key is listed.
  std::string CardSignedBy(const card::PrivateKey& key, const CardSpec& spec = {}) const;
  // A card carrying the fixture issuer's kid but signed by another key: BAD_SIGNATURE.
  std::string BadSignatureCard(const CardSpec& spec = {}) const;

  // The registry contents for `spec` (meta, issuer keys, rids computed and sorted).
  registry::RegistryContents Contents(const RegistrySpec& spec) const;
  // Builds registry_path() from `spec`, replacing a registry there (as an applied bundle would).
  // Devices opened before keep reading the old file until Device::ReloadRegistry.
  bool WriteRegistry(const RegistrySpec& spec) const;
  // Writes `contents` as-is to registry_path(), replacing a registry there.
  bool WriteRegistryContents(const registry::RegistryContents& contents) const;

  // kiosk::Device::Open(fs(), data_dir(), clock()).
  base::Result<kiosk::Device> OpenDevice();
  // A session over `device` with the fixture's clock. Destroy it before `device`.
  std::unique_ptr<kiosk::Session> NewSession(kiosk::Device& device, const kiosk::Config& config);

  // Every entry of journal.db, read through a separate Journal object (as another process would).
  std::vector<journal::Entry> ReadJournal();

 private:
  base::PosixFileSystem fs_;
  TempDir dir_;
  std::string data_dir_;
  base::FakeClock clock_;
  base::Bytes secret_;
  std::optional<card::PublicKey> issuer_public_;
  std::optional<card::CardIssuer> issuer_;
};

// Every entry of an open journal, in seq order (ADD_FAILURE on a read error).
std::vector<journal::Entry> Entries(journal::Journal& j);

// Config of a shop kiosk for `partner_id` / an event desk for `event_id`, UTC offset +03:00.
kiosk::Config ShopConfig(std::string partner_id = kPartner);
kiosk::Config EventConfig(std::string event_id = kEvent);

// Records with every optional field open: partner kPartner, all categories and organisations, no
// dates, every weekday, all day, no caps.
registry::Partner MakePartner(std::string partner_id = kPartner);
registry::Offer PercentOffer(std::string offer_id, int64_t basis_points);
registry::Offer FixedOffer(std::string offer_id, int64_t minor);
// A cashback offer of `basis_points` (10% = 1000) for kPartner: the till charges the full price.
registry::Offer CashbackOffer(std::string offer_id, int64_t basis_points);
// An open event from `starts` to `ends` (Unix seconds), one entry per member, no capacity.
registry::Event MakeEvent(std::string event_id, int64_t starts, int64_t ends);

// Makes journal appends fail while it lives, without touching permissions (works as root): a
// second connection adds a BEFORE INSERT trigger that aborts, so Journal::Append gets an SQLite
// error at once while reads keep working. The trigger is dropped on destruction.
class FailingJournalAppends {
 public:
  explicit FailingJournalAppends(const std::string& journal_path);
  ~FailingJournalAppends();
  FailingJournalAppends(const FailingJournalAppends&) = delete;
  FailingJournalAppends& operator=(const FailingJournalAppends&) = delete;
  bool ok() const { return ok_; }

 private:
  std::string path_;
  bool ok_ = false;
};

// Holds the journal's write lock from a second connection (BEGIN EXCLUSIVE) while it lives, so an
// append waits for the journal's busy_timeout (2 s) and then fails with SQLITE_BUSY. Readers are
// not blocked (WAL). Costs the busy timeout per blocked append: use sparingly.
class JournalWriteLock {
 public:
  explicit JournalWriteLock(const std::string& journal_path);
  ~JournalWriteLock();
  JournalWriteLock(const JournalWriteLock&) = delete;
  JournalWriteLock& operator=(const JournalWriteLock&) = delete;
  bool ok() const { return ok_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool ok_ = false;
};

}  // namespace kiosktest
