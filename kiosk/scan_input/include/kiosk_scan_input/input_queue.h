// The kiosk's one input queue: touches, keys, typed text, keyboard-wedge bursts and scans from the
// camera or a scanner device, handed to the UI in the order they happened.
//
// Keys typed on the window's keyboard go through a scanner::WedgeAssembler, which holds them until
// it knows whether a person typed them or a scanner did (up to its idle timeout after the last
// key). Everything else that happened after such a burst began waits behind it: a tap on OK right
// after the last digit acts on the whole amount, not on the digits classified so far.
//
// Times are monotonic nanoseconds on one time line (the system clock's MonotonicNanos(); a front
// end converts its own event times to it). Producers on other threads push through the InputSink
// interface; the UI thread takes actions with Take().
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "scanner/keyboard_wedge.h"

namespace kiosk_scan_input {

enum class InputKind : uint8_t {
  kText,   // characters typed on the window's keyboard (UTF-8), to the wedge assembler
  kEnter,  // Return or keypad Enter, to the wedge assembler
  kTab,    // Tab, to the wedge assembler
  kKey,    // a key the UI acts on itself (`text`: its name, e.g. "back"): ends the open burst
  kTouch,  // a touch or click at `x`, `y` (drawable pixels)
  kScan,   // a finished scan from elsewhere (camera, scanner device): `text`, `capture_ns`
};

struct InputEvent {
  InputKind kind = InputKind::kText;
  int64_t t_ns = 0;  // when it happened
  std::string text;
  int x = 0, y = 0;
  int64_t capture_ns = 0;  // a camera frame's capture time (0 for other scans)
};

enum class ActionKind : uint8_t {
  kTyped,      // a person's keystrokes: `text`, Enter as '\n', Tab as '\t'
  kScan,       // a scan (wedge burst, camera, scanner device): `text`, `capture_ns`
  kDiscarded,  // a burst that was dropped: `text` says why
  kKey,        // `text`: the key's name
  kTouch,      // `x`, `y`
};

struct InputAction {
  ActionKind kind = ActionKind::kTyped;
  int64_t t_ns = 0;  // when it happened (a burst: its first key)
  std::string text;
  int x = 0, y = 0;
  int64_t capture_ns = 0;

  bool operator==(const InputAction&) const = default;
};

// One line on a finished burst of keys, for the log: what it was taken as, its length, how it
// ended, its median and longest gaps between keys, and how long after the burst before it began.
// No characters of it (a card's text is a member's).
std::string DescribeBurst(const scanner::WedgeEvent& e);

// What a producer of input sees of the queue. Push() is thread-safe.
class InputSink {
 public:
  virtual ~InputSink() = default;
  virtual void Push(InputEvent event) = 0;
};

// Push() from any thread (it then calls `wake`, if given, on that thread); everything else from
// the UI thread only.
class InputQueue final : public InputSink {
 public:
  explicit InputQueue(scanner::WedgeOptions wedge = {}, std::function<void()> wake = {});

  void Push(InputEvent event) override;

  // What is ready to act on at `now_ns`, in the order it happened. A touch, key or scan that
  // happened after a burst of typed keys began stays until the burst is classified.
  std::vector<InputAction> Take(int64_t now_ns);
  // When Take() must be called next (ms from `now_ns`, rounded up); -1 when nothing waits on time.
  int PollTimeoutMs(int64_t now_ns);
  // Nothing is queued, held or being classified.
  bool idle();

  // Called (UI thread) with DescribeBurst() of every burst that could have been a scan (at least
  // min_scan_chars characters, or discarded): why a scan was split or taken as typing shows in
  // the log. Unset: nothing.
  std::function<void(const std::string&)> on_burst;

 private:
  void Feed(InputEvent e);
  void Collect();
  void Drain(std::vector<InputAction>* out);

  std::function<void()> wake_;
  std::mutex mu_;
  std::vector<InputEvent> pending_;  // guarded by mu_

  // UI thread only.
  scanner::WedgeAssembler wedge_;
  size_t min_scan_chars_;
  std::optional<int64_t> burst_since_ns_;   // the first key of the open burst
  std::deque<scanner::WedgeEvent> bursts_;  // classified, not yet handed out
  std::deque<InputEvent> held_;             // touches, keys and scans behind a burst
  int64_t last_ns_ = 0;                     // times fed to the assembler never go back
};

}  // namespace kiosk_scan_input
