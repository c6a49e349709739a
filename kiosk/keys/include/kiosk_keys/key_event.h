// Keys as the kiosk's UI acts on them, read from the kernel's keyboards (evdev) with the time the
// kernel saw each one, so that a slow redraw never stretches a scanner's burst of keys into two.
// KeyTranslator turns one device's key codes into these through the US keymap (what keyboard-wedge
// scanners emulate); KeySink is where the reader thread puts them; KeyQueue is a thread-safe sink
// the UI thread empties (or the ordered input queue of the UI feeds on).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace kiosk_keys {

enum class KeyKind : uint8_t { kText, kEnter, kTab, kBackspace, kEscape, kF2 };

struct KeyEvent {
  KeyKind kind = KeyKind::kText;
  std::string text;     // kText: the character typed (printable ASCII with the US keymap)
  int64_t t_ns = 0;     // the kernel's event time, CLOCK_MONOTONIC nanoseconds
  bool repeat = false;  // the auto-repeat of a held key
  bool operator==(const KeyEvent&) const = default;
};

// Where a reader puts keys, in the order each device sent them. Called on the reader's thread.
class KeySink {
 public:
  virtual ~KeySink() = default;
  virtual void OnKey(KeyEvent key) = 0;
};

// One keyboard's modifiers (shift, caps lock, ctrl, alt) and the US keymap: printable ASCII from
// the main block and the keypad (Num Lock on), Enter and keypad Enter, Tab, Backspace, Escape, F2.
// Keys with Ctrl or Alt held type nothing (Alt+keypad codes are not read); other keys are ignored.
// Pure and not thread-safe: one per device, used by its reader.
class KeyTranslator {
 public:
  // An EV_KEY event: `value` 1 press, 2 repeat, 0 release.
  std::optional<KeyEvent> OnKey(uint16_t code, int32_t value, int64_t t_ns);
  // The device lost events (SYN_DROPPED): modifiers are unknown again, so released.
  void Reset();

 private:
  bool left_shift_ = false, right_shift_ = false, caps_lock_ = false, ctrl_ = false, alt_ = false;
};

// A KeySink that keeps the keys for the UI thread and calls `wake` (from the reader's thread)
// after each one. Thread-safe.
class KeyQueue final : public KeySink {
 public:
  explicit KeyQueue(std::function<void()> wake) : wake_(std::move(wake)) {}
  void OnKey(KeyEvent key) override;
  // The keys that came since the last call, oldest first.
  std::deque<KeyEvent> Take();
  bool empty();

 private:
  std::function<void()> wake_;
  std::mutex mu_;
  std::deque<KeyEvent> keys_;
};

}  // namespace kiosk_keys
