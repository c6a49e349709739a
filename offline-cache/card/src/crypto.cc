#include "card/crypto.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <cstring>

#include "base/file.h"

namespace card {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

// The most recent OpenSSL error as text, and the queue cleared.
std::string OpensslError(std::string_view what) {
  std::string m(what);
  unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    m += ": ";
    m += buf;
  }
  ERR_clear_error();
  return m;
}

base::Result<KeyType> TypeOf(EVP_PKEY* pkey) {
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_ED25519:
      return KeyType::kEd25519;
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      return KeyType::kRsa;
    case EVP_PKEY_EC: {
      char group[64] = {};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) != 1 ||
          (std::strcmp(group, "prime256v1") != 0 && std::strcmp(group, "P-256") != 0)) {
        return base::InvalidArgument("EC key is not on curve P-256");
      }
      return KeyType::kEcP256;
    }
    default:
      return base::InvalidArgument("unsupported key type (need EC P-256, Ed25519 or RSA)");
  }
}

// Appends one DER INTEGER holding the unsigned big-endian value `v`.
void AppendDerInteger(base::ByteSpan v, uint8_t* out, size_t* len) {
  size_t i = 0;
  while (i + 1 < v.size() && v[i] == 0) ++i;  // minimal form keeps at least one byte
  const bool pad = (v[i] & 0x80) != 0;
  out[(*len)++] = 0x02;
  out[(*len)++] = static_cast<uint8_t>(v.size() - i + (pad ? 1 : 0));
  if (pad) out[(*len)++] = 0x00;
  std::memcpy(out + *len, v.data() + i, v.size() - i);
  *len += v.size() - i;
}

// COSE ES256 signature (r||s, 32 bytes each) to the DER form OpenSSL verifies.
size_t RawEcdsaToDer(base::ByteSpan raw, uint8_t (&der)[72]) {
  size_t len = 2;
  AppendDerInteger(raw.subspan(0, 32), der, &len);
  AppendDerInteger(raw.subspan(32, 32), der, &len);
  der[0] = 0x30;
  der[1] = static_cast<uint8_t>(len - 2);
  return len;
}

}  // namespace

std::string_view AlgName(Alg alg) {
  switch (alg) {
    case Alg::kES256:
      return "ES256";
    case Alg::kEdDSA:
      return "EdDSA";
    case Alg::kPS256:
      return "PS256";
  }
  return "?";
}

base::Result<Alg> ParseAlgName(std::string_view name) {
  if (name == "es256" || name == "ES256") return Alg::kES256;
  if (name == "ed25519" || name == "eddsa" || name == "EdDSA") return Alg::kEdDSA;
  return base::InvalidArgument("unknown algorithm '" + std::string(name) +
                               "' (use es256 or ed25519)");
}

bool AlgMatchesKey(Alg alg, KeyType type) {
  switch (alg) {
    case Alg::kES256:
      return type == KeyType::kEcP256;
    case Alg::kEdDSA:
      return type == KeyType::kEd25519;
    case Alg::kPS256:
      return type == KeyType::kRsa;
  }
  return false;
}

Kid KidOfDer(base::ByteSpan der) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(der.data(), der.size(), digest);
  Kid kid{};
  std::memcpy(kid.data(), digest, kid.size());
  return kid;
}

base::Result<PublicKey> PublicKey::FromPkey(EVP_PKEY* owned) {
  std::shared_ptr<EVP_PKEY> pkey(owned, EVP_PKEY_free);
  CK_ASSIGN_OR_RETURN(KeyType type, TypeOf(owned));
  int len = i2d_PUBKEY(owned, nullptr);
  if (len <= 0) return base::Internal(OpensslError("encoding public key"));
  auto spki = std::make_shared<base::Bytes>(static_cast<size_t>(len));
  uint8_t* p = spki->data();
  if (i2d_PUBKEY(owned, &p) != len) return base::Internal(OpensslError("encoding public key"));
  return PublicKey(std::move(pkey), type, std::move(spki));
}

base::Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return base::Internal("BIO_new_mem_buf failed");
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    return base::InvalidArgument(OpensslError("not a PEM public key (expected BEGIN PUBLIC KEY)"));
  }
  return FromPkey(pkey);
}

base::Result<PublicKey> PublicKey::FromSpkiDer(base::ByteSpan der) {
  const uint8_t* p = der.data();
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (pkey == nullptr || p != der.data() + der.size()) {
    EVP_PKEY_free(pkey);
    return base::InvalidArgument(OpensslError("not a DER SubjectPublicKeyInfo"));
  }
  return FromPkey(pkey);
}

base::Result<PublicKey> PublicKey::FromCertificateDer(base::ByteSpan der) {
  const uint8_t* p = der.data();
  std::unique_ptr<X509, X509Deleter> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return base::InvalidArgument(OpensslError("not a DER X.509 certificate"));
  EVP_PKEY* pkey = X509_get_pubkey(cert.get());
  if (pkey == nullptr) return base::InvalidArgument(OpensslError("certificate has no usable key"));
  return FromPkey(pkey);
}

base::Result<PublicKey> PublicKey::FromPemFile(const std::string& path) {
  CK_ASSIGN_OR_RETURN(std::string pem, base::ReadFile(path, 64 * 1024));
  base::Result<PublicKey> key = FromPem(pem);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

base::Result<PrivateKey> PrivateKey::FromPemFile(const std::string& path) {
  CK_ASSIGN_OR_RETURN(std::string pem, base::ReadFile(path, 64 * 1024));
  base::Result<PrivateKey> key = FromPem(pem);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

std::string PublicKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) return {};
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

base::Result<PrivateKey> PrivateKey::Generate(Alg alg) {
  EVP_PKEY* pkey = nullptr;
  switch (alg) {
    case Alg::kES256:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case Alg::kEdDSA:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case Alg::kPS256:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
      break;
  }
  if (pkey == nullptr) return base::Internal(OpensslError("key generation failed"));
  return PrivateKey(PkeyPtr(pkey), alg);
}

base::Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return base::Internal("BIO_new_mem_buf failed");
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return base::InvalidArgument(OpensslError("not a PEM private key"));
  CK_ASSIGN_OR_RETURN(KeyType type, TypeOf(pkey.get()));
  Alg alg = type == KeyType::kEcP256    ? Alg::kES256
            : type == KeyType::kEd25519 ? Alg::kEdDSA
                                        : Alg::kPS256;
  return PrivateKey(std::move(pkey), alg);
}

base::Result<std::string> PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return base::Internal(OpensslError("encoding private key"));
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

base::Result<PublicKey> PrivateKey::Public() const {
  int len = i2d_PUBKEY(pkey_.get(), nullptr);
  if (len <= 0) return base::Internal(OpensslError("encoding public key"));
  base::Bytes der(static_cast<size_t>(len));
  uint8_t* p = der.data();
  i2d_PUBKEY(pkey_.get(), &p);
  return PublicKey::FromSpkiDer(der);
}

base::Result<base::Bytes> PrivateKey::Sign(base::ByteSpan tbs) const {
  MdCtxPtr ctx = NewMdCtx();
  const EVP_MD* md = alg_ == Alg::kEdDSA ? nullptr : EVP_sha256();
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, pkey_.get()) != 1) {
    return base::Internal(OpensslError("EVP_DigestSignInit"));
  }
  if (alg_ == Alg::kPS256 &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
    return base::Internal(OpensslError("setting PSS padding"));
  }
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, tbs.data(), tbs.size()) != 1) {
    return base::Internal(OpensslError("EVP_DigestSign"));
  }
  base::Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, tbs.data(), tbs.size()) != 1) {
    return base::Internal(OpensslError("EVP_DigestSign"));
  }
  sig.resize(len);
  if (alg_ != Alg::kES256) return sig;
  const uint8_t* p = sig.data();
  std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> es(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  if (!es) return base::Internal(OpensslError("decoding ECDSA signature"));
  base::Bytes raw(64);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(es.get()), raw.data(), 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(es.get()), raw.data() + 32, 32) != 32) {
    return base::Internal("ECDSA signature component too large");
  }
  return raw;
}

SignatureVerifier::SignatureVerifier()
    : ctx_(NewMdCtx()), sha256_(EVP_MD_fetch(nullptr, "SHA2-256", nullptr)) {}

base::Status SignatureVerifier::Verify(Alg alg, const PublicKey& key, base::ByteSpan tbs,
                                       base::ByteSpan signature) {
  if (!AlgMatchesKey(alg, key.type())) {
    return base::InvalidArgument("algorithm " + std::string(AlgName(alg)) +
                                 " does not match the key's type");
  }
  if (ctx_ == nullptr || sha256_ == nullptr) return base::Internal("OpenSSL context unavailable");
  uint8_t der[72];
  base::ByteSpan sig = signature;
  if (alg == Alg::kES256) {
    if (signature.size() != 64) {
      return base::Unauthenticated("ES256 signature must be 64 bytes (r||s), got " +
                                   std::to_string(signature.size()));
    }
    sig = base::ByteSpan(der, RawEcdsaToDer(signature, der));
  } else if (alg == Alg::kEdDSA && signature.size() != 64) {
    return base::Unauthenticated("EdDSA signature must be 64 bytes, got " +
                                 std::to_string(signature.size()));
  }
  EVP_MD_CTX_reset(ctx_.get());
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = alg == Alg::kEdDSA ? nullptr : sha256_.get();
  if (EVP_DigestVerifyInit(ctx_.get(), &pctx, md, nullptr, key.pkey()) != 1) {
    return base::Internal(OpensslError("EVP_DigestVerifyInit"));
  }
  if (alg == Alg::kPS256 && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
    return base::Internal(OpensslError("setting PSS padding"));
  }
  const int rc = EVP_DigestVerify(ctx_.get(), sig.data(), sig.size(), tbs.data(), tbs.size());
  if (rc != 1) {
    ERR_clear_error();
    return base::Unauthenticated("signature does not verify");
  }
  return base::Status::Ok();
}

base::Result<base::Bytes> RandomBytes(size_t n) {
  base::Bytes out(n);
  if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    return base::Internal(OpensslError("RAND_bytes"));
  }
  return out;
}

}  // namespace card
