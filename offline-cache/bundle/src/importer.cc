#include "bundle/importer.h"

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "base/file.h"
#include "base/time_format.h"
#include "bundle/format.h"
#include "registry/registry.h"
#include "sqlite/db.h"

namespace bundle {

Importer::Importer(base::FileSystem& fs, const base::Clock& clock, std::string data_dir,
                   card::PublicKey trusted)
    : fs_(fs), clock_(clock), data_dir_(std::move(data_dir)), trusted_(std::move(trusted)) {}

base::Result<std::optional<registry::Meta>> Importer::AppliedMeta() const {
  const std::string path = registry_path();
  if (!fs_.Exists(path)) return std::optional<registry::Meta>();
  CK_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly));
  base::Result<registry::Meta> meta = registry::ReadMeta(db);
  if (!meta.ok()) return meta.status().WithContext("applied registry");
  return std::optional<registry::Meta>(*meta);
}

int64_t Importer::AppliedSeqFloor() const {
  base::Result<std::unique_ptr<base::SequentialFile>> f =
      fs_.OpenSequential(data_dir_ + "/" + kAppliedSeqFile);
  if (!f.ok()) return 0;
  char buf[32] = {};
  base::Result<size_t> n = (*f)->Read(reinterpret_cast<uint8_t*>(buf), sizeof buf - 1);
  if (!n.ok()) return 0;
  int64_t seq = 0;
  auto [end, ec] = std::from_chars(buf, buf + *n, seq);
  (void)end;
  return ec == std::errc() ? seq : 0;
}

base::Status Importer::WriteAppliedSeq(int64_t seq) {
  return base::WriteFileAtomic(fs_, data_dir_ + "/" + kAppliedSeqFile, std::to_string(seq) + "\n",
                               0644);
}

base::Status Importer::CheckIncoming(const std::string& path, const Manifest& m) const {
  CK_ASSIGN_OR_RETURN(sqlite::Db db, sqlite::Db::Open(path, sqlite::Db::Mode::kReadOnly));
  if (base::Status st = db.QuickCheck(); !st.ok())
    return base::DataLoss("registry in the bundle is corrupt: " + st.message());
  base::Result<registry::Meta> meta = registry::ReadMeta(db);
  if (!meta.ok()) return meta.status().WithContext("registry in the bundle");
  if (meta->seq != m.seq) {
    return base::InvalidArgument("registry in the bundle says seq " + std::to_string(meta->seq) +
                                 " but the manifest says seq " + std::to_string(m.seq));
  }
  if (meta->created != m.created) {
    return base::InvalidArgument("registry in the bundle was created " +
                                 base::FormatIso8601Utc(meta->created) + " but the manifest says " +
                                 base::FormatIso8601Utc(m.created));
  }
  CK_TRY(db.Close());
  // What the kiosk will do with it: if it cannot open it (keys that do not parse, ...), refuse now
  // rather than replace a working registry with one the kiosk cannot use.
  base::Result<std::unique_ptr<registry::Registry>> reg = registry::Registry::Open(path);
  if (!reg.ok()) return reg.status().WithContext("registry in the bundle cannot be used");
  return base::Status::Ok();
}

base::Status Importer::CheckSeq(const Manifest& m, const ApplyOptions& options,
                                const std::optional<registry::Meta>& applied, int64_t floor) const {
  const int64_t previous = std::max(applied ? applied->seq : 0, floor);
  const std::string what = m.is_delta() ? "delta bundle seq " : "bundle seq ";
  if (m.seq < previous || (m.seq == previous && (m.is_delta() || !options.reinstall_same_seq))) {
    return base::FailedPrecondition(
        what + std::to_string(m.seq) +
        (m.seq == previous ? " is already applied"
                           : " is older than the applied seq " + std::to_string(previous)) +
        " (refusing to roll back)");
  }
  if (!m.is_delta()) return base::Status::Ok();
  const std::string delta =
      "delta from seq " + std::to_string(m.base_seq) + " to seq " + std::to_string(m.seq);
  if (!applied) {
    return base::FailedPrecondition(delta + " needs the registry of seq " +
                                    std::to_string(m.base_seq) +
                                    ", but this device has no registry: apply a full bundle");
  }
  if (applied->seq != m.base_seq || floor > applied->seq) {
    return base::FailedPrecondition(delta + " applies only onto seq " + std::to_string(m.base_seq) +
                                    ", but this device has seq " + std::to_string(previous) +
                                    ": apply the full bundle of seq " + std::to_string(m.seq) +
                                    " or the deltas from seq " + std::to_string(previous));
  }
  return CheckDeltaBase(m, *applied);
}

base::Result<ApplyReport> Importer::Apply(const std::string& bundle_path,
                                          const ApplyOptions& options) {
  // One apply at a time per data directory, across processes (USB watcher, network sync,
  // cardctl): they share registry.db.incoming.
  base::UniqueFd lock(
      ::open((data_dir_ + "/" + kLockFile).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock.valid()) return base::IoError("opening " + data_dir_ + "/" + kLockFile, errno);
  if (::flock(lock.get(), LOCK_EX) != 0) return base::IoError("locking " + data_dir_, errno);
  const std::string incoming = data_dir_ + "/" + kIncomingFile;
  CK_TRY(fs_.Remove(incoming));  // left over from an apply that was cut short
  // A delta apply cut short leaves a hot journal: play it back before anything reads the
  // registry, or renames another file under that journal.
  if (base::Status st = registry::RollBackInterruptedChange(registry_path(), sqlite_vfs_); !st.ok())
    return st.WithContext("rolling back an interrupted delta apply");
  CK_ASSIGN_OR_RETURN(auto in, fs_.OpenSequential(bundle_path));
  CK_ASSIGN_OR_RETURN(Header header, ReadHeader(*in, &trusted_));
  const Manifest& m = header.manifest;

  ApplyReport report{.manifest = m};
  base::Result<std::optional<registry::Meta>> applied = AppliedMeta();
  const std::optional<registry::Meta> meta = applied.ok() ? *applied : std::nullopt;
  const int64_t floor = AppliedSeqFloor();
  report.previous_seq = std::max(meta ? meta->seq : 0, floor);
  CK_TRY(CheckSeq(m, options, meta, floor));
  if (m.not_after <= clock_.NowUnixSeconds()) {
    return base::FailedPrecondition("bundle seq " + std::to_string(m.seq) + " expired on " +
                                    base::FormatIso8601Utc(m.not_after));
  }
  if (in->size() != header.header_bytes + m.content_size) {
    return base::DataLoss(
        "bundle file is " + std::to_string(in->size()) + " bytes but its manifest says " +
        std::to_string(header.header_bytes + m.content_size) + " (truncated or padded copy)");
  }
  base::Status st = [&]() -> base::Status {
    if (m.is_delta()) return ApplyDeltaInPlace(*in, m);
    CK_ASSIGN_OR_RETURN(auto out, fs_.OpenWritable(incoming, 0644));
    CK_TRY(ExtractContent(*in, m, *out, kMaxRegistryBytes));
    CK_TRY(out->Sync());
    CK_TRY(out->Close());
    CK_TRY(CheckIncoming(incoming, m));
    return Install(incoming, m.seq);
  }();
  if (!st.ok()) {
    (void)fs_.Remove(incoming);
    return st;
  }
  // Best effort: the registry's own meta is the primary record of the applied seq.
  if (base::Status floor_st = WriteAppliedSeq(m.seq); !floor_st.ok()) {
    report.warning = "applied, but the rollback floor was not saved: " + floor_st.message();
  }
  if (m.is_delta()) WriteStateFile(m);
  return report;
}

base::Status Importer::Install(const std::string& incoming, int64_t seq) {
  const std::string current = registry_path();
  const std::string previous = data_dir_ + "/" + kPreviousFile;
  CK_TRY(fs_.Remove(previous));  // left over from an apply that was cut short
  const bool had_registry = fs_.Exists(current);
  if (had_registry) CK_TRY(fs_.Link(current, previous));
  if (base::Status st = fs_.Rename(incoming, current); !st.ok()) {
    (void)fs_.Remove(previous);
    return st;
  }
  const base::Status synced = fs_.SyncDir(data_dir_);
  if (synced.ok()) {
    (void)fs_.Remove(previous);  // a leftover second name is harmless: the next apply removes it
    return base::Status::Ok();
  }
  // The rename is not known to be on disk: after a power loss either registry could be the one
  // found. Not a success then: put the old one back (or none, if there was none) and say so.
  base::Status undo = had_registry ? fs_.Rename(previous, current) : fs_.Remove(current);
  if (undo.ok()) undo = fs_.SyncDir(data_dir_);
  std::string what = "registry seq " + std::to_string(seq) +
                     " was not applied: the data directory could not be synced after the "
                     "rename, so the new registry was not known to be on disk; ";
  if (undo.ok()) {
    what += had_registry ? "the previous registry is back in use" : "it was removed again";
  } else {
    what += "putting the previous registry back failed too (" + undo.message() + ")";
    (void)fs_.Remove(previous);
  }
  return base::Status(synced.code(), what + ": " + synced.message());
}

}  // namespace bundle
