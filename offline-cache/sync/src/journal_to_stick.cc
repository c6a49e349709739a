#include "sync/journal_to_stick.h"

#include "base/fs.h"
#include "journal/ack.h"
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

// The office's ack on the stick, if there is one: recorded, or refused with the reason. Returns
// the receipt line ("" when the stick holds none).
std::string TakeAck(base::FileSystem& fs, const std::string& volume, journal::Journal& j,
                    const card::PublicKey& ack_key, const card::Kid& own_kid) {
  const std::string name = journal::AckFileName(own_kid);
  const std::string path = volume + "/" + name;
  if (!fs.Exists(path)) return "";
  base::Result<int64_t> acked = [&]() -> base::Result<int64_t> {
    CK_ASSIGN_OR_RETURN(std::string bytes, base::ReadFile(fs, path, journal::kMaxAckBytes));
    CK_ASSIGN_OR_RETURN(journal::AckClaim ack, journal::ReadAck(base::AsBytes(bytes), ack_key));
    return journal::ApplyAck(j, ack, own_kid);
  }();
  if (!acked.ok()) return "journal: ack refused: " + acked.status().message();
  return "journal: acknowledged by the union through seq " + std::to_string(*acked);
}

}  // namespace

std::string JournalExportFileName(const std::string& device_id) {
  return "cardkiosk-journal-" + device_id + ".ckjournal";
}

ReceiptExtension MakeJournalExportExtension(base::FileSystem& fs, const base::Clock& clock,
                                            std::string data_dir, std::string device_id,
                                            std::optional<card::PublicKey> ack_key) {
  return [&fs, &clock, data_dir = std::move(data_dir), device_id = std::move(device_id),
          ack_key = std::move(ack_key)](const std::string& volume) {
    const std::string name = JournalExportFileName(device_id);
    std::string what, ack_line;
    base::Status st = [&]() -> base::Status {
      CK_ASSIGN_OR_RETURN(auto j, journal::OpenExistingJournal(fs, data_dir, clock));
      CK_ASSIGN_OR_RETURN(card::PrivateKey key, journal::LoadOrCreateDeviceKey(fs, data_dir));
      CK_ASSIGN_OR_RETURN(card::PublicKey pub, key.Public());
      if (ack_key) ack_line = TakeAck(fs, volume, *j, *ack_key, pub.kid());
      CK_ASSIGN_OR_RETURN(int64_t acked, j->AckedSeq());
      // Exactly acked + 1..last as read now, even while the session appends (an empty file when
      // nothing is new), so the line below names what the file holds.
      const int64_t last = j->last_seq();
      CK_ASSIGN_OR_RETURN(
          base::Bytes file,
          journal::WriteExport(*j, last > acked ? acked + 1 : journal::kMaxSeq, device_id, key,
                               clock.NowUnixSeconds(), last > acked ? last - acked : 1));
      CK_TRY(WriteOnto(fs, volume, name, file));
      if (last > acked) CK_TRY(j->MarkExported(last));
      what = last > acked ? "entries " + std::to_string(acked + 1) + ".." + std::to_string(last) +
                                " (" + std::to_string(last - acked) + ")"
                          : "no new entries";
      return base::Status::Ok();
    }();
    std::vector<std::string> lines;
    if (!ack_line.empty()) lines.push_back(ack_line);
    lines.push_back(st.ok() ? "journal: exported " + what + " to " + name
                            : "journal: export failed: " + st.message());
    return lines;
  };
}

}  // namespace ck_sync
