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
// The format written. Format 2 adds the device's key (kid and public key) and the journal id to
// the header; format 1 files still read. A format-1 reader refuses a format-2 file (it demands
// exactly 8 header fields and version 1).
inline constexpr int64_t kExportVersion = 2;
inline constexpr size_t kMaxDeviceKeyBytes = 512;  // a DER SubjectPublicKeyInfo

struct ExportHeader {
  int64_t version = kExportVersion;
  std::string device_id;
  int64_t created = 0;
  int64_t first_seq = 0, last_seq = 0;  // 0, 0 for an empty batch
  Hash anchor{};                        // prev_hash of the first entry
  int64_t count = 0;
  Hash body_sha256{};
  // Format 2 only (empty in a format-1 file):
  card::Kid device_kid{};   // the signing key's kid
  base::Bytes device_spki;  // its DER SubjectPublicKeyInfo
  std::string journal_id;   // the chain the entries belong to (journal/chain.h)
};

// Entries from `from_seq` on, at most `max_entries` of them (a batch), signed with `device_key`,
// in the current format (the journal id is the journal's).
base::Result<base::Bytes> WriteExport(Journal& journal, int64_t from_seq,
                                      const std::string& device_id,
                                      const card::PrivateKey& device_key, int64_t created,
                                      int64_t max_entries = kMaxSeq);

// The file for `header` (its version decides the fields written; body_sha256, and in format 2
// the device kid and key, are filled in here) over `body` (entries as EncodeEntry writes them),
// signed with `device_key`. WriteExport's last step; tests write format-1 files with it.
base::Result<base::Bytes> SealExport(ExportHeader header, base::ByteSpan body,
                                     const card::PrivateKey& device_key);

// The header and the kid that signed it, read without checking the signature: to find which
// device's key to check a file with. Fails on a file that is not an export.
struct ExportPeek {
  ExportHeader header;
  card::Kid signer{};
};
base::Result<ExportPeek> PeekExport(base::ByteSpan file);

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

// CheckExport against the key a format-2 file carries, for an office without the device's key
// file: the key's kid must be the header's and the signer's (else signature_problem says so).
// This shows the file is unaltered since that key signed it, not that the key is a device the
// union enrolled (the hub checks against enrolled keys only). kFailedPrecondition for a format-1
// file (it carries no key).
base::Result<ExportCheck> CheckExportWithItsKey(base::ByteSpan file);

}  // namespace journal
