// The registry's admin tables: admin keys and withdrawn admin cards (schema version 3 only when
// they hold rows), their CSV inputs, the admin card verifier over a registry, and the state digest
// and delta records that carry them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/clock.h"
#include "base/hex.h"
#include "base/time_format.h"
#include "card/admin_card.h"
#include "card/issuer.h"
#include "registry/admin_tables.h"
#include "registry/builder.h"
#include "registry/changes.h"
#include "registry/registry.h"
#include "registry/state.h"
#include "sqlite/db.h"
#include "subprocess.h"

namespace {

constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z
const card::AdminId kAdminId = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8};
const card::AdminId kOtherId = {0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8};

card::PrivateKey NewKey(card::Alg alg) { return card::PrivateKey::Generate(alg).value(); }

std::string Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string AdminCard(const card::PrivateKey& key, const card::AdminId& id, int64_t exp) {
  auto issuer = card::CardIssuer::Create(card::PrivateKey::FromPem(key.ToPem().value()).value());
  card::Claims c{.iat = kNow - 60, .exp = exp, .admin = card::AdminCard{.id = id, .name = "Ирина"}};
  auto text = issuer->Issue(c);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
}

class RegistryAdminTest : public ::testing::Test {
 protected:
  RegistryAdminTest()
      : issuer_(NewKey(card::Alg::kES256)), admin_(NewKey(card::Alg::kEdDSA)), clock_(kNow) {}

  registry::RegistryContents Contents(bool with_admin) {
    registry::RegistryContents c;
    c.meta = {.seq = 7, .created = kNow - 3600, .not_after = kNow + 86400, .issuer = "RU-EDU-69"};
    const card::PublicKey ip = issuer_.Public().value();
    c.issuer_keys = {{.kid = ip.kid(), .iss = "RU-EDU-69", .key = ip}};
    if (with_admin) {
      const card::PublicKey ap = admin_.Public().value();
      c.admin_keys = {{.kid = ap.kid(), .key = ap, .not_after = kNow + 30 * 86400}};
      c.withdrawn_admins = {kOtherId};
    }
    return c;
  }
  std::string Build(const registry::RegistryContents& c, const std::string& name) {
    const std::string path = dir_.File(name);
    base::Status st = registry::BuildRegistry(path, c);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return path;
  }
  static bool HasTable(const std::string& path, const char* table) {
    auto db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly);
    if (!db.ok()) return false;
    base::Result<bool> exists = registry::TableExists(*db, table);
    return exists.ok() && *exists;
  }
  static registry::StateDigest Digest(const std::string& path) {
    auto db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly);
    auto d = registry::ComputeStateDigest(*db);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : registry::StateDigest{};
  }

  card::PrivateKey issuer_, admin_;
  base::FakeClock clock_;
  cktest::TempDir dir_;
};

TEST_F(RegistryAdminTest, WithoutAdminRowsTheRegistryStaysVersion1WithoutTheTables) {
  const std::string path = Build(Contents(false), "plain.db");
  EXPECT_FALSE(HasTable(path, "admin_keys"));
  EXPECT_FALSE(HasTable(path, "withdrawn_admins"));
  auto reg = registry::Registry::Open(path);
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ((*reg)->meta().schema_version, registry::kSchemaVersion);
  EXPECT_EQ((*reg)->admin_keys().FindKey(admin_.Public()->kid()), nullptr);
  EXPECT_EQ((*reg)->CountRows()->admin_keys, 0);
}

TEST_F(RegistryAdminTest, AdminRowsMakeVersion3AndReadBack) {
  auto reg = registry::Registry::Open(Build(Contents(true), "admin.db"));
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ((*reg)->meta().schema_version, registry::kSchemaVersionAdmin);
  const card::IssuerKey* k = (*reg)->admin_keys().FindKey(admin_.Public()->kid());
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->not_after, kNow + 30 * 86400);
  EXPECT_FALSE(k->withdrawn);
  // The admin key is not an issuer key, nor the issuer key an admin key.
  EXPECT_EQ((*reg)->FindKey(admin_.Public()->kid()), nullptr);
  EXPECT_EQ((*reg)->admin_keys().FindKey(issuer_.Public()->kid()), nullptr);
  EXPECT_TRUE((*reg)->AdminWithdrawn(kOtherId));
  EXPECT_FALSE((*reg)->AdminWithdrawn(kAdminId));
  auto n = (*reg)->CountRows();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->admin_keys, 1);
  EXPECT_EQ(n->withdrawn_admins, 1);
}

TEST_F(RegistryAdminTest, AdminCardVerdictsOverTheRegistry) {
  auto reg = registry::Registry::Open(Build(Contents(true), "admin.db"));
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  card::AdminCardVerifier v(**reg, clock_);
  EXPECT_EQ(v.Verify(AdminCard(admin_, kAdminId, kNow + 86400)).verdict, card::Verdict::kValid);
  EXPECT_EQ(v.Verify(AdminCard(admin_, kOtherId, kNow + 86400)).verdict, card::Verdict::kRevoked);
  EXPECT_EQ(v.Verify(AdminCard(admin_, kAdminId, kNow - 1)).verdict, card::Verdict::kExpired);
  // A stolen member card key makes no admin card.
  EXPECT_EQ(v.Verify(AdminCard(issuer_, kAdminId, kNow + 86400)).verdict,
            card::Verdict::kUnknownKey);
  // Past the admin key's not_after.
  clock_.Set(kNow + 31 * 86400);
  EXPECT_EQ(v.Verify(AdminCard(admin_, kAdminId, kNow + 40 * 86400)).verdict,
            card::Verdict::kKeyNotValid);
}

TEST_F(RegistryAdminTest, AKeyListedAsIssuerAndAdminKeyIsRefused) {
  registry::RegistryContents c = Contents(true);
  c.admin_keys.push_back(c.issuer_keys[0]);
  base::Status st = registry::BuildRegistry(dir_.File("both.db"), c);
  EXPECT_EQ(st.code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("as an issuer key and as an admin key"), std::string::npos)
      << st.message();
}

TEST_F(RegistryAdminTest, AdminRowsUnderAnOlderSchemaVersionAreRefused) {
  const std::string path = Build(Contents(true), "admin.db");
  {
    auto db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("UPDATE meta SET value = 2 WHERE key = 'schema_version'").ok());
  }
  auto reg = registry::Registry::Open(path);
  ASSERT_FALSE(reg.ok());
  EXPECT_EQ(reg.status().code(), base::StatusCode::kDataLoss);
  EXPECT_NE(reg.status().message().find("schema version 2 holds admin keys"), std::string::npos)
      << reg.status().message();
}

TEST_F(RegistryAdminTest, AdminKeysCsvReadsKeysAndReportsBadRows) {
  const card::PublicKey ap = admin_.Public().value();
  Write(dir_.File("admin.pub.pem"), ap.ToPem());
  auto keys = registry::ReadAdminKeysCsv(Write(dir_.File("admin_keys.csv"),
                                               "key_file,not_before,not_after,withdrawn\n"
                                               "admin.pub.pem,2027-01-01,2028-01-01,no\n"));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].kid, ap.kid());
  EXPECT_EQ((*keys)[0].not_before, base::ParseIso8601("2027-01-01").value());
  EXPECT_FALSE((*keys)[0].withdrawn);

  auto bad = registry::ReadAdminKeysCsv(Write(dir_.File("bad_keys.csv"),
                                              "key_file,not_before,not_after,withdrawn\n"
                                              "admin.pub.pem,,,maybe\n"
                                              "missing.pem,,,\n"
                                              "admin.pub.pem,2028-01-01,2027-01-01,\n"));
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.status().message();
  EXPECT_NE(m.find("bad_keys.csv:2: withdrawn must be yes or no"), std::string::npos) << m;
  EXPECT_NE(m.find("bad_keys.csv:3: key_file missing.pem"), std::string::npos) << m;
  EXPECT_NE(m.find("bad_keys.csv:4: not_after is not after not_before"), std::string::npos) << m;
}

TEST_F(RegistryAdminTest, WithdrawnAdminsCsvTakesHexIds) {
  auto ids = registry::ReadWithdrawnAdminsCsv(Write(dir_.File("withdrawn.csv"),
                                                    "admin_id,note\n"
                                                    "b1b2b3b4b5b6b7b8,lost\n"
                                                    "A1A2A3A4A5A6A7A8,\n"
                                                    "b1b2b3b4b5b6b7b8,twice\n"));
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, (std::vector<card::AdminId>{kAdminId, kOtherId}));
  auto bad = registry::ReadWithdrawnAdminsCsv(Write(dir_.File("bad.csv"), "admin_id\nnot-hex\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.csv:2: admin_id must be 16 hex digits"),
            std::string::npos)
      << bad.status().message();
}

TEST_F(RegistryAdminTest, EmptyAdminTablesLeaveTheStateDigestAsItWas) {
  const std::string plain = Build(Contents(false), "plain.db");
  const registry::StateDigest before = Digest(plain);
  {
    auto db = sqlite::Db::Open(plain, sqlite::Db::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(registry::CreateAdminTables(*db).ok());
  }
  EXPECT_TRUE(HasTable(plain, "admin_keys"));
  EXPECT_EQ(Digest(plain), before);
  EXPECT_NE(Digest(Build(Contents(true), "admin.db")), before);
}

// A delta from a registry made before the admin tables to one with admin rows: the records add
// the tables' rows (the tables are made on the way), and the result has the new state.
TEST_F(RegistryAdminTest, DeltaCarriesTheAdminTablesBothWays) {
  const std::string old_path = Build(Contents(false), "old.db");
  registry::RegistryContents next = Contents(true);
  next.meta.seq = 8;
  const std::string new_path = Build(next, "new.db");
  for (const bool adding : {true, false}) {
    const std::string from = adding ? old_path : new_path, to = adding ? new_path : old_path;
    auto a = sqlite::Db::Open(from, sqlite::Db::Mode::kReadOnly);
    auto b = sqlite::Db::Open(to, sqlite::Db::Mode::kReadOnly);
    auto diff = registry::DiffRegistries(*a, *b);
    ASSERT_TRUE(diff.ok()) << diff.status().ToString();
    EXPECT_EQ(diff->from, Digest(from));
    EXPECT_EQ(diff->to, Digest(to));
    EXPECT_NE(diff->summary.ToString().find(adding ? "admin_keys: 0 removed, 1 added"
                                                   : "admin_keys: 1 removed, 0 added"),
              std::string::npos)
        << diff->summary.ToString();
    EXPECT_NE(diff->summary.ToString().find("withdrawn_admins"), std::string::npos);

    const std::string copy = dir_.File(adding ? "applied_up.db" : "applied_down.db");
    std::filesystem::copy_file(from, copy);
    {
      auto db = sqlite::Db::Open(copy, sqlite::Db::Mode::kReadWrite);
      ASSERT_TRUE(db->Exec("BEGIN").ok());
      auto applied = registry::ApplyRecords(*db, diff->records);
      ASSERT_TRUE(applied.ok()) << applied.status().ToString();
      ASSERT_TRUE(db->Exec("COMMIT").ok());
    }
    EXPECT_EQ(Digest(copy), Digest(to));
    auto reg = registry::Registry::Open(copy);
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    EXPECT_EQ((*reg)->admin_keys().FindKey(admin_.Public()->kid()) != nullptr, adding);
    EXPECT_EQ((*reg)->AdminWithdrawn(kOtherId), adding);
    EXPECT_EQ((*reg)->meta().schema_version,
              adding ? registry::kSchemaVersionAdmin : registry::kSchemaVersion);
  }
}

}  // namespace
