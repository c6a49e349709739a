// Random change sets: for many seeds, random edits of every table (members added, removed,
// suspended, revoked, reinstated, serials raised; partners, offers, events and roster rows added,
// changed and removed; a key withdrawn; the list mode switched). Each time the delta applied onto
// its base must hold exactly the content of the full bundle, row for row and byte for byte, and
// every card must get the same verdict from both.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>

#include "base/clock.h"
#include "bundle/importer.h"
#include "bundle_fixture.h"
#include "card/claims.h"
#include "card/issuer.h"
#include "card/verifier.h"
#include "real_fs.h"
#include "registry/registry.h"
#include "registry/state.h"
#include "sqlite/db.h"

namespace {

using cktest::BundleSpec;
using cktest::kFixtureNow;

constexpr int kSeeds = 20;
constexpr size_t kBaseMembers = 200;

// A number in [0, n) from `rng` (64-bit) as a size_t, which is 32-bit on armhf.
size_t Below(std::mt19937_64& rng, size_t n) { return static_cast<size_t>(rng() % n); }

base::Bytes Dump(const std::string& path) {
  base::Bytes out;
  auto db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly);
  EXPECT_TRUE(db.ok());
  if (!db.ok()) return out;
  registry::Row row;
  for (const registry::TableSpec& t : registry::StateTables()) {
    auto cur = registry::RowCursor::Open(*db, t);
    EXPECT_TRUE(cur.ok());
    if (!cur.ok()) return out;
    for (;;) {
      base::Result<bool> more = cur->Next(&row);
      EXPECT_TRUE(more.ok());
      if (!more.ok() || !*more) break;
      for (const registry::Value& v : row) registry::EncodeValue(v, &out);
    }
    out.push_back(0xff);
  }
  return out;
}

card::Rid RandomRid(std::mt19937_64& rng) {
  card::Rid rid{};
  const uint64_t v = rng();
  for (size_t i = 0; i < rid.size(); ++i) rid[i] = static_cast<uint8_t>(v >> (8 * i));
  return rid;
}

void EditMembers(std::mt19937_64& rng, registry::RegistryContents* c) {
  auto& m = c->members;
  const size_t edits = Below(rng, 40);
  for (size_t i = 0; i < edits && !m.empty(); ++i) {
    const size_t at = Below(rng, m.size());
    switch (rng() % 4) {
      case 0:
        m.erase(m.begin() + static_cast<long>(at));
        break;
      case 1:
        m[at].min_serial += 1 + static_cast<uint32_t>(rng() % 3);
        break;
      default:
        m[at].state = static_cast<card::MemberState>(rng() % 3);
    }
  }
  const size_t adds = Below(rng, 20);
  for (size_t i = 0; i < adds; ++i) {
    m.push_back({.rid = RandomRid(rng), .state = static_cast<card::MemberState>(rng() % 3)});
  }
  std::sort(m.begin(), m.end(), [](const auto& a, const auto& b) { return a.rid < b.rid; });
  m.erase(
      std::unique(m.begin(), m.end(), [](const auto& a, const auto& b) { return a.rid == b.rid; }),
      m.end());
}

void EditOffersAndPartners(std::mt19937_64& rng, uint64_t seed, registry::RegistryContents* c) {
  for (registry::Partner& p : c->partners) {
    if (rng() % 3 == 0) p.name += "+";
  }
  if (rng() % 2 == 0) {
    c->partners.push_back({"P-R" + std::to_string(seed), "New", "Tver", "Street 1"});
  }
  for (registry::Offer& o : c->offers) {
    if (rng() % 2 == 0) o.value += 10;
    if (rng() % 3 == 0) o.cap_count = o.cap_count ? std::nullopt : std::optional<int64_t>(3);
    if (rng() % 4 == 0) o.title = "Title " + std::to_string(rng() % 100);
  }
  if (!c->offers.empty() && rng() % 4 == 0) c->offers.erase(c->offers.begin());
  if (rng() % 2 == 0) {
    registry::Offer o{.offer_id = "O-R" + std::to_string(seed),
                      .partner_id = c->partners.back().partner_id,
                      .value = 500,
                      .title = "Random"};
    c->offers.push_back(o);
  }
  std::sort(c->partners.begin(), c->partners.end(),
            [](const auto& a, const auto& b) { return a.partner_id < b.partner_id; });
  std::sort(c->offers.begin(), c->offers.end(), [](const auto& a, const auto& b) {
    return std::tie(a.partner_id, a.offer_id) < std::tie(b.partner_id, b.offer_id);
  });
}

void EditEventsAndRoster(std::mt19937_64& rng, registry::RegistryContents* c) {
  for (registry::Event& e : c->events) {
    if (rng() % 2 == 0) e.capacity = e.capacity ? std::nullopt : std::optional<int64_t>(50);
    if (rng() % 3 == 0) e.entries_per_member = 1 + static_cast<int64_t>(rng() % 3);
  }
  auto& r = c->roster;
  if (!r.empty() && rng() % 2 == 0) r.erase(r.begin() + static_cast<long>(rng() % r.size()));
  const size_t adds = Below(rng, 5);
  for (size_t i = 0; i < adds && !c->members.empty(); ++i) {
    r.emplace_back(c->events[Below(rng, c->events.size())].event_id,
                   c->members[Below(rng, c->members.size())].rid);
  }
  std::sort(r.begin(), r.end());
  r.erase(std::unique(r.begin(), r.end()), r.end());
}

void RandomEdits(uint64_t seed, registry::RegistryContents* c) {
  std::mt19937_64 rng(seed);
  EditMembers(rng, c);
  EditOffersAndPartners(rng, seed, c);
  EditEventsAndRoster(rng, c);
  if (rng() % 4 == 0) c->issuer_keys[0].withdrawn = !c->issuer_keys[0].withdrawn;
  if (rng() % 4 == 0) {
    c->meta.mode = c->meta.mode == card::ListMode::kAllowList ? card::ListMode::kDenyList
                                                              : card::ListMode::kAllowList;
  }
}

// Cards for every rid of either registry (and one in neither), by the issuer key and the
// withdrawn one, serials 0 and 3.
std::vector<std::string> Cards(const cktest::BundleFactory& f, const std::set<card::Rid>& rids) {
  std::vector<std::string> out;
  auto copy = [](const card::PrivateKey& k) { return card::PrivateKey::FromPem(*k.ToPem()); };
  auto issuer = card::CardIssuer::Create(copy(f.issuer_key()).value());
  auto withdrawn = card::CardIssuer::Create(copy(f.withdrawn_key()).value());
  EXPECT_TRUE(issuer.ok() && withdrawn.ok());
  if (!issuer.ok() || !withdrawn.ok()) return out;
  size_t i = 0;
  for (const card::Rid& rid : rids) {
    card::Claims claims{
        .iss = cktest::kFixtureIss, .iat = kFixtureNow - 86400, .exp = kFixtureNow + 86400};
    claims.card = card::MemberCard{.rid = rid, .serial = (i % 2) ? 3u : 0u, .org = "ORG-1"};
    auto text = (i % 7 == 0 ? *withdrawn : *issuer).Issue(claims);
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    if (text.ok()) out.push_back(*text);
    ++i;
  }
  return out;
}

std::set<card::Rid> RidsOf(const registry::RegistryContents& a,
                           const registry::RegistryContents& b) {
  std::set<card::Rid> rids;
  for (const auto* c : {&a, &b}) {
    for (const auto& m : c->members) rids.insert(m.rid);
  }
  rids.insert(card::Rid{0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe});
  return rids;
}

TEST(BundleDeltaProperty, RandomChangeSetsGiveTheFullBundlesContentAndVerdicts) {
  cktest::ScratchDir dir;
  cktest::BundleFactory factory(dir.File("build"));
  base::FakeClock clock(kFixtureNow);
  std::map<size_t, int> verdicts;  // how often each verdict came up
  for (int seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const BundleSpec base{.seq = 1, .extra_members = kBaseMembers, .seed = uint64_t(seed)};
    BundleSpec next = base;
    next.seq = 2;
    next.created = base.created + 60;
    next.edit = [seed](registry::RegistryContents* c) { RandomEdits(uint64_t(seed) * 7919, c); };
    auto b1 = factory.Build(base);
    auto b2 = factory.Build(next);
    auto d12 = factory.BuildDelta(base, next);
    ASSERT_TRUE(b1.ok() && b2.ok() && d12.ok());
    const std::string by_delta = dir.File("delta" + std::to_string(seed));
    const std::string by_full = dir.File("full" + std::to_string(seed));
    cktest::MakeDir(by_delta);
    cktest::MakeDir(by_full);
    bundle::Importer via_delta(cktest::RealFs(), clock, by_delta, factory.trusted());
    bundle::Importer via_full(cktest::RealFs(), clock, by_full, factory.trusted());
    ASSERT_TRUE(via_delta.Apply(b1->path).ok());
    base::Result<bundle::ApplyReport> r = via_delta.Apply(d12->path);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(via_full.Apply(b2->path).ok());
    EXPECT_TRUE(Dump(via_delta.registry_path()) == Dump(via_full.registry_path()));

    auto c1 = factory.Contents(base);
    auto c2 = factory.Contents(next);
    ASSERT_TRUE(c1.ok() && c2.ok());
    auto reg_delta = registry::Registry::Open(via_delta.registry_path());
    auto reg_full = registry::Registry::Open(via_full.registry_path());
    ASSERT_TRUE(reg_delta.ok() && reg_full.ok());
    card::Verifier v_delta(**reg_delta, reg_delta->get(), clock);
    card::Verifier v_full(**reg_full, reg_full->get(), clock);
    for (const std::string& text : Cards(factory, RidsOf(*c1, *c2))) {
      const card::Verification a = v_delta.Verify(text);
      const card::Verification b = v_full.Verify(text);
      EXPECT_EQ(a.verdict, b.verdict);
      EXPECT_EQ(a.detail, b.detail);
      ++verdicts[static_cast<size_t>(a.verdict)];
    }
    for (const auto& e : c2->events) {
      for (const auto& [event_id, rid] : c2->roster) {
        EXPECT_EQ(*(*reg_delta)->OnRoster(e.event_id, rid),
                  *(*reg_full)->OnRoster(e.event_id, rid));
      }
    }
    for (const auto& p : c2->partners) {
      EXPECT_EQ((*reg_delta)->OffersOf(p.partner_id)->size(),
                (*reg_full)->OffersOf(p.partner_id)->size());
    }
  }
  // The change sets reached every status verdict.
  for (card::Verdict v : {card::Verdict::kValid, card::Verdict::kRevoked, card::Verdict::kSuspended,
                          card::Verdict::kNotAMember, card::Verdict::kKeyNotValid}) {
    EXPECT_GT(verdicts[static_cast<size_t>(v)], 0) << card::VerdictCode(v);
  }
}

}  // namespace
