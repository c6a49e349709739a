// The hub benchmarks' fleet (settle_bench, fleet_bench): kiosks k0..kN-1 enrolled in a store, each
// with a chain of accepted purchases and check-ins spread over 2026, stored through the ledger.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "base/status.h"
#include "hub/store.h"
#include "journal/journal.h"

namespace benchfill {

inline constexpr int64_t kStart = 1'767'225'600;  // 2026-01-01T00:00:00Z
inline constexpr int64_t kYear = 365 * 86400;

// A chain of `n` accepted entries of kiosk `device` from kStart, `step` seconds apart: purchases
// at partner P<device % 50> (offers O0..O2; every seventh with cashback instead of a discount),
// every tenth entry a check-in at event E0..E4.
std::vector<journal::Entry> MakeChain(int device, int64_t n, int64_t step);

// Enrolls kiosk `device` as "k<device>" with a new key; returns its device id.
base::Result<int64_t> Enroll(hub::HubStore& store, int device);

// `kiosks` kiosks of total/kiosks entries each over 2026, in batches of 10,000, each batch
// received at received(device). A kiosk that already holds exactly that many (a store an earlier
// run filled: the fill is slow at 5 M entries) is kept; one holding another count is refused
// (kFailedPrecondition). Returns the entries stored now.
base::Result<int64_t> FillStore(hub::HubStore& store, int kiosks, int64_t total,
                                const std::function<int64_t(int device)>& received);

}  // namespace benchfill
