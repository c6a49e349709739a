#include "sync/retry.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <thread>

namespace ck_sync {

RetryPolicy WithDefaults(RetryPolicy policy) {
  if (!policy.sleep) {
    policy.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
  if (!policy.uniform01) {
    auto gen = std::make_shared<std::mt19937_64>(std::random_device{}());
    policy.uniform01 = [gen] { return std::uniform_real_distribution<double>(0.0, 1.0)(*gen); };
  }
  return policy;
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double uniform01) {
  const double base_ms = static_cast<double>(policy.base.count());
  const double cap_ms = static_cast<double>(policy.cap.count());
  const double ceiling = std::min(cap_ms, base_ms * std::ldexp(1.0, std::min(retry - 1, 60)));
  const double u = std::clamp(uniform01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(ceiling * u));
}

bool IsTransientHttpStatus(int status) { return status >= 500 || status == 408 || status == 429; }

void RunWithRetry(const RetryPolicy& policy, const std::function<bool()>& attempt, int* attempts) {
  for (int n = 1;; ++n) {
    *attempts = n;
    if (attempt() || n >= policy.max_attempts) return;
    policy.sleep(BackoffDelay(policy, n, policy.uniform01()));
  }
}

}  // namespace ck_sync
