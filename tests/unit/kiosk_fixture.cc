#include "kiosk_fixture.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "base/time_format.h"
#include "card/profile.h"
#include "card/rid.h"
#include "sqlite/db.h"

namespace kiosktest {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "kiosk_fixture: %s\n", what.c_str());
  std::abort();
}

base::Bytes FixedSecret() {
  base::Bytes secret(32);
  for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(0x5a ^ i);
  return secret;
}

card::PrivateKey NewKey() {
  base::Result<card::PrivateKey> key = card::PrivateKey::Generate(card::Alg::kES256);
  if (!key.ok()) Die("generating a key: " + key.status().ToString());
  return std::move(key).value();
}

// A card signed by `key` under `kid`, in the card envelope.
std::string SignedCard(const card::PrivateKey& key, const card::Kid& kid, const card::Claims& c) {
  base::Result<base::Bytes> payload = card::EncodeClaims(c);
  if (!payload.ok()) {
    ADD_FAILURE() << "encoding claims: " << payload.status().ToString();
    return "";
  }
  base::Result<base::Bytes> cose = card::SignCose(key, kid, *payload);
  if (!cose.ok()) {
    ADD_FAILURE() << "signing a card: " << cose.status().ToString();
    return "";
  }
  base::Result<std::string> text = card::WrapEnvelope(card::kCardProfile.prefix, *cose);
  if (!text.ok()) {
    ADD_FAILURE() << "wrapping a card: " << text.status().ToString();
    return "";
  }
  return *text;
}

}  // namespace

int64_t At(std::string_view iso8601) {
  base::Result<int64_t> t = base::ParseIso8601(iso8601);
  if (!t.ok()) {
    ADD_FAILURE() << "bad time " << iso8601 << ": " << t.status().ToString();
    return 0;
  }
  return *t;
}

KioskFixture::KioskFixture(int64_t now)
    : data_dir_(dir_.File("data")), clock_(now), secret_(FixedSecret()) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir_, ec);
  if (ec) Die("creating " + data_dir_ + ": " + ec.message());
  card::PrivateKey key = NewKey();
  base::Result<card::PublicKey> pub = key.Public();
  if (!pub.ok()) Die("public key: " + pub.status().ToString());
  issuer_public_ = *pub;
  base::Result<card::CardIssuer> issuer = card::CardIssuer::Create(std::move(key));
  if (!issuer.ok()) Die("card issuer: " + issuer.status().ToString());
  issuer_.emplace(std::move(issuer).value());
}

card::Rid KioskFixture::RidOf(std::string_view member_id) const {
  return card::ComputeRid(secret_, member_id);
}

card::Claims KioskFixture::ClaimsOf(const CardSpec& spec) const {
  card::Claims c;
  c.iss = spec.iss;
  c.iat = spec.iat.value_or(clock_.NowUnixSeconds() - kDay);
  c.exp = spec.exp.value_or(clock_.NowUnixSeconds() + 365 * kDay);
  c.card = card::MemberCard{.rid = RidOf(spec.member_id),
                            .serial = spec.serial,
                            .org = spec.org,
                            .category = spec.category,
                            .name = spec.name,
                            .number = spec.number};
  return c;
}

std::string KioskFixture::Card(const CardSpec& spec) const {
  base::Result<std::string> text = issuer_->Issue(ClaimsOf(spec));
  if (!text.ok()) {
    ADD_FAILURE() << "issuing a card: " << text.status().ToString();
    return "";
  }
  return *text;
}

std::string KioskFixture::CardSignedBy(const card::PrivateKey& key, const CardSpec& spec) const {
  base::Result<card::PublicKey> pub = key.Public();
  if (!pub.ok()) {
    ADD_FAILURE() << "public key: " << pub.status().ToString();
    return "";
  }
  return SignedCard(key, pub->kid(), ClaimsOf(spec));
}

std::string KioskFixture::BadSignatureCard(const CardSpec& spec) const {
  return SignedCard(NewKey(), issuer_kid(), ClaimsOf(spec));
}

registry::RegistryContents KioskFixture::Contents(const RegistrySpec& spec) const {
  registry::RegistryContents c;
  c.meta.seq = spec.seq;
  c.meta.created = spec.created;
  c.meta.not_after = spec.not_after;
  c.meta.mode = spec.mode;
  c.meta.issuer = kIss;
  if (spec.list_issuer_key) {
    c.issuer_keys.push_back(
        card::IssuerKey{.kid = issuer_public_->kid(), .iss = kIss, .key = *issuer_public_});
  }
  c.issuer_keys.insert(c.issuer_keys.end(), spec.extra_issuer_keys.begin(),
                       spec.extra_issuer_keys.end());
  for (const Member& m : spec.members) {
    c.members.push_back(
        registry::MemberRecord{.rid = RidOf(m.id), .state = m.state, .min_serial = m.min_serial});
  }
  std::sort(c.members.begin(), c.members.end(),
            [](const registry::MemberRecord& a, const registry::MemberRecord& b) {
              return a.rid < b.rid;
            });
  c.partners = spec.partners;
  c.offers = spec.offers;
  c.events = spec.events;
  for (const auto& [event_id, member_id] : spec.roster)
    c.roster.emplace_back(event_id, RidOf(member_id));
  std::sort(c.roster.begin(), c.roster.end());
  return c;
}

bool KioskFixture::WriteRegistry(const RegistrySpec& spec) const {
  return WriteRegistryContents(Contents(spec));
}

bool KioskFixture::WriteRegistryContents(const registry::RegistryContents& contents) const {
  // Built beside and renamed over, as a bundle apply does: an open reader keeps its old file.
  const std::string building = registry_path() + ".building";
  std::error_code ec;
  std::filesystem::remove(building, ec);
  base::Status st = registry::BuildRegistry(building, contents);
  if (!st.ok()) {
    ADD_FAILURE() << "building " << building << ": " << st.ToString();
    return false;
  }
  std::filesystem::rename(building, registry_path(), ec);
  if (ec) {
    ADD_FAILURE() << "renaming " << building << ": " << ec.message();
    return false;
  }
  return true;
}

base::Result<kiosk::Device> KioskFixture::OpenDevice() {
  return kiosk::Device::Open(fs_, data_dir_, clock_);
}

std::unique_ptr<kiosk::Session> KioskFixture::NewSession(kiosk::Device& device,
                                                         const kiosk::Config& config) {
  return std::make_unique<kiosk::Session>(config, clock_, device.verifier.get(),
                                          device.registry.get(), *device.journal,
                                          device.hub_time.get());
}

std::vector<journal::Entry> KioskFixture::ReadJournal() {
  base::Result<std::unique_ptr<journal::Journal>> j =
      journal::Journal::Open(journal_path(), clock_);
  if (!j.ok()) {
    ADD_FAILURE() << "opening " << journal_path() << ": " << j.status().ToString();
    return {};
  }
  return Entries(**j);
}

std::vector<journal::Entry> Entries(journal::Journal& j) {
  std::vector<journal::Entry> out;
  base::Status st = j.ForEach(0, [&](const journal::Entry& e) {
    out.push_back(e);
    return base::Status::Ok();
  });
  if (!st.ok()) ADD_FAILURE() << "reading the journal: " << st.ToString();
  return out;
}

kiosk::Config ShopConfig(std::string partner_id) {
  kiosk::Config c;
  c.mode = kiosk::Mode::kShop;
  c.partner_id = std::move(partner_id);
  c.utc_offset_seconds = kMoscow;
  return c;
}

kiosk::Config EventConfig(std::string event_id) {
  kiosk::Config c;
  c.mode = kiosk::Mode::kEvent;
  c.event_id = std::move(event_id);
  c.utc_offset_seconds = kMoscow;
  return c;
}

registry::Partner MakePartner(std::string partner_id) {
  return registry::Partner{.partner_id = std::move(partner_id),
                           .name = "Книжный дом",
                           .city = "Тверь",
                           .address = "ул. Советская, 1"};
}

registry::Offer PercentOffer(std::string offer_id, int64_t basis_points) {
  registry::Offer o;
  o.offer_id = std::move(offer_id);
  o.partner_id = kPartner;
  o.kind = registry::OfferKind::kPercent;
  o.value = basis_points;
  o.title = "percent " + std::to_string(basis_points) + " bp";
  return o;
}

registry::Offer CashbackOffer(std::string offer_id, int64_t basis_points) {
  registry::Offer o = PercentOffer(std::move(offer_id), basis_points);
  o.kind = registry::OfferKind::kCashback;
  o.title = "cashback " + std::to_string(basis_points) + " bp";
  return o;
}

registry::Offer FixedOffer(std::string offer_id, int64_t minor) {
  registry::Offer o = PercentOffer(std::move(offer_id), 0);
  o.kind = registry::OfferKind::kFixed;
  o.value = minor;
  o.title = "fixed " + std::to_string(minor);
  return o;
}

registry::Event MakeEvent(std::string event_id, int64_t starts, int64_t ends) {
  return registry::Event{.event_id = std::move(event_id),
                         .title = "Conference",
                         .venue = "Hall A",
                         .starts = starts,
                         .ends = ends};
}

namespace {

constexpr char kFailTrigger[] = "kiosktest_fail_append";

base::Status ExecOn(const std::string& path, const std::string& sql) {
  CK_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::Open(path, sqlite::Db::Mode::kReadWrite));
  CK_TRY(db.Exec("PRAGMA busy_timeout=5000"));
  CK_TRY(db.Exec(sql));
  return db.Close();
}

}  // namespace

FailingJournalAppends::FailingJournalAppends(const std::string& journal_path)
    : path_(journal_path) {
  base::Status st = ExecOn(path_, std::string("CREATE TRIGGER ") + kFailTrigger +
                                      " BEFORE INSERT ON entries BEGIN SELECT RAISE(ABORT, "
                                      "'injected journal write failure'); END");
  if (!st.ok()) ADD_FAILURE() << "injecting the journal failure: " << st.ToString();
  ok_ = st.ok();
}

FailingJournalAppends::~FailingJournalAppends() {
  if (!ok_) return;
  base::Status st = ExecOn(path_, std::string("DROP TRIGGER IF EXISTS ") + kFailTrigger);
  if (!st.ok()) ADD_FAILURE() << "removing the journal failure: " << st.ToString();
}

struct JournalWriteLock::Impl {
  sqlite::Db db;
};

JournalWriteLock::JournalWriteLock(const std::string& journal_path) : impl_(new Impl) {
  base::Result<sqlite::Db> db = sqlite::Db::Open(journal_path, sqlite::Db::Mode::kReadWrite);
  if (!db.ok()) {
    ADD_FAILURE() << "opening " << journal_path << ": " << db.status().ToString();
    return;
  }
  impl_->db = std::move(db).value();
  base::Status st = impl_->db.Exec("BEGIN EXCLUSIVE");
  if (!st.ok()) ADD_FAILURE() << "locking the journal: " << st.ToString();
  ok_ = st.ok();
}

JournalWriteLock::~JournalWriteLock() {
  if (ok_) (void)impl_->db.Exec("ROLLBACK");
}

}  // namespace kiosktest
