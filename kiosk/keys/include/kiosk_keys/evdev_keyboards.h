// Every keyboard-like device under /dev/input (keyboards and keyboard-wedge scanners, hot-plugged
// ones too) read on a thread of its own, translated (KeyTranslator, US keymap) and handed to a
// KeySink with the kernel's event times. Used on the device's console (KMSDRM), where SDL would
// otherwise read the keys itself on the UI thread and stamp them when the UI gets round to them.
//
// The evdev boundary is an interface: InputDevice (one open device: its fd and its next event) and
// DeviceOpener (what a new /dev/input/eventN becomes). The real opener (LibevdevOpener) uses
// libevdev: keyboards only (EV_KEY with letters and Enter; touch screens and mice stay SDL's),
// grabbed (EVIOCGRAB) so that their keys reach the kiosk once, not also through SDL, and with event
// times on CLOCK_MONOTONIC. Tests open their own devices (pipes carrying struct input_event).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "base/file.h"
#include "base/status.h"
#include "kiosk_keys/key_event.h"

namespace kiosk_keys {

struct RawEvent {
  uint16_t type = 0, code = 0;
  int32_t value = 0;
  int64_t t_ns = 0;  // CLOCK_MONOTONIC
};

// One open input device. Used by the reader's thread only; closes its fd when destroyed.
class InputDevice {
 public:
  virtual ~InputDevice() = default;
  virtual int fd() const = 0;
  // The next event without blocking: true and *ev, false when none is waiting. An error means the
  // device is gone (unplugged) or unreadable.
  virtual base::Result<bool> Next(RawEvent* ev) = 0;
  // A device that lost events since the last call (the kernel's buffer overflowed).
  virtual bool TakeDropped() { return false; }
  virtual std::string name() const = 0;
};

class DeviceOpener {
 public:
  virtual ~DeviceOpener() = default;
  // Opens `path`. kFailedPrecondition: not a keyboard (ignored quietly); any other error is said
  // once per path (permission denied: the kiosk user needs group "input").
  virtual base::Result<std::unique_ptr<InputDevice>> Open(const std::string& path) = 0;
};

// libevdev. Stateless; lives forever.
DeviceOpener& LibevdevOpener();

class EvdevKeyboards {
 public:
  // `dir` (/dev/input) is watched for event* entries. `opener` and `sink` must outlive this.
  EvdevKeyboards(std::string dir, DeviceOpener& opener, KeySink& sink);
  ~EvdevKeyboards();  // stops the thread and closes (ungrabs) every device
  EvdevKeyboards(const EvdevKeyboards&) = delete;
  EvdevKeyboards& operator=(const EvdevKeyboards&) = delete;

  // Watches `dir` (inotify), opens the keyboards already there and starts the thread. An error
  // when `dir` cannot be watched (nothing started).
  base::Status Start();

 private:
  struct Open {
    std::unique_ptr<InputDevice> device;
    KeyTranslator keys;
  };
  void Run();
  void TryOpen(const std::string& name);
  void ReadInotify();
  bool ReadDevice(Open& open);  // false: gone

  std::string dir_;
  DeviceOpener& opener_;
  KeySink& sink_;
  base::UniqueFd inotify_, stop_;
  std::map<std::string, Open> open_;         // by entry name (event3); the thread's only
  std::map<std::string, std::string> said_;  // the last problem said for each entry
  std::thread thread_;
};

}  // namespace kiosk_keys
