// The admin commands of cardhub (enroll, withdraw, publish, devices, entries, flags), as
// functions over a HubStore that write their output to a FILE*. The files of the data directory
// (bundles, registry.db) go through the caller's FileSystem.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "base/fs.h"
#include "base/status.h"
#include "hub/store.h"

namespace hub {

base::Status Enroll(HubStore& store, const std::string& pubkey_file, const std::string& name,
                    int64_t now, std::FILE* out);
base::Status Withdraw(HubStore& store, const std::string& name, std::FILE* out);

// Checks the bundle's header (signature too when `trust_key_file` is set) and its whole content,
// refuses a seq not above the published one, keeps a copy in DIR/bundles/ and the registry it
// carries as DIR/registry.db (for `flags`). A delta bundle is kept beside the full ones (its seq
// at most the published one's; the newest 64 are kept) for GET /v1/bundle to choose from.
base::Status Publish(HubStore& store, base::FileSystem& fs, const std::string& data_dir,
                     const std::string& bundle_file,
                     const std::optional<std::string>& trust_key_file, int64_t now, std::FILE* out);

// A header line, then one line per device (tab-separated): name, kid, enrolled, last seen (last
// upload or import), acked seq, state, the registry seq of its last entry, the last seq received,
// that entry's time, app version and pending entries ("-": not known to the hub).
base::Status ListDevices(HubStore& store, std::FILE* out);
// For every active device the hub holds entries of: DIR_OUT/cardkiosk-ack-<kid>.ckack saying
// the union holds its entries through its acked seq (journal/ack.h), signed with the bundle key
// in `bundle_key_file` (the key the kiosks pin), for USB-only kiosks to take from the next stick.
// One line per file written.
base::Status WriteAcks(HubStore& store, base::FileSystem& fs, const std::string& bundle_key_file,
                       const std::string& out_dir, int64_t now, std::FILE* out);
// One JSON object per line per stored entry.
base::Status ListEntries(HubStore& store, const std::optional<std::string>& device_name,
                         std::FILE* out);
// First the journal batches refused as conflicts ("conflict device=... seq=... uuid=... at=...
// reason=..."), then the kiosks' clock corrections ("clock_correction device=... seq=... time=<new>
// before=<old> actor=..."), then members over an offer's count cap within one cap period, across
// more than one kiosk: one line each. Caps come from DIR/registry.db (the latest published bundle's
// registry).
base::Status Flags(HubStore& store, base::FileSystem& fs, const std::string& data_dir,
                   int64_t utc_offset_seconds, std::FILE* out);
// The same flags as CSV (UTF-8 with BOM, ';', CRLF): the header "kind;rid;device;seq;uuid;offer;
// period;from;count;cap;devices;time;before;actor;at;reason" and one row a flag, its kind
// (conflict, clock_correction, over_cap) and the fields the text line has; a rid for over_cap,
// so that `cardctl members-of` names the member.
base::Result<std::string> FlagsCsv(HubStore& store, base::FileSystem& fs,
                                   const std::string& data_dir, int64_t utc_offset_seconds);

}  // namespace hub
