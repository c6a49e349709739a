#include "sync/journal_to_stick.h"

#include "journal/chain.h"
#include "journal/device_key.h"
#include "journal/export.h"
#include "journal/journal.h"

namespace ck_sync {
namespace {

base::Status WriteOnto(base::FileSystem& fs, const std::string& dir, const std::string& name,
                       base::ByteSpan data) {
  const std::string path = dir + "/" + name;
  const std::string tmp = dir + "/." + name + ".tmp";
  CK_TRY(fs.Remove(tmp));
  CK_ASSIGN_OR_RETURN(auto f, fs.OpenWritable(tmp, 0644));
  CK_TRY(f->Append(data));
  CK_TRY(f->Sync());
  CK_TRY(f->Close());
  CK_TRY(fs.Rename(tmp, path));
  return fs.SyncDir(dir);
}

}  // namespace

std::string JournalExportFileName(const std::string& device_id) {
  return "cardkiosk-journal-" + device_id + ".ckjournal";
}

ReceiptExtension MakeJournalExportExtension(base::FileSystem& fs, const base::Clock& clock,
                                            std::string data_dir, std::string device_id) {
  return [&fs, &clock, data_dir = std::move(data_dir),
          device_id = std::move(device_id)](const std::string& volume) {
    const std::string name = JournalExportFileName(device_id);
    std::string what;
    base::Status st = [&]() -> base::Status {
      CK_ASSIGN_OR_RETURN(auto j, journal::OpenExistingJournal(fs, data_dir, clock));
      CK_ASSIGN_OR_RETURN(card::PrivateKey key, journal::LoadOrCreateDeviceKey(fs, data_dir));
      CK_ASSIGN_OR_RETURN(int64_t acked, j->AckedSeq());
      // Exactly acked + 1..last as read now, even while the session appends (an empty file when
      // nothing is new), so the line below names what the file holds.
      const int64_t last = j->last_seq();
      CK_ASSIGN_OR_RETURN(
          base::Bytes file,
          journal::WriteExport(*j, last > acked ? acked + 1 : journal::kMaxSeq, device_id, key,
                               clock.NowUnixSeconds(), last > acked ? last - acked : 1));
      CK_TRY(WriteOnto(fs, volume, name, file));
      what = last > acked ? "entries " + std::to_string(acked + 1) + ".." + std::to_string(last) +
                                " (" + std::to_string(last - acked) + ")"
                          : "no new entries";
      return base::Status::Ok();
    }();
    if (!st.ok()) return std::vector<std::string>{"journal: export failed: " + st.message()};
    return std::vector<std::string>{"journal: exported " + what + " to " + name};
  };
}

}  // namespace ck_sync
