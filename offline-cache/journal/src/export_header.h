// The signed header of a .ckjournal (docs/journal.md): its CBOR encoding and strict decoder, for
// formats 1 and 2. Internal to ck_journal.
#pragma once

#include "base/bytes.h"
#include "base/status.h"
#include "journal/export.h"

namespace journal {

// The header's map: keys 1..8 for version 1, 1..11 for version 2 (h.version decides).
base::Bytes EncodeExportHeader(const ExportHeader& h);
// Reads either version; anything else (another version, a field missing, out of order or of
// another type, trailing bytes) is kInvalidArgument naming what was wrong.
base::Status DecodeExportHeader(base::ByteSpan b, ExportHeader* h);

}  // namespace journal
