// Which journal a kiosk's data directory holds, so that a lost journal.db is an alarm and not a
// silent new chain at seq 1. DIR/journal.id (the marker) names the chain's journal id and the last
// seq the device knew at its last start; it is written when a chain starts and at each start
// after entries were added (never per entry). Not thread-safe; one kiosk process per directory.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/fs.h"
#include "base/status.h"
#include "journal/journal.h"

namespace journal {

inline constexpr char kChainMarkerFile[] = "journal.id";

struct ChainMarker {
  std::string journal_id;
  int64_t last_seq = 0;
};

// nullopt if DIR has no marker (a new device, or one older than the marker).
base::Result<std::optional<ChainMarker>> ReadChainMarker(base::FileSystem& fs,
                                                         const std::string& data_dir);
// Written atomically and synced.
base::Status WriteChainMarker(base::FileSystem& fs, const std::string& data_dir,
                              const ChainMarker& marker);

// The kiosk's journal in DIR: created with its marker on a new device; refused with kDataLoss if
// the marker shows a journal existed and journal.db is missing, or holds another journal id (an
// admin must decide: StartNewChain). Brings the marker up to date. `clock` must outlive it.
base::Result<std::unique_ptr<Journal>> OpenDeviceJournal(base::FileSystem& fs,
                                                         const std::string& data_dir,
                                                         const base::Clock& clock);

// Another connection to the journal DIR already holds (a sync, an export, an admin command): never
// creates one, so a journal.db that went missing is not replaced by an empty one. kNotFound names
// the path when it is missing.
base::Result<std::unique_ptr<Journal>> OpenExistingJournal(base::FileSystem& fs,
                                                           const std::string& data_dir,
                                                           const base::Clock& clock);

// The admin's decision after a journal was lost: a new journal.db whose meta records the previous
// journal id and last seq from the marker (empty and 0 without one), and a marker naming it.
// kAlreadyExists if DIR still has a journal.db (move it aside first: it is evidence).
base::Result<Identity> StartNewChain(base::FileSystem& fs, const std::string& data_dir,
                                     const base::Clock& clock);

}  // namespace journal
