// The purchase amount as a cashier types it on the keypad: roubles with up to two decimals after a
// comma. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kiosk_ui {

// Keypad entry: appends a key ("0".."9", ",", "back", "clear") to an amount being typed in
// roubles with up to two decimals; refuses keys that would make it invalid or above the maximum.
// Returns false if the key was refused.
bool EditAmount(std::string* entry, std::string_view key);
// "1250,5" -> 125050 kopecks; -1 when empty or invalid.
int64_t AmountMinor(std::string_view entry);
inline constexpr int64_t kMaxPurchaseMinor = 99'999'999;  // 999 999,99

}  // namespace kiosk_ui
