// Journal collection by USB stick: the receipt extension that writes this device's journal export
// onto the stick (DESIGN.md section 8).
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"
#include "base/fs.h"
#include "card/crypto.h"
#include "sync/usb_watcher.h"

namespace ck_sync {

// The export's file name on the stick: one per device, replaced on every visit.
std::string JournalExportFileName(const std::string& device_id);

// Returns an extension that writes the entries after the last acknowledged seq, signed by the
// device key, to VOLUME/cardkiosk-journal-<device_id>.ckjournal (temporary file, fsync, rename,
// fsync of the volume) and returns the receipt lines that say what was written or why not. It
// opens DATA_DIR/journal.db for each visit (a second connection next to the kiosk's is fine: WAL).
// Before that, an acknowledgement from the office on the stick (VOLUME/cardkiosk-ack-<kid>.ckack,
// journal/ack.h) signed by `ack_key` (the pinned bundle key; none: acks are not taken) is checked
// and recorded, so the export starts after what the union holds; a refused ack changes nothing
// and says why. The export's last seq is recorded as written to a stick (Journal::ExportedSeq):
// that is not an acknowledgement. `fs` and `clock` must outlive the extension.
ReceiptExtension MakeJournalExportExtension(base::FileSystem& fs, const base::Clock& clock,
                                            std::string data_dir, std::string device_id,
                                            std::optional<card::PublicKey> ack_key = std::nullopt);

}  // namespace ck_sync
