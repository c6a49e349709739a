// Where scanned texts come from besides the window's keyboard: a camera (V4L2 or a recording)
// decoded by a scanner::ScanPipeline behind a PreviewTap, and a keyboard-wedge scanner read from
// /dev/input on a thread of its own. Finished scans go into the kiosk's one InputQueue (owned
// here), with the window's touches and keys, for the UI thread, which is woken through `wake`
// (called on the thread that pushed).
//
// `clock` (the system clock: capture times and the queue's times are its monotonic nanoseconds)
// must outlive this. Open*() and queue().Take() from one thread; queue().Push() from any; the
// destructor stops and joins both inputs.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "base/clock.h"
#include "kiosk_scan_input/input_queue.h"
#include "kiosk_scan_input/preview_tap.h"
#include "scanner/keyboard_wedge.h"
#include "scanner/scan_pipeline.h"

namespace kiosk_scan_input {

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

  // Every input of the kiosk, in the order it happened: these scans and the front end's own.
  InputQueue& queue() { return queue_; }
  // The camera's picture for the preview, or null without a camera.
  PreviewTap* preview() { return camera_.get(); }
  bool camera_running() const { return camera_running_; }

 private:
  void ReadScanner();

  const base::Clock& clock_;
  std::function<void()> wake_;
  InputQueue queue_;  // before the threads that push into it
  std::unique_ptr<PreviewTap> camera_;
  std::unique_ptr<scanner::ScanPipeline> pipeline_;
  std::atomic<bool> camera_running_{false};
  std::unique_ptr<scanner::EvdevWedgeReader> evdev_;
  std::thread evdev_thread_;
  std::atomic<bool> stop_{false};
};

}  // namespace kiosk_scan_input
