// One journal entry: a redemption, a check-in or a rejected scan (DESIGN.md section 6), a void, a
// clock correction or a manual door count (entry format 2), and the canonical bytes its hash
// covers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "card/claims.h"

namespace journal {

using Hash = std::array<uint8_t, 32>;

// kDiscount .. kRejected are format 1; the others format 2 (docs/journal.md).
enum class Kind : uint8_t {
  kDiscount,
  kCheckin,
  kRejected,
  kVoid,             // cancels the entry `ref_uuid` names
  kClockCorrection,  // an admin set the clock: time_utc is the new time, clock_before_utc the old
  kManualCount,      // a door check-in without a card (no rid)
};
// "discount", "checkin", "rejected", "void", "clock_correction", "manual_count"
std::string_view KindName(Kind k);
base::Result<Kind> ParseKind(std::string_view s);

inline constexpr char kAccepted[] = "accepted";
inline constexpr size_t kMaxTextBytes = 256;                   // ids, codes
inline constexpr int64_t kMaxAmountMinor = 1'000'000'000'000;  // 10 billion roubles
inline constexpr int64_t kMaxSeq = int64_t{1} << 53;

struct Entry {
  int64_t seq = 0;   // 1, 2, 3 ... on this device
  std::string uuid;  // idempotency key, RFC 4122 v4 text
  Kind kind = Kind::kRejected;
  int64_t time_utc = 0;  // Unix seconds
  int64_t mono_ns = 0;   // monotonic clock, for ordering within a boot
  std::optional<card::Rid> rid;
  std::string partner_id;  // discount entries
  std::string event_id;    // check-in entries
  std::string offer_id;
  int64_t purchase_minor = 0;
  int64_t discount_minor = 0;
  int64_t bundle_seq = 0;  // registry in use
  std::string verdict;     // card verdict code (card/verdict.h)
  std::string decision;    // "accepted" or a refusal code (rules/)
  Hash prev_hash{};
  Hash hash{};
  // Format 2 (CBOR keys 17..20, written only when not 0 / ""):
  int64_t cashback_minor = 0;    // cashback the member earns on this purchase
  std::string ref_uuid;          // a void: the uuid of the entry it cancels
  std::string actor;             // who did it: "cashier", "admin", "admin-card:<card number>"
  int64_t clock_before_utc = 0;  // a clock correction: the wall clock before it (Unix s)
};

// 1 when the entry has only format-1 kinds and fields (its bytes and hash are those of format 1),
// else 2.
int EntryFormat(const Entry& e);
inline constexpr int64_t kMaxTimeUtc = 253402300799;  // 9999-12-31T23:59:59Z

// The canonical encoding of every field but `hash` (deterministic CBOR map, keys 1..15 in order,
// then those of 17..20 whose value is not the default); see docs/journal.md. hash = SHA-256 of
// these bytes.
base::Bytes CanonicalBytes(const Entry& e);
Hash ComputeHash(const Entry& e);

// Follows entries in seq order from `first_seq`, whose prev_hash must be `anchor`, and remembers
// the first one that does not fit: a gap or reordering, a broken link, or contents that do not
// match their hash. Used on journal.db and on exports alike.
class ChainChecker {
 public:
  ChainChecker(int64_t first_seq, const Hash& anchor) : expected_(first_seq), prev_(anchor) {}
  void Add(const Entry& e);
  // A record that could not be read where entry `seq` was expected.
  void Unreadable(int64_t seq, const std::string& why);
  int64_t first_bad_seq() const { return first_bad_; }
  const std::string& problem() const { return problem_; }
  int64_t expected_seq() const { return expected_; }

 private:
  void Bad(int64_t seq, std::string why);
  int64_t expected_;
  Hash prev_;
  int64_t first_bad_ = 0;
  std::string problem_;
};

// The same map with `hash` added as key 16, for exports; and its strict parser (format 1 or 2; a
// key 17..20 holding its default value is refused: it would not survive re-encoding).
base::Bytes EncodeEntry(const Entry& e);
base::Status DecodeEntry(base::ByteSpan cbor, Entry* out);

}  // namespace journal
