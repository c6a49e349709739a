#include <linux/input-event-codes.h>

#include <cctype>

#include "kiosk_keys/key_event.h"
#include "scanner/keyboard_wedge.h"

namespace kiosk_keys {

std::optional<KeyEvent> KeyTranslator::OnKey(uint16_t code, int32_t value, int64_t t_ns) {
  const bool down = value != 0;
  switch (code) {
    case KEY_LEFTSHIFT:
      left_shift_ = down;
      return std::nullopt;
    case KEY_RIGHTSHIFT:
      right_shift_ = down;
      return std::nullopt;
    case KEY_LEFTCTRL:
    case KEY_RIGHTCTRL:
      ctrl_ = down;
      return std::nullopt;
    case KEY_LEFTALT:
    case KEY_RIGHTALT:
      alt_ = down;
      return std::nullopt;
    case KEY_CAPSLOCK:
      // This device's own caps lock: it is grabbed, so the console's keymap never sees its keys.
      if (value == 1) caps_lock_ = !caps_lock_;
      return std::nullopt;
    default:
      break;
  }
  if (!down || ctrl_ || alt_) return std::nullopt;
  KeyEvent key{.t_ns = t_ns, .repeat = value == 2};
  switch (code) {
    case KEY_ENTER:
    case KEY_KPENTER:
      key.kind = KeyKind::kEnter;
      return key;
    case KEY_TAB:
      key.kind = KeyKind::kTab;
      return key;
    case KEY_BACKSPACE:
      key.kind = KeyKind::kBackspace;
      return key;
    case KEY_ESC:
      key.kind = KeyKind::kEscape;
      return key;
    case KEY_F2:
      key.kind = KeyKind::kF2;
      return key;
    default:
      break;
  }
  std::optional<char> c = scanner::UsKeycodeToAscii(code, left_shift_ || right_shift_);
  if (!c) return std::nullopt;
  if (caps_lock_ && std::isalpha(static_cast<unsigned char>(*c))) {
    *c = std::isupper(static_cast<unsigned char>(*c))
             ? static_cast<char>(std::tolower(static_cast<unsigned char>(*c)))
             : static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
  }
  key.text = std::string(1, *c);
  return key;
}

void KeyTranslator::Reset() { left_shift_ = right_shift_ = ctrl_ = alt_ = false; }

void KeyQueue::OnKey(KeyEvent key) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    keys_.push_back(std::move(key));
  }
  if (wake_) wake_();
}

std::deque<KeyEvent> KeyQueue::Take() {
  std::deque<KeyEvent> out;
  std::lock_guard<std::mutex> lock(mu_);
  out.swap(keys_);
  return out;
}

bool KeyQueue::empty() {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.empty();
}

}  // namespace kiosk_keys
