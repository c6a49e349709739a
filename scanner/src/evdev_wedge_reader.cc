// EvdevWedgeReader: a scanner's /dev/input/eventN, grabbed, read as a US keyboard.
#include <dirent.h>
#include <fcntl.h>
#include <linux/input.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "scanner/keyboard_wedge.h"

namespace scanner {
namespace {

constexpr size_t kEventSize = sizeof(input_event);
constexpr size_t kEventsPerRead = 64;
// Reads per Service() call: a device that never stops sending cannot starve the caller's loop.
constexpr int kMaxReads = 16;

class SystemControl final : public EvdevControl {
 public:
  base::Status Grab(int fd, bool grab) override {
    if (::ioctl(fd, EVIOCGRAB, grab ? 1 : 0) == 0) return base::Status::Ok();
    if (errno == EBUSY) return base::FailedPrecondition("grabbed by another program");
    return base::IoError(grab ? "EVIOCGRAB" : "EVIOCGRAB release", errno);
  }
  base::Status UseMonotonicClock(int fd) override {
    int clock_id = CLOCK_MONOTONIC;
    if (::ioctl(fd, EVIOCSCLOCKID, &clock_id) == 0) return base::Status::Ok();
    return base::IoError("EVIOCSCLOCKID", errno);
  }
  std::string DeviceName(int fd) override {
    char name[256] = {};
    if (::ioctl(fd, EVIOCGNAME(sizeof(name) - 1), name) < 0) return "";
    return name;
  }
};

base::Status OpenError(const std::string& path, int err) {
  if (err == ENOENT || err == ENODEV || err == ENXIO) {
    return base::Unavailable(path + ": no such device (unplugged?)");
  }
  if (err == EACCES || err == EPERM) {
    return base::PermissionDenied(path +
                                  ": permission denied (the kiosk user needs read access, "
                                  "e.g. group \"input\" or a udev rule)");
  }
  return base::IoError("opening " + path, err);
}

int KeypadDigit(uint16_t code) {
  static constexpr uint16_t kDigits[] = {KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4,
                                         KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9};
  for (int d = 0; d < 10; ++d) {
    if (kDigits[d] == code) return d;
  }
  return -1;
}

}  // namespace

EvdevControl& SystemEvdevControl() {
  static SystemControl* control = new SystemControl();  // stateless; never destroyed
  return *control;
}

EvdevWedgeReader::EvdevWedgeReader(base::UniqueFd fd, std::string path, bool reopenable,
                                   EvdevOptions options, const base::Clock& clock,
                                   EvdevControl& control)
    : fd_(std::move(fd)),
      path_(std::move(path)),
      reopenable_(reopenable),
      options_(options),
      clock_(clock),
      control_(control),
      assembler_(options.wedge) {}

base::Result<std::unique_ptr<EvdevWedgeReader>> EvdevWedgeReader::Open(const std::string& path,
                                                                       EvdevOptions options,
                                                                       const base::Clock& clock,
                                                                       EvdevControl& control) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return OpenError(path, errno);
  std::unique_ptr<EvdevWedgeReader> reader(
      new EvdevWedgeReader(std::move(fd), path, /*reopenable=*/true, options, clock, control));
  CK_TRY(reader->Setup());
  return reader;
}

base::Result<std::unique_ptr<EvdevWedgeReader>> EvdevWedgeReader::FromFd(base::UniqueFd fd,
                                                                         std::string label,
                                                                         EvdevOptions options,
                                                                         const base::Clock& clock,
                                                                         EvdevControl& control) {
  if (!fd.valid()) return base::InvalidArgument(label + ": no file descriptor");
  std::unique_ptr<EvdevWedgeReader> reader(new EvdevWedgeReader(
      std::move(fd), std::move(label), /*reopenable=*/false, options, clock, control));
  CK_TRY(reader->Setup());
  return reader;
}

EvdevWedgeReader::~EvdevWedgeReader() { Release(); }

base::Status EvdevWedgeReader::Setup() {
  name_ = control_.DeviceName(fd_.get());
  grabbed_ = false;
  if (options_.grab) {
    grab_status_ = control_.Grab(fd_.get(), true).WithContext("grabbing " + path_);
    grabbed_ = grab_status_.ok();
    if (!grabbed_ && options_.require_grab) {
      Release();
      return grab_status_;
    }
  } else {
    grab_status_ = base::FailedPrecondition("not grabbed (grab disabled)");
  }
  // Event times on CLOCK_MONOTONIC line up with Clock::MonotonicNanos(), which the idle timeout
  // is measured on; the default CLOCK_REALTIME would not.
  const bool monotonic = control_.UseMonotonicClock(fd_.get()).ok();
  event_times_ =
      options_.times == EventTimes::kEvent || (options_.times == EventTimes::kAuto && monotonic);
  state_ = SourceState::kRunning;
  left_shift_ = right_shift_ = caps_lock_ = ctrl_ = alt_ = dropping_ = false;
  alt_code_ = -1;
  carry_.clear();
  return base::Status::Ok();
}

void EvdevWedgeReader::Release() {
  if (grabbed_ && fd_.valid()) static_cast<void>(control_.Grab(fd_.get(), false));
  grabbed_ = false;
  fd_ = base::UniqueFd();
}

base::Status EvdevWedgeReader::Reopen() {
  if (state_ == SourceState::kRunning) return base::Status::Ok();
  if (!reopenable_) return base::FailedPrecondition(path_ + ": was handed over, cannot reopen");
  base::UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return OpenError(path_, errno);
  fd_ = std::move(fd);
  return Setup();
}

base::Status EvdevWedgeReader::Service() {
  if (state_ != SourceState::kRunning) {
    assembler_.Poll(clock_.MonotonicNanos());
    return base::Status::Ok();
  }
  uint8_t buf[kEventSize * kEventsPerRead];
  for (int round = 0; round < kMaxReads; ++round) {
    const size_t have = carry_.size();
    std::copy(carry_.begin(), carry_.end(), buf);
    const ssize_t n = ::read(fd_.get(), buf + have, sizeof(buf) - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n == 0 || (n < 0 && errno == ENODEV)) {  // unplugged (ENODEV) or the writer hung up
      Unplugged(clock_.MonotonicNanos());
      return base::Status::Ok();
    }
    if (n < 0) return base::IoError("reading " + path_, errno);
    const int64_t read_ns = clock_.MonotonicNanos();
    const size_t total = have + static_cast<size_t>(n);
    size_t off = 0;
    for (; off + kEventSize <= total; off += kEventSize) {
      input_event ev;
      std::memcpy(&ev, buf + off, kEventSize);
      const int64_t t_ns = event_times_ ? static_cast<int64_t>(ev.input_event_sec) * 1'000'000'000 +
                                              static_cast<int64_t>(ev.input_event_usec) * 1'000
                                        : read_ns;
      HandleEvent(ev.type, ev.code, ev.value, t_ns);
    }
    carry_.assign(buf + off, buf + total);  // an event split by a pipe: the rest comes later
  }
  assembler_.Poll(clock_.MonotonicNanos());
  return base::Status::Ok();
}

void EvdevWedgeReader::HandleEvent(uint16_t type, uint16_t code, int32_t value, int64_t t_ns) {
  if (type == EV_SYN) {
    if (code == SYN_DROPPED) {
      // The kernel's buffer overflowed: keys are missing, so the burst is garbage. Per the evdev
      // protocol, everything up to the next SYN_REPORT is dropped too.
      dropping_ = true;
      left_shift_ = right_shift_ = ctrl_ = alt_ = false;
      alt_code_ = -1;
      assembler_.Discard(base::DataLoss(path_ + ": input events were lost (SYN_DROPPED)"), t_ns);
    } else if (code == SYN_REPORT) {
      dropping_ = false;
    }
    return;
  }
  if (dropping_ || type != EV_KEY) return;
  HandleKey(code, value, t_ns);
}

void EvdevWedgeReader::HandleKey(uint16_t code, int32_t value, int64_t t_ns) {
  const bool down = value != 0;  // 1 press, 2 auto-repeat, 0 release
  switch (code) {
    case KEY_LEFTSHIFT:
      left_shift_ = down;
      return;
    case KEY_RIGHTSHIFT:
      right_shift_ = down;
      return;
    case KEY_LEFTCTRL:
    case KEY_RIGHTCTRL:
      ctrl_ = down;
      return;
    case KEY_CAPSLOCK:
      // The device's own caps lock, not the OS's: the device is grabbed, so its keys never reach
      // the OS keymap, and the scanner meant what it sent with its own modifiers.
      if (value == 1) caps_lock_ = !caps_lock_;
      return;
    case KEY_LEFTALT:
    case KEY_RIGHTALT:
      // "Alt mode" scanners type each character as Alt + its decimal code on the keypad.
      if (!down && alt_code_ >= 0) {
        if (alt_code_ == 13) {
          assembler_.OnEnter(t_ns);
        } else if (alt_code_ == 9) {
          assembler_.OnTab(t_ns);
        } else if (alt_code_ >= 0x20 && alt_code_ < 0x7F) {
          assembler_.OnChar(static_cast<char32_t>(alt_code_), t_ns);
        }
        alt_code_ = -1;
      }
      alt_ = down;
      return;
    default:
      break;
  }
  if (!down) return;
  // A held Enter/Tab repeating would end empty bursts, each reported as typed "\n".
  if (value == 2 && (code == KEY_ENTER || code == KEY_KPENTER || code == KEY_TAB)) return;
  if (alt_) {
    const int digit = KeypadDigit(code);
    if (digit >= 0 && value == 1) alt_code_ = std::min(std::max(alt_code_, 0) * 10 + digit, 9999);
    return;
  }
  if (ctrl_) return;  // Ctrl+key types no character
  assembler_.OnKeycode(code, left_shift_ || right_shift_, t_ns, caps_lock_);
}

void EvdevWedgeReader::Unplugged(int64_t now_ns) {
  grabbed_ = false;  // the device is gone; there is nothing to release
  Release();
  state_ = SourceState::kUnavailable;
  carry_.clear();
  assembler_.Flush(now_ns);
}

std::string EvdevWedgeReader::Describe() const {
  std::string s = "keyboard wedge " + path_;
  if (!name_.empty()) s += " \"" + name_ + "\"";
  s += grabbed_ ? " grabbed" : " not grabbed";
  if (state_ == SourceState::kUnavailable) s += " (unplugged)";
  return s;
}

}  // namespace scanner
