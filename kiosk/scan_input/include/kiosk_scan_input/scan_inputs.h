// Where scanned texts come from besides the window's keyboard: a camera (V4L2 or a recording)
// decoded by a scanner::ScanPipeline behind a PreviewTap, and a keyboard-wedge scanner read from
// /dev/input on a thread of its own. Finished scans wait in a queue for the UI thread, which is
// woken through `wake` (called from the camera's and the scanner's threads).
//
// `clock` (the system clock: capture times are its monotonic nanoseconds) must outlive this.
// Open*() and Take*() from one thread; the destructor stops and joins both inputs.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/clock.h"
#include "kiosk_scan_input/preview_tap.h"
#include "scanner/keyboard_wedge.h"
#include "scanner/scan_pipeline.h"

namespace kiosk_scan_input {

struct PendingScan {
  std::string text;
  int64_t capture_ns = 0;  // camera frames only (the clock's monotonic nanoseconds)
};

struct CameraSpec {
  std::string source;  // /dev/videoN, an image directory or a .y4m file
  int width = 640, height = 480, fps = 30;
};

class ScanInputs {
 public:
  ScanInputs(const base::Clock& clock, std::function<void()> wake);
  ~ScanInputs();
  ScanInputs(const ScanInputs&) = delete;
  ScanInputs& operator=(const ScanInputs&) = delete;

  // Starts the camera; a problem is printed and leaves the kiosk without one.
  void OpenCamera(const CameraSpec& spec);
  // Starts reading the scanner device; a problem is printed and leaves the kiosk without one.
  void OpenScanner(const std::string& device);

  // The scans that arrived since the last call, oldest first.
  std::deque<PendingScan> TakeScans();
  bool scans_waiting();
  // The camera's picture for the preview, or null without a camera.
  PreviewTap* preview() { return camera_.get(); }
  bool camera_running() const { return camera_running_; }

 private:
  void Push(PendingScan scan);
  void ReadScanner();

  const base::Clock& clock_;
  std::function<void()> wake_;
  std::unique_ptr<PreviewTap> camera_;
  std::unique_ptr<scanner::ScanPipeline> pipeline_;
  std::atomic<bool> camera_running_{false};
  std::unique_ptr<scanner::EvdevWedgeReader> evdev_;
  std::thread evdev_thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::deque<PendingScan> scans_;
};

}  // namespace kiosk_scan_input
