// A FrameSource in front of the camera that keeps a copy of the newest frame for the on-screen
// preview (subsampled: the preview is a few hundred pixels wide) and calls `wake` when there is a
// new picture to draw. A still scene (nobody at the counter) is not offered again: it looks the
// same. Next() runs on the scan pipeline's thread, HasFresh()/Take() on the UI thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "scanner/frame_source.h"

namespace kiosk_scan_input {

class PreviewTap final : public scanner::FrameSource {
 public:
  PreviewTap(std::unique_ptr<scanner::FrameSource> inner, std::function<void()> wake)
      : inner_(std::move(inner)), wake_(std::move(wake)) {}

  base::Result<std::optional<scanner::CapturedFrame>> Next(int timeout_ms) override;
  scanner::SourceState state() const override { return inner_->state(); }
  std::string Describe() const override { return inner_->Describe(); }

  // A picture the UI has not taken yet is waiting.
  bool HasFresh();
  // Moves the newest picture (8-bit luminance, stride == width) into `pixels` if the UI has not
  // taken it yet.
  bool Take(std::vector<uint8_t>* pixels, int* width, int* height);

 private:
  void Keep(const scanner::Frame& f);

  std::unique_ptr<scanner::FrameSource> inner_;
  std::function<void()> wake_;
  std::mutex mu_;
  std::vector<uint8_t> pixels_;
  std::vector<uint8_t> signature_, drawn_signature_;
  int w_ = 0, h_ = 0;
  bool fresh_ = false;
};

}  // namespace kiosk_scan_input
