// OpenSSL behind a small interface: keys, key ids, COSE signatures.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace card {

// COSE algorithm identifiers (RFC 9053). PS256 exists for the EU DCC conformance vectors.
enum class Alg : int64_t { kES256 = -7, kEdDSA = -8, kPS256 = -37 };
enum class KeyType { kEcP256, kEd25519, kRsa };

std::string_view AlgName(Alg alg);
// Parses "es256" / "ed25519" (command-line spelling).
base::Result<Alg> ParseAlgName(std::string_view name);
bool AlgMatchesKey(Alg alg, KeyType type);

// kid = first 8 bytes of SHA-256 over the DER SubjectPublicKeyInfo (or over any DER blob, e.g. an
// X.509 certificate for the EU DCC).
using Kid = std::array<uint8_t, 8>;
Kid KidOfDer(base::ByteSpan der);

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// An OpenSSL digest context (hashing, signing, verifying), freed with its owner. One owner, one
// thread at a time. NewMdCtx() is null when OpenSSL is out of memory: callers check.
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
inline MdCtxPtr NewMdCtx() { return MdCtxPtr(EVP_MD_CTX_new()); }

// An immutable public key. Copyable (shares the underlying EVP_PKEY, which OpenSSL allows to be
// used from several threads for verification).
class PublicKey {
 public:
  static base::Result<PublicKey> FromPem(std::string_view pem);
  // Reads a PEM file (at most 64 KiB); errors name the file.
  static base::Result<PublicKey> FromPemFile(const std::string& path);
  static base::Result<PublicKey> FromSpkiDer(base::ByteSpan der);
  // The subject key of an X.509 certificate (DER).
  static base::Result<PublicKey> FromCertificateDer(base::ByteSpan der);

  KeyType type() const { return type_; }
  EVP_PKEY* pkey() const { return pkey_.get(); }
  const base::Bytes& spki_der() const { return *spki_; }
  Kid kid() const { return KidOfDer(*spki_); }
  std::string ToPem() const;

 private:
  PublicKey(std::shared_ptr<EVP_PKEY> pkey, KeyType type, std::shared_ptr<base::Bytes> spki)
      : pkey_(std::move(pkey)), type_(type), spki_(std::move(spki)) {}
  static base::Result<PublicKey> FromPkey(EVP_PKEY* owned);

  std::shared_ptr<EVP_PKEY> pkey_;
  KeyType type_;
  std::shared_ptr<base::Bytes> spki_;
};

// A private signing key (issuing side and tests). Move-only.
class PrivateKey {
 public:
  static base::Result<PrivateKey> Generate(Alg alg);
  static base::Result<PrivateKey> FromPem(std::string_view pem);
  static base::Result<PrivateKey> FromPemFile(const std::string& path);

  Alg alg() const { return alg_; }
  // PKCS#8 PEM, unencrypted: the caller stores it with mode 0600.
  base::Result<std::string> ToPem() const;
  base::Result<PublicKey> Public() const;
  // A COSE signature over `tbs`: raw r||s (64 bytes) for ES256, 64 bytes for EdDSA.
  base::Result<base::Bytes> Sign(base::ByteSpan tbs) const;

 private:
  PrivateKey(PkeyPtr pkey, Alg alg) : pkey_(std::move(pkey)), alg_(alg) {}
  PkeyPtr pkey_;
  Alg alg_;
};

// Verifies COSE signatures, reusing one digest context and pre-fetched algorithms between calls
// so that a verification costs the public-key operation and little else. Not thread-safe: one per
// thread.
class SignatureVerifier {
 public:
  SignatureVerifier();
  SignatureVerifier(const SignatureVerifier&) = delete;
  SignatureVerifier& operator=(const SignatureVerifier&) = delete;

  // kUnauthenticated when the signature does not verify (wrong length included); kInvalidArgument
  // when alg and key type do not match.
  base::Status Verify(Alg alg, const PublicKey& key, base::ByteSpan tbs, base::ByteSpan signature);

 private:
  struct MdDeleter {
    void operator()(EVP_MD* md) const { EVP_MD_free(md); }
  };
  MdCtxPtr ctx_;
  std::unique_ptr<EVP_MD, MdDeleter> sha256_;
};

// Random bytes from the OS generator.
base::Result<base::Bytes> RandomBytes(size_t n);

}  // namespace card
