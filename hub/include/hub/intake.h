// The one way a journal batch (a .ckjournal's bytes) enters the hub, for POST /v1/journal and
// `cardhub import` alike: the device that signed it must be enrolled and not withdrawn, the batch
// must be signed by that device's enrolled key (never a key the file carries), its body must be
// the one signed, every entry must check (hash and link), and then its entries are stored through
// HubStore::PutEntries (anchors, seqs, conflicts, idempotency by uuid: hub/ledger.h). Nothing is
// stored from a refused batch. Thread-safe as the store is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/status.h"
#include "card/crypto.h"
#include "hub/store.h"

namespace hub {

// Why a batch was refused, for the caller's answer (an HTTP status, an import line).
enum class BatchRefusal {
  kNone,
  kUnknownDevice,   // no device enrolled with the signer's kid
  kWithdrawn,       // the device is withdrawn
  kKeyUnreadable,   // the enrolled key cannot be read (the store's fault)
  kNotABatch,       // not a .ckjournal at all
  kWrongSigner,     // signed by another key than the device's
  kBadSignature,    // the signature does not verify
  kBadBody,         // the body is not the one the header signed
  kBadEntry,        // an entry does not check (first_bad_seq)
  kFromTheFuture,   // created, or holds an entry, after BatchRules::latest_time
  kRefusedByStore,  // PutEntries refused it: its status code says why (gap, conflict, shape)
};

// The enrolled, active device with this kid: kNotFound "unknown device" or kPermissionDenied
// "device 'NAME' is withdrawn" otherwise (with `why` set).
base::Result<Device> EnrolledDevice(HubStore& store, const card::Kid& kid, BatchRefusal* why);

// The device's enrolled key, parsed once per process. Parsing a PEM through OpenSSL 3's decoders
// costs more than checking the signature, and takes process-wide locks that every worker thread
// then waits on; a hub checks the same few thousand keys on every request. Keyed by the PEM text,
// so a device enrolled again with another key gets that key; at most kDeviceKeysCached keys are
// kept (past that the cache starts over). A PEM that does not parse is not kept. Thread-safe.
inline constexpr size_t kDeviceKeysCached = 16384;
base::Result<card::PublicKey> DeviceKey(const Device& device);

struct BatchIntake {
  BatchRefusal refusal = BatchRefusal::kNone;
  int64_t first_bad_seq = 0;            // for kBadEntry
  int64_t first_seq = 0, last_seq = 0;  // the batch's, once its header was read
  PutResult put;                        // when stored
};

// What a caller adds to the checks: `cardhub import` refuses files from the future (a kiosk with
// a sane clock cannot have written them); POST /v1/journal adds nothing.
struct BatchRules {
  std::optional<int64_t> latest_time;  // Unix seconds
};

// Checks `file` as a batch from `device` and stores it at `now`. The status is Ok when the batch
// was stored (or every entry was already held); otherwise its message says why and
// `intake->refusal` which check refused it.
base::Status TakeBatch(HubStore& store, const Device& device, base::ByteSpan file, int64_t now,
                       BatchIntake* intake, const BatchRules& rules = {});

}  // namespace hub
