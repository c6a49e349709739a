#include "kiosk_scan_input/input_queue.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

namespace kiosk_scan_input {
namespace {

InputAction ActionOf(scanner::WedgeEvent e) {
  InputAction a;
  a.t_ns = e.first_key_ns;
  switch (e.kind) {
    case scanner::WedgeEventKind::kScan:
      a.kind = ActionKind::kScan;
      a.text = std::move(e.text);
      break;
    case scanner::WedgeEventKind::kTypedText:
      a.kind = ActionKind::kTyped;
      a.text = std::move(e.text);
      break;
    case scanner::WedgeEventKind::kDiscarded:
      a.kind = ActionKind::kDiscarded;
      a.text = e.status.message();
      break;
  }
  return a;
}

InputAction ActionOf(InputEvent e) {
  InputAction a;
  a.t_ns = e.t_ns;
  a.kind = e.kind == InputKind::kTouch ? ActionKind::kTouch
           : e.kind == InputKind::kKey ? ActionKind::kKey
                                       : ActionKind::kScan;
  a.text = std::move(e.text);
  a.x = e.x;
  a.y = e.y;
  a.capture_ns = e.capture_ns;
  return a;
}

}  // namespace

InputQueue::InputQueue(scanner::WedgeOptions wedge, std::function<void()> wake)
    : wake_(std::move(wake)), wedge_(wedge), min_scan_chars_(wedge.min_scan_chars) {}

std::string DescribeBurst(const scanner::WedgeEvent& e) {
  const char* kind = e.kind == scanner::WedgeEventKind::kScan        ? "scan"
                     : e.kind == scanner::WedgeEventKind::kTypedText ? "typed"
                                                                     : "discarded";
  const char* end = e.end == scanner::BurstEnd::kEnter         ? "Enter"
                    : e.end == scanner::BurstEnd::kTab         ? "Tab"
                    : e.end == scanner::BurstEnd::kIdleTimeout ? "a pause"
                                                               : "another key or the device";
  char line[256];
  const auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  int len = std::snprintf(line, sizeof line,
                          "burst: %s, %zu chars, ended by %s, median gap %.1f ms, longest %.1f ms",
                          kind, e.chars, end, ms(e.median_gap_ns), ms(e.max_gap_ns));
  if (e.since_previous_ns >= 0 && len > 0 && static_cast<size_t>(len) < sizeof line) {
    std::snprintf(line + len, sizeof line - static_cast<size_t>(len),
                  ", %.0f ms after the burst before", ms(e.since_previous_ns));
  }
  return line;
}

void InputQueue::Push(InputEvent event) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(std::move(event));
  }
  if (wake_) wake_();
}

std::vector<InputAction> InputQueue::Take(int64_t now_ns) {
  std::vector<InputEvent> events;
  {
    std::lock_guard<std::mutex> lock(mu_);
    events.swap(pending_);
  }
  // Producers on different threads: one time line. Stable: equal times keep their order.
  std::stable_sort(events.begin(), events.end(),
                   [](const InputEvent& a, const InputEvent& b) { return a.t_ns < b.t_ns; });
  for (InputEvent& e : events) Feed(std::move(e));
  last_ns_ = std::max(last_ns_, now_ns);
  wedge_.Poll(last_ns_);
  Collect();
  std::vector<InputAction> out;
  Drain(&out);
  return out;
}

// One event, in time order: keystrokes to the assembler; the rest wait behind any open burst.
void InputQueue::Feed(InputEvent e) {
  // An event that arrives late (another thread) is taken as happening now: the assembler's times
  // never go back.
  e.t_ns = std::max(e.t_ns, last_ns_);
  last_ns_ = e.t_ns;
  const int64_t t = e.t_ns;
  wedge_.Poll(t);
  Collect();
  switch (e.kind) {
    case InputKind::kText:
      if (wedge_.idle()) burst_since_ns_ = t;
      wedge_.OnText(e.text, t);
      break;
    case InputKind::kEnter:
      wedge_.OnEnter(t);
      break;
    case InputKind::kTab:
      wedge_.OnTab(t);
      break;
    case InputKind::kKey:
      // The UI acts on this key itself: what was typed before it is taken as it stands.
      wedge_.Flush(t);
      held_.push_back(std::move(e));
      break;
    case InputKind::kTouch:
    case InputKind::kScan:
      held_.push_back(std::move(e));
      break;
  }
  Collect();
  if (!wedge_.idle() && !burst_since_ns_) burst_since_ns_ = t;
}

void InputQueue::Collect() {
  for (scanner::WedgeEvent& e : wedge_.TakeEvents()) {
    if (on_burst && (e.chars >= min_scan_chars_ || e.kind != scanner::WedgeEventKind::kTypedText)) {
      on_burst(DescribeBurst(e));
    }
    bursts_.push_back(std::move(e));
  }
  if (wedge_.idle()) burst_since_ns_.reset();
}

// Hands out what is ready, in order: a held event goes after the bursts that began before it,
// and not before the open burst is classified if that one began before it too.
void InputQueue::Drain(std::vector<InputAction>* out) {
  while (!held_.empty()) {
    const int64_t t = held_.front().t_ns;
    while (!bursts_.empty() && bursts_.front().first_key_ns <= t) {
      out->push_back(ActionOf(std::move(bursts_.front())));
      bursts_.pop_front();
    }
    if (burst_since_ns_ && *burst_since_ns_ <= t) return;
    out->push_back(ActionOf(std::move(held_.front())));
    held_.pop_front();
  }
  for (scanner::WedgeEvent& e : bursts_) out->push_back(ActionOf(std::move(e)));
  bursts_.clear();
}

int InputQueue::PollTimeoutMs(int64_t now_ns) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pending_.empty()) return 0;
  }
  return wedge_.PollTimeoutMs(std::max(now_ns, last_ns_));
}

bool InputQueue::idle() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pending_.empty()) return false;
  }
  return held_.empty() && bursts_.empty() && wedge_.idle();
}

}  // namespace kiosk_scan_input
