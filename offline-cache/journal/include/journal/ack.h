// Acknowledgements for kiosks that sync by USB stick only (docs/journal.md, "Acknowledgements"):
// the office writes, per device, a file saying "the union holds this device's entries through
// seq N, whose hash is H", signed with the bundle key the kiosk already pins; the kiosk takes it
// from the next stick. The hash ties the ack to the kiosk's own chain: an ack for seqs the kiosk
// never wrote, for another journal, for another device or signed by another key is refused and
// changes nothing.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "card/crypto.h"
#include "journal/entry.h"
#include "journal/journal.h"

namespace journal {

inline constexpr char kAckMagic[8] = {'C', 'K', 'J', 'R', 'N', 'A', 'C', 'K'};
inline constexpr int64_t kAckVersion = 1;
inline constexpr size_t kMaxAckBytes = 4096;

struct AckClaim {
  card::Kid device_kid{};  // the device key of the kiosk it is for
  int64_t seq = 0;         // acknowledged through this seq (>= 1)
  Hash entry_hash{};       // the hash of the device's entry `seq`
  int64_t created = 0;     // Unix seconds
};

// "cardkiosk-ack-<kid hex>.ckack": the file's name on a stick.
std::string AckFileName(const card::Kid& device_kid);

// "CKJRNACK" | COSE_Sign1 over {1: version 1, 2: device kid, 3: seq, 4: entry hash, 5: created}.
base::Result<base::Bytes> WriteAck(const AckClaim& ack, const card::PrivateKey& signer);
// kUnauthenticated when not signed by `pinned`; kInvalidArgument for a file that is not an ack.
base::Result<AckClaim> ReadAck(base::ByteSpan file, const card::PublicKey& pinned);

// Records the ack in `journal` after checking it is this device's (`own_kid`) and this chain's:
// kFailedPrecondition for another device; kOutOfRange for a seq the journal never wrote;
// kFailedPrecondition when the journal's entry at that seq has another hash. Returns the acked
// seq now in force (an older ack changes nothing).
base::Result<int64_t> ApplyAck(Journal& journal, const AckClaim& ack, const card::Kid& own_kid);

}  // namespace journal
