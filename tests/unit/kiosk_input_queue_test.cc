// The kiosk's one input queue: touches, keys, typed text and scans come out in the order they
// happened, a tap waiting for the keys typed before it. Time is passed in (no clock, no sleeps).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "kiosk_scan_input/input_queue.h"

namespace {

using kiosk_scan_input::ActionKind;
using kiosk_scan_input::InputAction;
using kiosk_scan_input::InputEvent;
using kiosk_scan_input::InputKind;
using kiosk_scan_input::InputQueue;

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kT0 = 1'000'000 * kMs;  // any monotonic origin
constexpr int64_t kIdle = 80 * kMs;       // the wedge assembler's default idle timeout

// `text`'s characters `gap_ms` apart from `t`; returns the time of the last one.
int64_t Type(InputQueue& q, const std::string& text, int64_t t, int64_t gap_ms) {
  for (size_t i = 0; i < text.size(); ++i) {
    q.Push({.kind = InputKind::kText,
            .t_ns = t + static_cast<int64_t>(i) * gap_ms * kMs,
            .text = text.substr(i, 1)});
  }
  return t + static_cast<int64_t>(text.size() - 1) * gap_ms * kMs;
}

void Touch(InputQueue& q, int64_t t) {
  q.Push({.kind = InputKind::kTouch, .t_ns = t, .x = 10, .y = 20});
}

// The actions as short words: "typed:1000", "touch", "scan:TEXT", "key:back".
std::vector<std::string> Words(const std::vector<InputAction>& actions) {
  std::vector<std::string> out;
  for (const InputAction& a : actions) {
    switch (a.kind) {
      case ActionKind::kTyped:
        out.push_back("typed:" + a.text);
        break;
      case ActionKind::kScan:
        out.push_back("scan:" + a.text);
        break;
      case ActionKind::kDiscarded:
        out.push_back("discarded");
        break;
      case ActionKind::kKey:
        out.push_back("key:" + a.text);
        break;
      case ActionKind::kTouch:
        out.push_back("touch");
        break;
    }
  }
  return out;
}

using Seq = std::vector<std::string>;

TEST(InputQueueTest, ATapRightAfterHumanTypingWaitsForTheLastDigit) {
  InputQueue q;
  const int64_t last = Type(q, "1000", kT0, 150);
  Touch(q, last);  // at once
  // The first three digits are classified; the last one and the tap wait for its idle timeout.
  EXPECT_EQ(Words(q.Take(last)), (Seq{"typed:1", "typed:0", "typed:0"}));
  EXPECT_FALSE(q.idle());
  EXPECT_EQ(q.PollTimeoutMs(last), 80);
  EXPECT_EQ(Words(q.Take(last + kIdle - 1)), Seq{});
  EXPECT_EQ(Words(q.Take(last + kIdle)), (Seq{"typed:0", "touch"}));
  EXPECT_TRUE(q.idle());
  EXPECT_EQ(q.PollTimeoutMs(last + kIdle), -1);
}

TEST(InputQueueTest, ATapRightAfterWedgeSpeedDigitsWaitsForTheWholeBurst) {
  InputQueue q;
  const int64_t last = Type(q, "1000", kT0, 10);
  Touch(q, last);
  EXPECT_EQ(Words(q.Take(last)), Seq{});  // four keys at machine speed: not classified yet
  const std::vector<InputAction> out = q.Take(last + kIdle);
  // Too short for a card: a person's (or a keypad's) typing, then the tap.
  EXPECT_EQ(Words(out), (Seq{"typed:1000", "touch"}));
  EXPECT_EQ(out[0].t_ns, kT0);
  EXPECT_EQ(out[1].x, 10);
  EXPECT_EQ(out[1].y, 20);
}

TEST(InputQueueTest, TheTapWaitsWhenItComesInALaterBatchThanTheKeys) {
  InputQueue q;
  const int64_t last = Type(q, "25", kT0, 150);
  EXPECT_EQ(Words(q.Take(last)), (Seq{"typed:2"}));
  Touch(q, last + 5 * kMs);
  EXPECT_EQ(Words(q.Take(last + 5 * kMs)), Seq{});
  EXPECT_EQ(Words(q.Take(last + kIdle)), (Seq{"typed:5", "touch"}));
}

TEST(InputQueueTest, ATapWithNothingTypedIsAtOnce) {
  InputQueue q;
  Touch(q, kT0);
  EXPECT_EQ(q.PollTimeoutMs(kT0), 0);  // something is queued
  EXPECT_EQ(Words(q.Take(kT0)), (Seq{"touch"}));
  EXPECT_TRUE(q.idle());
}

TEST(InputQueueTest, EnterEndsTheBurstAtOnceAndKeysAfterTheTapComeAfterIt) {
  InputQueue q;
  const int64_t last = Type(q, "12", kT0, 150);
  q.Push({.kind = InputKind::kEnter, .t_ns = last + 50 * kMs});
  Touch(q, last + 200 * kMs);
  Type(q, "7", last + 400 * kMs, 0);
  EXPECT_EQ(Words(q.Take(last + 400 * kMs)), (Seq{"typed:1", "typed:2\n", "touch"}));
  EXPECT_EQ(Words(q.Take(last + 400 * kMs + kIdle)), (Seq{"typed:7"}));
}

TEST(InputQueueTest, AKeyTheUiHandlesEndsTheBurstWithoutWaiting) {
  InputQueue q;
  const int64_t last = Type(q, "123", kT0, 10);
  q.Push({.kind = InputKind::kKey, .t_ns = last + 5 * kMs, .text = "back"});
  EXPECT_EQ(Words(q.Take(last + 5 * kMs)), (Seq{"typed:123", "key:back"}));
  EXPECT_TRUE(q.idle());
}

TEST(InputQueueTest, AScannerBurstWithATapInsideComesWholeBeforeTheTap) {
  InputQueue q;
  const std::string card = "UC1:ABCDEFGH12345";
  const int64_t last = Type(q, card, kT0, 5);
  Touch(q, kT0 + 20 * kMs);  // while the scanner was still typing
  q.Push({.kind = InputKind::kEnter, .t_ns = last + 5 * kMs});
  EXPECT_EQ(Words(q.Take(last + 5 * kMs)), (Seq{"scan:" + card, "touch"}));
}

TEST(InputQueueTest, ScansFromOtherSourcesAreOrderedByWhenTheyHappened) {
  InputQueue q;
  Touch(q, kT0 + 30 * kMs);
  q.Push({.kind = InputKind::kScan, .t_ns = kT0, .text = "UC1:CAMERA", .capture_ns = kT0});
  const std::vector<InputAction> out = q.Take(kT0 + 30 * kMs);
  EXPECT_EQ(Words(out), (Seq{"scan:UC1:CAMERA", "touch"}));
  EXPECT_EQ(out[0].capture_ns, kT0);
}

TEST(InputQueueTest, ACameraScanDuringTypingWaitsForTheTypedKeys) {
  InputQueue q;
  const int64_t last = Type(q, "99", kT0, 10);
  q.Push({.kind = InputKind::kScan, .t_ns = last, .text = "UC1:CAMERA"});
  EXPECT_EQ(Words(q.Take(last)), Seq{});
  EXPECT_EQ(Words(q.Take(last + kIdle)), (Seq{"typed:99", "scan:UC1:CAMERA"}));
}

TEST(InputQueueTest, AnEventThatArrivesLateIsTakenAsHappeningAfterWhatWasHandedOut) {
  InputQueue q;
  Touch(q, kT0 + 100 * kMs);
  EXPECT_EQ(Words(q.Take(kT0 + 100 * kMs)), (Seq{"touch"}));
  // Stamped before what was handed out already: it still comes out, after it.
  q.Push({.kind = InputKind::kScan, .t_ns = kT0, .text = "UC1:LATE"});
  const std::vector<InputAction> out = q.Take(kT0 + 120 * kMs);
  EXPECT_EQ(Words(out), (Seq{"scan:UC1:LATE"}));
  EXPECT_EQ(out[0].t_ns, kT0 + 100 * kMs);
}

TEST(InputQueueTest, PushFromAnotherThreadWakesTheUi) {
  std::atomic<int> wakes{0};
  InputQueue q({}, [&wakes] { ++wakes; });
  std::thread producer([&q] {
    for (int i = 0; i < 3; ++i)
      q.Push({.kind = InputKind::kScan, .t_ns = kT0 + i, .text = "UC1:" + std::to_string(i)});
  });
  producer.join();
  EXPECT_EQ(wakes.load(), 3);
  EXPECT_EQ(Words(q.Take(kT0 + 10)), (Seq{"scan:UC1:0", "scan:UC1:1", "scan:UC1:2"}));
}

// The log line of each burst that could have been a scan says why a scan came out split: the
// first part ended on a pause, the second began that long after it. An amount typed by a person
// (shorter than a scan) is not logged, and no line holds a character of the card.
TEST(InputQueueTest, LogsHowEachScanLengthBurstEndedAndTheGapBeforeIt) {
  InputQueue q;
  std::vector<std::string> lines;
  q.on_burst = [&lines](const std::string& l) { lines.push_back(l); };
  int64_t last = Type(q, "UC1:ABCDEFGH", kT0, 3);   // a scanner's first 12 characters...
  last = Type(q, "IJKLMNOP", last + 150 * kMs, 3);  // ...a 150 ms stall, the rest
  q.Push({.kind = InputKind::kEnter, .t_ns = last + 3 * kMs});
  last = Type(q, "1250", last + 2000 * kMs, 180);  // the amount, typed
  q.Push({.kind = InputKind::kEnter, .t_ns = last + 200 * kMs});
  (void)q.Take(last + 200 * kMs + 10 * kIdle);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "burst: scan, 12 chars, ended by a pause, median gap 3.0 ms, longest 3.0 ms");
  EXPECT_EQ(lines[1],
            "burst: scan, 8 chars, ended by Enter, median gap 3.0 ms, longest 3.0 ms, "
            "150 ms after the burst before");
  for (const std::string& l : lines) EXPECT_EQ(l.find("ABC"), std::string::npos) << l;
}

}  // namespace
