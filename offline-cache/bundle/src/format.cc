#include "bundle/format.h"

#include <openssl/evp.h>
#include <zstd.h>

#include <cstring>
#include <memory>
#include <vector>

#include "base/hex.h"
#include "card/cose.h"
#include "card/crypto.h"
#include "card/issuer.h"

namespace bundle {
namespace {

constexpr size_t kChunk = 64 * 1024;

base::Status ReadExact(base::SequentialFile& in, uint8_t* buf, size_t n, const char* what) {
  size_t done = 0;
  while (done < n) {
    CK_ASSIGN_OR_RETURN(size_t got, in.Read(buf + done, n - done));
    if (got == 0)
      return base::DataLoss(std::string("bundle is truncated: ") + what + " incomplete");
    done += got;
  }
  return base::Status::Ok();
}

struct ZstdDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

constexpr card::CoseRules kManifestCose{.cbor = {.max_depth = 2, .allow_indefinite = false},
                                        .require_sign1_tag = true,
                                        .allow_cwt_tag = false,
                                        .allow_unprotected_headers = false,
                                        .kid_size = 8};

}  // namespace

base::Result<Header> ReadHeader(base::SequentialFile& in, const card::PublicKey* trusted) {
  uint8_t head[12];
  CK_TRY(ReadExact(in, head, sizeof head, "header"));
  if (std::memcmp(head, kMagic, sizeof kMagic) != 0) {
    return base::InvalidArgument("not a cardkiosk bundle (the file does not start with CKBUNDLE)");
  }
  const uint32_t len =
      (uint32_t{head[8]} << 24) | (uint32_t{head[9]} << 16) | (uint32_t{head[10]} << 8) | head[11];
  if (len == 0 || len > kMaxManifestBytes) {
    return base::InvalidArgument("manifest length " + std::to_string(len) + " is outside 1.." +
                                 std::to_string(kMaxManifestBytes));
  }
  std::vector<uint8_t> cose(len);
  CK_TRY(ReadExact(in, cose.data(), len, "manifest"));
  card::Sign1View view;
  if (base::Status st = card::ParseSign1(cose, kManifestCose, &view); !st.ok()) {
    return base::InvalidArgument("manifest is not a valid signed structure: " + st.message());
  }
  Header h;
  h.kid = view.kid;
  if (view.alg != static_cast<int64_t>(card::Alg::kES256) &&
      view.alg != static_cast<int64_t>(card::Alg::kEdDSA)) {
    return base::InvalidArgument("manifest uses unsupported algorithm " + std::to_string(view.alg));
  }
  h.alg = static_cast<card::Alg>(view.alg);
  if (trusted != nullptr) {
    if (view.kid != trusted->kid()) {
      return base::Unauthenticated("bundle signed by key " + base::ToHex(view.kid) +
                                   ", but this device trusts key " + base::ToHex(trusted->kid()));
    }
    base::Bytes tbs;
    card::BuildSigStructure(view.protected_bytes, view.payload, &tbs);
    card::SignatureVerifier verifier;
    if (base::Status st = verifier.Verify(h.alg, *trusted, tbs, view.signature); !st.ok()) {
      return base::Unauthenticated("manifest signature does not verify (the bundle was altered): " +
                                   st.message());
    }
  }
  CK_TRY(ParseManifestPayload(view.payload, &h.manifest));
  h.header_bytes = sizeof head + len;
  return h;
}

base::Status ExtractContent(base::SequentialFile& in, const Manifest& m, base::WritableFile& out,
                            uint64_t max_output) {
  card::MdCtxPtr md = card::NewMdCtx();
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1)
    return base::Internal("SHA-256 init failed");
  std::unique_ptr<ZSTD_DCtx, ZstdDeleter> z(m.compression == Compression::kZstd ? ZSTD_createDCtx()
                                                                                : nullptr);
  if (m.compression == Compression::kZstd) {
    if (!z) return base::Internal("zstd: cannot create context");
    // Refuse frames that need a window larger than 8 MiB: bounded memory on small devices.
    ZSTD_DCtx_setParameter(z.get(), ZSTD_d_windowLogMax, 23);
  }
  std::vector<uint8_t> inbuf(kChunk), outbuf(ZSTD_DStreamOutSize());
  uint64_t remaining = m.content_size, written = 0;
  size_t zret = 1;  // zstd: non-zero until a frame is complete
  // A decoding problem is remembered, not returned at once: the whole content is still hashed so
  // that altered content is reported as such (a hash mismatch) rather than as a zstd error.
  base::Status decode_error;
  auto emit = [&](const uint8_t* p, size_t n) -> base::Status {
    written += n;
    if (written > max_output) {
      return base::OutOfRange("registry would exceed " + std::to_string(max_output >> 20) + " MiB");
    }
    return out.Append({p, n});
  };
  auto decompress = [&](ZSTD_inBuffer* zin) -> base::Status {
    do {
      ZSTD_outBuffer zout{outbuf.data(), outbuf.size(), 0};
      zret = ZSTD_decompressStream(z.get(), &zout, zin);
      if (ZSTD_isError(zret)) {
        decode_error =
            base::DataLoss(std::string("bundle content: zstd: ") + ZSTD_getErrorName(zret));
        return base::Status::Ok();
      }
      CK_TRY(emit(outbuf.data(), zout.pos));
      if (zin->size == 0 && zout.pos < zout.size) break;  // flushing: nothing more held back
    } while (zin->pos < zin->size || zin->size == 0);
    return base::Status::Ok();
  };
  while (remaining > 0) {
    CK_ASSIGN_OR_RETURN(
        size_t got,
        in.Read(inbuf.data(), static_cast<size_t>(std::min<uint64_t>(kChunk, remaining))));
    if (got == 0) {
      return base::DataLoss(
          "bundle content is truncated: " + std::to_string(m.content_size - remaining) + " of " +
          std::to_string(m.content_size) + " bytes (was the stick pulled out?)");
    }
    remaining -= got;
    EVP_DigestUpdate(md.get(), inbuf.data(), got);
    if (!decode_error.ok()) continue;
    if (m.compression == Compression::kNone) {
      CK_TRY(emit(inbuf.data(), got));
      continue;
    }
    ZSTD_inBuffer zin{inbuf.data(), got, 0};
    CK_TRY(decompress(&zin));
  }
  if (m.compression == Compression::kZstd && decode_error.ok() && zret != 0) {
    ZSTD_inBuffer zin{nullptr, 0, 0};
    CK_TRY(decompress(&zin));
    if (decode_error.ok() && zret != 0)
      decode_error = base::DataLoss("bundle content: zstd stream is incomplete");
  }
  uint8_t extra = 0;
  CK_ASSIGN_OR_RETURN(size_t more, in.Read(&extra, 1));
  if (more != 0)
    return base::InvalidArgument(
        "bundle has bytes after its content (manifest size does not match)");
  std::array<uint8_t, 32> digest{};
  unsigned int dlen = 0;
  EVP_DigestFinal_ex(md.get(), digest.data(), &dlen);
  if (digest != m.content_sha256) {
    return base::Unauthenticated(
        "content hash does not match the manifest (content altered or from another bundle)");
  }
  return decode_error;
}

base::Result<base::Bytes> EncodeHeader(const Manifest& m, const card::PrivateKey& key) {
  CK_ASSIGN_OR_RETURN(card::PublicKey pub, key.Public());
  base::Bytes payload = EncodeManifestPayload(m);
  CK_ASSIGN_OR_RETURN(base::Bytes cose, card::SignCose(key, pub.kid(), payload));
  base::Bytes out(kMagic, kMagic + sizeof kMagic);
  const auto len = static_cast<uint32_t>(cose.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(len >> shift));
  out.insert(out.end(), cose.begin(), cose.end());
  return out;
}

}  // namespace bundle
