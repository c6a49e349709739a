// Damaged and forged bundles (in the spirit of leveldb's log_test corruption cases): each is
// refused with a message of its own, never as a local I/O error (cardctl exit 1, not 2), and the
// registry applied before (seq 2) stays in use byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/fs.h"
#include "base/hex.h"
#include "bundle/format.h"
#include "bundle/importer.h"
#include "bundle_fixture.h"
#include "card/cbor.h"
#include "card/issuer.h"
#include "real_fs.h"

namespace {

using cktest::BuiltBundle;
using cktest::Contains;
using cktest::kFixtureNow;

constexpr int64_t kAppliedSeq = 2;  // the registry in use; the candidates are seq 3

// Bundle files read once per suite, and the registry they are applied over.
struct Corpus {
  cktest::ScratchDir dir;
  cktest::BundleFactory factory{dir.File("build")};
  card::PrivateKey stranger = cktest::GenerateKey(card::Alg::kES256);
  base::Bytes seq1, seq2, seq3;     // zstd
  base::Bytes seq3_raw, other_raw;  // uncompressed, same size, different content
  base::Bytes by_stranger;          // seq 3 signed by a key the device does not trust
  size_t header_bytes = 0;          // of seq3
  size_t raw_header_bytes = 0;      // of seq3_raw
  bundle::Manifest seq3_manifest;
  std::string golden_registry;  // registry.db with kAppliedSeq applied

  Corpus() {
    seq1 = Load({.seq = 1});
    seq2 = Load({.seq = kAppliedSeq});
    seq3 = Load({.seq = 3});
    seq3_raw = Load({.seq = 3, .compression = bundle::Compression::kNone, .file_name = "raw"});
    other_raw = Load({.seq = 3,
                      .compression = bundle::Compression::kNone,
                      .edit =
                          [](registry::RegistryContents* c) {
                            for (auto& m : c->members) m.state = card::MemberState::kRevoked;
                          },
                      .file_name = "other"});
    header_bytes = HeaderOf(dir.File("build/seq3.ckbundle"), &seq3_manifest);
    bundle::Manifest unused;
    raw_header_bytes = HeaderOf(dir.File("build/raw"), &unused);

    // The same manifest as seq 3, signed by a stranger (its own kid).
    base::Result<base::Bytes> header = bundle::EncodeHeader(seq3_manifest, stranger);
    EXPECT_TRUE(header.ok());
    by_stranger = header.ok() ? *header : base::Bytes();
    by_stranger.insert(by_stranger.end(), seq3.begin() + static_cast<ptrdiff_t>(header_bytes),
                       seq3.end());

    const std::string data = dir.File("golden");
    cktest::MakeDir(data);
    base::FakeClock clock(kFixtureNow);
    bundle::Importer importer(cktest::RealFs(), clock, data, factory.trusted());
    base::Result<bundle::ApplyReport> r = importer.Apply(dir.File("build/seq2.ckbundle"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    golden_registry = importer.registry_path();
  }

  base::Bytes Load(const cktest::BundleSpec& spec) {
    base::Result<BuiltBundle> b = factory.Build(spec);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? cktest::ReadBytes(b->path) : base::Bytes();
  }
  static size_t HeaderOf(const std::string& path, bundle::Manifest* m) {
    auto in = cktest::RealFs().OpenSequential(path);
    if (!in.ok()) return 0;
    base::Result<bundle::Header> h = bundle::ReadHeader(**in, nullptr);
    EXPECT_TRUE(h.ok());
    if (!h.ok()) return 0;
    *m = h->manifest;
    return static_cast<size_t>(h->header_bytes);  // of a file read into memory
  }
};

// The manifest of `b` is at [12, header_bytes); its COSE signature is the last 64 bytes of that.
base::Bytes Flip(base::Bytes b, size_t at) {
  b[at] ^= 0x01;
  return b;
}
base::Bytes Cut(const base::Bytes& b, size_t n) {
  return base::Bytes(b.begin(), b.begin() + static_cast<ptrdiff_t>(n));
}
base::Bytes WithLength(base::Bytes b, uint32_t len) {
  for (int i = 0; i < 4; ++i)
    b[8 + static_cast<size_t>(i)] = static_cast<uint8_t>(len >> (24 - 8 * i));
  return b;
}
base::Bytes Splice(const base::Bytes& header_from, uint64_t header_bytes,
                   const base::Bytes& content_from, uint64_t content_at) {
  base::Bytes out(header_from.begin(), header_from.begin() + static_cast<ptrdiff_t>(header_bytes));
  out.insert(out.end(), content_from.begin() + static_cast<ptrdiff_t>(content_at),
             content_from.end());
  return out;
}
// Where the signed manifest payload starts inside the file.
size_t PayloadOffset(const base::Bytes& file, const bundle::Manifest& m) {
  const base::Bytes payload = bundle::EncodeManifestPayload(m);
  auto it = std::search(file.begin(), file.end(), payload.begin(), payload.end());
  return static_cast<size_t>(it - file.begin());
}

// A manifest payload encoded field by field, signed with the trusted key: well signed, but not a
// manifest this device accepts.
base::Bytes SignedOddManifest(const Corpus& c, const std::string& compression, int64_t version) {
  base::Bytes payload;
  card::CborWriter w(&payload);
  w.Map(8);
  w.Uint(1);
  w.Int(version);
  w.Uint(2);
  w.Int(3);
  w.Uint(3);
  w.Int(c.seq3_manifest.created);
  w.Uint(4);
  w.Int(c.seq3_manifest.not_after);
  w.Uint(5);
  w.Text(c.seq3_manifest.issuer);
  w.Uint(6);
  w.ByteString(c.seq3_manifest.content_sha256);
  w.Uint(7);
  w.Uint(c.seq3_manifest.content_size);
  w.Uint(8);
  w.Text(compression);
  base::Result<base::Bytes> cose =
      card::SignCose(c.factory.bundle_key(), c.factory.trusted().kid(), payload);
  EXPECT_TRUE(cose.ok());
  base::Bytes out(bundle::kMagic, bundle::kMagic + sizeof bundle::kMagic);
  out.resize(12);
  out = WithLength(out, static_cast<uint32_t>(cose->size()));
  out.insert(out.end(), cose->begin(), cose->end());
  out.insert(out.end(), c.seq3.begin() + static_cast<ptrdiff_t>(c.header_bytes), c.seq3.end());
  return out;
}

// A manifest signed by a stranger's key but carrying the trusted key's kid.
base::Bytes ForgedKid(const Corpus& c) {
  base::Result<base::Bytes> cose = card::SignCose(c.stranger, c.factory.trusted().kid(),
                                                  bundle::EncodeManifestPayload(c.seq3_manifest));
  EXPECT_TRUE(cose.ok());
  base::Bytes out(bundle::kMagic, bundle::kMagic + sizeof bundle::kMagic);
  out.resize(12);
  out = WithLength(out, static_cast<uint32_t>(cose->size()));
  out.insert(out.end(), cose->begin(), cose->end());
  out.insert(out.end(), c.seq3.begin() + static_cast<ptrdiff_t>(c.header_bytes), c.seq3.end());
  return out;
}

struct TamperCase {
  std::string name;
  std::function<base::Bytes(const Corpus&)> make;
  std::function<std::string(const Corpus&)> expect;  // a substring of the refusal
  base::StatusCode code;
};

// For test names and failure messages (instead of a byte dump).
void PrintTo(const TamperCase& c, std::ostream* os) { *os << c.name; }

std::string Fixed(std::string s) { return s; }

std::string SizeMessage(uint64_t actual, uint64_t expected) {
  return "bundle file is " + std::to_string(actual) + " bytes but its manifest says " +
         std::to_string(expected);
}

const std::vector<TamperCase>& Cases() {
  using C = const Corpus&;
  using base::StatusCode;
  static const std::vector<TamperCase> cases = {
      {"ManifestPayloadByteFlipped",
       [](C c) { return Flip(c.seq3, PayloadOffset(c.seq3, c.seq3_manifest) + 40); },
       [](C) { return Fixed("manifest signature does not verify"); }, StatusCode::kUnauthenticated},
      {"SignatureByteFlipped", [](C c) { return Flip(c.seq3, c.header_bytes - 10); },
       [](C) { return Fixed("manifest signature does not verify"); }, StatusCode::kUnauthenticated},
      {"ContentByteFlipped", [](C c) { return Flip(c.seq3_raw, c.raw_header_bytes + 3000); },
       [](C) { return Fixed("content hash does not match the manifest"); },
       StatusCode::kUnauthenticated},
      // The whole content is hashed before a decoding error is reported, so altered compressed
      // content reads as altered content, not as a zstd error.
      {"CompressedContentByteFlipped", [](C c) { return Flip(c.seq3, c.seq3.size() - 1); },
       [](C) { return Fixed("content hash does not match the manifest"); },
       StatusCode::kUnauthenticated},
      {"EmptyFile", [](C) { return base::Bytes(); },
       [](C) { return Fixed("bundle is truncated: header incomplete"); }, StatusCode::kDataLoss},
      {"TruncatedInsideMagic", [](C c) { return Cut(c.seq3, 5); },
       [](C) { return Fixed("bundle is truncated: header incomplete"); }, StatusCode::kDataLoss},
      {"TruncatedInsideLength", [](C c) { return Cut(c.seq3, 10); },
       [](C) { return Fixed("bundle is truncated: header incomplete"); }, StatusCode::kDataLoss},
      {"TruncatedInsideManifest", [](C c) { return Cut(c.seq3, 40); },
       [](C) { return Fixed("bundle is truncated: manifest incomplete"); }, StatusCode::kDataLoss},
      {"TruncatedRightAfterManifest", [](C c) { return Cut(c.seq3, c.header_bytes); },
       [](C c) { return SizeMessage(c.header_bytes, c.seq3.size()); }, StatusCode::kDataLoss},
      {"TruncatedInsideContent", [](C c) { return Cut(c.seq3, c.seq3.size() - 1000); },
       [](C c) { return SizeMessage(c.seq3.size() - 1000, c.seq3.size()); }, StatusCode::kDataLoss},
      {"ExtraBytesAppended",
       [](C c) {
         base::Bytes b = c.seq3;
         b.insert(b.end(), 7, 0);
         return b;
       },
       [](C c) { return SizeMessage(c.seq3.size() + 7, c.seq3.size()); }, StatusCode::kDataLoss},
      {"SignedByAnUntrustedKey", [](C c) { return c.by_stranger; },
       [](C c) {
         return "bundle signed by key " + base::ToHex(cktest::PublicOf(c.stranger).kid()) +
                ", but this device trusts key " + base::ToHex(c.factory.trusted().kid());
       },
       StatusCode::kUnauthenticated},
      {"UntrustedKeyClaimingTheTrustedKid", ForgedKid,
       [](C) { return Fixed("manifest signature does not verify"); }, StatusCode::kUnauthenticated},
      {"OlderSeq", [](C c) { return c.seq1; },
       [](C) { return Fixed("bundle seq 1 is older than the applied seq 2"); },
       StatusCode::kFailedPrecondition},
      {"SameSeqReplayed", [](C c) { return c.seq2; },
       [](C) { return Fixed("bundle seq 2 is already applied"); }, StatusCode::kFailedPrecondition},
      {"ContentOfAnotherBundleSpliced",
       [](C c) { return Splice(c.seq3_raw, c.raw_header_bytes, c.other_raw, c.raw_header_bytes); },
       [](C) { return Fixed("content hash does not match the manifest"); },
       StatusCode::kUnauthenticated},
      {"BadMagic",
       [](C c) {
         base::Bytes b = c.seq3;
         b[7] = 'X';
         return b;
       },
       [](C) { return Fixed("not a cardkiosk bundle"); }, StatusCode::kInvalidArgument},
      {"ManifestLengthZero", [](C c) { return WithLength(c.seq3, 0); },
       [](C) { return Fixed("manifest length 0 is outside 1..4096"); },
       StatusCode::kInvalidArgument},
      {"ManifestLengthOverLimit", [](C c) { return WithLength(c.seq3, 4097); },
       [](C) { return Fixed("manifest length 4097 is outside 1..4096"); },
       StatusCode::kInvalidArgument},
      {"ManifestLengthOneTooLong",
       [](C c) { return WithLength(c.seq3, static_cast<uint32_t>(c.header_bytes - 12 + 1)); },
       [](C) { return Fixed("manifest is not a valid signed structure"); },
       StatusCode::kInvalidArgument},
      {"SignedManifestWithUnknownCompression", [](C c) { return SignedOddManifest(c, "lz4", 1); },
       [](C) { return Fixed("manifest: unknown compression 'lz4'"); },
       StatusCode::kInvalidArgument},
      {"SignedManifestOfAFutureFormat", [](C c) { return SignedOddManifest(c, "zstd", 2); },
       [](C) { return Fixed("manifest: format version 2"); }, StatusCode::kInvalidArgument},
  };
  return cases;
}

class BundleTamperTestBase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (corpus_ == nullptr) corpus_ = new Corpus();
  }
  static void TearDownTestSuite() {
    delete corpus_;
    corpus_ = nullptr;
  }

  BundleTamperTestBase() : data_(dir_.File("data")), clock_(kFixtureNow) {}

  // Applies `bytes` as a bundle file over a fresh copy of the seq-2 registry; checks that the
  // registry is still there, untouched, and that nothing was left behind. Returns the refusal.
  base::Status ApplyTampered(const base::Bytes& bytes) {
    std::error_code ec;
    std::filesystem::remove_all(data_, ec);
    cktest::MakeDir(data_);
    cktest::CopyFile(corpus_->golden_registry, data_ + "/registry.db");
    const std::string path = dir_.File("tampered.ckbundle");
    cktest::WriteBytes(path, bytes);
    bundle::Importer importer(cktest::RealFs(), clock_, data_, corpus_->factory.trusted());
    base::Result<bundle::ApplyReport> r = importer.Apply(path);
    EXPECT_FALSE(r.ok()) << "applied a tampered bundle";
    cktest::RegistryState s = cktest::InspectDataDir(data_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(s.seq, kAppliedSeq);
    EXPECT_FALSE(s.incoming_exists);
    EXPECT_EQ(cktest::ReadBytes(data_ + "/registry.db"),
              cktest::ReadBytes(corpus_->golden_registry));
    return r.ok() ? base::Status::Ok() : r.status();
  }

  static Corpus* corpus_;
  cktest::ScratchDir dir_;
  std::string data_;
  base::FakeClock clock_;
};

Corpus* BundleTamperTestBase::corpus_ = nullptr;

class BundleTamperTest : public BundleTamperTestBase,
                         public ::testing::WithParamInterface<TamperCase> {};

TEST_P(BundleTamperTest, IsRefusedAndTheAppliedRegistryStays) {
  const TamperCase& c = GetParam();
  const base::Status st = ApplyTampered(c.make(*corpus_));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.code(), base::StatusCode::kIo) << "a refusal must not look like a local I/O error";
  EXPECT_EQ(st.code(), c.code) << st.ToString();
  EXPECT_TRUE(Contains(st.message(), c.expect(*corpus_)));
}

INSTANTIATE_TEST_SUITE_P(Cases, BundleTamperTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<TamperCase>& param) {
                           return param.param.name;
                         });

using BundleTamperMessagesTest = BundleTamperTestBase;

// Each kind of damage says something no other kind says, so whoever reads the message knows which
// it was. (A flipped payload byte and a flipped signature byte are one kind: a verifier cannot tell
// them apart. Sizes tell a cut file from a padded one.)
TEST_F(BundleTamperMessagesTest, EveryKindOfDamageHasItsOwnMessage) {
  std::vector<std::string> messages, expected;
  for (const TamperCase& c : Cases()) {
    messages.push_back(ApplyTampered(c.make(*corpus_)).message());
    expected.push_back(c.expect(*corpus_));
  }
  std::set<std::string> kinds(expected.begin(), expected.end());
  EXPECT_GE(kinds.size(), 16u);
  for (size_t i = 0; i < messages.size(); ++i) {
    for (size_t j = 0; j < expected.size(); ++j) {
      if (expected[i] == expected[j]) continue;
      EXPECT_FALSE(Contains(messages[i], expected[j]))
          << Cases()[i].name << " reads like " << Cases()[j].name;
    }
  }
}

}  // namespace
