// Runs fn(0), fn(1), ... fn(count - 1) on worker threads and hands the results back in index
// order, so work done in parallel still lands in a deterministic order (the cards of a PDF). The
// workers run at most `window` results ahead of the caller, which bounds the memory held.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace cardctl {

// Owned by one caller thread; `fn` must be safe to call from several threads at once and must
// outlive the object. Destroyed early, it stops handing out work and waits for the running calls.
template <typename T>
class OrderedWork {
 public:
  OrderedWork(size_t count, size_t threads, size_t window, std::function<T(size_t)> fn)
      : count_(count), window_(std::max<size_t>(window, 1)), fn_(std::move(fn)), slots_(window_) {
    for (size_t t = 0; t < std::max<size_t>(threads, 1); ++t)
      workers_.emplace_back([this] { Run(); });
  }
  ~OrderedWork() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& w : workers_) w.join();
  }
  OrderedWork(const OrderedWork&) = delete;
  OrderedWork& operator=(const OrderedWork&) = delete;

  // The next result in index order (call at most `count` times); waits for it.
  T Take() {
    std::unique_lock lock(mu_);
    std::optional<T>& slot = slots_[taken_ % window_];
    cv_.wait(lock, [&] { return slot.has_value(); });
    T out = std::move(*slot);
    slot.reset();
    ++taken_;
    lock.unlock();
    cv_.notify_all();
    return out;
  }

 private:
  void Run() {
    for (;;) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || next_ >= count_ || next_ < taken_ + window_; });
      if (stop_ || next_ >= count_) return;
      const size_t i = next_++;
      lock.unlock();
      T result = fn_(i);
      lock.lock();
      slots_[i % window_] = std::move(result);
      lock.unlock();
      cv_.notify_all();
    }
  }

  const size_t count_, window_;
  std::function<T(size_t)> fn_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::optional<T>> slots_;  // result i in slot i % window_
  size_t next_ = 0, taken_ = 0;          // guarded by mu_
  bool stop_ = false;
  std::vector<std::thread> workers_;  // last: started when everything above is ready
};

}  // namespace cardctl
