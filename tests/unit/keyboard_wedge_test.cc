// Keyboard-wedge scanners: the assembler (timing, terminators, limits), layout undoing, and the
// evdev reader against a pipe carrying struct input_event records. Time is driven explicitly.
#include "scanner/keyboard_wedge.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/input.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "subprocess.h"

namespace scanner {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr std::string_view kBase45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

// A monotonic clock moved by the test in nanoseconds (base::FakeClock moves whole seconds).
class TestClock final : public base::Clock {
 public:
  int64_t NowUnixSeconds() const override { return 1'700'000'000; }
  int64_t MonotonicNanos() const override { return now_; }
  void Set(int64_t ns) { now_ = ns; }

 private:
  int64_t now_ = 0;
};

// Splits UTF-8 into code points (as strings), for typing them one by one.
std::vector<std::string> CodePoints(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    out.emplace_back(s.substr(i, len));
    i += len;
  }
  return out;
}

// Types `text` one code point every `gap_ms` from `*t`, leaving *t at the last key.
void TypeText(WedgeAssembler& a, std::string_view text, int64_t* t, int64_t gap_ms) {
  bool first = true;
  for (const std::string& cp : CodePoints(text)) {
    if (!first) *t += gap_ms * kMs;
    first = false;
    a.OnText(cp, *t);
  }
}

// "UC1:" and base45 of pseudo-random bytes, like an issued card's text.
std::string CardLikeText(size_t bytes, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<unsigned> data(bytes);
  for (unsigned& b : data) b = rng() & 0xFFu;
  std::string out = "UC1:";
  for (size_t i = 0; i + 1 < bytes; i += 2) {
    unsigned n = data[i] * 256 + data[i + 1];
    out += kBase45[n % 45];
    out += kBase45[(n / 45) % 45];
    out += kBase45[n / 2025];
  }
  if (bytes % 2 == 1) {
    out += kBase45[data.back() % 45];
    out += kBase45[data.back() / 45];
  }
  return out;
}

// What a US-layout scanner presses for each base45 character (written independently of the
// library's tables).
struct UsKey {
  uint16_t code;
  bool shift;
};
UsKey UsKeyFor(char c) {
  static constexpr uint16_t kLetters[26] = {
      KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L, KEY_M,
      KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z};
  if (c == '0') return {KEY_0, false};
  if (c >= '1' && c <= '9') return {static_cast<uint16_t>(KEY_1 + (c - '1')), false};
  if (c >= 'A' && c <= 'Z') return {kLetters[c - 'A'], true};
  switch (c) {
    case ' ':
      return {KEY_SPACE, false};
    case '$':
      return {KEY_4, true};
    case '%':
      return {KEY_5, true};
    case '*':
      return {KEY_8, true};
    case '+':
      return {KEY_EQUAL, true};
    case '-':
      return {KEY_MINUS, false};
    case '.':
      return {KEY_DOT, false};
    case '/':
      return {KEY_SLASH, false};
    case ':':
      return {KEY_SEMICOLON, true};
    default:
      ADD_FAILURE() << "no key for " << c;
      return {KEY_RESERVED, false};
  }
}

// What each base45 character (kBase45 order) arrives as through a layout, per the standard
// Windows/X11 "ru" and "kz" layouts.
using Layout = std::array<std::string_view, 45>;
constexpr Layout kRussian = {{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "Ф", "И",
                              "С", "В", "У", "А", "П", "Р", "Ш", "О", "Л", "Д", "Ь", "Т",
                              "Щ", "З", "Й", "К", "Ы", "Е", "Г", "М", "Ц", "Ч", "Н", "Я",
                              " ", ";", "%", "*", "+", "-", "ю", ".", "Ж"}};
constexpr Layout kRussianCapsLock = {{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "ф", "и",
                                      "с", "в", "у", "а", "п", "р", "ш", "о", "л", "д", "ь", "т",
                                      "щ", "з", "й", "к", "ы", "е", "г", "м", "ц", "ч", "н", "я",
                                      " ", ";", "%", "*", "+", "-", "Ю", ".", "ж"}};
constexpr Layout kKazakh = {{"қ", "\"", "ә", "і", "ң", "ғ", ",", ".", "ү", "ұ", "Ф", "И",
                             "С", "В",  "У", "А", "П", "Р", "Ш", "О", "Л", "Д", "Ь", "Т",
                             "Щ", "З",  "Й", "К", "Ы", "Е", "Г", "М", "Ц", "Ч", "Н", "Я",
                             " ", "Ң",  "Ғ", "Ү", "Һ", "ө", "ю", "№", "Ж"}};

std::string ThroughLayout(std::string_view us, const Layout& layout) {
  std::string out;
  for (char c : us) {
    const size_t i = kBase45.find(c);
    EXPECT_NE(i, std::string_view::npos) << c;
    if (i != std::string_view::npos) out += layout[i];
  }
  return out;
}

std::string AllBase45Card() { return "UC1:" + std::string(kBase45); }

// --- Assembler: timing ---

TEST(WedgeAssembler, FastBurstWithEnterIsOneScan) {
  WedgeAssembler a;
  const std::string card = AllBase45Card();
  int64_t t = 1000 * kMs;
  for (char c : card) {
    UsKey k = UsKeyFor(c);
    a.OnKeycode(k.code, k.shift, t);
    t += 3 * kMs;
  }
  EXPECT_TRUE(a.TakeEvents().empty());  // nothing before the Enter
  a.OnKeycode(KEY_ENTER, false, t);
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kScan);
  EXPECT_EQ(ev[0].text, card);
  EXPECT_EQ(ev[0].end, BurstEnd::kEnter);
  EXPECT_EQ(ev[0].chars, card.size());
  EXPECT_EQ(ev[0].median_gap_ns, 3 * kMs);
  EXPECT_EQ(ev[0].first_key_ns, 1000 * kMs);
  EXPECT_FALSE(a.deadline_ns().has_value());
  EXPECT_EQ(a.PollTimeoutMs(t), -1);
}

TEST(WedgeAssembler, NoEnterEndsAfterIdleTimeout) {
  WedgeAssembler a;  // idle timeout 80 ms
  int64_t t = 5 * kMs;
  TypeText(a, "UC1:NOENTER", &t, 2);
  ASSERT_EQ(a.deadline_ns(), t + 80 * kMs);
  EXPECT_EQ(a.PollTimeoutMs(t), 80);
  EXPECT_EQ(a.PollTimeoutMs(t + 79 * kMs + 1), 1);  // rounded up, never a busy 0
  a.Poll(t + 79 * kMs);
  EXPECT_TRUE(a.TakeEvents().empty());
  a.Poll(t + 80 * kMs);
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kScan);
  EXPECT_EQ(ev[0].text, "UC1:NOENTER");
  EXPECT_EQ(ev[0].end, BurstEnd::kIdleTimeout);
  EXPECT_TRUE(a.idle());
}

TEST(WedgeAssembler, TabEndsAScanOrIsACharacter) {
  WedgeAssembler a;
  int64_t t = 0;
  TypeText(a, "UC1:TABBED", &t, 1);
  a.OnTab(t + kMs);
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].text, "UC1:TABBED");
  EXPECT_EQ(ev[0].end, BurstEnd::kTab);

  WedgeAssembler b(WedgeOptions{.tab_ends_scan = false});
  t = 0;
  TypeText(b, "UC1:AB", &t, 1);
  b.OnTab(t + kMs);
  t += kMs;
  TypeText(b, "CD", &t, 1);
  b.OnEnter(t + kMs);
  ev = b.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kScan);
  EXPECT_EQ(ev[0].text, "UC1:AB\tCD");
}

TEST(WedgeAssembler, SlowTypingIsTypedTextNotAScan) {
  WedgeAssembler a;
  std::string typed;
  int64_t t = 0;
  for (char c : std::string("1250")) {
    a.OnText(std::string(1, c), t);
    t += 150 * kMs;
    a.Poll(t);
  }
  a.OnEnter(t);
  for (const WedgeEvent& e : a.TakeEvents()) {
    EXPECT_EQ(e.kind, WedgeEventKind::kTypedText);
    typed += e.text;
  }
  EXPECT_EQ(typed, "1250\n");
}

TEST(WedgeAssembler, FastPersonAndAutoRepeatAreNotScans) {
  WedgeAssembler a;
  // A quick typist: keys 40-70 ms apart, all inside one idle window, ending with Enter.
  int64_t t = 0;
  const int64_t gaps[] = {45, 60, 40, 70, 55, 42, 65, 50, 48, 58};
  std::string text = "UC1:HUMANLY";
  for (size_t i = 0; i < text.size(); ++i) {
    a.OnText(text.substr(i, 1), t);
    t += gaps[i % std::size(gaps)] * kMs;
  }
  a.OnEnter(t);
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kTypedText);
  EXPECT_EQ(ev[0].text, "UC1:HUMANLY\n");
  EXPECT_GT(ev[0].median_gap_ns, 20 * kMs);

  // A held key repeating every 33 ms (the kernel's default period).
  t += kMs * 1000;
  for (int i = 0; i < 40; ++i, t += 33 * kMs) a.OnKeycode(KEY_0, false, t);
  a.Poll(t + 80 * kMs);
  ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kTypedText);
  EXPECT_EQ(ev[0].text, std::string(40, '0'));
}

TEST(WedgeAssembler, ShortFastBurstIsTypedText) {
  WedgeAssembler a;  // min_scan_chars 8: two keys rolled over together are a person
  a.OnText("1", 0);
  a.OnText("2", 4 * kMs);
  a.OnEnter(9 * kMs);
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kTypedText);
  EXPECT_EQ(ev[0].text, "12\n");
}

TEST(WedgeAssembler, PersonTypesThenScannerFires) {
  WedgeAssembler a;
  int64_t t = 0;
  a.OnText("1", t);
  t += 200 * kMs;
  a.OnText("2", t);
  t += 150 * kMs;
  a.OnText("5", t);
  t += 50 * kMs;  // the scanner starts 50 ms after the person's last key: inside the idle window
  TypeText(a, "UC1:MIXED123", &t, 2);
  a.OnEnter(t + 2 * kMs);
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kTypedText);
  EXPECT_EQ(ev[0].text, "1");
  EXPECT_EQ(ev[1].text, "2");
  EXPECT_EQ(ev[2].kind, WedgeEventKind::kTypedText);
  EXPECT_EQ(ev[2].text, "5");
  EXPECT_EQ(ev[3].kind, WedgeEventKind::kScan);
  EXPECT_EQ(ev[3].text, "UC1:MIXED123");
}

TEST(WedgeAssembler, PersonTypesRightAfterAScanWithoutEnter) {
  WedgeAssembler a;
  int64_t t = 0;
  TypeText(a, "UC1:NOSUFFIX", &t, 2);
  t += 60 * kMs;
  a.OnText("7", t);
  a.Poll(t + 80 * kMs);
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kScan);
  EXPECT_EQ(ev[0].text, "UC1:NOSUFFIX");
  EXPECT_EQ(ev[1].kind, WedgeEventKind::kTypedText);
  EXPECT_EQ(ev[1].text, "7");
}

TEST(WedgeAssembler, ScanAfterLateKeyStartsNewBurstWithoutPoll) {
  WedgeAssembler a;  // the caller never polled: the next key still closes the old burst
  int64_t t = 0;
  TypeText(a, "UC1:FIRST", &t, 1);
  t += 500 * kMs;
  TypeText(a, "UC1:SECOND", &t, 1);
  a.OnEnter(t + kMs);
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].text, "UC1:FIRST");
  EXPECT_EQ(ev[0].end, BurstEnd::kIdleTimeout);
  EXPECT_EQ(ev[1].text, "UC1:SECOND");
  EXPECT_EQ(ev[1].end, BurstEnd::kEnter);
}

TEST(WedgeAssembler, FlushEndsTheBurstNowInOrder) {
  WedgeAssembler a;
  a.OnText("4", 0);
  a.Flush(10 * kMs);  // the UI is about to handle Backspace itself
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].text, "4");
  EXPECT_EQ(ev[0].end, BurstEnd::kFlush);
  a.Flush(20 * kMs);
  EXPECT_TRUE(a.TakeEvents().empty());
}

TEST(WedgeAssembler, OverlongBurstIsDiscardedWithAnError) {
  WedgeAssembler a;
  int64_t t = 0;
  for (int i = 0; i < 5000; ++i, t += kMs) a.OnKeycode(KEY_7, false, t);
  a.OnEnter(t);
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kDiscarded);
  EXPECT_EQ(ev[0].status.code(), base::StatusCode::kOutOfRange);
  EXPECT_NE(ev[0].status.message().find("5000"), std::string::npos) << ev[0].status.ToString();
  EXPECT_EQ(ev[0].chars, 5000u);
  EXPECT_EQ(ev[0].end, BurstEnd::kEnter);

  // Just over the limit (inside the buffer's slack) and no Enter: discarded too.
  t += kMs * 1000;
  TypeText(a, "UC1:" + std::string(1021, 'A'), &t, 1);
  a.Poll(t + 80 * kMs);
  ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kDiscarded);
  EXPECT_EQ(ev[0].chars, 1025u);

  // Exactly the limit is a scan, and the assembler is usable after the errors.
  t += kMs * 1000;
  const std::string longest = "UC1:" + std::string(1020, 'B');
  TypeText(a, longest, &t, 1);
  a.OnEnter(t + kMs);
  ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kScan);
  EXPECT_EQ(ev[0].text, longest);
}

TEST(WedgeAssembler, EnterAloneAndControlTextAreTyped) {
  WedgeAssembler a;
  a.OnEnter(0);
  a.OnText("\r\n", 500 * kMs);  // one Enter, not two
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].text, "\n");
  EXPECT_EQ(ev[1].text, "\n");
  a.OnText(std::string("\x01\x7f", 2), 600 * kMs);  // other controls are ignored
  EXPECT_TRUE(a.idle());
}

// --- Layouts ---

TEST(WedgeLayout, RussianLayoutTextBecomesTheCardText) {
  EXPECT_EQ(NormalizeWedgeText("ГС1Ж").text, "UC1:");
  EXPECT_EQ(NormalizeWedgeText("ГС1Ж").layout, LayoutFix::kRussian);
  const std::string card = AllBase45Card();
  const std::string russian = ThroughLayout(card, kRussian);
  ASSERT_TRUE(russian.starts_with("ГС1Ж"));
  NormalizedText n = NormalizeWedgeText(russian);
  EXPECT_EQ(n.text, card);
  EXPECT_EQ(n.layout, LayoutFix::kRussian);

  n = NormalizeWedgeText(ThroughLayout(card, kRussianCapsLock));
  EXPECT_EQ(n.text, card);
  EXPECT_EQ(n.layout, LayoutFix::kRussianCapsLock);

  n = NormalizeWedgeText(ThroughLayout(card, kKazakh));
  EXPECT_EQ(n.text, card);
  EXPECT_EQ(n.layout, LayoutFix::kKazakh);

  n = NormalizeWedgeText("гс\"ж");  // Kazakh with caps lock on
  EXPECT_EQ(n.text, "UC1:");
  EXPECT_EQ(n.layout, LayoutFix::kKazakhCapsLock);
}

TEST(WedgeLayout, EveryBase45CharacterAloneThroughRussian) {
  for (size_t i = 0; i < kBase45.size(); ++i) {
    const std::string us = "UC1:" + std::string(1, kBase45[i]);
    EXPECT_EQ(NormalizeWedgeText(ThroughLayout(us, kRussian)).text, us) << i;
    EXPECT_EQ(NormalizeWedgeText(ThroughLayout(us, kKazakh)).text, us) << i;
  }
}

TEST(WedgeLayout, CapsLockOnAUsLayout) {
  NormalizedText n = NormalizeWedgeText("uc1:abc$%");
  EXPECT_EQ(n.text, "UC1:ABC$%");
  EXPECT_EQ(n.layout, LayoutFix::kCapsLock);
}

TEST(WedgeLayout, OtherTextIsLeftAsItArrived) {
  // A lower-case code that is not a card may be genuine (a URL): not up-cased.
  EXPECT_EQ(NormalizeWedgeText("https://example.org/a").text, "https://example.org/a");
  EXPECT_EQ(NormalizeWedgeText("https://example.org/a").layout, LayoutFix::kNone);
  // Cyrillic that does not map to QR alphanumerics stays Cyrillic.
  EXPECT_EQ(NormalizeWedgeText("Привет, мир!").text, "Привет, мир!");
  EXPECT_EQ(NormalizeWedgeText("Привет, мир!").layout, LayoutFix::kNone);
  // Already fine: untouched.
  EXPECT_EQ(NormalizeWedgeText("UC1:ABC").layout, LayoutFix::kNone);
  // Broken UTF-8 is not a crash.
  EXPECT_EQ(NormalizeWedgeText("\xD0").layout, LayoutFix::kNone);
}

TEST(WedgeLayout, ScannerBurstThroughRussianLayoutIsFixedTypedTextIsNot) {
  WedgeAssembler a;
  const std::string card = AllBase45Card();
  int64_t t = 0;
  TypeText(a, ThroughLayout(card, kRussian), &t, 2);
  a.OnEnter(t + 2 * kMs);
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kScan);
  EXPECT_EQ(ev[0].text, card);
  EXPECT_EQ(ev[0].layout, LayoutFix::kRussian);

  // A cashier typing Russian slowly gets it back as typed.
  t += 1000 * kMs;
  TypeText(a, "ГС", &t, 200);
  a.OnEnter(t + 200 * kMs);
  std::string typed;
  for (const WedgeEvent& e : a.TakeEvents()) {
    EXPECT_EQ(e.kind, WedgeEventKind::kTypedText);
    typed += e.text;
  }
  EXPECT_EQ(typed, "ГС\n");

  WedgeAssembler raw(WedgeOptions{.fix_layout = false});
  t = 0;
  TypeText(raw, "ГС1ЖАВСВУАП", &t, 1);
  raw.OnEnter(t + kMs);
  ev = raw.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].text, "ГС1ЖАВСВУАП");
}

TEST(WedgeLayout, UsKeycodes) {
  EXPECT_EQ(UsKeycodeToAscii(KEY_SEMICOLON, true), ':');
  EXPECT_EQ(UsKeycodeToAscii(KEY_SEMICOLON, false), ';');
  EXPECT_EQ(UsKeycodeToAscii(KEY_Q, false), 'q');
  EXPECT_EQ(UsKeycodeToAscii(KEY_SPACE, true), ' ');
  EXPECT_EQ(UsKeycodeToAscii(KEY_KP7, false), '7');
  EXPECT_EQ(UsKeycodeToAscii(KEY_ENTER, false), std::nullopt);
  EXPECT_EQ(UsKeycodeToAscii(KEY_F1, false), std::nullopt);
  for (char c : kBase45) {
    UsKey k = UsKeyFor(c);
    EXPECT_EQ(UsKeycodeToAscii(k.code, k.shift), c);
  }
}

// --- A card-like text through both paths ---

TEST(WedgeRoundTrip, CardTextThroughKeycodesAndRussianText) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const std::string card = CardLikeText(200 + seed * 37, seed);
    ASSERT_LE(card.size(), 1024u);
    WedgeAssembler keys;
    int64_t t = 0;
    for (char c : card) {
      UsKey k = UsKeyFor(c);
      keys.OnKeycode(k.code, k.shift, t += 4 * kMs);
    }
    keys.OnKeycode(KEY_KPENTER, false, t + 4 * kMs);
    std::vector<WedgeEvent> ev = keys.TakeEvents();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].text, card);

    WedgeAssembler text;
    t = 0;
    TypeText(text, ThroughLayout(card, kRussian), &t, 1);
    text.Poll(t + 80 * kMs);  // this one sends no Enter
    ev = text.TakeEvents();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, WedgeEventKind::kScan);
    EXPECT_EQ(ev[0].text, card);
  }
}

// --- The evdev reader over a pipe ---

class EventWriter {
 public:
  explicit EventWriter(int fd) : fd_(fd) {}
  void Event(uint16_t type, uint16_t code, int32_t value, int64_t t_ns) {
    input_event ev{};
    ev.input_event_sec = static_cast<decltype(ev.input_event_sec)>(t_ns / 1'000'000'000);
    ev.input_event_usec = static_cast<decltype(ev.input_event_usec)>(t_ns % 1'000'000'000 / 1000);
    ev.type = type;
    ev.code = code;
    ev.value = value;
    char bytes[sizeof(ev)];
    std::memcpy(bytes, &ev, sizeof(ev));
    bytes_.append(bytes, sizeof(ev));
  }
  void Key(uint16_t code, int32_t value, int64_t t_ns) {
    Event(EV_KEY, code, value, t_ns);
    Event(EV_SYN, SYN_REPORT, 0, t_ns);
  }
  // Press and release, with shift around it if asked, as a US scanner sends a character.
  void Press(uint16_t code, bool shift, int64_t t_ns) {
    if (shift) Key(KEY_LEFTSHIFT, 1, t_ns);
    Key(code, 1, t_ns);
    Key(code, 0, t_ns + kMs / 2);
    if (shift) Key(KEY_LEFTSHIFT, 0, t_ns + kMs / 2);
  }
  void Type(std::string_view text, int64_t* t, int64_t gap_ms) {
    for (char c : text) {
      UsKey k = UsKeyFor(c);
      Press(k.code, k.shift, *t);
      *t += gap_ms * kMs;
    }
  }
  // Writes what was queued (or only its first `n` bytes).
  void Flush(size_t n = std::string::npos) {
    n = std::min(n, bytes_.size());
    size_t done = 0;
    while (done < n) {
      ssize_t w = ::write(fd_, bytes_.data() + done, n - done);
      ASSERT_GT(w, 0) << std::strerror(errno);
      done += static_cast<size_t>(w);
    }
    bytes_.erase(0, n);
  }

 private:
  int fd_;
  std::string bytes_;
};

struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    read_end = base::UniqueFd(fds[0]);
    write_end = base::UniqueFd(fds[1]);
  }
  base::UniqueFd read_end, write_end;
};

class FakeControl final : public EvdevControl {
 public:
  base::Status Grab(int, bool grab) override {
    (grab ? grabs : ungrabs)++;
    return base::Status::Ok();
  }
  base::Status UseMonotonicClock(int) override { return base::Status::Ok(); }
  std::string DeviceName(int) override { return "Fake Barcode Scanner"; }
  int grabs = 0, ungrabs = 0;
};

std::vector<WedgeEvent> ServiceAll(EvdevWedgeReader& r) {
  std::vector<WedgeEvent> all;
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(r.Service().ok());
    for (WedgeEvent& e : r.TakeEvents()) all.push_back(std::move(e));
  }
  return all;
}

TEST(EvdevWedgeReader, ReadsAScanFromAPipeGrabFailureIsReportedNotFatal) {
  TestClock clock;
  Pipe p;
  EvdevOptions options;
  options.times = EventTimes::kEvent;
  auto reader = EvdevWedgeReader::FromFd(std::move(p.read_end), "pipe", options, clock);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EvdevWedgeReader& r = **reader;
  EXPECT_FALSE(r.grab_status().ok());  // EVIOCGRAB on a pipe: ENOTTY
  EXPECT_NE(r.Describe().find("not grabbed"), std::string::npos) << r.Describe();
  EXPECT_EQ(r.PollTimeoutMs(), -1);

  // ~450 characters of up to 8 records each: more than a pipe holds, so written in pieces.
  const std::string card = CardLikeText(300, 42);
  EventWriter w(p.write_end.get());
  int64_t t = 10'000 * kMs;
  std::vector<WedgeEvent> ev;
  for (size_t i = 0; i < card.size(); i += 50) {
    w.Type(std::string_view(card).substr(i, 50), &t, 3);
    w.Flush();
    clock.Set(t);
    for (WedgeEvent& e : ServiceAll(r)) ev.push_back(std::move(e));
  }
  EXPECT_TRUE(ev.empty());
  w.Key(KEY_ENTER, 1, t);
  w.Key(KEY_ENTER, 0, t + kMs);
  w.Flush();
  clock.Set(t + 2 * kMs);
  ev = ServiceAll(r);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kScan);
  EXPECT_EQ(ev[0].text, card);
  EXPECT_EQ(ev[0].first_key_ns, 10'000 * kMs);
}

TEST(EvdevWedgeReader, RequiredGrabFailsOnAPipe) {
  TestClock clock;
  Pipe p;
  EvdevOptions options;
  options.require_grab = true;
  auto reader = EvdevWedgeReader::FromFd(std::move(p.read_end), "pipe", options, clock);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("grabbing pipe"), std::string::npos)
      << reader.status().ToString();
}

TEST(EvdevWedgeReader, PartialEventNoEnterTimeoutAndHangup) {
  TestClock clock;
  Pipe p;
  FakeControl control;
  auto reader = EvdevWedgeReader::FromFd(std::move(p.read_end), "pipe", {}, clock, control);
  ASSERT_TRUE(reader.ok());
  EvdevWedgeReader& r = **reader;
  EXPECT_TRUE(r.grab_status().ok());
  EXPECT_EQ(control.grabs, 1);
  EXPECT_NE(r.Describe().find("\"Fake Barcode Scanner\" grabbed"), std::string::npos)
      << r.Describe();

  EventWriter w(p.write_end.get());
  int64_t t = 50 * kMs;
  w.Type("UC1:PARTIAL", &t, 2);
  w.Flush();
  // The last key arrives split in two writes: a pipe can cut a struct input_event.
  w.Press(KEY_1, false, t);
  w.Flush(10);
  clock.Set(t);
  ASSERT_TRUE(r.Service().ok());
  EXPECT_TRUE(r.TakeEvents().empty());
  EXPECT_EQ(r.PollTimeoutMs(), 80 - 2);  // the last complete key was 2 ms ago
  w.Flush();
  ASSERT_TRUE(r.Service().ok());
  EXPECT_TRUE(r.TakeEvents().empty());
  EXPECT_EQ(r.PollTimeoutMs(), 80);

  clock.Set(t + 79 * kMs);
  ASSERT_TRUE(r.Service().ok());
  EXPECT_TRUE(r.TakeEvents().empty());
  clock.Set(t + 80 * kMs);
  ASSERT_TRUE(r.Service().ok());
  std::vector<WedgeEvent> ev = r.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].text, "UC1:PARTIAL1");
  EXPECT_EQ(ev[0].end, BurstEnd::kIdleTimeout);

  // A burst is under way, half an event is in the pipe, and the device goes away.
  t += 1000 * kMs;
  w.Type("UC1:CUTOFF", &t, 2);
  w.Flush();
  w.Press(KEY_9, false, t);
  w.Flush(5);
  p.write_end = base::UniqueFd();
  clock.Set(t + kMs);
  ASSERT_TRUE(r.Service().ok());
  EXPECT_EQ(r.state(), SourceState::kUnavailable);
  EXPECT_EQ(r.fd(), -1);
  EXPECT_NE(r.Describe().find("unplugged"), std::string::npos);
  EXPECT_EQ(control.ungrabs, 0);  // a vanished device has nothing to release
  ev = r.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);  // what came before the hangup, flushed
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kScan);
  EXPECT_EQ(ev[0].text, "UC1:CUTOFF");
  EXPECT_EQ(ev[0].end, BurstEnd::kFlush);
  EXPECT_EQ(r.Reopen().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(r.Service().ok());  // still fine to call
  EXPECT_EQ(r.PollTimeoutMs(), -1);
}

TEST(EvdevWedgeReader, UngrabsOnDestruction) {
  TestClock clock;
  Pipe p;
  FakeControl control;
  {
    auto reader = EvdevWedgeReader::FromFd(std::move(p.read_end), "pipe", {}, clock, control);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(control.grabs, 1);
    EXPECT_EQ(control.ungrabs, 0);
  }
  EXPECT_EQ(control.ungrabs, 1);
  // The read end was closed with the reader: the write end reports an error.
  pollfd pfd{p.write_end.get(), POLLOUT, 0};
  ASSERT_EQ(::poll(&pfd, 1, 0), 1);
  EXPECT_TRUE(pfd.revents & POLLERR);
}

TEST(EvdevWedgeReader, EventTimesAreUsedWhenTheKernelCanStampMonotonic) {
  TestClock clock;
  clock.Set(5000 * kMs);
  Pipe p;
  FakeControl control;  // UseMonotonicClock succeeds: kAuto trusts event times
  auto reader = EvdevWedgeReader::FromFd(std::move(p.read_end), "pipe", {}, clock, control);
  ASSERT_TRUE(reader.ok());
  EventWriter w(p.write_end.get());
  int64_t t = 4000 * kMs;  // a person's keys, 200 ms apart, all read at once
  w.Type("12345678", &t, 200);
  w.Key(KEY_ENTER, 1, t);
  w.Flush();
  clock.Set(t + kMs);
  ASSERT_TRUE((*reader)->Service().ok());
  std::string typed;
  for (const WedgeEvent& e : (*reader)->TakeEvents()) {
    EXPECT_EQ(e.kind, WedgeEventKind::kTypedText);
    typed += e.text;
  }
  EXPECT_EQ(typed, "12345678\n");
}

TEST(EvdevWedgeReader, ModifiersCapsLockCtrlAndAltCodes) {
  TestClock clock;
  Pipe p;
  FakeControl control;
  auto reader = EvdevWedgeReader::FromFd(std::move(p.read_end), "pipe", {}, clock, control);
  ASSERT_TRUE(reader.ok());
  EventWriter w(p.write_end.get());
  int64_t t = 0;
  w.Type("UC1:", &t, 1);
  // Right shift works like left shift.
  w.Key(KEY_RIGHTSHIFT, 1, t);
  w.Key(KEY_A, 1, t);
  w.Key(KEY_A, 2, t += kMs);  // auto-repeat counts as a press
  w.Key(KEY_A, 0, t);
  w.Key(KEY_RIGHTSHIFT, 0, t);
  // The device toggles its own caps lock: unshifted letters come out upper case.
  w.Key(KEY_CAPSLOCK, 1, t += kMs);
  w.Key(KEY_CAPSLOCK, 0, t);
  w.Press(KEY_B, false, t += kMs);
  w.Press(KEY_1, false, t += kMs);  // digits are not affected
  w.Key(KEY_CAPSLOCK, 1, t += kMs);
  w.Key(KEY_CAPSLOCK, 0, t);
  // Ctrl+key types nothing.
  w.Key(KEY_LEFTCTRL, 1, t += kMs);
  w.Press(KEY_C, false, t);
  w.Key(KEY_LEFTCTRL, 0, t);
  // Alt + keypad decimal code: 58 is ':', then 67 'C'.
  for (int code : {58, 67}) {
    w.Key(KEY_LEFTALT, 1, t += kMs);
    w.Press(code / 10 == 5 ? KEY_KP5 : KEY_KP6, false, t);
    w.Press(code % 10 == 8 ? KEY_KP8 : KEY_KP7, false, t);
    w.Key(KEY_LEFTALT, 0, t);
  }
  // Keys a scanner never sends are ignored; keypad digits type digits.
  w.Press(KEY_F5, false, t += kMs);
  w.Press(KEY_KP2, false, t += kMs);
  w.Event(EV_MSC, MSC_SCAN, 0x70028, t);
  w.Key(KEY_KPENTER, 1, t += kMs);
  w.Flush();
  clock.Set(t + kMs);
  std::vector<WedgeEvent> ev = ServiceAll(**reader);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kScan);
  EXPECT_EQ(ev[0].text, "UC1:AAB1:C2");
}

TEST(EvdevWedgeReader, DroppedEventsDiscardTheBurst) {
  TestClock clock;
  Pipe p;
  FakeControl control;
  auto reader = EvdevWedgeReader::FromFd(std::move(p.read_end), "pipe", {}, clock, control);
  ASSERT_TRUE(reader.ok());
  EventWriter w(p.write_end.get());
  int64_t t = 0;
  w.Type("UC1:LOST", &t, 1);
  w.Event(EV_SYN, SYN_DROPPED, 0, t);
  w.Event(EV_KEY, KEY_X, 1, t);  // ignored up to the next SYN_REPORT
  w.Event(EV_SYN, SYN_REPORT, 0, t);
  t += kMs;
  w.Type("UC1:AFTERWARDS", &t, 1);
  w.Key(KEY_ENTER, 1, t);
  w.Flush();
  clock.Set(t + kMs);
  std::vector<WedgeEvent> ev = ServiceAll(**reader);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, WedgeEventKind::kDiscarded);
  EXPECT_EQ(ev[0].status.code(), base::StatusCode::kDataLoss);
  EXPECT_EQ(ev[0].chars, 8u);
  EXPECT_EQ(ev[1].kind, WedgeEventKind::kScan);
  EXPECT_EQ(ev[1].text, "UC1:AFTERWARDS");
}

TEST(EvdevWedgeReader, OpenUnplugAndReopenByPath) {
  // A FIFO stands in for the device node: opened by path, "unplugged" when its writer closes,
  // there again for Reopen().
  cktest::TempDir tmp;
  const std::string node = tmp.path() + "/event0";
  ASSERT_EQ(::mkfifo(node.c_str(), 0600), 0);
  TestClock clock;
  EvdevOptions options;
  options.times = EventTimes::kEvent;
  auto reader = EvdevWedgeReader::Open(node, options, clock);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EvdevWedgeReader& r = **reader;
  EXPECT_FALSE(r.grab_status().ok());
  for (int plug = 0; plug < 2; ++plug) {
    base::UniqueFd writer(::open(node.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    ASSERT_TRUE(writer.valid()) << std::strerror(errno);
    EventWriter w(writer.get());
    int64_t t = kMs * 1000 * (plug + 1);
    const std::string text = "UC1:PLUG" + std::to_string(plug) + "ABC";
    w.Type(text, &t, 2);
    w.Key(KEY_ENTER, 1, t);
    w.Key(KEY_ENTER, 2, t + 300 * kMs);  // auto-repeat of Enter: no extra event
    w.Flush();
    clock.Set(t + 300 * kMs);
    ASSERT_TRUE(r.Service().ok());
    std::vector<WedgeEvent> ev = r.TakeEvents();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].text, text);
    writer = base::UniqueFd();
    ASSERT_TRUE(r.Service().ok());
    EXPECT_EQ(r.state(), SourceState::kUnavailable);
    EXPECT_EQ(r.fd(), -1);
    ASSERT_TRUE(r.Reopen().ok());
    EXPECT_EQ(r.state(), SourceState::kRunning);
    EXPECT_GE(r.fd(), 0);
  }
  ASSERT_EQ(::unlink(node.c_str()), 0);
  reader = EvdevWedgeReader::Open(node, options, clock);
  EXPECT_EQ(reader.status().code(), base::StatusCode::kUnavailable);
}

TEST(EvdevWedgeReader, OpenReportsAMissingDevice) {
  TestClock clock;
  auto reader = EvdevWedgeReader::Open("/nonexistent/input/event99", {}, clock);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), base::StatusCode::kUnavailable);
}

// --- Finding devices ---

TEST(InputDevices, ListsKeyboardsAndSpotsScanners) {
  cktest::TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  const std::string by_id = tmp.path() + "/by-id", sys = tmp.path() + "/sys";
  ASSERT_EQ(::mkdir(by_id.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(sys.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((sys + "/event3").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((sys + "/event3/device").c_str(), 0755), 0);
  FILE* f = std::fopen((sys + "/event3/device/name").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("Logitech USB Keyboard\n", f);
  std::fclose(f);
  ASSERT_EQ(::symlink("../event3", (by_id + "/usb-Logitech_USB_Keyboard-event-kbd").c_str()), 0);
  ASSERT_EQ(::symlink("../event5", (by_id + "/usb-Honeywell_Imaging_1900-event-kbd").c_str()), 0);
  ASSERT_EQ(::symlink("../event6", (by_id + "/usb-Logitech_Mouse-event-mouse").c_str()), 0);

  auto list = ListKeyboardDevices(by_id, sys);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].path, by_id + "/usb-Honeywell_Imaging_1900-event-kbd");
  EXPECT_EQ((*list)[0].name, "Honeywell Imaging 1900");
  EXPECT_TRUE((*list)[0].looks_like_scanner);
  EXPECT_EQ((*list)[1].name, "Logitech USB Keyboard");
  EXPECT_FALSE((*list)[1].looks_like_scanner);

  auto none = ListKeyboardDevices(tmp.path() + "/missing", sys);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(LooksLikeScanner("USB Barcode Scanner"));
  EXPECT_TRUE(LooksLikeScanner("NETUM 2D"));
  EXPECT_FALSE(LooksLikeScanner("AT Translated Set 2 keyboard"));
}

}  // namespace
// Each burst carries its longest gap (the Enter's too) and how long after the burst before it
// began: what tells a scan split by a stall in the log.
TEST(WedgeAssemblerTest, BurstsCarryTheirLongestGapAndTheGapBeforeThem) {
  WedgeAssembler a;
  int64_t t = 1000 * kMs;
  TypeText(a, "UC1:ABCDEF", &t, 2);
  a.OnEnter(t + 9 * kMs);
  std::vector<WedgeEvent> ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].max_gap_ns, 9 * kMs);
  EXPECT_EQ(ev[0].since_previous_ns, -1);  // the first burst
  const int64_t first_end = t;
  t += 500 * kMs;
  const int64_t second_start = t;
  TypeText(a, "UC1:GHIJ", &t, 2);
  t += 30 * kMs;
  a.OnText("K", t);
  a.Poll(t + 200 * kMs);
  ev = a.TakeEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].end, BurstEnd::kIdleTimeout);
  EXPECT_EQ(ev[0].max_gap_ns, 30 * kMs);
  EXPECT_EQ(ev[0].since_previous_ns, second_start - first_end);
}

}  // namespace scanner
