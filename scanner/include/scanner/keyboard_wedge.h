// Keyboard-wedge QR scanners: a USB scanner that "types" the decoded text and presses Enter.
//
// Two ways in, one core:
//  - WedgeAssembler (pure, no I/O, no threads, time passed in) turns timed keystrokes into events:
//    a scan when a burst of keys came at machine speed, the keystrokes as typed text when a person
//    typed them. The UI feeds it text input (SDL_TEXTINPUT) and Enter; the evdev reader feeds it
//    key codes.
//  - EvdevWedgeReader reads a scanner's /dev/input/eventN directly, grabbed so that its keys do not
//    reach the focused window, and maps key codes as a US keyboard (what scanners emulate), so no
//    OS keyboard layout can garble the payload.
// Text that arrived through a Russian or Kazakh layout is mapped back to the keys the scanner
// pressed (NormalizeWedgeText).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/file.h"
#include "base/status.h"
#include "scanner/frame_source.h"

namespace scanner {

struct WedgeOptions {
  // A burst with no Enter (or Tab) ends this long after its last key; a key after a longer gap
  // starts a new burst. Longer than a scanner ever pauses inside a code, short enough that a
  // scanner configured without a suffix still feels instant.
  int64_t idle_timeout_ms = 80;
  // A burst is a scan when the median gap between its keys is at most this...
  int64_t max_median_gap_ms = 20;
  // ...and it has at least this many characters (shorter ones are typed text).
  size_t min_scan_chars = 8;
  // Keys set apart from the start of a machine-speed burst (or from its end, when no Enter came) by
  // a gap longer than this were typed by a person just before (after) the scanner fired.
  int64_t edge_gap_ms = 40;
  // Longer scans are discarded with a kOutOfRange status (the card format's own limit is 1024).
  size_t max_scan_chars = 1024;
  // Tab ends a scan like Enter (scanners configured with a Tab suffix). If false, Tab is a
  // character of the burst.
  bool tab_ends_scan = true;
  // Text input only: undo a Russian/Kazakh layout or caps lock (see NormalizeWedgeText).
  bool fix_layout = true;
};

enum class WedgeEventKind : uint8_t {
  kScan,       // a scanner burst: `text` is the code's content
  kTypedText,  // a person's keystrokes, for the UI: UTF-8, Enter as '\n', Tab as '\t'
  kDiscarded,  // a burst that was dropped: `status` says why (too long, events lost)
};
std::string_view WedgeEventKindName(WedgeEventKind kind);

enum class BurstEnd : uint8_t {
  kEnter,
  kTab,
  kIdleTimeout,  // no Enter came within idle_timeout_ms
  kFlush,        // Flush() or Discard() (a non-text key, device unplugged, events lost)
};

// How text input was translated back to what the scanner typed.
enum class LayoutFix : uint8_t {
  kNone,             // used as it arrived
  kCapsLock,         // lower-case letters up-cased (caps lock was on)
  kRussian,          // ЙЦУКЕН (ru) -> QWERTY
  kRussianCapsLock,  // ЙЦУКЕН with caps lock on
  kKazakh,           // Kazakh (kz) -> QWERTY
  kKazakhCapsLock,
};
std::string_view LayoutFixName(LayoutFix fix);

struct WedgeEvent {
  WedgeEventKind kind = WedgeEventKind::kTypedText;
  std::string text;
  base::Status status;  // not OK for kDiscarded only
  BurstEnd end = BurstEnd::kFlush;
  LayoutFix layout = LayoutFix::kNone;  // kScan from text input
  size_t chars = 0;                     // characters in the burst part this event covers
  int64_t first_key_ns = 0, last_key_ns = 0;
  int64_t median_gap_ns = 0;  // of the burst, for tuning the thresholds from logs
  int64_t max_gap_ns = 0;     // the burst's longest gap between keys (to its Enter/Tab too)
  // From the last key of the burst before (-1: none): a burst that ended on a pause and one that
  // follows within a few hundred ms were most likely one scan split by a stall.
  int64_t since_previous_ns = -1;
};

// Assembles timed keystrokes into scans and typed text. Pure: no I/O, no clock of its own; every
// call takes the monotonic time of the key (evdev event time, SDL event time, or
// Clock::MonotonicNanos()), non-decreasing. Not thread-safe: one thread feeds it.
//
// Typical loop: feed keys as they come; wait (poll/SDL_WaitEventTimeout) no longer than
// PollTimeoutMs(now); call Poll(now) after each wake-up; hand TakeEvents() to the session.
// From SDL: SDL_TEXTINPUT text goes to OnText, Return/Tab key-downs to OnEnter/OnTab (the UI then
// acts on the '\n' of a kTypedText event, not on the key itself). Stamp them with the event's own
// timestamp (SDL's, in ms): the time they are handled would stretch a scanner's gaps whenever the
// UI is busy between two queued events.
class WedgeAssembler {
 public:
  explicit WedgeAssembler(WedgeOptions options = {});

  // An evdev key press or repeat, as a US keyboard: `shift` is either shift key held, `caps_lock`
  // the device's own caps lock state (letters only). Enter, keypad Enter and Tab end the burst;
  // keys that type nothing (F-keys, arrows, Backspace...) are ignored.
  void OnKeycode(uint16_t code, bool shift, int64_t t_ns, bool caps_lock = false);
  // A character known exactly (no layout to undo), e.g. from an Alt+keypad code.
  void OnChar(char32_t c, int64_t t_ns);
  // Text input from the UI (layout-translated by the OS), one or more characters at time t_ns.
  // Invalid UTF-8 becomes U+FFFD; '\n' and '\r' are Enter, '\t' is Tab, other controls ignored.
  void OnText(std::string_view utf8, int64_t t_ns);
  void OnEnter(int64_t t_ns);
  void OnTab(int64_t t_ns);

  // Ends the burst if its idle timeout has passed at `now_ns`.
  void Poll(int64_t now_ns);
  // Ends the current burst now, classified by its timing. The UI calls it before acting on a key
  // it handles itself (Backspace, arrows) so that typed text stays in order.
  void Flush(int64_t now_ns);
  // Drops the current burst and reports a kDiscarded event with `why` (chars 0 if none was open:
  // e.g. events lost between bursts).
  void Discard(base::Status why, int64_t now_ns);

  // When Poll() must be called next; nullopt while no burst is open.
  std::optional<int64_t> deadline_ns() const;
  // The deadline as a poll() timeout from `now_ns`: -1 if none, else >= 0, rounded up.
  int PollTimeoutMs(int64_t now_ns) const;
  bool idle() const { return keys_.empty() && !overflowed_; }

  // Events produced so far, oldest first; the assembler keeps none.
  std::vector<WedgeEvent> TakeEvents();

 private:
  struct Key {
    char32_t c;
    int64_t t_ns;
  };
  void AddChar(char32_t c, int64_t t_ns, bool from_text);
  void AddTerminator(BurstEnd end, int64_t t_ns);
  void EndIfIdle(int64_t now_ns);
  void EndBurst(BurstEnd end, std::optional<int64_t> terminator_ns);
  void EmitTyped(size_t from, size_t to, std::string_view suffix, BurstEnd end, int64_t median);
  void EmitScan(size_t from, size_t to, BurstEnd end, int64_t median);
  int64_t MedianGap(size_t from, size_t to, std::optional<int64_t> terminator_ns) const;
  int64_t MaxGap(std::optional<int64_t> terminator_ns) const;
  void Reset();

  WedgeOptions options_;
  std::vector<Key> keys_;  // the open burst, at most max_scan_chars + a few
  bool from_text_ = false;
  bool overflowed_ = false;
  size_t overflow_chars_ = 0;
  int64_t overflow_first_ns_ = 0, last_key_ns_ = 0;
  int64_t previous_burst_end_ns_ = -1;  // the last key of the burst before
  std::vector<WedgeEvent> events_;
};

// The functions below are pure and thread-safe.

// The character a US keyboard types for evdev key `code` (KEY_* from <linux/input-event-codes.h>)
// with shift held or not: printable ASCII, keypad keys as with Num Lock on. nullopt for keys that
// type nothing (including Enter and Tab).
std::optional<char> UsKeycodeToAscii(uint16_t code, bool shift);

// True if every character is in the QR alphanumeric set, which is base45's alphabet:
// 0-9 A-Z space $ % * + - . / :
bool IsQrAlphanumeric(std::string_view text);

struct NormalizedText {
  std::string text;
  LayoutFix layout = LayoutFix::kNone;
};
// Undoes what the OS keyboard layout did to a US-layout scanner's keystrokes: Cyrillic characters
// go back to the QWERTY key at the same place (Russian ЙЦУКЕН or Kazakh, both levels, with and
// without caps lock), letters are up-cased. A translation is used only if it yields a card text
// ("UC1:" then QR alphanumerics) or, for text with Cyrillic in it, only QR alphanumerics;
// otherwise the text comes back as it arrived (kNone).
NormalizedText NormalizeWedgeText(std::string_view utf8);

// The ioctls the evdev reader needs, behind an interface so tests can stand in for the kernel.
class EvdevControl {
 public:
  virtual ~EvdevControl() = default;
  virtual base::Status Grab(int fd, bool grab) = 0;    // EVIOCGRAB
  virtual base::Status UseMonotonicClock(int fd) = 0;  // EVIOCSCLOCKID CLOCK_MONOTONIC
  virtual std::string DeviceName(int fd) = 0;          // EVIOCGNAME, "" if unknown
};
// The real ioctls. Stateless, thread-safe, lives forever.
EvdevControl& SystemEvdevControl();

enum class EventTimes : uint8_t {
  kAuto,   // the kernel's event times if it switched them to CLOCK_MONOTONIC, else kRead
  kEvent,  // the event times, trusted to be on the clock's MonotonicNanos() time base
  kRead,   // clock.MonotonicNanos() when the events were read
};

struct EvdevOptions {
  bool grab = true;           // EVIOCGRAB, so the scanner's keys do not reach the focused window
  bool require_grab = false;  // fail Open() when the grab fails (else see grab_status())
  EventTimes times = EventTimes::kAuto;
  WedgeOptions wedge;
};

// Reads one scanner's evdev device and assembles its keys. Not thread-safe: one thread polls
// fd() (POLLIN) with PollTimeoutMs() and calls Service() after each wake-up, timeout included.
// `clock` and `control` must outlive the reader. The fd is closed (and ungrabbed) by the
// destructor. Unplugging is a state change (state() == kUnavailable, fd() == -1), not an error;
// Reopen() tries the same path again (a /dev/input/by-id path survives re-enumeration).
class EvdevWedgeReader {
 public:
  // Opens `path` O_RDONLY|O_NONBLOCK|O_CLOEXEC.
  static base::Result<std::unique_ptr<EvdevWedgeReader>> Open(
      const std::string& path, EvdevOptions options, const base::Clock& clock,
      EvdevControl& control = SystemEvdevControl());
  // Adopts an open, non-blocking fd (tests: a pipe or socketpair; or an fd handed over by a
  // privileged helper). `label` names it in Describe(). Reopen() is not possible.
  static base::Result<std::unique_ptr<EvdevWedgeReader>> FromFd(
      base::UniqueFd fd, std::string label, EvdevOptions options, const base::Clock& clock,
      EvdevControl& control = SystemEvdevControl());
  ~EvdevWedgeReader();
  EvdevWedgeReader(const EvdevWedgeReader&) = delete;
  EvdevWedgeReader& operator=(const EvdevWedgeReader&) = delete;

  // Reads what is there without blocking, feeds the assembler, ends bursts whose timeout passed.
  // Errors are for what retrying cannot fix; unplugging is not one.
  base::Status Service();
  std::vector<WedgeEvent> TakeEvents() { return assembler_.TakeEvents(); }

  int fd() const { return fd_.get(); }  // -1 while unavailable
  int PollTimeoutMs() const { return assembler_.PollTimeoutMs(clock_.MonotonicNanos()); }
  SourceState state() const { return state_; }
  base::Status Reopen();
  // OK if the device is grabbed; why not otherwise (not asked for, EBUSY, not an evdev device).
  const base::Status& grab_status() const { return grab_status_; }
  // "keyboard wedge /dev/input/by-id/usb-X-event-kbd "Scanner name" grabbed"
  std::string Describe() const;

 private:
  EvdevWedgeReader(base::UniqueFd fd, std::string path, bool reopenable, EvdevOptions options,
                   const base::Clock& clock, EvdevControl& control);
  base::Status Setup();
  void Release();
  void HandleEvent(uint16_t type, uint16_t code, int32_t value, int64_t t_ns);
  void HandleKey(uint16_t code, int32_t value, int64_t t_ns);
  void Unplugged(int64_t now_ns);

  base::UniqueFd fd_;
  std::string path_, name_;
  bool reopenable_;
  EvdevOptions options_;
  const base::Clock& clock_;
  EvdevControl& control_;
  WedgeAssembler assembler_;
  SourceState state_ = SourceState::kRunning;
  base::Status grab_status_;
  bool grabbed_ = false, event_times_ = false;
  // Key state of this device (not the OS's): modifiers, caps lock, an Alt+keypad code in progress.
  bool left_shift_ = false, right_shift_ = false, caps_lock_ = false, ctrl_ = false, alt_ = false;
  int alt_code_ = -1;
  bool dropping_ = false;  // after SYN_DROPPED, until the next SYN_REPORT
  // A partial struct input_event carried to the next read (pipes may split one).
  std::vector<uint8_t> carry_;
};

struct InputDeviceInfo {
  std::string path;  // the by-id symlink, stable across re-plugging
  std::string name;  // the device name from sysfs, else derived from the by-id name
  bool looks_like_scanner = false;
};
// Keyboard-like input devices: entries of `by_id_dir` ending in "-event-kbd", named from
// `sysfs_input_dir`/<eventN>/device/name where readable. A missing by_id_dir is an empty list.
base::Result<std::vector<InputDeviceInfo>> ListKeyboardDevices(
    const std::string& by_id_dir = "/dev/input/by-id",
    const std::string& sysfs_input_dir = "/sys/class/input");
// A name that a barcode/QR scanner typically has ("Barcode Scanner", "Honeywell ...", ...).
bool LooksLikeScanner(std::string_view name);

}  // namespace scanner
