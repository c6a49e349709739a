// Journal collection by USB stick: the receipt extension that writes this device's journal export
// onto the stick (DESIGN.md section 8).
#pragma once

#include <string>

#include "base/clock.h"
#include "base/fs.h"
#include "sync/usb_watcher.h"

namespace ck_sync {

// The export's file name on the stick: one per device, replaced on every visit.
std::string JournalExportFileName(const std::string& device_id);

// Returns an extension that writes the entries after the last acknowledged seq, signed by the
// device key, to VOLUME/cardkiosk-journal-<device_id>.ckjournal (temporary file, fsync, rename,
// fsync of the volume) and returns the receipt lines that say what was written or why not. It
// opens DATA_DIR/journal.db for each visit (a second connection next to the kiosk's is fine: WAL).
// Nothing is acknowledged: that happens when the union confirms it received the entries.
// `fs` and `clock` must outlive the extension.
ReceiptExtension MakeJournalExportExtension(base::FileSystem& fs, const base::Clock& clock,
                                            std::string data_dir, std::string device_id);

}  // namespace ck_sync
