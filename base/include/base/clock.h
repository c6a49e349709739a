// Time as an injected dependency. Everything that needs "now" takes a Clock&; main() wires the
// SystemClock, tests a FakeClock.
#pragma once

#include <atomic>
#include <cstdint>

namespace base {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in seconds since the Unix epoch (UTC).
  virtual int64_t NowUnixSeconds() const = 0;
  // Monotonic time in nanoseconds since an arbitrary origin; never goes back.
  virtual int64_t MonotonicNanos() const = 0;
};

// The operating system's clocks. Thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowUnixSeconds() const override;
  int64_t MonotonicNanos() const override;
};

// A clock that only moves when told to. Reads are safe from other threads while one thread moves it
// (a background thread may read the time a test advances).
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_seconds = 0) : now_(unix_seconds) {}
  int64_t NowUnixSeconds() const override { return now_; }
  int64_t MonotonicNanos() const override { return mono_; }
  void Set(int64_t unix_seconds) { now_ = unix_seconds; }
  void Advance(int64_t seconds) {
    now_ += seconds;
    mono_ += seconds * 1'000'000'000;
  }
  // Moves the monotonic clock by less than a second (the wall clock follows in whole seconds).
  void AdvanceNanos(int64_t nanos) {
    sub_second_ += nanos;
    mono_ += nanos;
    now_ += sub_second_ / 1'000'000'000;
    sub_second_ %= 1'000'000'000;
  }

 private:
  std::atomic<int64_t> now_;
  std::atomic<int64_t> mono_ = 0;
  int64_t sub_second_ = 0;  // only touched by the thread that moves the clock
};

}  // namespace base
