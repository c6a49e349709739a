// One journal entry: a redemption, a check-in or a rejected scan (DESIGN.md section 6), and the
// canonical bytes its hash covers.
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

enum class Kind : uint8_t { kDiscount, kCheckin, kRejected };
std::string_view KindName(Kind k);  // "discount", "checkin", "rejected"
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
};

// The canonical encoding of every field but `hash` (deterministic CBOR map, keys 1..15 in order);
// see docs/journal.md. hash = SHA-256 of these bytes.
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

// The same map with `hash` added as key 16, for exports; and its strict parser.
base::Bytes EncodeEntry(const Entry& e);
base::Status DecodeEntry(base::ByteSpan cbor, Entry* out);

}  // namespace journal
