// Durable appends for decision_bench: journal::Journal::Append on a real file, timed in the same
// run, one append alternating with one bare durable SQLite insert of the same kind of row into a
// copy of the same journal (same schema, indexes, triggers, WAL and synchronous=FULL, one fsync per
// commit), so that what the journal adds above the insert and its fsync (the entry's checks, uuid
// and chain hash, the identity checks of journal.db and its WAL) is measured whatever the disk is
// doing at the time.
#pragma once

#include <cstddef>
#include <string>

#include "journal/journal.h"

namespace bench {

// `journal_path` is the file `j` writes; the copy is made beside it (bare.db, removed after).
void BenchAppends(const std::string& journal_path, journal::Journal& j, const journal::NewEntry& n,
                  size_t appends);

}  // namespace bench
