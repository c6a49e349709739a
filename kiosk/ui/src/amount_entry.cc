#include "kiosk_ui/amount_entry.h"

#include <string>

namespace kiosk_ui {

bool EditAmount(std::string* entry, std::string_view key) {
  std::string& e = *entry;
  if (key == "back") {
    if (e.empty()) return false;
    e.pop_back();
    return true;
  }
  if (key == "clear") {
    const bool had = !e.empty();
    e.clear();
    return had;
  }
  const size_t comma = e.find(',');
  if (key == ",") {
    if (comma != std::string::npos) return false;
    e += e.empty() ? "0," : ",";
    return true;
  }
  if (key.size() != 1 || key[0] < '0' || key[0] > '9') return false;
  if (comma != std::string::npos && e.size() - comma > 2) return false;  // two decimals at most
  if (e == "0") e.clear();                                               // no leading zeros
  std::string next = e + std::string(key);
  if (AmountMinor(next) > kMaxPurchaseMinor) return false;
  e = std::move(next);
  return true;
}

int64_t AmountMinor(std::string_view entry) {
  if (entry.empty()) return -1;
  int64_t rub = 0, kop = 0;
  size_t i = 0, decimals = 0;
  bool comma = false;
  for (; i < entry.size(); ++i) {
    const char c = entry[i];
    if (c == ',' || c == '.') {
      if (comma) return -1;
      comma = true;
      continue;
    }
    if (c < '0' || c > '9') return -1;
    if (comma) {
      if (++decimals > 2) return -1;
      kop = kop * 10 + (c - '0');
    } else {
      if (rub > kMaxPurchaseMinor) return -1;
      rub = rub * 10 + (c - '0');
    }
  }
  if (decimals == 1) kop *= 10;
  return rub * 100 + kop;
}

}  // namespace kiosk_ui
