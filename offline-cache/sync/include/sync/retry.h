// Retries of the network sync (docs/network-sync.md "Retries"): exponential backoff with full
// jitter, and which answers are worth another attempt.
#pragma once

#include <chrono>
#include <functional>

namespace ck_sync {

// Before retry n (n = 1, 2, ...) sleep a uniformly random time in [0, min(cap, base * 2^(n-1))].
struct RetryPolicy {
  int max_attempts = 6;  // per request per cycle; a cycle never blocks forever
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{std::chrono::minutes(5)};
  // Injected for tests: empty ones sleep for real and use a random_device-seeded generator
  // (WithDefaults).
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> uniform01;  // in [0, 1)
};

// `policy` with the empty sleep and random source filled in.
RetryPolicy WithDefaults(RetryPolicy policy);

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double uniform01);

// 5xx, 408 and 429 are worth retrying; any other 4xx is final.
bool IsTransientHttpStatus(int status);

// Runs `attempt` (returns true when done: success or a final failure) until it is done or
// policy.max_attempts are used, sleeping BackoffDelay between attempts; `*attempts` counts them.
// `policy` must have its sleep and random source (WithDefaults).
void RunWithRetry(const RetryPolicy& policy, const std::function<bool()>& attempt, int* attempts);

}  // namespace ck_sync
