// WedgeAssembler: timed keystrokes -> scans and typed text.
//
// Why timing tells a scanner from a person: a scanner emits a whole code within one USB burst,
// a key every 1-16 ms (one HID report per press and one per release at a 1-8 ms polling
// interval), while a person's keys are 80-300 ms apart and even auto-repeat of a held key comes
// no faster than every 25-33 ms. The median gap is robust against the odd stall inside a scanner
// burst and against a person's rare fast key pair.
#include "scanner/keyboard_wedge.h"

#include <linux/input-event-codes.h>

#include <algorithm>
#include <climits>
#include <utility>

#include "wedge_text.h"

namespace scanner {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;
// Room in the burst buffer beyond max_scan_chars for a person's keys around a full-length scan.
constexpr size_t kEdgeSlack = 16;

std::string_view TerminatorText(BurstEnd end) {
  if (end == BurstEnd::kEnter) return "\n";
  if (end == BurstEnd::kTab) return "\t";
  return "";
}

}  // namespace

std::string_view WedgeEventKindName(WedgeEventKind kind) {
  switch (kind) {
    case WedgeEventKind::kScan:
      return "scan";
    case WedgeEventKind::kTypedText:
      return "typed";
    case WedgeEventKind::kDiscarded:
      return "discarded";
  }
  return "?";
}

std::string_view LayoutFixName(LayoutFix fix) {
  switch (fix) {
    case LayoutFix::kNone:
      return "none";
    case LayoutFix::kCapsLock:
      return "caps lock";
    case LayoutFix::kRussian:
      return "ru";
    case LayoutFix::kRussianCapsLock:
      return "ru+caps lock";
    case LayoutFix::kKazakh:
      return "kz";
    case LayoutFix::kKazakhCapsLock:
      return "kz+caps lock";
  }
  return "?";
}

WedgeAssembler::WedgeAssembler(WedgeOptions options) : options_(options) {}

void WedgeAssembler::OnKeycode(uint16_t code, bool shift, int64_t t_ns, bool caps_lock) {
  if (code == KEY_ENTER || code == KEY_KPENTER) {
    OnEnter(t_ns);
    return;
  }
  if (code == KEY_TAB) {
    OnTab(t_ns);
    return;
  }
  std::optional<char> c = UsKeycodeToAscii(code, shift);
  if (!c) return;
  char ch = *c;
  // Caps lock swaps the case of letters only.
  if (caps_lock && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) {
    ch = static_cast<char>(ch ^ 0x20);
  }
  AddChar(static_cast<unsigned char>(ch), t_ns, /*from_text=*/false);
}

void WedgeAssembler::OnChar(char32_t c, int64_t t_ns) { AddChar(c, t_ns, /*from_text=*/false); }

void WedgeAssembler::OnText(std::string_view utf8, int64_t t_ns) {
  char32_t prev = 0;
  for (char32_t c : wedge::DecodeUtf8Lossy(utf8)) {
    if (c == U'\r' || (c == U'\n' && prev != U'\r')) {
      OnEnter(t_ns);
    } else if (c == U'\t') {
      OnTab(t_ns);
    } else if (c >= 0x20 && c != 0x7F) {
      AddChar(c, t_ns, /*from_text=*/true);
    }
    prev = c;
  }
}

void WedgeAssembler::OnEnter(int64_t t_ns) { AddTerminator(BurstEnd::kEnter, t_ns); }

void WedgeAssembler::OnTab(int64_t t_ns) {
  if (options_.tab_ends_scan) {
    AddTerminator(BurstEnd::kTab, t_ns);
  } else {
    AddChar(U'\t', t_ns, /*from_text=*/false);
  }
}

void WedgeAssembler::Poll(int64_t now_ns) { EndIfIdle(now_ns); }

void WedgeAssembler::Flush(int64_t now_ns) {
  EndIfIdle(now_ns);
  if (!idle()) EndBurst(BurstEnd::kFlush, std::nullopt);
}

void WedgeAssembler::Discard(base::Status why, int64_t now_ns) {
  EndIfIdle(now_ns);
  WedgeEvent e;
  e.kind = WedgeEventKind::kDiscarded;
  e.status = std::move(why);
  e.end = BurstEnd::kFlush;
  e.chars = overflowed_ ? overflow_chars_ : keys_.size();
  e.first_key_ns = overflowed_ ? overflow_first_ns_ : keys_.empty() ? now_ns : keys_.front().t_ns;
  e.last_key_ns = idle() ? now_ns : last_key_ns_;
  events_.push_back(std::move(e));
  Reset();
}

std::optional<int64_t> WedgeAssembler::deadline_ns() const {
  if (idle()) return std::nullopt;
  return last_key_ns_ + options_.idle_timeout_ms * kNsPerMs;
}

int WedgeAssembler::PollTimeoutMs(int64_t now_ns) const {
  std::optional<int64_t> deadline = deadline_ns();
  if (!deadline) return -1;
  if (*deadline <= now_ns) return 0;
  const int64_t ms = (*deadline - now_ns + kNsPerMs - 1) / kNsPerMs;
  return static_cast<int>(std::min<int64_t>(ms, INT_MAX));
}

std::vector<WedgeEvent> WedgeAssembler::TakeEvents() { return std::exchange(events_, {}); }

void WedgeAssembler::AddChar(char32_t c, int64_t t_ns, bool from_text) {
  EndIfIdle(t_ns);
  if (!idle()) t_ns = std::max(t_ns, last_key_ns_);  // a clock that went back: a zero gap
  from_text_ = from_text_ || from_text;
  last_key_ns_ = t_ns;
  if (!overflowed_ && keys_.size() < options_.max_scan_chars + kEdgeSlack) {
    keys_.push_back({c, t_ns});
    return;
  }
  // Too long for anything we accept: count the rest of the burst, keep none of it.
  if (!overflowed_) {
    overflowed_ = true;
    overflow_chars_ = keys_.size();
    overflow_first_ns_ = keys_.empty() ? t_ns : keys_.front().t_ns;
    keys_ = {};
  }
  ++overflow_chars_;
}

void WedgeAssembler::AddTerminator(BurstEnd end, int64_t t_ns) {
  EndIfIdle(t_ns);
  if (!idle()) t_ns = std::max(t_ns, last_key_ns_);
  last_key_ns_ = t_ns;
  EndBurst(end, t_ns);
}

void WedgeAssembler::EndIfIdle(int64_t now_ns) {
  if (!idle() && now_ns - last_key_ns_ >= options_.idle_timeout_ms * kNsPerMs) {
    EndBurst(BurstEnd::kIdleTimeout, std::nullopt);
  }
}

// The median gap between consecutive keys of [from, to), counting the terminator after `to` if
// the burst ended with one there; -1 if there is no gap to measure.
int64_t WedgeAssembler::MedianGap(size_t from, size_t to,
                                  std::optional<int64_t> terminator_ns) const {
  std::vector<int64_t> gaps;
  for (size_t i = from + 1; i < to; ++i) gaps.push_back(keys_[i].t_ns - keys_[i - 1].t_ns);
  if (terminator_ns && to == keys_.size() && to > from) {
    gaps.push_back(*terminator_ns - keys_[to - 1].t_ns);
  }
  if (gaps.empty()) return -1;
  auto mid = gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2);
  std::nth_element(gaps.begin(), mid, gaps.end());
  return *mid;
}

void WedgeAssembler::EndBurst(BurstEnd end, std::optional<int64_t> terminator_ns) {
  if (overflowed_) {
    Discard(base::OutOfRange("a keyboard burst of " + std::to_string(overflow_chars_) +
                             " characters exceeds the limit of " +
                             std::to_string(options_.max_scan_chars) + "; discarded"),
            last_key_ns_);
    events_.back().end = end;
    previous_burst_end_ns_ = last_key_ns_;
    return;
  }
  const size_t first_event = events_.size();
  // A person's keys just before a scanner burst (or just after one that sent no Enter) are set
  // apart from it by a gap no scanner makes inside a code: split them off as typed text.
  const size_t n = keys_.size();
  const int64_t edge_gap = options_.edge_gap_ms * kNsPerMs;
  size_t lo = 0, hi = n;
  while (lo + 1 < n && keys_[lo + 1].t_ns - keys_[lo].t_ns > edge_gap) ++lo;
  if (!terminator_ns) {
    while (hi > lo + 1 && keys_[hi - 1].t_ns - keys_[hi - 2].t_ns > edge_gap) --hi;
  }
  const int64_t median = MedianGap(lo, hi, terminator_ns);
  const bool machine = hi - lo >= options_.min_scan_chars && median >= 0 &&
                       median <= options_.max_median_gap_ms * kNsPerMs;
  if (!machine) {
    EmitTyped(0, n, TerminatorText(end), end, MedianGap(0, n, terminator_ns));
  } else {
    if (lo > 0) EmitTyped(0, lo, "", end, median);
    EmitScan(lo, hi, end, median);
    if (hi < n) EmitTyped(hi, n, "", end, median);
  }
  const int64_t widest = MaxGap(terminator_ns);
  const int64_t since =
      previous_burst_end_ns_ < 0 || n == 0 ? -1 : keys_.front().t_ns - previous_burst_end_ns_;
  for (size_t i = first_event; i < events_.size(); ++i) {
    events_[i].max_gap_ns = widest;
    events_[i].since_previous_ns = since;
  }
  if (n > 0) previous_burst_end_ns_ = keys_.back().t_ns;
  Reset();
}

int64_t WedgeAssembler::MaxGap(std::optional<int64_t> terminator_ns) const {
  int64_t widest = 0;
  for (size_t i = 1; i < keys_.size(); ++i) {
    widest = std::max(widest, keys_[i].t_ns - keys_[i - 1].t_ns);
  }
  if (terminator_ns && !keys_.empty())
    widest = std::max(widest, *terminator_ns - keys_.back().t_ns);
  return widest;
}

void WedgeAssembler::EmitTyped(size_t from, size_t to, std::string_view suffix, BurstEnd end,
                               int64_t median) {
  WedgeEvent e;
  e.kind = WedgeEventKind::kTypedText;
  for (size_t i = from; i < to; ++i) wedge::AppendUtf8(e.text, keys_[i].c);
  e.text += suffix;
  e.end = end;
  e.chars = to - from;
  e.first_key_ns = from < to ? keys_[from].t_ns : last_key_ns_;
  e.last_key_ns = from < to ? keys_[to - 1].t_ns : last_key_ns_;
  e.median_gap_ns = std::max<int64_t>(median, 0);
  events_.push_back(std::move(e));
}

void WedgeAssembler::EmitScan(size_t from, size_t to, BurstEnd end, int64_t median) {
  WedgeEvent e;
  e.kind = WedgeEventKind::kScan;
  e.end = end;
  e.chars = to - from;
  e.first_key_ns = keys_[from].t_ns;
  e.last_key_ns = keys_[to - 1].t_ns;
  e.median_gap_ns = median;
  if (e.chars > options_.max_scan_chars) {
    e.kind = WedgeEventKind::kDiscarded;
    e.status = base::OutOfRange("a scan of " + std::to_string(e.chars) +
                                " characters exceeds the limit of " +
                                std::to_string(options_.max_scan_chars) + "; discarded");
    events_.push_back(std::move(e));
    return;
  }
  std::string raw;
  for (size_t i = from; i < to; ++i) wedge::AppendUtf8(raw, keys_[i].c);
  if (from_text_ && options_.fix_layout) {
    NormalizedText fixed = NormalizeWedgeText(raw);
    e.text = std::move(fixed.text);
    e.layout = fixed.layout;
  } else {
    e.text = std::move(raw);
  }
  events_.push_back(std::move(e));
}

void WedgeAssembler::Reset() {
  keys_.clear();
  from_text_ = false;
  overflowed_ = false;
  overflow_chars_ = 0;
}

}  // namespace scanner
