// .ckjournal: a batch of journal entries signed by the device key (docs/journal.md). Written by
// `cardctl journal export` and the USB watcher, checked by `cardctl journal verify` and the hub.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "card/crypto.h"
#include "journal/entry.h"
#include "journal/journal.h"

namespace journal {

inline constexpr char kExportMagic[8] = {'C', 'K', 'J', 'O', 'U', 'R', 'N', 'L'};
inline constexpr int64_t kExportVersion = 1;

struct ExportHeader {
  int64_t version = kExportVersion;
  std::string device_id;
  int64_t created = 0;
  int64_t first_seq = 0, last_seq = 0;  // 0, 0 for an empty batch
  Hash anchor{};                        // prev_hash of the first entry
  int64_t count = 0;
  Hash body_sha256{};
};

// Entries from `from_seq` on, at most `max_entries` of them (a batch), signed with `device_key`.
base::Result<base::Bytes> WriteExport(Journal& journal, int64_t from_seq,
                                      const std::string& device_id,
                                      const card::PrivateKey& device_key, int64_t created,
                                      int64_t max_entries = kMaxSeq);

struct Totals {
  int64_t discounts = 0, discount_minor = 0, purchase_minor = 0, checkins = 0, refused = 0;
};

struct ExportCheck {
  ExportHeader header;
  card::Kid signer{};
  bool signature_ok = false;
  std::string signature_problem;
  bool body_hash_ok = false;
  std::vector<Entry> entries;  // as parsed, in file order
  int64_t first_bad_seq = 0;   // 0 when every entry checks; else the first that does not
  std::string problem;         // why
  std::map<std::string, Totals> per_partner, per_event;
  int64_t rejected_scans = 0;
  bool ok() const { return signature_ok && body_hash_ok && first_bad_seq == 0; }
};

// Parses and checks everything it can, reporting rather than stopping at the first problem: the
// signature (against `device_pub`), the body hash, every entry's hash and link (first bad seq),
// and totals per partner and per event. Fails only on a file that is not an export at all.
base::Result<ExportCheck> CheckExport(base::ByteSpan file, const card::PublicKey& device_pub);

}  // namespace journal
