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
// What `flags` calls far above normal (docs/hub.md, "flags"), by the hub's clock (`now`):
// - voids_above_normal: over the last kVoidWindowSeconds (entries by when the hub received them),
//   a device's voids are its accepted discounts that a void cancels, its rate those over its
//   accepted discounts; flagged with at least kMinVoids voids and a rate above kVoidRateFactor
//   times the rest of the fleet's (the other devices' voids over their discounts), or above
//   kVoidRateFloorPercent when the rest voided none.
// - refused_scans: at least kMinRefusedScans refused scans (DeviceStatus::failed_scans) summed
//   over a device's status reports received in the last kRefusedScansWindowSeconds.
inline constexpr int64_t kVoidWindowSeconds = 30 * 86400;
inline constexpr int64_t kMinVoids = 5;
inline constexpr int64_t kVoidRateFactor = 3;
inline constexpr int64_t kVoidRateFloorPercent = 10;
inline constexpr int64_t kRefusedScansWindowSeconds = 86400;
inline constexpr int64_t kMinRefusedScans = 20;

// One line a flag: first the journal batches refused as conflicts ("conflict device=... seq=...
// uuid=... at=... reason=..."), the journal chains after a device's first ("new_chain ..."), the
// kiosks' clock corrections ("clock_correction device=... seq=... time=<new> before=<old>
// actor=..."); then, at `now` (Unix seconds, the hub's clock), the devices whose voids are above
// normal ("voids_above_normal device=... voids=N discounts=M rate=P fleet_rate=Q since=<ISO>"),
// those with many refused scans ("refused_scans device=... refused=N reasons=EXPIRED:12,REVOKED:9
// since=<ISO>"), the latest published bundle when its validity has passed ("bundle_expired
// seq=N valid_until=<ISO>") and each kiosk whose latest status report names a registry seq whose
// bundle the hub holds and whose validity has passed ("kiosk_bundle_expired device=...
// registry_seq=N valid_until=<ISO> reported=<ISO>"); last the members over an offer's count cap
// within one cap period, across more than one kiosk. Caps come from DIR/registry.db (the latest
// published bundle's registry).
base::Status Flags(HubStore& store, base::FileSystem& fs, const std::string& data_dir,
                   int64_t utc_offset_seconds, int64_t now, std::FILE* out);
// The same flags as CSV (UTF-8 with BOM, ';', CRLF): the header "kind;rid;device;seq;uuid;offer;
// period;from;count;cap;devices;chain;journal;time;before;actor;previous_journal;at;reason;voids;
// discounts;rate;fleet_rate;since;refused;reasons;valid_until;registry_seq;reported" and one row
// a flag, its kind and the fields the text line has; a rid for over_cap, so that `cardctl
// members-of` names the member.
base::Result<std::string> FlagsCsv(HubStore& store, base::FileSystem& fs,
                                   const std::string& data_dir, int64_t utc_offset_seconds,
                                   int64_t now);

}  // namespace hub
