// Keys, key ids, COSE signatures (card/crypto.h) and status IDs (card/rid.h), checked against
// OpenSSL called directly.
#include "card/crypto.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/file.h"
#include "base/hex.h"
#include "card/rid.h"
#include "subprocess.h"

namespace {

using base::Bytes;
using base::ByteSpan;
using base::StatusCode;
using card::Alg;
using card::KeyType;
using card::PrivateKey;
using card::PublicKey;
using card::SignatureVerifier;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

PrivateKey Generate(Alg alg) {
  base::Result<PrivateKey> key = PrivateKey::Generate(alg);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return std::move(key).value();
}

PublicKey PublicOf(const PrivateKey& key) { return key.Public().value(); }

// The private key as an OpenSSL object, through its PEM form.
Pkey OpensslPrivate(const PrivateKey& key) {
  const std::string pem = key.ToPem().value();
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

Bytes SpkiOf(EVP_PKEY* pkey) {
  const int len = i2d_PUBKEY(pkey, nullptr);
  EXPECT_GT(len, 0);
  Bytes der(static_cast<size_t>(len));
  uint8_t* p = der.data();
  i2d_PUBKEY(pkey, &p);
  return der;
}

card::Kid IndependentKid(EVP_PKEY* pkey) {
  const Bytes der = SpkiOf(pkey);
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(der.data(), der.size(), digest);
  card::Kid kid{};
  std::copy(digest, digest + kid.size(), kid.begin());
  return kid;
}

// OpenSSL's DER ECDSA signature <-> COSE raw r||s.
Bytes DerToRaw(ByteSpan der) {
  const uint8_t* p = der.data();
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  Bytes raw(64);
  EXPECT_NE(sig, nullptr);
  if (sig == nullptr) return raw;
  EXPECT_EQ(BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), 32), 32);
  EXPECT_EQ(BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + 32, 32), 32);
  return raw;
}

Bytes RawToDer(ByteSpan raw) {
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + 32, 32, nullptr);
  EXPECT_EQ(ECDSA_SIG_set0(sig.get(), r, s), 1);
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  Bytes der(static_cast<size_t>(len));
  uint8_t* p = der.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  return der;
}

// Signs with OpenSSL directly (DER for ECDSA).
Bytes OpensslSign(EVP_PKEY* pkey, const EVP_MD* md, ByteSpan tbs) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey), 1);
  size_t len = 0;
  EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &len, tbs.data(), tbs.size()), 1);
  Bytes sig(len);
  EXPECT_EQ(EVP_DigestSign(ctx.get(), sig.data(), &len, tbs.data(), tbs.size()), 1);
  sig.resize(len);
  return sig;
}

bool OpensslVerify(EVP_PKEY* pkey, const EVP_MD* md, ByteSpan tbs, ByteSpan sig) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pkey) != 1) return false;
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), tbs.data(), tbs.size()) == 1;
}

const Bytes kTbs = {0x84, 0x6a, 'S', 'i', 'g',  'n',  'a',  't',
                    'u',  'r',  'e', '1', 0x40, 0x40, 0x41, 0xa0};

// --- Names ---------------------------------------------------------------------------------------

TEST(AlgTest, ParseAlgName) {
  EXPECT_EQ(card::ParseAlgName("es256").value(), Alg::kES256);
  EXPECT_EQ(card::ParseAlgName("ES256").value(), Alg::kES256);
  EXPECT_EQ(card::ParseAlgName("ed25519").value(), Alg::kEdDSA);
  EXPECT_EQ(card::ParseAlgName("eddsa").value(), Alg::kEdDSA);
  EXPECT_EQ(card::ParseAlgName("EdDSA").value(), Alg::kEdDSA);
  for (const char* bad : {"", "es384", "rsa", "es256 ", " ed25519", "ED25519x", "-7"}) {
    base::Result<Alg> r = card::ParseAlgName(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(AlgTest, NamesAndCoseValues) {
  EXPECT_EQ(card::AlgName(Alg::kES256), "ES256");
  EXPECT_EQ(card::AlgName(Alg::kEdDSA), "EdDSA");
  EXPECT_EQ(card::AlgName(Alg::kPS256), "PS256");
  EXPECT_EQ(static_cast<int64_t>(Alg::kES256), -7);
  EXPECT_EQ(static_cast<int64_t>(Alg::kEdDSA), -8);
}

TEST(AlgTest, AlgMatchesKey) {
  EXPECT_TRUE(card::AlgMatchesKey(Alg::kES256, KeyType::kEcP256));
  EXPECT_TRUE(card::AlgMatchesKey(Alg::kEdDSA, KeyType::kEd25519));
  EXPECT_TRUE(card::AlgMatchesKey(Alg::kPS256, KeyType::kRsa));
  EXPECT_FALSE(card::AlgMatchesKey(Alg::kES256, KeyType::kEd25519));
  EXPECT_FALSE(card::AlgMatchesKey(Alg::kEdDSA, KeyType::kEcP256));
  EXPECT_FALSE(card::AlgMatchesKey(Alg::kES256, KeyType::kRsa));
}

// --- Keys ----------------------------------------------------------------------------------------

class KeyTest : public ::testing::TestWithParam<Alg> {};

TEST_P(KeyTest, GeneratedKeyHasTheRightType) {
  const PrivateKey key = Generate(GetParam());
  EXPECT_EQ(key.alg(), GetParam());
  const PublicKey pub = PublicOf(key);
  EXPECT_EQ(pub.type(), GetParam() == Alg::kES256 ? KeyType::kEcP256 : KeyType::kEd25519);
  EXPECT_TRUE(card::AlgMatchesKey(GetParam(), pub.type()));
}

TEST_P(KeyTest, TwoGeneratedKeysDiffer) {
  EXPECT_NE(PublicOf(Generate(GetParam())).spki_der(), PublicOf(Generate(GetParam())).spki_der());
}

TEST_P(KeyTest, PrivatePemRoundTrip) {
  const PrivateKey key = Generate(GetParam());
  const std::string pem = key.ToPem().value();
  EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << pem;
  base::Result<PrivateKey> back = PrivateKey::FromPem(pem);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->alg(), GetParam());
  EXPECT_EQ(PublicOf(*back).spki_der(), PublicOf(key).spki_der());
  EXPECT_EQ(back->ToPem().value(), pem);
}

TEST_P(KeyTest, PublicPemRoundTrip) {
  const PublicKey pub = PublicOf(Generate(GetParam()));
  const std::string pem = pub.ToPem();
  EXPECT_EQ(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u) << pem;
  base::Result<PublicKey> back = PublicKey::FromPem(pem);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->type(), pub.type());
  EXPECT_EQ(back->spki_der(), pub.spki_der());
  EXPECT_EQ(back->kid(), pub.kid());
}

TEST_P(KeyTest, SpkiDerRoundTrip) {
  const PublicKey pub = PublicOf(Generate(GetParam()));
  base::Result<PublicKey> back = PublicKey::FromSpkiDer(pub.spki_der());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->spki_der(), pub.spki_der());
  EXPECT_EQ(back->kid(), pub.kid());

  Bytes trailing = pub.spki_der();
  trailing.push_back(0x00);
  EXPECT_EQ(PublicKey::FromSpkiDer(trailing).status().code(), StatusCode::kInvalidArgument);
  Bytes truncated = pub.spki_der();
  truncated.pop_back();
  EXPECT_EQ(PublicKey::FromSpkiDer(truncated).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(KeyTest, KidIsFirstEightBytesOfSha256OfSpki) {
  const PrivateKey key = Generate(GetParam());
  const PublicKey pub = PublicOf(key);
  const Pkey openssl_key = OpensslPrivate(key);
  ASSERT_NE(openssl_key, nullptr);
  EXPECT_EQ(SpkiOf(openssl_key.get()), pub.spki_der());
  EXPECT_EQ(pub.kid(), IndependentKid(openssl_key.get()));
  EXPECT_EQ(pub.kid(), IndependentKid(pub.pkey()));
  EXPECT_EQ(pub.kid(), card::KidOfDer(pub.spki_der()));
}

TEST_P(KeyTest, SignVerifyRoundTrip) {
  const PrivateKey key = Generate(GetParam());
  const PublicKey pub = PublicOf(key);
  SignatureVerifier verifier;
  for (size_t len : {size_t{0}, size_t{1}, kTbs.size(), size_t{1000}}) {
    const Bytes tbs(len, 0x42);
    base::Result<Bytes> sig = key.Sign(tbs);
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    EXPECT_EQ(sig->size(), 64u);
    base::Status s = verifier.Verify(GetParam(), pub, tbs, *sig);
    EXPECT_TRUE(s.ok()) << len << ": " << s.ToString();
  }
}

TEST_P(KeyTest, FlippedBitsFailVerification) {
  const PrivateKey key = Generate(GetParam());
  const PublicKey pub = PublicOf(key);
  const Bytes sig = key.Sign(kTbs).value();
  SignatureVerifier verifier;
  for (size_t i = 0; i < sig.size(); ++i) {
    Bytes bad = sig;
    bad[i] ^= static_cast<uint8_t>(1u << (i % 8));
    EXPECT_EQ(verifier.Verify(GetParam(), pub, kTbs, bad).code(), StatusCode::kUnauthenticated)
        << "signature byte " << i;
  }
  for (size_t i = 0; i < kTbs.size(); ++i) {
    Bytes bad = kTbs;
    bad[i] ^= 0x01;
    EXPECT_EQ(verifier.Verify(GetParam(), pub, bad, sig).code(), StatusCode::kUnauthenticated)
        << "tbs byte " << i;
  }
  EXPECT_TRUE(verifier.Verify(GetParam(), pub, kTbs, sig).ok());  // still usable
}

TEST_P(KeyTest, WrongLengthSignaturesAreUnauthenticated) {
  const PrivateKey key = Generate(GetParam());
  const PublicKey pub = PublicOf(key);
  Bytes sig = key.Sign(kTbs).value();
  SignatureVerifier verifier;
  Bytes longer = sig;
  longer.push_back(0);
  Bytes shorter(sig.begin(), sig.end() - 1);
  EXPECT_EQ(verifier.Verify(GetParam(), pub, kTbs, longer).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(verifier.Verify(GetParam(), pub, kTbs, shorter).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(verifier.Verify(GetParam(), pub, kTbs, Bytes{}).code(), StatusCode::kUnauthenticated);
}

TEST_P(KeyTest, DegenerateSignaturesAreUnauthenticated) {
  const PublicKey pub = PublicOf(Generate(GetParam()));
  SignatureVerifier verifier;
  EXPECT_EQ(verifier.Verify(GetParam(), pub, kTbs, Bytes(64, 0x00)).code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(verifier.Verify(GetParam(), pub, kTbs, Bytes(64, 0xff)).code(),
            StatusCode::kUnauthenticated);
}

TEST_P(KeyTest, AnotherKeysSignatureFails) {
  const PrivateKey signer = Generate(GetParam());
  const PublicKey other = PublicOf(Generate(GetParam()));
  SignatureVerifier verifier;
  EXPECT_EQ(verifier.Verify(GetParam(), other, kTbs, signer.Sign(kTbs).value()).code(),
            StatusCode::kUnauthenticated);
}

INSTANTIATE_TEST_SUITE_P(Algs, KeyTest, ::testing::Values(Alg::kES256, Alg::kEdDSA),
                         [](const ::testing::TestParamInfo<Alg>& param_info) {
                           return std::string(card::AlgName(param_info.param));
                         });

TEST(SignatureTest, Es256SignatureIsAlwaysRaw64Bytes) {
  // DER signatures vary in length (70-72 bytes typically); the COSE form never does.
  const PrivateKey key = Generate(Alg::kES256);
  for (int i = 0; i < 64; ++i) {
    const Bytes tbs(static_cast<size_t>(i), static_cast<uint8_t>(i));
    const Bytes sig = key.Sign(tbs).value();
    ASSERT_EQ(sig.size(), 64u) << i;
  }
}

TEST(SignatureTest, Es256RawSignatureVerifiesWithOpensslDirectly) {
  const PrivateKey key = Generate(Alg::kES256);
  const PublicKey pub = PublicOf(key);
  for (int i = 0; i < 32; ++i) {  // enough to see r and s with the high bit set
    const Bytes tbs(static_cast<size_t>(i) + 1, 0x33);
    const Bytes raw = key.Sign(tbs).value();
    ASSERT_EQ(raw.size(), 64u);
    EXPECT_TRUE(OpensslVerify(pub.pkey(), EVP_sha256(), tbs, RawToDer(raw))) << i;
  }
}

TEST(SignatureTest, OpensslEs256SignatureVerifiesAfterConversionToRaw) {
  const PrivateKey key = Generate(Alg::kES256);
  const PublicKey pub = PublicOf(key);
  const Pkey openssl_key = OpensslPrivate(key);
  ASSERT_NE(openssl_key, nullptr);
  SignatureVerifier verifier;
  for (int i = 0; i < 32; ++i) {
    const Bytes tbs(static_cast<size_t>(i) + 1, 0x55);
    const Bytes der = OpensslSign(openssl_key.get(), EVP_sha256(), tbs);
    const Bytes raw = DerToRaw(der);
    base::Status s = verifier.Verify(Alg::kES256, pub, tbs, raw);
    EXPECT_TRUE(s.ok()) << i << ": " << s.ToString();
    EXPECT_EQ(verifier.Verify(Alg::kES256, pub, tbs, der).code(), StatusCode::kUnauthenticated)
        << "DER is not the COSE form";
  }
}

TEST(SignatureTest, Ed25519SignatureMatchesOpenssl) {
  const PrivateKey key = Generate(Alg::kEdDSA);
  const PublicKey pub = PublicOf(key);
  const Pkey openssl_key = OpensslPrivate(key);
  ASSERT_NE(openssl_key, nullptr);
  const Bytes ours = key.Sign(kTbs).value();
  // Ed25519 is deterministic: the same key and message give the same signature.
  EXPECT_EQ(ours, OpensslSign(openssl_key.get(), nullptr, kTbs));
  EXPECT_TRUE(OpensslVerify(pub.pkey(), nullptr, kTbs, ours));
}

TEST(SignatureTest, WrongAlgForKeyTypeIsInvalidArgument) {
  const PrivateKey ec = Generate(Alg::kES256);
  const PrivateKey ed = Generate(Alg::kEdDSA);
  const Bytes ec_sig = ec.Sign(kTbs).value();
  const Bytes ed_sig = ed.Sign(kTbs).value();
  SignatureVerifier verifier;
  base::Status s = verifier.Verify(Alg::kEdDSA, PublicOf(ec), kTbs, ec_sig);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(verifier.Verify(Alg::kES256, PublicOf(ed), kTbs, ed_sig).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(verifier.Verify(Alg::kPS256, PublicOf(ec), kTbs, ec_sig).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(verifier.Verify(Alg::kPS256, PublicOf(ed), kTbs, ed_sig).code(),
            StatusCode::kInvalidArgument);
}

TEST(SignatureTest, OneVerifierServesBothAlgorithmsInTurn) {
  const PrivateKey ec = Generate(Alg::kES256);
  const PrivateKey ed = Generate(Alg::kEdDSA);
  const PublicKey ec_pub = PublicOf(ec);
  const PublicKey ed_pub = PublicOf(ed);
  const Bytes ec_sig = ec.Sign(kTbs).value();
  const Bytes ed_sig = ed.Sign(kTbs).value();
  Bytes bad = ec_sig;
  bad[10] ^= 0x80;
  SignatureVerifier verifier;
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(verifier.Verify(Alg::kES256, ec_pub, kTbs, ec_sig).ok()) << i;
    EXPECT_FALSE(verifier.Verify(Alg::kES256, ec_pub, kTbs, bad).ok()) << i;
    EXPECT_TRUE(verifier.Verify(Alg::kEdDSA, ed_pub, kTbs, ed_sig).ok()) << i;
    EXPECT_FALSE(verifier.Verify(Alg::kEdDSA, ec_pub, kTbs, ed_sig).ok()) << i;
  }
}

TEST(KeyParsingTest, GarbageIsRefused) {
  EXPECT_EQ(PrivateKey::FromPem("not a key").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PrivateKey::FromPem("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PublicKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PublicKey::FromSpkiDer(Bytes{0x30, 0x03, 0x02, 0x01, 0x00}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PublicKey::FromSpkiDer(Bytes{}).status().code(), StatusCode::kInvalidArgument);
}

TEST(KeyParsingTest, PublicAndPrivatePemAreNotInterchangeable) {
  const PrivateKey key = Generate(Alg::kES256);
  EXPECT_FALSE(PrivateKey::FromPem(PublicOf(key).ToPem()).ok());
  EXPECT_FALSE(PublicKey::FromPem(key.ToPem().value()).ok());
}

TEST(KeyParsingTest, EcKeyOnAnotherCurveIsRefused) {
  Pkey p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  ASSERT_NE(p384, nullptr);
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), p384.get(), nullptr, nullptr, 0, nullptr, nullptr),
            1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  base::Result<PrivateKey> priv = PrivateKey::FromPem(std::string(data, static_cast<size_t>(len)));
  ASSERT_FALSE(priv.ok());
  EXPECT_EQ(priv.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(priv.status().message().find("P-256"), std::string::npos) << priv.status().message();
  EXPECT_EQ(PublicKey::FromSpkiDer(SpkiOf(p384.get())).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(KeyParsingTest, PublicKeyFromCertificate) {
  const PrivateKey key = Generate(Alg::kES256);
  const Pkey pkey = OpensslPrivate(key);
  ASSERT_NE(pkey, nullptr);
  std::unique_ptr<X509, X509Free> cert(X509_new());
  ASSERT_EQ(X509_set_version(cert.get(), 2), 1);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  ASSERT_EQ(X509_set_pubkey(cert.get(), pkey.get()), 1);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const uint8_t*>("DSC"), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  ASSERT_GT(X509_sign(cert.get(), pkey.get(), EVP_sha256()), 0);
  const int len = i2d_X509(cert.get(), nullptr);
  ASSERT_GT(len, 0);
  Bytes der(static_cast<size_t>(len));
  uint8_t* p = der.data();
  i2d_X509(cert.get(), &p);

  base::Result<PublicKey> pub = PublicKey::FromCertificateDer(der);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(pub->type(), KeyType::kEcP256);
  EXPECT_EQ(pub->spki_der(), PublicOf(key).spki_der());
  EXPECT_FALSE(PublicKey::FromCertificateDer(PublicOf(key).spki_der()).ok());
}

TEST(KidTest, KidOfDerIsTruncatedSha256) {
  const card::Kid kid = card::KidOfDer(base::AsBytes("abc"));
  EXPECT_EQ(base::ToHex(kid), "ba7816bf8f01cfea");  // SHA-256("abc") = ba7816bf8f01cfea4141...
}

TEST(RandomBytesTest, SizeAndVariety) {
  base::Result<Bytes> a = card::RandomBytes(32);
  base::Result<Bytes> b = card::RandomBytes(32);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(card::RandomBytes(0).value().empty());
}

// --- rid -----------------------------------------------------------------------------------------

card::Rid IndependentRid(ByteSpan secret, std::string_view member_id) {
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const uint8_t*>(member_id.data()), member_id.size(), mac, &len);
  EXPECT_EQ(len, 32u);
  card::Rid rid{};
  std::copy(mac, mac + rid.size(), rid.begin());
  return rid;
}

TEST(RidTest, Rfc4231TestCase2) {
  // HMAC-SHA-256(key = "Jefe", "what do ya want for nothing?") = 5bdcc146bf60754e6a04...
  EXPECT_EQ(base::ToHex(card::ComputeRid(base::AsBytes("Jefe"), "what do ya want for nothing?")),
            "5bdcc146bf60754e");
}

TEST(RidTest, MatchesHmacSha256TruncatedToEightBytes) {
  const Bytes secret = card::RandomBytes(32).value();
  for (std::string_view id : {"M-000001", "", "Иванова-17", "0012345"}) {
    EXPECT_EQ(card::ComputeRid(secret, id), IndependentRid(secret, id)) << id;
  }
  const std::string with_nul("a\0b", 3);
  EXPECT_EQ(card::ComputeRid(secret, with_nul), IndependentRid(secret, with_nul));
  EXPECT_NE(card::ComputeRid(secret, with_nul), card::ComputeRid(secret, "a"));
}

// The batch hasher the bundle builder uses gives the same rids, for secrets shorter than, as long
// as and longer than SHA-256's 64-byte block (HMAC hashes a longer key first), and one hasher
// gives the right rid for every ID in turn.
TEST(RidTest, HasherMatchesComputeRidForEverySecretLength) {
  const std::string long_id(300, 'x');
  for (size_t n : {4u, 32u, 63u, 64u, 65u, 200u}) {
    const Bytes secret = card::RandomBytes(n).value();
    card::RidHasher hasher(secret);
    ASSERT_TRUE(hasher.ok());
    for (std::string_view id :
         std::vector<std::string_view>{"M-000001", "", "Иванова-17", "0012345", long_id}) {
      EXPECT_EQ(hasher.Compute(id), IndependentRid(secret, id)) << n << " bytes, " << id;
    }
  }
  card::RidHasher jefe(base::AsBytes("Jefe"));
  EXPECT_EQ(base::ToHex(jefe.Compute("what do ya want for nothing?")), "5bdcc146bf60754e");
}

TEST(RidTest, DependsOnSecretAndMemberId) {
  const Bytes s1(32, 0x01);
  const Bytes s2(32, 0x02);
  EXPECT_NE(card::ComputeRid(s1, "M-1"), card::ComputeRid(s2, "M-1"));
  EXPECT_NE(card::ComputeRid(s1, "M-1"), card::ComputeRid(s1, "M-2"));
  EXPECT_EQ(card::ComputeRid(s1, "M-1"), card::ComputeRid(s1, "M-1"));
}

class StatusSecretTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.empty()) << "no temporary directory"; }
  std::string Write(const std::string& name, std::string_view content) {
    const std::string path = dir_ + "/" + name;
    EXPECT_TRUE(base::WriteFileAtomic(path, content, 0600).ok());
    return path;
  }
  cktest::TempDir tmp_;
  std::string dir_ = tmp_.path();
};

TEST_F(StatusSecretTest, RefusesFilesShorterThan32Bytes) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{31}}) {
    base::Result<Bytes> r = card::LoadStatusSecret(Write("short", std::string(n, 'k')));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << n;
  }
}

TEST_F(StatusSecretTest, ThirtyTwoBytesAreEnough) {
  const std::string secret(32, 'k');
  base::Result<Bytes> r = card::LoadStatusSecret(Write("secret", secret));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, Bytes(secret.begin(), secret.end()));
}

TEST_F(StatusSecretTest, BytesAreUsedExactlyAsStored) {
  std::string binary;
  for (int i = 0; i < 40; ++i) binary.push_back(static_cast<char>(i * 37 % 256));  // has NUL
  binary += " \r\n";
  base::Result<Bytes> r = card::LoadStatusSecret(Write("binary", binary));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, Bytes(binary.begin(), binary.end()));
}

TEST_F(StatusSecretTest, TrailingNewlineIsPartOfTheSecret) {
  const std::string secret = base::ToHex(card::RandomBytes(32).value());  // 64 hex characters
  const Bytes plain = card::LoadStatusSecret(Write("plain", secret)).value();
  const Bytes with_newline = card::LoadStatusSecret(Write("newline", secret + "\n")).value();
  EXPECT_EQ(plain.size(), 64u);
  EXPECT_EQ(with_newline.size(), 65u);
  EXPECT_NE(card::ComputeRid(plain, "M-1"), card::ComputeRid(with_newline, "M-1"));
  EXPECT_EQ(card::ComputeRid(with_newline, "M-1"),
            IndependentRid(base::AsBytes(secret + "\n"), "M-1"));
}

TEST_F(StatusSecretTest, MissingFileIsNotFound) {
  EXPECT_EQ(card::LoadStatusSecret(dir_ + "/missing").status().code(), StatusCode::kNotFound);
}

}  // namespace
