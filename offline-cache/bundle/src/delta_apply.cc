// Importer: the delta half (manifest version 2). See importer.h.
#include <charconv>
#include <cstring>
#include <vector>

#include "base/hex.h"
#include "bundle/delta.h"
#include "bundle/format.h"
#include "bundle/importer.h"
#include "registry/changes.h"
#include "registry/state.h"
#include "sqlite/db.h"

namespace bundle {
namespace {

constexpr size_t kCopyChunk = 128 * 1024;

// Collects the decompressed change records in memory, at most `max` bytes.
class BytesSink final : public base::WritableFile {
 public:
  explicit BytesSink(base::Bytes* out) : out_(out) {}
  base::Status Append(base::ByteSpan data) override {
    out_->insert(out_->end(), data.begin(), data.end());
    return base::Status::Ok();
  }
  base::Status Sync() override { return base::Status::Ok(); }
  base::Status Close() override { return base::Status::Ok(); }

 private:
  base::Bytes* out_;
};

struct StateLine {
  int64_t seq = 0, created = 0;
  uint64_t size = 0;
  std::string digest_hex;
};

std::optional<StateLine> ParseStateLine(std::string_view text) {
  StateLine s;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  auto num = [&](auto* v) {
    auto [q, ec] = std::from_chars(p, end, *v);
    if (ec != std::errc() || q == end || *q != ' ') return false;
    p = q + 1;
    return true;
  };
  if (!num(&s.seq) || !num(&s.created) || !num(&s.size)) return std::nullopt;
  std::string_view rest(p, static_cast<size_t>(end - p));
  if (rest.size() != 65 || rest.back() != '\n') return std::nullopt;
  s.digest_hex.assign(rest.substr(0, 64));
  return s;
}

base::Status CopyFile(base::FileSystem& fs, const std::string& from, const std::string& to) {
  CK_ASSIGN_OR_RETURN(auto in, fs.OpenSequential(from));
  CK_ASSIGN_OR_RETURN(auto out, fs.OpenWritable(to, 0644));
  std::vector<uint8_t> buf(kCopyChunk);
  for (;;) {
    CK_ASSIGN_OR_RETURN(size_t got, in->Read(buf.data(), buf.size()));
    if (got == 0) break;
    CK_TRY(out->Append({buf.data(), got}));
  }
  CK_TRY(out->Sync());
  return out->Close();
}

}  // namespace

base::Result<std::array<uint8_t, 32>> Importer::AppliedStateDigest(
    const registry::Meta& applied) const {
  const std::string path = registry_path();
  uint64_t size = 0;
  {
    CK_ASSIGN_OR_RETURN(auto f, fs_.OpenSequential(path));
    size = f->size();
  }
  base::Result<std::string> text = base::ReadFile(fs_, data_dir_ + "/" + kStateFile, 256);
  if (text.ok()) {
    std::optional<StateLine> line = ParseStateLine(*text);
    if (line && line->seq == applied.seq && line->created == applied.created &&
        line->size == size) {
      base::Result<base::Bytes> bytes = base::FromHex(line->digest_hex);
      std::array<uint8_t, 32> digest{};
      if (bytes.ok() && bytes->size() == digest.size()) {
        std::memcpy(digest.data(), bytes->data(), digest.size());
        return digest;
      }
    }
  }
  // No record of the state (a full bundle was applied last): read the registry itself.
  CK_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly));
  base::Result<registry::StateDigest> d = registry::ComputeStateDigest(db);
  if (!d.ok()) return d.status().WithContext("reading the registry in use");
  return *d;
}

base::Status Importer::CheckDeltaBase(const Manifest& m, const registry::Meta& applied) const {
  CK_ASSIGN_OR_RETURN(auto digest, AppliedStateDigest(applied));
  if (digest != m.base_state) {
    return base::FailedPrecondition(
        "delta from seq " + std::to_string(m.base_seq) + " to seq " + std::to_string(m.seq) +
        " was made from another registry of seq " + std::to_string(m.base_seq) + " (state " +
        base::ToHex(m.base_state).substr(0, 16) + ", this device holds state " +
        base::ToHex(digest).substr(0, 16) + "): apply the full bundle of seq " +
        std::to_string(m.seq));
  }
  return base::Status::Ok();
}

base::Status Importer::BuildFromDelta(base::SequentialFile& in, const Manifest& m,
                                      const std::string& incoming) {
  base::Bytes records;
  {
    BytesSink sink(&records);
    CK_TRY(ExtractContent(in, m, sink, kMaxDeltaRecordBytes));
  }
  CK_TRY(CopyFile(fs_, registry_path(), incoming));
  CK_ASSIGN_OR_RETURN(sqlite::Db db,
                      sqlite::Db::Open(incoming, sqlite::Db::Mode::kReadWrite, sqlite_vfs_));
  // A private copy that nobody reads until it is installed: no rollback journal (a cut-short
  // apply leaves only the copy, which the next apply removes); the commit syncs the file.
  CK_TRY(
      db.Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=FULL; PRAGMA locking_mode=EXCLUSIVE"));
  CK_TRY(db.Exec("BEGIN"));
  base::Result<registry::ChangeSummary> applied = registry::ApplyRecords(db, records);
  if (!applied.ok()) return applied.status().WithContext("delta seq " + std::to_string(m.seq));
  CK_TRY(db.Exec("COMMIT"));
  return db.Close();
}

void Importer::WriteStateFile(const Manifest& m) {
  base::Result<std::unique_ptr<base::SequentialFile>> f = fs_.OpenSequential(registry_path());
  if (!f.ok()) return;
  const std::string line = std::to_string(m.seq) + " " + std::to_string(m.created) + " " +
                           std::to_string((*f)->size()) + " " + base::ToHex(m.target_state) + "\n";
  // Best effort: without it the next delta reads the registry to find its state.
  (void)base::WriteFileAtomic(fs_, data_dir_ + "/" + kStateFile, line, 0644);
}

}  // namespace bundle
