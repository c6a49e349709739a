#include "bundle/writer.h"

#include <openssl/evp.h>
#include <zstd.h>

#include <memory>
#include <vector>

#include "base/file.h"
#include "base/fs.h"
#include "bundle/format.h"
#include "card/crypto.h"

namespace bundle {
namespace {

constexpr int kZstdLevel = 9;

struct ZstdCDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

// Compresses (or copies) `in` into `out`, hashing what is written.
base::Status Pack(base::SequentialFile& in, base::WritableFile& out, Compression compression,
                  Manifest* m) {
  card::MdCtxPtr md = card::NewMdCtx();
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1) {
    return base::Internal("SHA-256 init failed");
  }
  std::unique_ptr<ZSTD_CCtx, ZstdCDeleter> z(ZSTD_createCCtx());
  ZSTD_CCtx_setParameter(z.get(), ZSTD_c_compressionLevel, kZstdLevel);
  ZSTD_CCtx_setParameter(z.get(), ZSTD_c_nbWorkers, 2);  // ignored by single-threaded builds
  ZSTD_CCtx_setParameter(z.get(), ZSTD_c_checksumFlag, 1);
  std::vector<uint8_t> inbuf(ZSTD_CStreamInSize()), outbuf(ZSTD_CStreamOutSize());
  uint64_t size = 0;
  auto emit = [&](const uint8_t* p, size_t n) -> base::Status {
    EVP_DigestUpdate(md.get(), p, n);
    size += n;
    return out.Append({p, n});
  };
  for (;;) {
    CK_ASSIGN_OR_RETURN(size_t got, in.Read(inbuf.data(), inbuf.size()));
    const bool last = got == 0;
    if (compression == Compression::kNone) {
      if (last) break;
      CK_TRY(emit(inbuf.data(), got));
      continue;
    }
    ZSTD_inBuffer zin{inbuf.data(), got, 0};
    const ZSTD_EndDirective mode = last ? ZSTD_e_end : ZSTD_e_continue;
    bool finished = false;
    while (!finished) {
      ZSTD_outBuffer zout{outbuf.data(), outbuf.size(), 0};
      const size_t rem = ZSTD_compressStream2(z.get(), &zout, &zin, mode);
      if (ZSTD_isError(rem)) return base::Internal(std::string("zstd: ") + ZSTD_getErrorName(rem));
      CK_TRY(emit(outbuf.data(), zout.pos));
      finished = last ? rem == 0 : zin.pos == zin.size;
    }
    if (last) break;
  }
  unsigned int len = 0;
  EVP_DigestFinal_ex(md.get(), m->content_sha256.data(), &len);
  m->content_size = size;
  return base::Status::Ok();
}

base::Status CopyInto(base::SequentialFile& in, base::WritableFile& out) {
  std::vector<uint8_t> buf(1 << 16);
  for (;;) {
    CK_ASSIGN_OR_RETURN(size_t got, in.Read(buf.data(), buf.size()));
    if (got == 0) return base::Status::Ok();
    CK_TRY(out.Append({buf.data(), got}));
  }
}

}  // namespace

base::Result<Manifest> WriteBundle(base::FileSystem& fs, const std::string& registry_path,
                                   Manifest m, const card::PrivateKey& key,
                                   const std::string& out_path) {
  const std::string content_tmp = out_path + ".content.tmp";
  const std::string out_tmp = out_path + ".tmp";
  base::Status st = [&]() -> base::Status {
    {
      CK_ASSIGN_OR_RETURN(auto in, fs.OpenSequential(registry_path));
      CK_ASSIGN_OR_RETURN(auto content, fs.OpenWritable(content_tmp, 0600));
      CK_TRY(Pack(*in, *content, m.compression, &m));
      CK_TRY(content->Close());
    }
    CK_ASSIGN_OR_RETURN(base::Bytes header, EncodeHeader(m, key));
    CK_ASSIGN_OR_RETURN(auto out, fs.OpenWritable(out_tmp, 0644));
    CK_TRY(out->Append(header));
    CK_ASSIGN_OR_RETURN(auto content, fs.OpenSequential(content_tmp));
    CK_TRY(CopyInto(*content, *out));
    CK_TRY(out->Sync());
    CK_TRY(out->Close());
    CK_TRY(fs.Rename(out_tmp, out_path));
    return fs.SyncDir(base::DirName(out_path));
  }();
  (void)fs.Remove(content_tmp);
  if (!st.ok()) {
    (void)fs.Remove(out_tmp);
    return st;
  }
  return m;
}

}  // namespace bundle
