// Importer: the delta half (manifest version 2). See importer.h.
#include <charconv>
#include <cstring>
#include <vector>

#include "base/hex.h"
#include "base/time_format.h"
#include "bundle/delta.h"
#include "bundle/format.h"
#include "bundle/importer.h"
#include "registry/changes.h"
#include "registry/registry.h"
#include "registry/state.h"
#include "sqlite/db.h"

namespace bundle {
namespace {

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

// The delta's result before its commit: the meta the manifest names, keys the kiosk can use.
base::Status CheckApplied(sqlite::Db& db, const Manifest& m) {
  base::Result<registry::Meta> meta = registry::ReadMeta(db);
  if (!meta.ok()) return meta.status().WithContext("registry the delta makes");
  if (meta->seq != m.seq || meta->created != m.created) {
    return base::InvalidArgument("the delta makes a registry of seq " + std::to_string(meta->seq) +
                                 " created " + base::FormatIso8601Utc(meta->created) +
                                 " but its manifest says seq " + std::to_string(m.seq) +
                                 " created " + base::FormatIso8601Utc(m.created));
  }
  base::Result<std::vector<card::IssuerKey>> keys = registry::ReadIssuerKeys(db);
  if (!keys.ok()) return keys.status().WithContext("registry the delta makes cannot be used");
  // The digest the result records is what the next delta's base is checked against.
  base::Result<std::optional<registry::StateDigest>> recorded =
      registry::ReadRecordedStateDigest(db);
  if (!recorded.ok()) return recorded.status().WithContext("registry the delta makes");
  if (recorded->has_value() && **recorded != m.target_state) {
    return base::InvalidArgument(
        "the delta makes a registry that records state " + base::ToHex(**recorded).substr(0, 16) +
        " but its manifest says state " + base::ToHex(m.target_state).substr(0, 16));
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<std::array<uint8_t, 32>> Importer::AppliedStateDigest(
    const registry::Meta& applied) const {
  const std::string path = registry_path();
  CK_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly));
  // Recorded by the builder in the registry itself (signed with it in the full bundle) and kept
  // right by every delta since, which carries that row's new value like any other meta row.
  base::Result<std::optional<registry::StateDigest>> recorded =
      registry::ReadRecordedStateDigest(db);
  if (!recorded.ok()) return recorded.status().WithContext("reading the registry in use");
  if (recorded->has_value()) return **recorded;
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
  // No record of the state (a registry built before it was recorded): read the registry itself.
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

base::Status Importer::ApplyDeltaInPlace(base::SequentialFile& in, const Manifest& m) {
  base::Bytes records;
  {
    BytesSink sink(&records);
    CK_TRY(ExtractContent(in, m, sink, kMaxDeltaRecordBytes));
  }
  CK_ASSIGN_OR_RETURN(sqlite::Db db,
                      sqlite::Db::Open(registry_path(), sqlite::Db::Mode::kReadWrite, sqlite_vfs_));
  // The registry in use, changed in place in one transaction, so the cost is what changed. The
  // rollback journal keeps the old pages and is synced before the first page of registry.db is
  // written; deleting it is the commit, and synchronous=EXTRA syncs the directory after that, so a
  // success is on disk. Cut short before, the journal is hot and the next open puts the old pages
  // back (registry::RollBackInterruptedChange). Readers see the old rows until the commit.
  CK_TRY(
      db.Exec("PRAGMA journal_mode=DELETE; PRAGMA synchronous=EXTRA; "
              "PRAGMA cache_size=-16384; PRAGMA busy_timeout=10000"));
  CK_TRY(db.Exec("BEGIN IMMEDIATE"));
  base::Status st = [&]() -> base::Status {
    base::Result<registry::ChangeSummary> applied = registry::ApplyRecords(db, records);
    if (!applied.ok()) return applied.status().WithContext("delta seq " + std::to_string(m.seq));
    CK_TRY(CheckApplied(db, m));
    return db.Exec("COMMIT");
  }();
  if (!st.ok()) {
    (void)db.Exec("ROLLBACK");
    (void)db.Close();
    // A rollback that could not write leaves the journal: put the old pages back now if the
    // disk lets us (the next open does it otherwise).
    (void)registry::RollBackInterruptedChange(registry_path(), sqlite_vfs_);
    return st;
  }
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
