// Applies a bundle to a device's data directory: the one importer behind `cardctl bundle apply`,
// the USB watcher and the network sync. Either the new registry is in place, complete and checked,
// or the old one is still in use, unchanged.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/fs.h"
#include "base/status.h"
#include "bundle/manifest.h"
#include "card/crypto.h"
#include "registry/schema.h"

namespace bundle {

inline constexpr char kRegistryFile[] = "registry.db";
inline constexpr char kIncomingFile[] = "registry.db.incoming";
// A second name (hard link) for the registry in use while a new one is renamed over it, so that
// it can be put back if the rename is not confirmed on disk. Removed when the apply ends.
inline constexpr char kPreviousFile[] = "registry.db.previous";
// The highest seq ever applied, kept beside the registry so that rollback protection survives a
// registry file that became unreadable.
inline constexpr char kAppliedSeqFile[] = "registry.seq";
inline constexpr char kLockFile[] = "registry.lock";  // flock()ed during an apply
// "SEQ CREATED SIZE HEX-DIGEST\n": the state digest of the registry a delta apply made (the one
// its manifest names), so that the next delta's base is checked without reading the whole
// registry. Used only while SEQ, CREATED and the file's SIZE match registry.db; otherwise the
// digest is computed from the registry itself.
inline constexpr char kStateFile[] = "registry.state";
inline constexpr uint64_t kMaxRegistryBytes = uint64_t{4} << 30;

struct ApplyOptions {
  bool reinstall_same_seq = false;  // an admin may reinstall the applied seq (never an older one)
};

struct ApplyReport {
  Manifest manifest;
  int64_t previous_seq = 0;  // 0 when there was no registry
  // Set when the new registry is in use and durable but the rollback floor (registry.seq) was
  // not saved; the registry's own meta still records the seq.
  std::string warning;
};

// Not thread-safe; one apply at a time per data directory (the caller serialises).
class Importer {
 public:
  // `fs`, `clock` must outlive the importer. `trusted` is the pinned bundle key.
  Importer(base::FileSystem& fs, const base::Clock& clock, std::string data_dir,
           card::PublicKey trusted);

  // Refusals (bad signature, rollback, hash, truncation, ...) come back with a message that says
  // exactly why; the code is kIo only for local I/O failures. Success means the new registry is
  // in place and on disk (file and directory synced). Any failure leaves the old registry in use
  // (DESIGN.md section 5), unless the disk also failed while putting it back: the message says so.
  // A delta bundle (manifest version 2) applies only onto the registry it names: its base seq
  // must be the applied seq and its base state digest the applied registry's (a wrong base, a
  // gap, a replay or an older delta is refused, naming both seqs). Its change records are applied
  // to the registry in use, in place, in one SQLite transaction (rollback journal, every record
  // checked against the rows there, the result's meta and keys checked before the commit): the
  // cost grows with the changes, not with the registry. Killed or cut off by a power loss before
  // the commit, the journal puts the old registry back at the next open.
  base::Result<ApplyReport> Apply(const std::string& bundle_path, const ApplyOptions& options = {});

  // For tests: the SQLite VFS (registered name) a delta apply writes the registry through;
  // nullptr (the default) for SQLite's own. The string must outlive the importer.
  void set_sqlite_vfs(const char* vfs) { sqlite_vfs_ = vfs; }

  // The applied registry's meta, or nullopt when none is applied.
  base::Result<std::optional<registry::Meta>> AppliedMeta() const;

  std::string registry_path() const { return data_dir_ + "/" + kRegistryFile; }

 private:
  base::Status CheckIncoming(const std::string& path, const Manifest& m) const;
  base::Status Install(const std::string& incoming, int64_t seq);
  int64_t AppliedSeqFloor() const;
  base::Status WriteAppliedSeq(int64_t seq);
  base::Status CheckSeq(const Manifest& m, const ApplyOptions& options,
                        const std::optional<registry::Meta>& applied, int64_t floor) const;
  // Delta apply (delta_apply.cc).
  base::Status CheckDeltaBase(const Manifest& m, const registry::Meta& applied) const;
  base::Result<std::array<uint8_t, 32>> AppliedStateDigest(const registry::Meta& applied) const;
  base::Status ApplyDeltaInPlace(base::SequentialFile& in, const Manifest& m);
  void WriteStateFile(const Manifest& m);

  base::FileSystem& fs_;
  const base::Clock& clock_;
  std::string data_dir_;
  card::PublicKey trusted_;
  const char* sqlite_vfs_ = nullptr;
};

}  // namespace bundle
