#include "bundle_fixture.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "base/fs.h"
#include "bundle/delta.h"
#include "bundle/importer.h"
#include "bundle/writer.h"
#include "real_fs.h"
#include "registry/inputs.h"
#include "registry/registry.h"
#include "registry/schema.h"
#include "sqlite/db.h"

namespace cktest {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bundle_fixture: %s\n", what.c_str());
  std::abort();
}

constexpr char kMembersCsv[] =
    "member_id,status,min_serial\n"
    "M-1001,active,0\n"
    "M-1002,suspended,0\n"
    "M-1003,revoked,\n"
    "M-1004,active,5\n"
    "M-1005,active,\n";

constexpr char kPartnersCsv[] =
    "partner_id,name,city,address\n"
    "P-BOOKS,Книжный дом,Тверь,\"ул. Советская, 1\"\n"
    "P-CAFE,Cafe Luna,Tver,\n";

// O-BOOKS-7 sets every optional field; O-CAFE-50 leaves all of them empty but the weekdays.
constexpr char kOffersCsv[] =
    "offer_id,partner_id,kind,value,min_purchase_minor,max_discount_minor,categories,orgs,"
    "valid_from,valid_to,weekdays,hours,cap_count,cap_amount_minor,cap_period,title\n"
    "O-BOOKS-7,P-BOOKS,percent,7.5,100000,50000,0|1,RU-EDU-69|RU-MED-69,2027-01-01,2027-12-31,"
    "1-5,09:00-21:00,2,300000,week,7.5% off books\n"
    "O-CAFE-50,P-CAFE,fixed,5000,,,,,,,6|7,,,,,50 rub off at weekends\n";

constexpr char kEventsCsv[] =
    "event_id,title,venue,starts,ends,mode,entries_per_member,capacity\n"
    "E-CONF,Conference,Hall A,2027-03-01T10:00+03:00,2027-03-01T18:00+03:00,roster,1,300\n"
    "E-PARTY,Party,Club,2027-03-02T20:00Z,2027-03-03T02:00Z,open,2,\n";

constexpr char kRosterCsv[] =
    "event_id,member_id\n"
    "E-CONF,M-1001\n"
    "E-CONF,M-1002\n";

}  // namespace

::testing::AssertionResult Contains(std::string_view text, std::string_view part) {
  if (text.find(part) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

base::Bytes ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  base::Bytes data(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!in) ADD_FAILURE() << "cannot read " << path;
  return data;
}

bool WriteBytes(const std::string& path, base::ByteSpan data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) ADD_FAILURE() << "cannot write " << path;
  return static_cast<bool>(out);
}

bool WriteText(const std::string& path, std::string_view text) {
  return WriteBytes(path, base::AsBytes(text));
}

bool CopyFile(const std::string& from, const std::string& to) {
  std::error_code ec;
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) ADD_FAILURE() << "copying " << from << " to " << to << ": " << ec.message();
  return !ec;
}

bool MakeDir(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) ADD_FAILURE() << "creating " << path << ": " << ec.message();
  return !ec;
}

card::PrivateKey GenerateKey(card::Alg alg) {
  base::Result<card::PrivateKey> key = card::PrivateKey::Generate(alg);
  if (!key.ok()) Die("generating a key: " + key.status().ToString());
  return std::move(key).value();
}

card::PublicKey PublicOf(const card::PrivateKey& key) {
  base::Result<card::PublicKey> pub = key.Public();
  if (!pub.ok()) Die("public key: " + pub.status().ToString());
  return *pub;
}

base::Bytes FixtureStatusSecret() {
  base::Bytes secret(32);
  for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(0xa0 + i);
  return secret;
}

SampleCsvs WriteSampleCsvs(const std::string& dir) {
  SampleCsvs c{.members = dir + "/members.csv",
               .partners = dir + "/partners.csv",
               .offers = dir + "/offers.csv",
               .events = dir + "/events.csv",
               .roster = dir + "/roster.csv"};
  WriteText(c.members, kMembersCsv);
  WriteText(c.partners, kPartnersCsv);
  WriteText(c.offers, kOffersCsv);
  WriteText(c.events, kEventsCsv);
  WriteText(c.roster, kRosterCsv);
  return c;
}

base::Result<registry::RegistryContents> ReadSampleCsvs(const SampleCsvs& csvs,
                                                        base::ByteSpan secret) {
  registry::RegistryContents c;
  CK_ASSIGN_OR_RETURN(c.members, registry::ReadMembersCsv(csvs.members, secret, nullptr));
  CK_ASSIGN_OR_RETURN(c.partners, registry::ReadPartnersCsv(csvs.partners));
  std::set<std::string> partner_ids, event_ids;
  for (const registry::Partner& p : c.partners) partner_ids.insert(p.partner_id);
  CK_ASSIGN_OR_RETURN(c.offers, registry::ReadOffersCsv(csvs.offers, partner_ids));
  CK_ASSIGN_OR_RETURN(c.events, registry::ReadEventsCsv(csvs.events));
  for (const registry::Event& e : c.events) event_ids.insert(e.event_id);
  CK_ASSIGN_OR_RETURN(c.roster, registry::ReadRosterCsv(csvs.roster, secret, event_ids, nullptr));
  return c;
}

void AddSyntheticMembers(registry::RegistryContents* c, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  c->members.reserve(c->members.size() + n);
  for (size_t i = 0; i < n; ++i) {
    registry::MemberRecord m;
    const uint64_t r = rng();
    for (size_t b = 0; b < m.rid.size(); ++b) m.rid[b] = static_cast<uint8_t>(r >> (8 * b));
    c->members.push_back(m);
  }
  auto by_rid = [](const registry::MemberRecord& a, const registry::MemberRecord& b) {
    return a.rid < b.rid;
  };
  auto same_rid = [](const registry::MemberRecord& a, const registry::MemberRecord& b) {
    return a.rid == b.rid;
  };
  std::stable_sort(c->members.begin(), c->members.end(), by_rid);
  c->members.erase(std::unique(c->members.begin(), c->members.end(), same_rid), c->members.end());
}

BundleFactory::BundleFactory(std::string dir)
    : dir_(std::move(dir)),
      bundle_key_(GenerateKey(card::Alg::kES256)),
      trusted_(PublicOf(bundle_key_)),
      issuer_key_(GenerateKey(card::Alg::kES256)),
      withdrawn_key_(GenerateKey(card::Alg::kES256)),
      secret_(FixtureStatusSecret()) {
  MakeDir(dir_);
  csvs_ = WriteSampleCsvs(dir_);
  base::Result<registry::RegistryContents> sample = ReadSampleCsvs(csvs_, secret_);
  if (!sample.ok()) {
    ADD_FAILURE() << "sample CSVs: " << sample.status().ToString();
    return;
  }
  sample_ = std::move(sample).value();
}

base::Result<registry::RegistryContents> BundleFactory::Contents(const BundleSpec& spec) const {
  if (!sample_) return base::Internal("the sample CSVs did not parse");
  registry::RegistryContents c = *sample_;
  c.meta.seq = spec.seq;
  c.meta.created = spec.created;
  c.meta.not_after = spec.not_after;
  c.meta.mode = spec.mode;
  c.meta.issuer = kFixtureIss;
  const card::PublicKey issuer = PublicOf(issuer_key_);
  const card::PublicKey withdrawn = PublicOf(withdrawn_key_);
  c.issuer_keys.push_back({.kid = issuer.kid(), .iss = kFixtureIss, .key = issuer});
  c.issuer_keys.push_back(
      {.kid = withdrawn.kid(), .iss = kFixtureIss, .key = withdrawn, .withdrawn = true});
  if (spec.extra_members > 0) AddSyntheticMembers(&c, spec.extra_members, spec.seed);
  if (spec.edit) spec.edit(&c);
  return c;
}

base::Status BundleFactory::BuildRegistryFile(const BundleSpec& spec,
                                              const std::string& path) const {
  CK_ASSIGN_OR_RETURN(registry::RegistryContents c, Contents(spec));
  return registry::BuildRegistry(path, c);
}

base::Result<BuiltBundle> BundleFactory::Build(const BundleSpec& spec) const {
  const std::string name =
      spec.file_name.empty() ? "seq" + std::to_string(spec.seq) + ".ckbundle" : spec.file_name;
  const std::string out = dir_ + "/" + name;
  const std::string db = out + ".registry.tmp";
  base::FileSystem& fs = cktest::RealFs();
  CK_TRY(fs.Remove(db));
  CK_TRY(fs.Remove(out));
  base::Status st = BuildRegistryFile(spec, db);
  base::Result<bundle::Manifest> m = base::Internal("not built");
  if (st.ok()) {
    bundle::Manifest fields{.seq = spec.manifest_seq.value_or(spec.seq),
                            .created = spec.created,
                            .not_after = spec.not_after,
                            .issuer = kFixtureIss,
                            .compression = spec.compression};
    m = bundle::WriteBundle(fs, db, fields, bundle_key_, out);
  }
  (void)fs.Remove(db);
  CK_TRY(st);
  if (!m.ok()) return m.status();
  return BuiltBundle{.path = out, .manifest = *m};
}

base::Result<BuiltBundle> BundleFactory::BuildDelta(const BundleSpec& from, const BundleSpec& to,
                                                    const std::string& file_name) const {
  const std::string name = file_name.empty() ? "delta" + std::to_string(from.seq) + "-" +
                                                   std::to_string(to.seq) + ".ckbundle"
                                             : file_name;
  const std::string out = dir_ + "/" + name;
  const std::string base_db = out + ".base.tmp", new_db = out + ".registry.tmp";
  base::FileSystem& fs = cktest::RealFs();
  CK_TRY(fs.Remove(base_db));
  CK_TRY(fs.Remove(new_db));
  base::Status st = BuildRegistryFile(from, base_db);
  if (st.ok()) st = BuildRegistryFile(to, new_db);
  base::Result<bundle::DeltaBuild> d = base::Internal("not built");
  if (st.ok()) {
    bundle::Manifest fields{.seq = to.seq,
                            .created = to.created,
                            .not_after = to.not_after,
                            .issuer = kFixtureIss,
                            .base_seq = from.seq};
    d = bundle::WriteDeltaBundle(fs, base_db, new_db, fields, bundle_key_, out);
  }
  (void)fs.Remove(base_db);
  (void)fs.Remove(new_db);
  CK_TRY(st);
  if (!d.ok()) return d.status();
  return BuiltBundle{.path = out, .manifest = d->manifest};
}

std::string BundleFactory::WriteTrustedKeyPem() const {
  const std::string path = dir_ + "/bundle.pub.pem";
  WriteText(path, trusted_.ToPem());
  return path;
}

std::string RegistryState::ToString() const {
  if (!exists) return std::string("no registry") + (incoming_exists ? " (incoming left)" : "");
  return "registry seq " + std::to_string(seq) + (readable ? "" : " (unreadable)") +
         ", quick_check: " + quick_check + (incoming_exists ? ", incoming left" : "") +
         (journal_existed ? ", journal played back" : "");
}

RegistryState InspectDataDir(const std::string& data_dir) {
  RegistryState s;
  const std::string path = data_dir + "/" + bundle::kRegistryFile;
  s.exists = cktest::RealFs().Exists(path);
  s.incoming_exists = cktest::RealFs().Exists(data_dir + "/" + bundle::kIncomingFile);
  if (!s.exists) return s;
  s.journal_existed = cktest::RealFs().Exists(path + "-journal");
  if (base::Status st = registry::RollBackInterruptedChange(path); !st.ok()) {
    s.quick_check = "rolling back: " + st.ToString();
    return s;
  }
  base::Result<sqlite::Db> db = sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly);
  if (!db.ok()) {
    s.quick_check = db.status().ToString();
    return s;
  }
  base::Status check = db->QuickCheck();
  s.quick_check = check.ok() ? "ok" : check.ToString();
  base::Result<registry::Meta> meta = registry::ReadMeta(*db);
  if (meta.ok()) {
    s.readable = true;
    s.seq = meta->seq;
  } else if (check.ok()) {
    s.quick_check = "ok, but meta: " + meta.status().ToString();
  }
  return s;
}

}  // namespace cktest
