// journal.db: the device's append-only, hash-chained log of redemptions, check-ins and rejected
// scans (DESIGN.md section 6). Precious: never replaced, never edited; an entry is on disk (WAL
// committed with synchronous=FULL) before Append returns.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "journal/entry.h"
#include "sqlite/db.h"

namespace journal {

inline constexpr char kJournalFile[] = "journal.db";

// What the caller decides; the journal adds seq, uuid, times and the chain.
struct NewEntry {
  Kind kind = Kind::kRejected;
  std::optional<card::Rid> rid;
  std::string partner_id, event_id, offer_id;
  int64_t purchase_minor = 0, discount_minor = 0, bundle_seq = 0;
  std::string verdict, decision;
  // Format 2 (journal/entry.h): cashback, the entry a void cancels, who did it, the clock before
  // a correction.
  int64_t cashback_minor = 0;
  std::string ref_uuid, actor;
  int64_t clock_before_utc = 0;
};

struct DiscountUsage {
  int64_t count = 0;           // accepted purchases under the offer
  int64_t discount_minor = 0;  // their total discount plus cashback (what an amount cap counts)
};

// The chain a new journal follows (`cardctl journal new-chain`): the journal id and last seq the
// device knew before its journal.db went missing.
struct PreviousChain {
  std::string journal_id;
  int64_t last_seq = 0;
};

// Who this journal is (journal.db's meta table): a random id made when the chain starts, and the
// chain it follows, if an admin started it after the previous one was lost.
struct Identity {
  std::string journal_id;
  std::string previous_journal_id;  // empty: the device's first chain (or not known)
  int64_t previous_last_seq = 0;
};

class FileWatch;

struct JournalOptions {
  // The SQLite VFS journal.db is opened through (a name registered with sqlite3_vfs_register);
  // empty: SQLite's default. Tests pass a fault-injecting one (tests/unit/fault_vfs.h).
  std::string sqlite_vfs;
  // Recorded in a journal that gets its id at this open (a new file); ignored otherwise.
  std::optional<PreviousChain> previous;
};

struct ChainReport {
  int64_t entries = 0;
  int64_t first_bad_seq = 0;  // 0 when the chain verifies
  std::string problem;        // why first_bad_seq is bad
};

// One writer per file (the kiosk process); readers may open the same file. Not thread-safe.
//
// At every write (before and after Append's commit, before Ack's) the journal checks that
// journal.db and journal.db-wal at its path are still the files it opened (device, inode, never
// smaller): if either was removed, replaced or truncated, the write fails with kDataLoss (an entry
// written into such a file is nowhere anyone will read it) and every later write fails the same way
// without writing: the device needs an admin.
class Journal {
 public:
  ~Journal();
  // Creates the file and schema if missing; gives a journal without an id one (an older file's
  // migration). `clock` must outlive the journal.
  static base::Result<std::unique_ptr<Journal>> Open(const std::string& path,
                                                     const base::Clock& clock,
                                                     const JournalOptions& options = {});

  // Appends durably and returns the complete entry (seq, uuid, time, hashes filled in).
  base::Result<Entry> Append(const NewEntry& e);

  const Identity& identity() const { return id_; }
  // As of the open, the last Append or the last ReloadTail: this connection's view. Another
  // connection to the file (the kiosk's session beside a sync's) may have appended since.
  int64_t last_seq() const { return last_seq_; }
  int64_t last_time() const { return last_time_; }  // 0 when empty
  // Reads the last entry (seq, time, hash) from the file again, for a connection that shares the
  // file with the writer (the background sync reads it fresh before each batch).
  base::Status ReloadTail() {
    attendance_counts_.clear();
    manual_counts_.clear();
    return LoadTail();
  }

  base::Result<int64_t> AckedSeq();
  // Records that entries up to `seq` reached the union (export collected or hub acknowledged).
  // Never moves back; refuses a seq beyond the last entry.
  base::Status Ack(int64_t seq);

  // Entries up to this seq were written to a USB stick (not yet known to have reached the union:
  // that is AckedSeq). Never moves back; refuses a seq beyond the last entry.
  base::Result<int64_t> ExportedSeq();
  base::Status MarkExported(int64_t seq);

  // Entries with from_seq <= seq <= to_seq, in order.
  base::Status ForEach(int64_t from_seq, const std::function<base::Status(const Entry&)>& fn,
                       int64_t to_seq = kMaxSeq);

  // Accepted discounts of this member under this offer with time in [from, to), voided ones not
  // counted (a void gives the member's cap use back).
  base::Result<DiscountUsage> Usage(const card::Rid& rid, const std::string& offer_id, int64_t from,
                                    int64_t to);
  // Accepted check-ins of this member at this event that no void cancels: count and the time of
  // the first.
  base::Result<std::pair<int64_t, int64_t>> CheckinsOf(const card::Rid& rid,
                                                       const std::string& event_id);
  // Distinct members checked in at this event (voided check-ins not counted). Counted from the
  // journal once per event and connection, then kept up to date by Append (an accepted check-in
  // of a member not yet checked in there adds one; a void makes the next call count again), so an
  // event desk's count does not grow with the journal. ReloadTail forgets the counts (another
  // connection may have appended).
  base::Result<int64_t> Attendance(const std::string& event_id);
  // Manual door counts (kind manual_count: people let in without a card) at this event that no
  // void cancels; kept up to date by Append like Attendance.
  base::Result<int64_t> ManualCount(const std::string& event_id);
  // Entries of this kind ("clock_correction") in the journal, e.g. for the status report.
  base::Result<int64_t> CountKind(const std::string& kind);

  // Corrections (corrections.cc). The entry with this uuid in this journal, if any.
  base::Result<std::optional<Entry>> Find(const std::string& uuid);
  // The void that cancels the entry `uuid`, if any.
  base::Result<std::optional<Entry>> VoidOf(const std::string& uuid);
  // The newest `limit` entries of the kinds a person at the counter or door made (discount,
  // checkin, manual_count), newest first.
  base::Result<std::vector<Entry>> Recent(int limit);
  // The newest accepted check-in or manual count at this event that no void cancels (the door's
  // undo), if any.
  base::Result<std::optional<Entry>> LastCheckin(const std::string& event_id);

  // Recomputes every hash and link; names the first entry that does not fit.
  base::Result<ChainReport> VerifyChain();

 private:
  Journal(sqlite::Db db, const base::Clock& clock);
  base::Status LoadIdentity(const std::optional<PreviousChain>& previous);
  base::Status ReadIdentity();
  base::Status CheckFiles();
  base::Status Prepare();
  base::Status LoadTail();
  base::Result<int64_t> StateValue(const char* key);

  sqlite::Db db_;
  const base::Clock& clock_;
  // After an accepted check-in was appended: counts it in attendance_counts_ if it is the
  // member's first at that event.
  void CountCheckin(const Entry& e);
  base::Result<std::optional<Entry>> FindOne(const std::string& where,
                                             const std::vector<std::string>& params);

  sqlite::Stmt insert_, usage_, checkins_, attendance_, manual_;
  std::map<std::string, int64_t> attendance_counts_;  // by event id, for Attendance
  std::map<std::string, int64_t> manual_counts_;      // by event id, for ManualCount
  int64_t last_seq_ = 0;
  int64_t last_time_ = 0;
  Hash last_hash_{};
  Identity id_;
  std::unique_ptr<FileWatch> watch_;
  base::Status broken_;  // the first kDataLoss from CheckFiles, for every later write
};

// A random RFC 4122 version-4 UUID in its text form.
std::string NewUuid();

}  // namespace journal
