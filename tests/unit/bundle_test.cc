// Bundles end to end: build -> header -> apply -> registry, rollback protection, expiry, leftovers
// of interrupted applies, and the decompression limit (DESIGN.md section 5).
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <string>

#include "base/clock.h"
#include "base/fs.h"
#include "bundle/format.h"
#include "bundle/importer.h"
#include "bundle/writer.h"
#include "bundle_fixture.h"
#include "card/rid.h"
#include "real_fs.h"
#include "registry/registry.h"

namespace {

using cktest::BuiltBundle;
using cktest::BundleSpec;
using cktest::Contains;
using cktest::kFixtureNow;

constexpr uint64_t kMiB = uint64_t{1} << 20;

std::array<uint8_t, 32> Sha256(base::ByteSpan data) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

// A zstd frame (RFC 8878) of `total` zero bytes made of RLE blocks: 4 bytes of input for every
// 128 KiB of output. `window_log` goes into the frame header (the decoder accepts at most 23).
base::Bytes ZeroFrame(uint64_t total, unsigned window_log = 17) {
  constexpr uint32_t kBlock = 128 * 1024;
  base::Bytes f = {0x28,
                   0xb5,
                   0x2f,
                   0xfd,  // magic
                   0x00,  // no content size, not single segment, no checksum
                   static_cast<uint8_t>((window_log - 10) << 3)};
  uint64_t left = total;
  while (left > 0) {
    const auto n = static_cast<uint32_t>(std::min<uint64_t>(left, kBlock));
    left -= n;
    const uint32_t header = (n << 3) | (1u << 1) | (left == 0 ? 1u : 0u);  // RLE block
    f.push_back(static_cast<uint8_t>(header));
    f.push_back(static_cast<uint8_t>(header >> 8));
    f.push_back(static_cast<uint8_t>(header >> 16));
    f.push_back(0x00);  // the repeated byte
  }
  return f;
}

// Discards what it is given, counting it.
class CountingFile final : public base::WritableFile {
 public:
  base::Status Append(base::ByteSpan data) override {
    bytes += data.size();
    return base::Status::Ok();
  }
  base::Status Sync() override { return base::Status::Ok(); }
  base::Status Close() override { return base::Status::Ok(); }
  uint64_t bytes = 0;
};

class BundleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new cktest::ScratchDir();
    factory_ = new cktest::BundleFactory(scratch_->File("build"));
  }
  static void TearDownTestSuite() {
    delete factory_;
    delete scratch_;
  }

  BundleTest() : data_(dir_.File("data")), clock_(kFixtureNow) { cktest::MakeDir(data_); }

  static BuiltBundle Build(const BundleSpec& spec) {
    base::Result<BuiltBundle> b = factory_->Build(spec);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? *b : BuiltBundle{};
  }
  bundle::Importer MakeImporter() {
    return bundle::Importer(cktest::RealFs(), clock_, data_, factory_->trusted());
  }
  base::Result<bundle::ApplyReport> Apply(const std::string& path,
                                          const bundle::ApplyOptions& options = {}) {
    bundle::Importer importer = MakeImporter();
    return importer.Apply(path, options);
  }
  // Signs `manifest` with the trusted key and writes header + content to a file.
  std::string WriteSigned(const bundle::Manifest& manifest, base::ByteSpan content,
                          const std::string& name) {
    base::Result<base::Bytes> header = bundle::EncodeHeader(manifest, factory_->bundle_key());
    EXPECT_TRUE(header.ok()) << header.status().ToString();
    base::Bytes file = header.ok() ? *header : base::Bytes();
    file.insert(file.end(), content.begin(), content.end());
    const std::string path = dir_.File(name);
    cktest::WriteBytes(path, file);
    return path;
  }
  static bundle::Manifest ManifestFor(base::ByteSpan content, bundle::Compression compression) {
    return bundle::Manifest{.seq = 5,
                            .created = kFixtureNow - 60,
                            .not_after = kFixtureNow + 86400,
                            .issuer = cktest::kFixtureIss,
                            .content_sha256 = Sha256(content),
                            .content_size = content.size(),
                            .compression = compression};
  }
  card::Rid RidOf(const char* member_id) const {
    return card::ComputeRid(factory_->status_secret(), member_id);
  }

  static cktest::ScratchDir* scratch_;
  static cktest::BundleFactory* factory_;
  cktest::ScratchDir dir_;
  std::string data_;
  base::FakeClock clock_;
};

cktest::ScratchDir* BundleTest::scratch_ = nullptr;
cktest::BundleFactory* BundleTest::factory_ = nullptr;

TEST_F(BundleTest, HeaderCarriesTheSignedManifest) {
  BuiltBundle b = Build({.seq = 7, .compression = bundle::Compression::kZstd});
  auto in = cktest::RealFs().OpenSequential(b.path);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  base::Result<bundle::Header> h = bundle::ReadHeader(**in, &factory_->trusted());
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->manifest.version, bundle::kFormatVersion);
  EXPECT_EQ(h->manifest.seq, 7);
  EXPECT_EQ(h->manifest.created, kFixtureNow - 3600);
  EXPECT_EQ(h->manifest.not_after, kFixtureNow + 30 * 86400);
  EXPECT_EQ(h->manifest.issuer, cktest::kFixtureIss);
  EXPECT_EQ(h->manifest.compression, bundle::Compression::kZstd);
  EXPECT_EQ(h->manifest.content_sha256, b.manifest.content_sha256);
  EXPECT_EQ(h->manifest.content_size, b.manifest.content_size);
  EXPECT_EQ(h->kid, factory_->trusted().kid());
  EXPECT_EQ(h->alg, card::Alg::kES256);
  EXPECT_EQ(h->header_bytes + h->manifest.content_size, (*in)->size());
  // The content is what the manifest hashes.
  const base::Bytes file = cktest::ReadBytes(b.path);
  const base::ByteSpan content = base::ByteSpan(file).subspan(static_cast<size_t>(h->header_bytes));
  EXPECT_EQ(Sha256(content), h->manifest.content_sha256);
}

TEST_F(BundleTest, HeaderIsReadWithoutCheckingWhenNoKeyIsTrusted) {
  BuiltBundle b = Build({.seq = 1});
  auto in = cktest::RealFs().OpenSequential(b.path);
  ASSERT_TRUE(in.ok());
  base::Result<bundle::Header> h = bundle::ReadHeader(**in, nullptr);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->manifest.seq, 1);
}

TEST_F(BundleTest, EdDsaBundleKeyVerifies) {
  card::PrivateKey ed = cktest::GenerateKey(card::Alg::kEdDSA);
  const card::PublicKey ed_pub = cktest::PublicOf(ed);
  const std::string db = dir_.File("ed.registry.db");
  ASSERT_TRUE(factory_->BuildRegistryFile({.seq = 3}, db).ok());
  const std::string out = dir_.File("ed.ckbundle");
  base::Result<bundle::Manifest> m = bundle::WriteBundle(
      cktest::RealFs(), db,
      {.seq = 3, .created = kFixtureNow - 3600, .not_after = kFixtureNow + 86400}, ed, out);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto in = cktest::RealFs().OpenSequential(out);
  ASSERT_TRUE(in.ok());
  base::Result<bundle::Header> h = bundle::ReadHeader(**in, &ed_pub);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->alg, card::Alg::kEdDSA);
  EXPECT_EQ(h->kid, ed_pub.kid());
  bundle::Importer importer(cktest::RealFs(), clock_, data_, ed_pub);
  base::Result<bundle::ApplyReport> r = importer.Apply(out);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->manifest.seq, 3);
}

TEST_F(BundleTest, AppliedMetaIsEmptyBeforeTheFirstApply) {
  bundle::Importer importer = MakeImporter();
  base::Result<std::optional<registry::Meta>> meta = importer.AppliedMeta();
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_FALSE(meta->has_value());
}

TEST_F(BundleTest, FirstApplyInstallsAReadableRegistry) {
  BuiltBundle b = Build({.seq = 1});
  base::Result<bundle::ApplyReport> r = Apply(b.path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->previous_seq, 0);
  EXPECT_EQ(r->manifest.seq, 1);

  bundle::Importer importer = MakeImporter();
  EXPECT_EQ(importer.registry_path(), data_ + "/registry.db");
  base::Result<std::optional<registry::Meta>> meta = importer.AppliedMeta();
  ASSERT_TRUE(meta.ok() && meta->has_value());
  EXPECT_EQ((*meta)->seq, 1);

  auto reg = registry::Registry::Open(importer.registry_path());
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ((*reg)->meta().seq, 1);
  EXPECT_EQ((*reg)->meta().created, kFixtureNow - 3600);
  EXPECT_EQ((*reg)->meta().not_after, kFixtureNow + 30 * 86400);
  EXPECT_EQ((*reg)->meta().issuer, cktest::kFixtureIss);
  auto counts = (*reg)->CountRows();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->members, static_cast<int64_t>(cktest::kSampleMembers));
  EXPECT_EQ(counts->issuer_keys, 2);
  cktest::RegistryState s = cktest::InspectDataDir(data_);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(s.incoming_exists);
}

TEST_F(BundleTest, NewerSeqReplacesTheRegistry) {
  ASSERT_TRUE(Apply(Build({.seq = 1}).path).ok());
  BuiltBundle b2 = Build({.seq = 2, .edit = [](registry::RegistryContents* c) {
                            for (registry::MemberRecord& m : c->members)
                              m.state = card::MemberState::kRevoked;
                          }});
  base::Result<bundle::ApplyReport> r = Apply(b2.path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->previous_seq, 1);
  EXPECT_EQ(r->manifest.seq, 2);
  auto reg = registry::Registry::Open(data_ + "/registry.db");
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ((*reg)->meta().seq, 2);
  auto member = (*reg)->FindMember(RidOf(cktest::kActiveMember));
  ASSERT_TRUE(member.ok() && member->has_value());
  EXPECT_EQ((*member)->state, card::MemberState::kRevoked);
}

TEST_F(BundleTest, RegistryOpenBeforeAnApplyKeepsReadingItsOwnFile) {
  ASSERT_TRUE(Apply(Build({.seq = 1}).path).ok());
  auto before = registry::Registry::Open(data_ + "/registry.db");
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(
      Apply(
          Build({.seq = 2, .edit = [](registry::RegistryContents* c) { c->members.clear(); }}).path)
          .ok());
  EXPECT_EQ((*before)->meta().seq, 1);
  auto member = (*before)->FindMember(RidOf(cktest::kActiveMember));
  ASSERT_TRUE(member.ok()) << member.status().ToString();
  EXPECT_TRUE(member->has_value());
}

TEST_F(BundleTest, SameSeqIsRefusedAsAlreadyApplied) {
  BuiltBundle b2 = Build({.seq = 2});
  ASSERT_TRUE(Apply(b2.path).ok());
  const base::Bytes before = cktest::ReadBytes(data_ + "/registry.db");
  base::Result<bundle::ApplyReport> r = Apply(b2.path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(r.status().message(), "bundle seq 2 is already applied"));
  EXPECT_EQ(cktest::ReadBytes(data_ + "/registry.db"), before);
}

TEST_F(BundleTest, SameSeqIsReinstalledWhenAsked) {
  BuiltBundle b2 = Build({.seq = 2});
  ASSERT_TRUE(Apply(b2.path).ok());
  base::Result<bundle::ApplyReport> r = Apply(b2.path, {.reinstall_same_seq = true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->previous_seq, 2);
  EXPECT_EQ(cktest::InspectDataDir(data_).seq, 2);
}

// importer.h: the highest applied seq is also kept beside the registry (kAppliedSeqFile), so that
// rollback protection survives a registry file that became unreadable.
TEST_F(BundleTest, UnreadableRegistryKeepsRollbackProtection) {
  BuiltBundle b1 = Build({.seq = 1});
  BuiltBundle b2 = Build({.seq = 2});
  ASSERT_TRUE(Apply(b1.path).ok());
  ASSERT_TRUE(Apply(b2.path).ok());
  ASSERT_TRUE(cktest::WriteText(data_ + "/registry.db", "damaged"));
  base::Result<bundle::ApplyReport> old = Apply(b1.path);
  ASSERT_FALSE(old.ok());
  EXPECT_TRUE(Contains(old.status().message(), "bundle seq 1 is older than the applied seq 2"));
  // The admin repairs the kiosk by reinstalling the current bundle.
  base::Result<bundle::ApplyReport> r = Apply(b2.path, {.reinstall_same_seq = true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->previous_seq, 2);
  cktest::RegistryState s = cktest::InspectDataDir(data_);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(s.seq, 2);
}

TEST_F(BundleTest, ReinstallDoesNotAllowAnOlderSeq) {
  BuiltBundle b1 = Build({.seq = 1});
  ASSERT_TRUE(Apply(Build({.seq = 2}).path).ok());
  base::Result<bundle::ApplyReport> r = Apply(b1.path, {.reinstall_same_seq = true});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(cktest::InspectDataDir(data_).seq, 2);
}

TEST_F(BundleTest, OlderSeqIsRefusedNamingBothSeqs) {
  BuiltBundle b1 = Build({.seq = 1});
  ASSERT_TRUE(Apply(b1.path).ok());
  ASSERT_TRUE(Apply(Build({.seq = 2}).path).ok());
  base::Result<bundle::ApplyReport> r = Apply(b1.path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(r.status().message(), "bundle seq 1 is older than the applied seq 2"));
  EXPECT_TRUE(Contains(r.status().message(), "refusing to roll back"));
  EXPECT_EQ(cktest::InspectDataDir(data_).seq, 2);
}

TEST_F(BundleTest, ExpiredBundleIsRefused) {
  BuiltBundle b = Build({.seq = 1, .not_after = kFixtureNow + 100});
  clock_.Set(kFixtureNow + 100);
  base::Result<bundle::ApplyReport> r = Apply(b.path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(r.status().message(), "bundle seq 1 expired on 2027-01-15T08:01:40Z"));
  EXPECT_FALSE(cktest::InspectDataDir(data_).exists);
  clock_.Set(kFixtureNow + 99);
  EXPECT_TRUE(Apply(b.path).ok());
}

TEST_F(BundleTest, UncompressedBundleApplies) {
  BuiltBundle b = Build({.seq = 4, .compression = bundle::Compression::kNone});
  EXPECT_EQ(b.manifest.compression, bundle::Compression::kNone);
  base::Result<bundle::ApplyReport> r = Apply(b.path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->manifest.compression, bundle::Compression::kNone);
  // Uncompressed content is the registry file itself.
  EXPECT_EQ(cktest::ReadBytes(data_ + "/registry.db").size(), b.manifest.content_size);
  EXPECT_EQ(cktest::InspectDataDir(data_).seq, 4);
}

TEST_F(BundleTest, LeftoverIncomingFileIsRemovedByTheNextApply) {
  ASSERT_TRUE(Apply(Build({.seq = 1}).path).ok());
  ASSERT_TRUE(cktest::WriteText(data_ + "/registry.db.incoming", "half a registry"));
  ASSERT_TRUE(Apply(Build({.seq = 2}).path).ok());
  cktest::RegistryState s = cktest::InspectDataDir(data_);
  EXPECT_EQ(s.seq, 2);
  EXPECT_FALSE(s.incoming_exists);
}

TEST_F(BundleTest, LeftoverIncomingFileIsRemovedEvenWhenTheBundleIsRefused) {
  BuiltBundle b1 = Build({.seq = 1});
  ASSERT_TRUE(Apply(b1.path).ok());
  ASSERT_TRUE(cktest::WriteText(data_ + "/registry.db.incoming", "half a registry"));
  EXPECT_FALSE(Apply(b1.path).ok());
  EXPECT_FALSE(cktest::InspectDataDir(data_).incoming_exists);
}

TEST_F(BundleTest, MissingBundleFileIsNotFound) {
  base::Result<bundle::ApplyReport> r = Apply(dir_.File("nothing.ckbundle"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kNotFound);
}

TEST_F(BundleTest, MissingDataDirIsALocalIoError) {
  bundle::Importer importer(cktest::RealFs(), clock_, dir_.File("no/such/dir"),
                            factory_->trusted());
  base::Result<bundle::ApplyReport> r = importer.Apply(Build({.seq = 1}).path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kIo) << r.status().ToString();
}

TEST_F(BundleTest, RegistryWhoseSeqDisagreesWithTheManifestIsRefused) {
  BuiltBundle b = Build({.seq = 2, .manifest_seq = 3, .file_name = "mismatch.ckbundle"});
  base::Result<bundle::ApplyReport> r = Apply(b.path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().code(), base::StatusCode::kIo);
  EXPECT_TRUE(Contains(r.status().message(),
                       "registry in the bundle says seq 2 but the manifest says seq 3"));
  cktest::RegistryState s = cktest::InspectDataDir(data_);
  EXPECT_FALSE(s.exists);
  EXPECT_FALSE(s.incoming_exists);
}

// The importer also compares the creation times, but its message only speaks of seqs: here it
// says "registry in the bundle says seq 2 but the manifest says seq 2".
TEST_F(BundleTest, RegistryWhoseCreationTimeDisagreesWithTheManifestIsRefusedSayingSo) {
  BuiltBundle b = Build({.seq = 2,
                         .edit = [](registry::RegistryContents* c) { c->meta.created -= 60; },
                         .file_name = "created.ckbundle"});
  base::Result<bundle::ApplyReport> r = Apply(b.path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status().message(), "created"));
  EXPECT_FALSE(cktest::InspectDataDir(data_).exists);
}

TEST_F(BundleTest, RegistryOfAnotherSchemaVersionIsRefused) {
  BuiltBundle b = Build({.seq = 2, .edit = [](registry::RegistryContents* c) {
                           c->meta.schema_version = registry::kMaxSchemaVersion + 1;
                         }});
  base::Result<bundle::ApplyReport> r = Apply(b.path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kFailedPrecondition) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "registry schema version 4"));
  EXPECT_FALSE(cktest::InspectDataDir(data_).exists);
}

TEST_F(BundleTest, SignedContentThatIsNotADatabaseIsRefused) {
  base::Bytes junk(8192);
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<uint8_t>(i * 7 + 3);
  const std::string path =
      WriteSigned(ManifestFor(junk, bundle::Compression::kNone), junk, "junk.ckbundle");
  base::Result<bundle::ApplyReport> r = Apply(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kDataLoss) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "registry in the bundle is corrupt"));
  cktest::RegistryState s = cktest::InspectDataDir(data_);
  EXPECT_FALSE(s.exists);
  EXPECT_FALSE(s.incoming_exists);
}

TEST_F(BundleTest, HandMadeZeroFrameDecompresses) {
  // Checks the helper itself: the frame is valid zstd and yields exactly the zeros asked for.
  const base::Bytes frame = ZeroFrame(300 * 1024);
  const std::string path =
      WriteSigned(ManifestFor(frame, bundle::Compression::kZstd), frame, "zeros.ckbundle");
  auto in = cktest::RealFs().OpenSequential(path);
  ASSERT_TRUE(in.ok());
  base::Result<bundle::Header> h = bundle::ReadHeader(**in, &factory_->trusted());
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  CountingFile out;
  base::Status st = bundle::ExtractContent(**in, h->manifest, out, kMiB);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(out.bytes, 300u * 1024);
}

TEST_F(BundleTest, ExtractContentRefusesToDecompressBeyondTheLimit) {
  const base::Bytes frame = ZeroFrame(3 * kMiB);  // about 100 bytes that inflate to 3 MiB
  ASSERT_LT(frame.size(), 200u);
  const std::string path =
      WriteSigned(ManifestFor(frame, bundle::Compression::kZstd), frame, "bomb.ckbundle");
  auto in = cktest::RealFs().OpenSequential(path);
  ASSERT_TRUE(in.ok());
  base::Result<bundle::Header> h = bundle::ReadHeader(**in, &factory_->trusted());
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  CountingFile out;
  base::Status st = bundle::ExtractContent(**in, h->manifest, out, kMiB);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), base::StatusCode::kOutOfRange) << st.ToString();
  EXPECT_TRUE(Contains(st.message(), "registry would exceed 1 MiB"));
  EXPECT_LE(out.bytes, kMiB);  // nothing past the limit was written
}

TEST_F(BundleTest, ExtractContentAcceptsOutputExactlyAtTheLimit) {
  const base::Bytes frame = ZeroFrame(kMiB);
  const std::string path =
      WriteSigned(ManifestFor(frame, bundle::Compression::kZstd), frame, "full.ckbundle");
  auto in = cktest::RealFs().OpenSequential(path);
  ASSERT_TRUE(in.ok());
  base::Result<bundle::Header> h = bundle::ReadHeader(**in, &factory_->trusted());
  ASSERT_TRUE(h.ok());
  CountingFile out;
  base::Status st = bundle::ExtractContent(**in, h->manifest, out, kMiB);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(out.bytes, kMiB);
}

TEST_F(BundleTest, UncompressedContentIsAlsoLimited) {
  const base::Bytes content(kMiB + 1, 0);
  const std::string path =
      WriteSigned(ManifestFor(content, bundle::Compression::kNone), content, "big.ckbundle");
  auto in = cktest::RealFs().OpenSequential(path);
  ASSERT_TRUE(in.ok());
  base::Result<bundle::Header> h = bundle::ReadHeader(**in, &factory_->trusted());
  ASSERT_TRUE(h.ok());
  CountingFile out;
  base::Status st = bundle::ExtractContent(**in, h->manifest, out, kMiB);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), base::StatusCode::kOutOfRange);
  EXPECT_LE(out.bytes, kMiB);
}

TEST_F(BundleTest, ZstdFrameNeedingAHugeWindowIsRefused) {
  ASSERT_TRUE(Apply(Build({.seq = 1}).path).ok());
  const base::Bytes before = cktest::ReadBytes(data_ + "/registry.db");
  const base::Bytes frame = ZeroFrame(1024, /*window_log=*/27);  // 128 MiB window
  const std::string path =
      WriteSigned(ManifestFor(frame, bundle::Compression::kZstd), frame, "window.ckbundle");
  base::Result<bundle::ApplyReport> r = Apply(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kDataLoss) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "bundle content: zstd"));
  EXPECT_EQ(cktest::ReadBytes(data_ + "/registry.db"), before);
  EXPECT_FALSE(cktest::InspectDataDir(data_).incoming_exists);
}

}  // namespace
