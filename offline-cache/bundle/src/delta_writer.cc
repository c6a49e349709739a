#include <openssl/evp.h>
#include <zstd.h>

#include <memory>

#include "bundle/delta.h"
#include "bundle/format.h"
#include "sqlite/db.h"

namespace bundle {
namespace {

constexpr int kDeltaZstdLevel = 19;
constexpr int kDeltaWindowLog = 23;  // the importer decodes windows of at most 8 MiB

struct ZstdCDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

base::Result<base::Bytes> Compress(base::ByteSpan in) {
  std::unique_ptr<ZSTD_CCtx, ZstdCDeleter> z(ZSTD_createCCtx());
  if (!z) return base::Internal("zstd: cannot create context");
  ZSTD_CCtx_setParameter(z.get(), ZSTD_c_compressionLevel, kDeltaZstdLevel);
  ZSTD_CCtx_setParameter(z.get(), ZSTD_c_windowLog, kDeltaWindowLog);
  ZSTD_CCtx_setParameter(z.get(), ZSTD_c_checksumFlag, 1);
  base::Bytes out(ZSTD_compressBound(in.size()));
  const size_t n = ZSTD_compress2(z.get(), out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) return base::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

void Sha256(base::ByteSpan data, std::array<uint8_t, 32>* out) {
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out->data(), &len, EVP_sha256(), nullptr);
}

}  // namespace

base::Result<Manifest> ExtractRegistry(base::FileSystem& fs, const std::string& bundle_path,
                                       const card::PublicKey& trusted,
                                       const std::string& out_path) {
  CK_ASSIGN_OR_RETURN(auto in, fs.OpenSequential(bundle_path));
  base::Result<Header> header = ReadHeader(*in, &trusted);
  if (!header.ok()) return header.status().WithContext(bundle_path);
  if (header->manifest.is_delta()) {
    return base::InvalidArgument(
        bundle_path + " is a delta bundle (seq " + std::to_string(header->manifest.base_seq) +
        " to " + std::to_string(header->manifest.seq) + "): a delta is made from a full bundle");
  }
  base::Status st = [&]() -> base::Status {
    CK_ASSIGN_OR_RETURN(auto out, fs.OpenWritable(out_path, 0600));
    CK_TRY(ExtractContent(*in, header->manifest, *out, uint64_t{4} << 30));
    return out->Close();  // a scratch copy, read once and removed: not synced
  }();
  if (!st.ok()) {
    (void)fs.Remove(out_path);
    return st.WithContext(bundle_path);
  }
  return header->manifest;
}

base::Result<DeltaBuild> WriteDeltaBundle(base::FileSystem& fs, const std::string& base_registry,
                                          const std::string& new_registry, Manifest m,
                                          const card::PrivateKey& key, const std::string& out_path,
                                          const std::vector<registry::MemberRecord>* new_members) {
  if (m.base_seq < 1 || m.base_seq >= m.seq) {
    return base::InvalidArgument("a delta goes from an older seq to a newer one: base seq " +
                                 std::to_string(m.base_seq) + ", new seq " + std::to_string(m.seq));
  }
  CK_ASSIGN_OR_RETURN(sqlite::Db old_db,
                      sqlite::Db::Open(base_registry, sqlite::Db::Mode::kReadOnly));
  CK_ASSIGN_OR_RETURN(sqlite::Db new_db,
                      sqlite::Db::Open(new_registry, sqlite::Db::Mode::kReadOnly));
  CK_ASSIGN_OR_RETURN(registry::Diff diff, registry::DiffRegistries(old_db, new_db, new_members));
  if (diff.records.size() > kMaxDeltaRecordBytes) {
    return base::OutOfRange("the change records would be " +
                            std::to_string(diff.records.size() >> 20) + " MiB, more than a " +
                            "kiosk takes (" + std::to_string(kMaxDeltaRecordBytes >> 20) +
                            " MiB): ship the full bundle");
  }
  CK_ASSIGN_OR_RETURN(base::Bytes content, Compress(diff.records));
  m.version = kDeltaFormatVersion;
  m.compression = Compression::kZstd;
  m.base_state = diff.from;
  m.target_state = diff.to;
  m.content_size = content.size();
  Sha256(content, &m.content_sha256);
  CK_ASSIGN_OR_RETURN(base::Bytes header, EncodeHeader(m, key));
  std::string file(header.begin(), header.end());
  file.append(content.begin(), content.end());
  CK_TRY(base::WriteFileAtomic(fs, out_path, file, 0644));
  return DeltaBuild{.manifest = m, .summary = diff.summary};
}

}  // namespace bundle
