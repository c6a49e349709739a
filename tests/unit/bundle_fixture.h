// Test helpers for registries and bundles: keys, a status secret, small sample CSV inputs (members
// of every status, partners, offers, events, a roster), registries and signed bundles built the way
// `cardctl bundle build` builds them (registry::Read*Csv -> registry::BuildRegistry ->
// bundle::WriteBundle), and a look at what a data directory holds after an apply or a crash.
//
// Typical use:
//   cktest::ScratchDir dir;
//   cktest::BundleFactory factory(dir.File("build"));
//   auto b1 = factory.Build({.seq = 1});
//   bundle::Importer importer(fs, clock, dir.File("data"), factory.trusted());
//   importer.Apply(b1->path);
//   EXPECT_EQ(cktest::InspectDataDir(dir.File("data")).seq, 1);
//
// Failures of the helpers themselves are reported with ADD_FAILURE (GoogleTest) and as Status.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "bundle/manifest.h"
#include "card/crypto.h"
#include "card/stores.h"
#include "registry/builder.h"
#include "subprocess.h"

namespace cktest {

// The time the sample data is built around (2027-01-15T08:00:00Z); use it for FakeClocks.
inline constexpr int64_t kFixtureNow = 1'800'000'000;
inline constexpr char kFixtureIss[] = "RU-EDU-69";

// Member IDs in the sample members.csv.
inline constexpr char kActiveMember[] = "M-1001";        // active, min_serial 0
inline constexpr char kSuspendedMember[] = "M-1002";     // suspended
inline constexpr char kRevokedMember[] = "M-1003";       // revoked
inline constexpr char kReplacedCardMember[] = "M-1004";  // active, min_serial 5 (cards 1-4 lost)
inline constexpr char kUnlistedMember[] = "M-9999";      // in no file
inline constexpr size_t kSampleMembers = 5;              // rows in members.csv
// Partners, offers and events in the sample files.
inline constexpr char kBooksPartner[] = "P-BOOKS";  // one percent offer with every field set
inline constexpr char kCafePartner[] = "P-CAFE";    // one fixed offer, weekends only
inline constexpr char kBooksOffer[] = "O-BOOKS-7";
inline constexpr char kCafeOffer[] = "O-CAFE-50";
inline constexpr char kRosterEvent[] = "E-CONF";  // roster: kActiveMember and kSuspendedMember
inline constexpr char kOpenEvent[] = "E-PARTY";

// A fresh directory, removed with its contents on destruction (the one cktest::TempDir).
using ScratchDir = TempDir;

// For EXPECT_TRUE(Contains(status.message(), "...")): says what the text was when it fails.
::testing::AssertionResult Contains(std::string_view text, std::string_view part);

// Whole-file helpers; ADD_FAILURE and return empty / false on errors.
base::Bytes ReadBytes(const std::string& path);
bool WriteBytes(const std::string& path, base::ByteSpan data);
bool WriteText(const std::string& path, std::string_view text);
bool CopyFile(const std::string& from, const std::string& to);  // overwrites `to`
bool MakeDir(const std::string& path);                          // and its parents

// A new key (ES256 or EdDSA); ADD_FAILURE if OpenSSL fails.
card::PrivateKey GenerateKey(card::Alg alg = card::Alg::kES256);
card::PublicKey PublicOf(const card::PrivateKey& key);
// A fixed 32-byte status secret (the same in every test, so rids are reproducible).
base::Bytes FixtureStatusSecret();

// Paths of the sample CSV inputs.
struct SampleCsvs {
  std::string members, partners, offers, events, roster;
};
// Writes members.csv, partners.csv, offers.csv, events.csv and roster.csv into `dir` (which must
// exist) with the rows described by the constants above.
SampleCsvs WriteSampleCsvs(const std::string& dir);
// Parses them with the registry input readers, as `cardctl bundle build` does. Meta and issuer
// keys are left empty.
base::Result<registry::RegistryContents> ReadSampleCsvs(const SampleCsvs& csvs,
                                                        base::ByteSpan status_secret);

// Adds `n` active members with pseudo-random rids drawn from a generator seeded with `seed`,
// keeping contents->members sorted by rid and unique. A member costs about 16 bytes of registry
// and 7 bytes of zstd content; an apply writes the registry in 128 KiB appends, so each 8,000
// members add about one mutating operation (500,000 members: about 70 operations).
void AddSyntheticMembers(registry::RegistryContents* contents, size_t n, uint64_t seed);

// What to put in one bundle.
struct BundleSpec {
  int64_t seq = 1;
  int64_t created = kFixtureNow - 3600;
  int64_t not_after = kFixtureNow + 30 * 86400;
  card::ListMode mode = card::ListMode::kDenyList;
  bundle::Compression compression = bundle::Compression::kZstd;
  size_t extra_members = 0;  // synthetic members on top of the sample ones
  uint64_t seed = 1;         // for the synthetic rids
  // The manifest claims this seq while the registry inside says `seq` (to test the cross-check).
  std::optional<int64_t> manifest_seq;
  // Called on the contents just before the registry is built (change statuses, add rows...).
  std::function<void(registry::RegistryContents*)> edit;
  // File name inside the factory's directory; default "seq<seq>.ckbundle".
  std::string file_name;
};

struct BuiltBundle {
  std::string path;
  bundle::Manifest manifest;  // as signed
};

// Keys and sample inputs shared by the bundles of a test, and the builder. Not thread-safe.
class BundleFactory {
 public:
  // Creates `dir` if needed, generates the keys (bundle key and issuer keys ES256) and writes the
  // sample CSVs there. Bundles are built into `dir` too.
  explicit BundleFactory(std::string dir);

  const std::string& dir() const { return dir_; }
  // Signs manifests. Its public half, trusted(), is the key a kiosk pins.
  const card::PrivateKey& bundle_key() const { return bundle_key_; }
  const card::PublicKey& trusted() const { return trusted_; }
  // Signs cards; listed in every registry built here for kFixtureIss.
  const card::PrivateKey& issuer_key() const { return issuer_key_; }
  // Listed in every registry with withdrawn = true.
  const card::PrivateKey& withdrawn_key() const { return withdrawn_key_; }
  base::ByteSpan status_secret() const { return secret_; }
  const SampleCsvs& csvs() const { return csvs_; }

  // The sample rows, issuer keys, synthetic members and meta for `spec` (edit applied).
  base::Result<registry::RegistryContents> Contents(const BundleSpec& spec) const;
  // Builds a registry.db for `spec` at `path` (which must not exist).
  base::Status BuildRegistryFile(const BundleSpec& spec, const std::string& path) const;
  // Builds and signs dir()/<spec.file_name>, replacing any file of that name.
  base::Result<BuiltBundle> Build(const BundleSpec& spec) const;
  // Builds the registries of `from` and `to` and signs the delta between them as
  // dir()/<file_name> (default "delta<from.seq>-<to.seq>.ckbundle"), replacing any such file.
  base::Result<BuiltBundle> BuildDelta(const BundleSpec& from, const BundleSpec& to,
                                       const std::string& file_name = "") const;
  // Writes trusted() as PEM into dir(); returns the path.
  std::string WriteTrustedKeyPem() const;

 private:
  std::string dir_;
  card::PrivateKey bundle_key_;
  card::PublicKey trusted_;
  card::PrivateKey issuer_key_;
  card::PrivateKey withdrawn_key_;
  base::Bytes secret_;
  SampleCsvs csvs_;
  std::optional<registry::RegistryContents> sample_;  // parsed once
};

// What a data directory holds: the registry in use and any leftover of an interrupted apply.
struct RegistryState {
  bool exists = false;           // registry.db is there
  bool readable = false;         // it opened and its meta was read
  std::string quick_check;       // "ok", or what PRAGMA quick_check (or opening) said
  int64_t seq = 0;               // meta seq when readable
  bool incoming_exists = false;  // registry.db.incoming is there
  bool journal_existed = false;  // registry.db-journal was there (a delta apply cut short)
  bool ok() const { return exists && readable && quick_check == "ok"; }
  std::string ToString() const;  // for assertion messages
};
// As a device starting again finds it: a delta apply's hot journal is played back first (as
// registry::Registry::Open does), then the registry is opened read-only and checked.
RegistryState InspectDataDir(const std::string& data_dir);

}  // namespace cktest
