// registry::Registry over a built registry.db: meta, keys, members, partners, offers, events,
// roster; what Open refuses; and the card verifier using the registry as its key and status store.
#include "registry/registry.h"

#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/time_format.h"
#include "card/issuer.h"
#include "card/rid.h"
#include "card/verifier.h"
#include "registry/builder.h"
#include "registry/inputs.h"
#include "sqlite/db.h"
#include "subprocess.h"

namespace {

constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z
constexpr char kIss[] = "RU-EDU-69";

using cktest::TempDir;

std::string Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

card::PrivateKey NewKey(card::Alg alg) {
  auto key = card::PrivateKey::Generate(alg);
  if (!key.ok()) std::abort();
  return std::move(key).value();
}

card::PublicKey Pub(const card::PrivateKey& key) {
  auto pub = key.Public();
  if (!pub.ok()) std::abort();
  return *pub;
}

int64_t Day(int y, unsigned m, unsigned d) { return base::DaysFromCivil(y, m, d); }

// Keys shared by every test of the suite (one per process).
struct Keys {
  card::PrivateKey issuer = NewKey(card::Alg::kES256);
  card::PrivateKey withdrawn = NewKey(card::Alg::kES256);
  card::PrivateKey limited = NewKey(card::Alg::kEdDSA);  // valid kNow-100 .. kNow+100 only
  card::PrivateKey unlisted = NewKey(card::Alg::kES256);
};

class RegistryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { keys_ = new Keys(); }
  static void TearDownTestSuite() { delete keys_; }

  RegistryTest() : secret_(32, 0x5a), clock_(kNow) {}

  card::Rid RidOf(const std::string& member_id) const {
    return card::ComputeRid(secret_, member_id);
  }

  // The admin's files, parsed the way `cardctl bundle build` parses them, plus the keys.
  registry::RegistryContents Contents(card::ListMode mode) {
    registry::RegistryContents c;
    auto members = registry::ReadMembersCsv(Write(dir_.File("members.csv"),
                                                  "member_id,status,min_serial\n"
                                                  "M-ACTIVE,active,0\n"
                                                  "M-SUSPENDED,suspended,\n"
                                                  "M-REVOKED,revoked,0\n"
                                                  "M-REPLACED,active,5\n"),
                                            secret_, nullptr);
    EXPECT_TRUE(members.ok()) << members.status().ToString();
    if (members.ok()) c.members = *members;
    auto partners =
        registry::ReadPartnersCsv(Write(dir_.File("partners.csv"),
                                        "partner_id,name,city,address\n"
                                        "P-BOOKS,Книжный дом,Тверь,\"ул. Советская, 1\"\n"
                                        "P-CAFE,Cafe Luna,Tver,\n"));
    EXPECT_TRUE(partners.ok()) << partners.status().ToString();
    if (partners.ok()) c.partners = *partners;
    auto offers = registry::ReadOffersCsv(
        Write(dir_.File("offers.csv"),
              "offer_id,partner_id,kind,value,min_purchase_minor,max_discount_minor,categories,"
              "orgs,valid_from,valid_to,weekdays,hours,cap_count,cap_amount_minor,cap_period,"
              "title\n"
              "O-B2,P-BOOKS,fixed,5000,,,,,,,6|7,,,,,50 off at weekends\n"
              "O-B1,P-BOOKS,percent,7.5,100000,50000,0|3,RU-EDU-69|RU-MED-69,2027-01-01,"
              "2027-12-31,1-5,09:00-21:00,2,300000,month,7.5% off books\n"),
        {"P-BOOKS", "P-CAFE"});
    EXPECT_TRUE(offers.ok()) << offers.status().ToString();
    if (offers.ok()) c.offers = *offers;
    auto events = registry::ReadEventsCsv(
        Write(dir_.File("events.csv"),
              "event_id,title,venue,starts,ends,mode,entries_per_member,capacity\n"
              "E-CONF,Conference,Hall A,2027-03-01T10:00+03:00,2027-03-01T18:00+03:00,roster,1,"
              "300\n"
              "E-PARTY,Party,,2027-03-02T20:00Z,2027-03-03T02:00Z,open,2,\n"));
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    if (events.ok()) c.events = *events;
    auto roster = registry::ReadRosterCsv(Write(dir_.File("roster.csv"),
                                                "event_id,member_id\n"
                                                "E-CONF,M-ACTIVE\n"
                                                "E-CONF,M-SUSPENDED\n"),
                                          secret_, {"E-CONF", "E-PARTY"}, nullptr);
    EXPECT_TRUE(roster.ok()) << roster.status().ToString();
    if (roster.ok()) c.roster = *roster;

    const card::PublicKey issuer = Pub(keys_->issuer), withdrawn = Pub(keys_->withdrawn),
                          limited = Pub(keys_->limited);
    c.issuer_keys = {
        {.kid = issuer.kid(), .iss = kIss, .key = issuer},
        {.kid = withdrawn.kid(), .iss = kIss, .key = withdrawn, .withdrawn = true},
        {.kid = limited.kid(),
         .iss = "",
         .key = limited,
         .not_before = kNow - 100,
         .not_after = kNow + 100},
    };
    c.meta = {.seq = 42,
              .created = kNow - 3600,
              .not_after = kNow + 7 * 86400,
              .mode = mode,
              .issuer = kIss};
    return c;
  }

  std::string Build(const registry::RegistryContents& c, const std::string& name = "registry.db") {
    const std::string path = dir_.File(name);
    base::Status st = registry::BuildRegistry(path, c);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return path;
  }

  std::unique_ptr<registry::Registry> Open(card::ListMode mode = card::ListMode::kDenyList) {
    auto reg = registry::Registry::Open(Build(Contents(mode)));
    EXPECT_TRUE(reg.ok()) << reg.status().ToString();
    return reg.ok() ? std::move(reg).value() : nullptr;
  }

  std::optional<card::MemberStatus> Member(const registry::Registry& reg, const std::string& id) {
    auto m = reg.FindMember(RidOf(id));
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : std::nullopt;
  }

  // A card for `member_id` signed by `key`.
  std::string Card(const card::PrivateKey& key, const std::string& member_id, uint32_t serial = 5) {
    auto pem = key.ToPem();
    auto copy = card::PrivateKey::FromPem(*pem);
    if (!pem.ok() || !copy.ok()) return "";
    auto issuer = card::CardIssuer::Create(std::move(copy).value());
    if (!issuer.ok()) return "";
    card::MemberCard mc{.rid = RidOf(member_id),
                        .serial = serial,
                        .org = "RU-EDU-69-SCH12",
                        .category = card::Category::kEmployee};
    auto text =
        issuer->Issue({.iss = kIss, .iat = kNow - 86400, .exp = kNow + 365 * 86400, .card = mc});
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    return text.ok() ? *text : std::string();
  }

  card::Verdict Verify(const registry::Registry& reg, const std::string& qr) {
    card::Verifier verifier(reg, &reg, clock_);
    card::Verification v = verifier.Verify(qr);
    return v.verdict;
  }

  static Keys* keys_;
  TempDir dir_;
  base::Bytes secret_;
  base::FakeClock clock_;
};

Keys* RegistryTest::keys_ = nullptr;

TEST_F(RegistryTest, MetaRoundTrips) {
  auto reg = Open(card::ListMode::kAllowList);
  ASSERT_TRUE(reg);
  const registry::Meta& m = reg->meta();
  EXPECT_EQ(m.schema_version, registry::kSchemaVersion);
  EXPECT_EQ(m.seq, 42);
  EXPECT_EQ(m.created, kNow - 3600);
  EXPECT_EQ(m.not_after, kNow + 7 * 86400);
  EXPECT_EQ(m.mode, card::ListMode::kAllowList);
  EXPECT_EQ(m.issuer, kIss);
}

TEST_F(RegistryTest, ModeIsAllowOrDeny) {
  auto deny = Open(card::ListMode::kDenyList);
  ASSERT_TRUE(deny);
  EXPECT_EQ(deny->mode(), card::ListMode::kDenyList);
  auto allow = registry::Registry::Open(Build(Contents(card::ListMode::kAllowList), "allow.db"));
  ASSERT_TRUE(allow.ok());
  EXPECT_EQ((*allow)->mode(), card::ListMode::kAllowList);
}

TEST_F(RegistryTest, FindKeyReturnsTheIssuerKey) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  const card::PublicKey pub = Pub(keys_->issuer);
  const card::IssuerKey* k = reg->FindKey(pub.kid());
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->kid, pub.kid());
  EXPECT_EQ(k->iss, kIss);
  EXPECT_EQ(k->key.spki_der(), pub.spki_der());
  EXPECT_EQ(k->key.type(), card::KeyType::kEcP256);
  EXPECT_FALSE(k->withdrawn);
  EXPECT_EQ(k->not_before, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(k->not_after, std::numeric_limits<int64_t>::max());
}

TEST_F(RegistryTest, WithdrawnKeyIsFlagged) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  const card::IssuerKey* k = reg->FindKey(Pub(keys_->withdrawn).kid());
  ASSERT_NE(k, nullptr);
  EXPECT_TRUE(k->withdrawn);
}

TEST_F(RegistryTest, KeyValidityAndAnyIssuerRoundTrip) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  const card::IssuerKey* k = reg->FindKey(Pub(keys_->limited).kid());
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->not_before, kNow - 100);
  EXPECT_EQ(k->not_after, kNow + 100);
  EXPECT_EQ(k->iss, "");
  EXPECT_EQ(k->key.type(), card::KeyType::kEd25519);
}

TEST_F(RegistryTest, UnknownKidIsNotFound) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->FindKey(Pub(keys_->unlisted).kid()), nullptr);
}

TEST_F(RegistryTest, FindMemberReturnsStatusAndMinimumSerial) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  auto active = Member(*reg, "M-ACTIVE");
  ASSERT_TRUE(active);
  EXPECT_EQ(active->state, card::MemberState::kActive);
  EXPECT_EQ(active->min_serial, 0u);
  auto suspended = Member(*reg, "M-SUSPENDED");
  ASSERT_TRUE(suspended);
  EXPECT_EQ(suspended->state, card::MemberState::kSuspended);
  auto revoked = Member(*reg, "M-REVOKED");
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->state, card::MemberState::kRevoked);
  auto replaced = Member(*reg, "M-REPLACED");
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->state, card::MemberState::kActive);
  EXPECT_EQ(replaced->min_serial, 5u);
}

TEST_F(RegistryTest, UnknownMemberIsNotFound) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  EXPECT_FALSE(Member(*reg, "M-NOBODY"));
  EXPECT_FALSE(Member(*reg, "m-active"));  // member IDs are case-sensitive
  EXPECT_TRUE(Member(*reg, "M-ACTIVE"));   // the statement is reusable after a miss
}

TEST_F(RegistryTest, FindPartner) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  auto p = reg->FindPartner("P-BOOKS");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->name, "Книжный дом");
  EXPECT_EQ((*p)->city, "Тверь");
  EXPECT_EQ((*p)->address, "ул. Советская, 1");
  auto none = reg->FindPartner("P-NONE");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(RegistryTest, OffersOfRoundTripsEveryField) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  auto offers = reg->OffersOf("P-BOOKS");
  ASSERT_TRUE(offers.ok()) << offers.status().ToString();
  ASSERT_EQ(offers->size(), 2u);
  const registry::Offer& o = (*offers)[0];  // ordered by offer_id
  EXPECT_EQ(o.offer_id, "O-B1");
  EXPECT_EQ(o.partner_id, "P-BOOKS");
  EXPECT_EQ(o.kind, registry::OfferKind::kPercent);
  EXPECT_EQ(o.value, 750);
  EXPECT_EQ(o.min_purchase_minor, 100000);
  EXPECT_EQ(o.max_discount_minor, 50000);
  EXPECT_EQ(o.categories, 0b1001u);
  EXPECT_EQ(o.orgs, (std::vector<std::string>{"RU-EDU-69", "RU-MED-69"}));
  EXPECT_EQ(o.valid_from_day, Day(2027, 1, 1));
  EXPECT_EQ(o.valid_to_day, Day(2027, 12, 31));
  EXPECT_EQ(o.weekdays, 0x1f);
  EXPECT_EQ(o.hours_from, 9 * 60);
  EXPECT_EQ(o.hours_to, 21 * 60);
  EXPECT_EQ(o.cap_count, 2);
  EXPECT_EQ(o.cap_amount_minor, 300000);
  EXPECT_EQ(o.cap_period, registry::CapPeriod::kMonth);
  EXPECT_EQ(o.title, "7.5% off books");
}

TEST_F(RegistryTest, OffersOfKeepsEmptyOptionalFieldsEmpty) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  auto offers = reg->OffersOf("P-BOOKS");
  ASSERT_TRUE(offers.ok());
  ASSERT_EQ(offers->size(), 2u);
  const registry::Offer& o = (*offers)[1];
  EXPECT_EQ(o.offer_id, "O-B2");
  EXPECT_EQ(o.kind, registry::OfferKind::kFixed);
  EXPECT_EQ(o.value, 5000);
  EXPECT_EQ(o.min_purchase_minor, 0);
  EXPECT_FALSE(o.max_discount_minor);
  EXPECT_EQ(o.categories, 0u);
  EXPECT_TRUE(o.orgs.empty());
  EXPECT_FALSE(o.valid_from_day);
  EXPECT_FALSE(o.valid_to_day);
  EXPECT_EQ(o.weekdays, 0x60);
  EXPECT_EQ(o.hours_from, 0);
  EXPECT_EQ(o.hours_to, 1440);
  EXPECT_FALSE(o.cap_count);
  EXPECT_FALSE(o.cap_amount_minor);
  EXPECT_FALSE(o.cap_period);
}

TEST_F(RegistryTest, OffersOfAPartnerWithoutOffersIsEmpty) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  auto cafe = reg->OffersOf("P-CAFE");
  ASSERT_TRUE(cafe.ok());
  EXPECT_TRUE(cafe->empty());
  auto unknown = reg->OffersOf("P-NONE");
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(unknown->empty());
}

TEST_F(RegistryTest, FindEventRoundTrips) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  auto conf = reg->FindEvent("E-CONF");
  ASSERT_TRUE(conf.ok() && conf->has_value());
  const registry::Event& e = **conf;
  EXPECT_EQ(e.title, "Conference");
  EXPECT_EQ(e.venue, "Hall A");
  EXPECT_EQ(e.starts, Day(2027, 3, 1) * 86400 + 7 * 3600);  // 10:00+03:00
  EXPECT_EQ(e.ends, Day(2027, 3, 1) * 86400 + 15 * 3600);
  EXPECT_EQ(e.mode, registry::EventMode::kRoster);
  EXPECT_EQ(e.entries_per_member, 1);
  EXPECT_EQ(e.capacity, 300);
  auto party = reg->FindEvent("E-PARTY");
  ASSERT_TRUE(party.ok() && party->has_value());
  EXPECT_EQ((*party)->mode, registry::EventMode::kOpen);
  EXPECT_EQ((*party)->entries_per_member, 2);
  EXPECT_EQ((*party)->venue, "");
  EXPECT_FALSE((*party)->capacity);
  auto none = reg->FindEvent("E-NONE");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(RegistryTest, OnRoster) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  auto on = [&](const std::string& event, const std::string& member) {
    auto r = reg->OnRoster(event, RidOf(member));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  };
  EXPECT_TRUE(on("E-CONF", "M-ACTIVE"));
  EXPECT_TRUE(on("E-CONF", "M-SUSPENDED"));
  EXPECT_FALSE(on("E-CONF", "M-REVOKED"));
  EXPECT_FALSE(on("E-PARTY", "M-ACTIVE"));
  EXPECT_FALSE(on("E-NONE", "M-ACTIVE"));
}

TEST_F(RegistryTest, CountRows) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  auto n = reg->CountRows();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->issuer_keys, 3);
  EXPECT_EQ(n->members, 4);
  EXPECT_EQ(n->partners, 2);
  EXPECT_EQ(n->offers, 2);
  EXPECT_EQ(n->events, 2);
  EXPECT_EQ(n->roster, 2);
}

TEST_F(RegistryTest, BuildRefusesToOverwriteAFile) {
  const std::string path = Build(Contents(card::ListMode::kDenyList));
  base::Status st = registry::BuildRegistry(path, Contents(card::ListMode::kDenyList));
  EXPECT_EQ(st.code(), base::StatusCode::kAlreadyExists) << st.ToString();
}

TEST_F(RegistryTest, OpenRefusesAnotherSchemaVersion) {
  registry::RegistryContents c = Contents(card::ListMode::kDenyList);
  c.meta.schema_version = registry::kMaxSchemaVersion + 1;
  auto reg = registry::Registry::Open(Build(c));
  ASSERT_FALSE(reg.ok());
  EXPECT_EQ(reg.status().code(), base::StatusCode::kFailedPrecondition) << reg.status().ToString();
  EXPECT_NE(reg.status().message().find("registry schema version 4, this device reads versions "
                                        "1 to 3"),
            std::string::npos)
      << reg.status().message();
}

// A cashback offer makes the registry version 2, which a kiosk that reads only version 1 refuses
// (it would take the offer for a discount); without one the registry stays version 1.
TEST_F(RegistryTest, ACashbackOfferMakesSchemaVersion2AndReadsBackAsCashback) {
  registry::RegistryContents c = Contents(card::ListMode::kDenyList);
  ASSERT_FALSE(c.offers.empty());
  c.offers[0].kind = registry::OfferKind::kCashback;
  auto reg = registry::Registry::Open(Build(c, "cashback.db"));
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ((*reg)->meta().schema_version, registry::kSchemaVersionCashback);
  auto offers = (*reg)->OffersOf(c.offers[0].partner_id);
  ASSERT_TRUE(offers.ok()) << offers.status().ToString();
  bool found = false;
  for (const registry::Offer& o : *offers) {
    if (o.offer_id != c.offers[0].offer_id) continue;
    found = true;
    EXPECT_EQ(o.kind, registry::OfferKind::kCashback);
    EXPECT_EQ(o.value, c.offers[0].value);
  }
  EXPECT_TRUE(found);
  auto plain = registry::Registry::Open(Build(Contents(card::ListMode::kDenyList), "plain.db"));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->meta().schema_version, 1);
}

// An offer kind the reader does not know, or cashback in a version-1 registry, is refused, never
// read as a percent discount.
TEST_F(RegistryTest, AnUnknownOfferKindIsRefusedNotReadAsADiscount) {
  registry::RegistryContents c = Contents(card::ListMode::kDenyList);
  const std::string partner = c.offers[0].partner_id;
  int n = 0;
  for (const char* edit :
       {"UPDATE offers SET kind = 'voucher'", "UPDATE offers SET kind = 'cashback'"}) {
    const std::string path = Build(c, "edited-" + std::to_string(++n) + ".db");
    {
      auto db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadWrite);
      ASSERT_TRUE(db.ok());
      ASSERT_TRUE(db->Exec(edit).ok());
    }
    auto reg = registry::Registry::Open(path);
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    ASSERT_EQ((*reg)->meta().schema_version, 1);
    auto offers = (*reg)->OffersOf(partner);
    ASSERT_FALSE(offers.ok()) << edit;
    EXPECT_EQ(offers.status().code(), base::StatusCode::kDataLoss);
    EXPECT_NE(offers.status().message().find("unknown kind"), std::string::npos)
        << offers.status().message();
  }
}

TEST_F(RegistryTest, OpenRefusesAFileThatIsNotADatabase) {
  std::string junk(4096, 'x');
  auto reg = registry::Registry::Open(Write(dir_.File("junk.db"), junk));
  ASSERT_FALSE(reg.ok());
  EXPECT_EQ(reg.status().code(), base::StatusCode::kDataLoss) << reg.status().ToString();
}

TEST_F(RegistryTest, OpenRefusesADatabaseWithoutRegistryTables) {
  auto reg = registry::Registry::Open(Write(dir_.File("empty.db"), ""));
  ASSERT_FALSE(reg.ok());
  EXPECT_NE(reg.status().code(), base::StatusCode::kOk);
}

TEST_F(RegistryTest, OpenRefusesAMissingFile) {
  EXPECT_FALSE(registry::Registry::Open(dir_.File("missing.db")).ok());
}

// The card verifier with the registry as its KeyStore and StatusStore.
TEST_F(RegistryTest, VerifierSaysValidForAnActiveMember) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  EXPECT_EQ(Verify(*reg, Card(keys_->issuer, "M-ACTIVE")), card::Verdict::kValid);
}

TEST_F(RegistryTest, VerifierSaysRevokedForARevokedMember) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  EXPECT_EQ(Verify(*reg, Card(keys_->issuer, "M-REVOKED")), card::Verdict::kRevoked);
}

TEST_F(RegistryTest, VerifierSaysRevokedForAReplacedCard) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  EXPECT_EQ(Verify(*reg, Card(keys_->issuer, "M-REPLACED", 4)), card::Verdict::kRevoked);
  EXPECT_EQ(Verify(*reg, Card(keys_->issuer, "M-REPLACED", 5)), card::Verdict::kValid);
}

TEST_F(RegistryTest, VerifierSaysSuspendedForASuspendedMember) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  EXPECT_EQ(Verify(*reg, Card(keys_->issuer, "M-SUSPENDED")), card::Verdict::kSuspended);
}

TEST_F(RegistryTest, VerifierSaysNotAMemberForAnUnlistedRidInAllowMode) {
  auto reg = Open(card::ListMode::kAllowList);
  ASSERT_TRUE(reg);
  EXPECT_EQ(Verify(*reg, Card(keys_->issuer, "M-NOBODY")), card::Verdict::kNotAMember);
}

TEST_F(RegistryTest, VerifierSaysValidForAnUnlistedRidInDenyMode) {
  auto reg = Open(card::ListMode::kDenyList);
  ASSERT_TRUE(reg);
  EXPECT_EQ(Verify(*reg, Card(keys_->issuer, "M-NOBODY")), card::Verdict::kValid);
}

TEST_F(RegistryTest, VerifierSaysKeyNotValidForAWithdrawnKey) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  EXPECT_EQ(Verify(*reg, Card(keys_->withdrawn, "M-ACTIVE")), card::Verdict::kKeyNotValid);
}

TEST_F(RegistryTest, VerifierHonoursKeyValidityFromTheRegistry) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  const std::string card = Card(keys_->limited, "M-ACTIVE");
  EXPECT_EQ(Verify(*reg, card), card::Verdict::kValid);
  clock_.Set(kNow + 100);
  EXPECT_EQ(Verify(*reg, card), card::Verdict::kKeyNotValid);
}

TEST_F(RegistryTest, VerifierSaysUnknownKeyForAnUnlistedKey) {
  auto reg = Open();
  ASSERT_TRUE(reg);
  EXPECT_EQ(Verify(*reg, Card(keys_->unlisted, "M-ACTIVE")), card::Verdict::kUnknownKey);
}

}  // namespace
