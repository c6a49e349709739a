#include "kiosk_scan_input/scan_inputs.h"

#include <poll.h>

#include <chrono>
#include <cstdio>

#include "scanner/recorded_source.h"
#include "scanner/v4l2_source.h"

namespace kiosk_scan_input {
namespace {

// A still scene with no card in it (the idle counter) is decoded 10 times a second instead of at
// the camera's rate; any change in the picture is decoded at once.
constexpr int64_t kStillRetryMs = 100;

base::Result<std::unique_ptr<scanner::FrameSource>> OpenSource(const CameraSpec& spec,
                                                               const base::Clock& clock) {
  if (spec.source.rfind("/dev/video", 0) == 0) {
    scanner::V4l2Options o;
    o.device = spec.source;
    o.width = spec.width;
    o.height = spec.height;
    o.fps = spec.fps;
    o.wait_for_device = true;  // a kiosk may boot before its camera is plugged in
    return scanner::OpenV4l2Camera(o, clock);
  }
  return scanner::OpenRecording(spec.source, spec.fps, scanner::Pacing::kRealTime, clock);
}

void LogBurst(const std::string& line) { std::fprintf(stderr, "kiosk: keys: %s\n", line.c_str()); }

}  // namespace

ScanInputs::ScanInputs(const base::Clock& clock, std::function<void()> wake)
    : clock_(clock), wake_(wake), queue_({}, std::move(wake)) {
  queue_.on_burst = LogBurst;
}

ScanInputs::~ScanInputs() {
  stop_ = true;
  if (evdev_thread_.joinable()) evdev_thread_.join();
  pipeline_.reset();
  camera_.reset();
}

void ScanInputs::OpenCamera(const CameraSpec& spec) {
  if (spec.source.empty()) return;
  base::Result<std::unique_ptr<scanner::FrameSource>> src = OpenSource(spec, clock_);
  if (!src.ok()) {
    std::fprintf(stderr, "kiosk: camera: %s\n", src.status().message().c_str());
    return;
  }
  std::fprintf(stderr, "kiosk: %s\n", (*src)->Describe().c_str());
  camera_ = std::make_unique<PreviewTap>(std::move(*src), wake_);
  camera_running_ = true;
  scanner::PipelineOptions po;
  po.still_retry_ms = kStillRetryMs;
  pipeline_ = std::make_unique<scanner::ScanPipeline>(
      *camera_, clock_, po,
      [this](const scanner::ScanResult& r) {
        queue_.Push({.kind = InputKind::kScan,
                     .t_ns = r.capture_ns,
                     .text = r.text,
                     .capture_ns = r.capture_ns});
      },
      [this](scanner::SourceState s) {
        camera_running_ = s == scanner::SourceState::kRunning;
        wake_();
      });
}

void ScanInputs::OpenScanner(const std::string& device) {
  if (device.empty()) return;
  scanner::EvdevOptions o;
  base::Result<std::unique_ptr<scanner::EvdevWedgeReader>> r =
      scanner::EvdevWedgeReader::Open(device, o, clock_);
  if (!r.ok()) {
    std::fprintf(stderr, "kiosk: scanner: %s\n", r.status().message().c_str());
    return;
  }
  evdev_ = std::move(*r);
  evdev_thread_ = std::thread([this] { ReadScanner(); });
}

// The scanner's own thread: poll its fd, hand finished scans to the UI thread.
void ScanInputs::ReadScanner() {
  while (!stop_) {
    if (evdev_->state() != scanner::SourceState::kRunning) {
      // Unplugged: try again every second, seeing a stop request within 100 ms.
      for (int i = 0; i < 10 && !stop_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      (void)evdev_->Reopen();
      continue;
    }
    pollfd p{evdev_->fd(), POLLIN, 0};
    const int t = evdev_->PollTimeoutMs();
    ::poll(&p, 1, t < 0 || t > 200 ? 200 : t);
    if (base::Status st = evdev_->Service(); !st.ok()) {
      std::fprintf(stderr, "kiosk: scanner: %s\n", st.message().c_str());
      return;
    }
    for (scanner::WedgeEvent& e : evdev_->TakeEvents()) {
      if (e.kind != scanner::WedgeEventKind::kTypedText) LogBurst(DescribeBurst(e));
      if (e.kind != scanner::WedgeEventKind::kScan) continue;
      queue_.Push({.kind = InputKind::kScan, .t_ns = e.first_key_ns, .text = std::move(e.text)});
    }
  }
}

}  // namespace kiosk_scan_input
