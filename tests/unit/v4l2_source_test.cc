// The V4L2 camera source against the fake kernel of fake_v4l2.h (open/ioctl/mmap/poll are
// wrapped at link time for this binary only).
#include "scanner/v4l2_source.h"

#include <gtest/gtest.h>
#include <linux/videodev2.h>
#include <time.h>

#include <cstdlib>
#include <cstring>

#include "fake_v4l2.h"
#include "scanner/qr_codec.h"

namespace scanner {
namespace {

using fake_v4l2::DeviceConfig;

constexpr char kCam[] = "/dev/fakevideo0";
constexpr char kQrText[] = "CK1:MEMBER-0042 KIOSK TEST";

// A monotonic clock moved in milliseconds (base::FakeClock moves in whole seconds).
class StepClock final : public base::Clock {
 public:
  int64_t NowUnixSeconds() const override { return 1'700'000'000 + mono_ / 1'000'000'000; }
  int64_t MonotonicNanos() const override { return mono_; }
  void AdvanceMs(int64_t ms) { mono_ += ms * 1'000'000; }

 private:
  int64_t mono_ = 5'000'000'000;
};

int64_t ClockNs(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

GrayImage Pattern(int width, int height, int seed) {
  GrayImage img{width, height, {}};
  img.pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(height));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      img.pixels[static_cast<size_t>(y * width + x)] =
          static_cast<uint8_t>((x * 7 + y * 13 + seed * 31) & 0xff);
    }
  }
  return img;
}

// A QR code on a white canvas of the camera's size.
GrayImage QrFrame(int width, int height) {
  base::Result<GrayImage> qr = RenderQr(kQrText, {.module_px = 4});
  EXPECT_TRUE(qr.ok());
  GrayImage img{width, height, std::vector<uint8_t>(static_cast<size_t>(width * height), 255)};
  const int x0 = (width - qr->width) / 2, y0 = (height - qr->height) / 2;
  for (int y = 0; y < qr->height; ++y) {
    std::memcpy(&img.pixels[static_cast<size_t>((y0 + y) * width + x0)],
                &qr->pixels[static_cast<size_t>(y * qr->width)], static_cast<size_t>(qr->width));
  }
  return img;
}

bool SamePixels(const Frame& f, const GrayImage& img) {
  if (f.width != img.width || f.height != img.height) return false;
  for (int y = 0; y < f.height; ++y) {
    if (std::memcmp(f.data + static_cast<ptrdiff_t>(y) * f.stride,
                    &img.pixels[static_cast<size_t>(y * img.width)],
                    static_cast<size_t>(img.width)) != 0) {
      return false;
    }
  }
  return true;
}

bool Decodes(const Frame& f) {
  for (const QrSymbol& s : ReadQrCodes(f)) {
    if (s.text == kQrText) return true;
  }
  return false;
}

class V4l2SourceTest : public ::testing::Test {
 protected:
  void SetUp() override { fake_v4l2::Reset(); }
  // Every test ends with its source destroyed: nothing may stay open or mapped.
  void TearDown() override {
    const fake_v4l2::Stats s = fake_v4l2::GetStats();
    EXPECT_EQ(s.open_fds, 0) << "a camera fd leaked";
    EXPECT_EQ(s.live_mappings, 0) << "a buffer mapping leaked";
  }

  base::Result<std::unique_ptr<FrameSource>> Open(const DeviceConfig& config,
                                                  V4l2Options options = {}) {
    fake_v4l2::AddDevice(kCam, config);
    options.device = kCam;
    return OpenV4l2Camera(options, clock_);
  }
  std::unique_ptr<FrameSource> MustOpen(const DeviceConfig& config, V4l2Options options = {}) {
    base::Result<std::unique_ptr<FrameSource>> s = Open(config, std::move(options));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // A frame as the camera would send it in the negotiated format.
  static std::vector<uint8_t> Payload(const GrayImage& image) {
    return fake_v4l2::Encode(image, fake_v4l2::NegotiatedFormat(kCam));
  }
  static bool Deliver(const GrayImage& image, int64_t timestamp_ns = -1) {
    return fake_v4l2::Deliver(kCam, Payload(image), timestamp_ns);
  }
  static std::optional<CapturedFrame> Next(FrameSource& source, int timeout_ms = 0) {
    base::Result<std::optional<CapturedFrame>> r = source.Next(timeout_ms);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }

  StepClock clock_;
};

TEST_F(V4l2SourceTest, PrefersGreyOverYuyvOverMjpeg) {
  auto s = MustOpen({.formats = {V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_GREY}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(fake_v4l2::NegotiatedFormat(kCam).fourcc, V4L2_PIX_FMT_GREY);
  EXPECT_EQ(s->Describe(), "camera /dev/fakevideo0 640x480 GREY 30 fps");
  EXPECT_EQ(s->state(), SourceState::kRunning);
  EXPECT_TRUE(fake_v4l2::Streaming(kCam));
}

TEST_F(V4l2SourceTest, FallsBackToYuyvWithoutGrey) {
  auto s = MustOpen({.formats = {V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_YUYV}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(fake_v4l2::NegotiatedFormat(kCam).fourcc, V4L2_PIX_FMT_YUYV);
  EXPECT_EQ(s->Describe(), "camera /dev/fakevideo0 640x480 YUYV 30 fps");
}

TEST_F(V4l2SourceTest, FallsBackToMjpegLast) {
  auto s = MustOpen({.formats = {V4L2_PIX_FMT_RGB24, V4L2_PIX_FMT_MJPEG}});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(fake_v4l2::NegotiatedFormat(kCam).fourcc, V4L2_PIX_FMT_MJPEG);
  EXPECT_EQ(s->Describe(), "camera /dev/fakevideo0 640x480 MJPEG 30 fps");
}

TEST_F(V4l2SourceTest, RefusesCameraWithoutUsableFormatNamingWhatItOffers) {
  auto s = Open({.formats = {V4L2_PIX_FMT_RGB24, V4L2_PIX_FMT_H264}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), base::StatusCode::kFailedPrecondition);
  const std::string& m = s.status().message();
  EXPECT_NE(m.find(kCam), std::string::npos) << m;
  EXPECT_NE(m.find("offers RGB3, H264"), std::string::npos) << m;
  EXPECT_NE(m.find("GREY, YUYV or MJPG"), std::string::npos) << m;
}

TEST_F(V4l2SourceTest, RefusesANodeThatCannotCaptureVideo) {
  auto s = Open({.capabilities = V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("not a video capture node"), std::string::npos);
}

TEST_F(V4l2SourceTest, RefusesADriverGrantingOneBufferAndReleasesWhatItSetUp) {
  auto s = Open({.max_buffers = 1});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("granted 1 buffer"), std::string::npos);
  EXPECT_EQ(fake_v4l2::GetStats().close_calls, 1);  // TearDown checks nothing stays open
}

TEST_F(V4l2SourceTest, MissingCameraIsNotFoundUnlessAskedToWait) {
  auto s = OpenV4l2Camera({.device = "/dev/fakevideo7"}, clock_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), base::StatusCode::kNotFound);

  auto waiting = OpenV4l2Camera({.device = kCam, .wait_for_device = true}, clock_);
  ASSERT_TRUE(waiting.ok()) << waiting.status().ToString();
  FrameSource& source = **waiting;
  EXPECT_EQ(source.state(), SourceState::kUnavailable);
  EXPECT_FALSE(Next(source).has_value());

  fake_v4l2::AddDevice(kCam);  // plugged in: 640x480 YUYV
  clock_.AdvanceMs(500);
  fake_v4l2::DeliverOnPoll(kCam, fake_v4l2::ToYuyv(Pattern(640, 480, 1)));
  std::optional<CapturedFrame> f = Next(source, 200);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(SamePixels(f->frame, Pattern(640, 480, 1)));
  EXPECT_EQ(source.state(), SourceState::kRunning);
}

TEST_F(V4l2SourceTest, GreyFrameViewsTheBufferWithTheDriversStride) {
  auto s =
      MustOpen({.formats = {V4L2_PIX_FMT_GREY}, .grey_padding = 24}, {.width = 320, .height = 240});
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(Deliver(Pattern(320, 240, 3)));
  std::optional<CapturedFrame> f = Next(*s);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->frame.stride, 320 + 24);
  EXPECT_TRUE(SamePixels(f->frame, Pattern(320, 240, 3)));
  EXPECT_EQ(f->index, 0);
}

TEST_F(V4l2SourceTest, YuyvFrameArrivesAsExactLuminance) {
  auto s = MustOpen({.formats = {V4L2_PIX_FMT_YUYV}}, {.width = 320, .height = 240});
  ASSERT_NE(s, nullptr);
  const GrayImage qr = QrFrame(320, 240);
  ASSERT_TRUE(Deliver(qr));
  std::optional<CapturedFrame> f = Next(*s);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->frame.stride, 320);
  EXPECT_TRUE(SamePixels(f->frame, qr));
  EXPECT_TRUE(Decodes(f->frame));
}

TEST_F(V4l2SourceTest, MjpegFrameIsDecodedToLuminance) {
  auto s = MustOpen({.formats = {V4L2_PIX_FMT_MJPEG}}, {.width = 320, .height = 240});
  ASSERT_NE(s, nullptr);
  const GrayImage qr = QrFrame(320, 240);
  ASSERT_TRUE(Deliver(qr));
  std::optional<CapturedFrame> f = Next(*s);
  ASSERT_TRUE(f.has_value());
  ASSERT_EQ(f->frame.width, 320);
  ASSERT_EQ(f->frame.height, 240);
  int64_t diff = 0;
  for (int y = 0; y < 240; ++y) {
    for (int x = 0; x < 320; ++x) {
      diff += std::abs(f->frame.data[y * f->frame.stride + x] - qr.pixels[size_t(y * 320 + x)]);
    }
  }
  EXPECT_LT(diff / (320 * 240), 6) << "mean absolute error after JPEG";
  EXPECT_TRUE(Decodes(f->frame));
}

TEST_F(V4l2SourceTest, DriverAdjustedSizeAndRateAreReportedAndUsed) {
  auto s =
      MustOpen({.formats = {V4L2_PIX_FMT_YUYV}, .max_width = 320, .max_height = 240, .max_fps = 15},
               {.width = 1280, .height = 720, .fps = 30});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->Describe(), "camera /dev/fakevideo0 320x240 YUYV 15 fps");
  ASSERT_TRUE(Deliver(Pattern(320, 240, 4)));
  std::optional<CapturedFrame> f = Next(*s);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(SamePixels(f->frame, Pattern(320, 240, 4)));
}

TEST_F(V4l2SourceTest, CameraWithoutSettableRateKeepsItsOwn) {
  auto s = MustOpen({.settable_rate = false});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->Describe(), "camera /dev/fakevideo0 640x480 YUYV");
}

TEST_F(V4l2SourceTest, LatestFrameWinsAndTheOlderBufferGoesBack) {
  auto s = MustOpen({.formats = {V4L2_PIX_FMT_GREY}}, {.width = 320, .height = 240});
  ASSERT_NE(s, nullptr);
  const int buffers = fake_v4l2::BufferCount(kCam);
  ASSERT_TRUE(Deliver(Pattern(320, 240, 1)));
  ASSERT_TRUE(Deliver(Pattern(320, 240, 2)));
  ASSERT_TRUE(Deliver(Pattern(320, 240, 3)));
  std::optional<CapturedFrame> f = Next(*s);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(SamePixels(f->frame, Pattern(320, 240, 3)));
  EXPECT_EQ(f->index, 2) << "frames 0 and 1 were skipped";
  EXPECT_EQ(fake_v4l2::DriverOwnedBuffers(kCam), buffers - 1) << "only the viewed buffer is held";
  EXPECT_FALSE(Next(*s).has_value());
  EXPECT_EQ(fake_v4l2::DriverOwnedBuffers(kCam), buffers);
}

TEST_F(V4l2SourceTest, LatestFrameWinsBeforeMjpegDecoding) {
  auto s = MustOpen({.formats = {V4L2_PIX_FMT_MJPEG}}, {.width = 320, .height = 240});
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(Deliver(Pattern(320, 240, 1)));
  ASSERT_TRUE(Deliver(QrFrame(320, 240)));
  std::optional<CapturedFrame> f = Next(*s);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->index, 1);
  EXPECT_TRUE(Decodes(f->frame));
  EXPECT_EQ(fake_v4l2::DriverOwnedBuffers(kCam), fake_v4l2::BufferCount(kCam));
}

TEST_F(V4l2SourceTest, BuffersAreRequeuedOverManyFrames) {
  for (uint32_t fourcc : {V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_MJPEG}) {
    SCOPED_TRACE(fourcc);
    fake_v4l2::Reset();
    auto s = MustOpen({.formats = {fourcc}}, {.width = 160, .height = 120});
    ASSERT_NE(s, nullptr);
    const std::vector<uint8_t> payloads[] = {Payload(Pattern(160, 120, 0)),
                                             Payload(Pattern(160, 120, 1))};
    int64_t last_index = -1;
    for (int i = 0; i < 100; ++i) {
      const int burst = 1 + i % 3;  // sometimes several frames are waiting
      for (int b = 0; b < burst; ++b) {
        ASSERT_TRUE(fake_v4l2::Deliver(kCam, payloads[(i + b) % 2])) << "starved at frame " << i;
      }
      std::optional<CapturedFrame> f = Next(*s);
      ASSERT_TRUE(f.has_value());
      EXPECT_EQ(f->index, last_index + burst) << "the newest of the burst";
      last_index = f->index;
    }
    EXPECT_GE(fake_v4l2::DriverOwnedBuffers(kCam), fake_v4l2::BufferCount(kCam) - 1);
  }
}

TEST_F(V4l2SourceTest, CaptureTimeIsTheBufferTimestampWhenMonotonic) {
  auto s = MustOpen({});
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(Deliver(Pattern(640, 480, 0), 123'456'789'000));
  std::optional<CapturedFrame> f = Next(*s);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->capture_ns, 123'456'789'000);
}

TEST_F(V4l2SourceTest, CaptureTimeIsTheClockWhenTheTimestampIsNotMonotonic) {
  auto s = MustOpen({.monotonic_timestamps = false});
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(Deliver(Pattern(640, 480, 0), 123'456'789'000));
  std::optional<CapturedFrame> f = Next(*s);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->capture_ns, clock_.MonotonicNanos());
}

TEST_F(V4l2SourceTest, CorruptFramesAreDroppedAndTheirBuffersRequeued) {
  auto s = MustOpen({.formats = {V4L2_PIX_FMT_MJPEG}}, {.width = 320, .height = 240});
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(fake_v4l2::Deliver(kCam, std::vector<uint8_t>(5000, 0x42)));
  EXPECT_FALSE(Next(*s).has_value());
  ASSERT_TRUE(fake_v4l2::Deliver(kCam, Payload(QrFrame(320, 240)), -1, /*error_flag=*/true));
  EXPECT_FALSE(Next(*s).has_value());
  EXPECT_EQ(s->state(), SourceState::kRunning);
  EXPECT_EQ(fake_v4l2::DriverOwnedBuffers(kCam), fake_v4l2::BufferCount(kCam));
  ASSERT_TRUE(Deliver(QrFrame(320, 240)));
  std::optional<CapturedFrame> f = Next(*s);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(Decodes(f->frame));
}

TEST_F(V4l2SourceTest, UnplugMidStreamThenReplug) {
  auto s = MustOpen({.formats = {V4L2_PIX_FMT_GREY}});
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(Deliver(Pattern(640, 480, 1)));
  std::optional<CapturedFrame> before = Next(*s);  // holds a GREY buffer across the unplug
  ASSERT_TRUE(before.has_value());

  fake_v4l2::Unplug(kCam);
  EXPECT_FALSE(Next(*s).has_value());
  EXPECT_EQ(s->state(), SourceState::kUnavailable);
  EXPECT_NE(s->Describe().find("unavailable"), std::string::npos) << s->Describe();
  fake_v4l2::Stats st = fake_v4l2::GetStats();
  EXPECT_EQ(st.open_fds, 0) << "the dead fd is closed";
  EXPECT_EQ(st.live_mappings, 0) << "the buffers are unmapped";

  // A second of the injected clock in 50 ms steps: the throttle allows two attempts.
  fake_v4l2::ResetCounters();
  for (int i = 0; i < 20; ++i) {
    clock_.AdvanceMs(50);
    EXPECT_FALSE(Next(*s).has_value());
    EXPECT_EQ(s->state(), SourceState::kUnavailable);
  }
  st = fake_v4l2::GetStats();
  EXPECT_EQ(st.open_calls, 2);
  EXPECT_EQ(st.ioctl_calls, 0);

  fake_v4l2::Replug(kCam);
  clock_.AdvanceMs(500);
  fake_v4l2::DeliverOnPoll(kCam, fake_v4l2::ToGrey(Pattern(640, 480, 2), 640));
  std::optional<CapturedFrame> after = Next(*s, 200);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(s->state(), SourceState::kRunning);
  EXPECT_TRUE(SamePixels(after->frame, Pattern(640, 480, 2)));
  EXPECT_GT(after->index, before->index) << "numbering continues across reconnections";
  EXPECT_EQ(s->Describe(), "camera /dev/fakevideo0 640x480 GREY 30 fps");
}

TEST_F(V4l2SourceTest, NextWhileUnavailableSleepsOutItsTimeoutWithoutSpinning) {
  auto s = MustOpen({});
  ASSERT_NE(s, nullptr);
  fake_v4l2::Unplug(kCam);
  EXPECT_FALSE(Next(*s).has_value());
  ASSERT_EQ(s->state(), SourceState::kUnavailable);

  for (int advance_ms : {0, 500}) {  // no attempt due, then one due
    SCOPED_TRACE(advance_ms);
    clock_.AdvanceMs(advance_ms);
    fake_v4l2::ResetCounters();
    const int64_t wall0 = ClockNs(CLOCK_MONOTONIC), cpu0 = ClockNs(CLOCK_PROCESS_CPUTIME_ID);
    EXPECT_FALSE(Next(*s, 100).has_value());
    const int64_t wall_ms = (ClockNs(CLOCK_MONOTONIC) - wall0) / 1'000'000;
    const int64_t cpu_ms = (ClockNs(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / 1'000'000;
    EXPECT_GE(wall_ms, 95);
    EXPECT_LT(wall_ms, 400);
    EXPECT_LT(cpu_ms, 30) << "spinning";
    EXPECT_EQ(fake_v4l2::GetStats().open_calls, advance_ms == 0 ? 0 : 1);
  }
}

TEST_F(V4l2SourceTest, ReopenAttemptsFollowTheRealClockToo) {
  base::SystemClock system;
  fake_v4l2::AddDevice(kCam);
  auto s = OpenV4l2Camera({.device = kCam, .reopen_interval_ms = 200}, system);
  ASSERT_TRUE(s.ok());
  fake_v4l2::Unplug(kCam);
  EXPECT_FALSE(Next(**s).has_value());
  fake_v4l2::ResetCounters();
  EXPECT_FALSE(Next(**s, 650).has_value());  // attempts due at ~200, ~400 and ~600 ms
  EXPECT_GE(fake_v4l2::GetStats().open_calls, 2);
  EXPECT_LE(fake_v4l2::GetStats().open_calls, 4);
}

TEST_F(V4l2SourceTest, DqbufIoErrorRecoversByReopening) {
  auto s = MustOpen({});
  ASSERT_NE(s, nullptr);
  fake_v4l2::FailNextDqbuf(kCam, EIO);
  ASSERT_TRUE(Deliver(Pattern(640, 480, 0)));
  EXPECT_FALSE(Next(*s).has_value());
  EXPECT_EQ(s->state(), SourceState::kUnavailable);
  EXPECT_NE(s->Describe().find("disconnected"), std::string::npos) << s->Describe();

  clock_.AdvanceMs(500);
  fake_v4l2::DeliverOnPoll(kCam, fake_v4l2::ToYuyv(Pattern(640, 480, 5)));
  std::optional<CapturedFrame> f = Next(*s, 200);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(SamePixels(f->frame, Pattern(640, 480, 5)));
  EXPECT_EQ(s->state(), SourceState::kRunning);
}

TEST_F(V4l2SourceTest, PollErrorRecoversByReopening) {
  auto s = MustOpen({});
  ASSERT_NE(s, nullptr);
  fake_v4l2::BreakStream(kCam);
  EXPECT_FALSE(Next(*s).has_value());
  EXPECT_EQ(s->state(), SourceState::kUnavailable);
  clock_.AdvanceMs(500);
  fake_v4l2::DeliverOnPoll(kCam, fake_v4l2::ToYuyv(Pattern(640, 480, 6)));
  EXPECT_TRUE(Next(*s, 200).has_value());
  EXPECT_EQ(s->state(), SourceState::kRunning);
}

TEST_F(V4l2SourceTest, DestructionStopsUnmapsAndCloses) {
  auto s = MustOpen({.formats = {V4L2_PIX_FMT_GREY}});
  ASSERT_NE(s, nullptr);
  const int buffers = fake_v4l2::BufferCount(kCam);
  ASSERT_TRUE(Deliver(Pattern(640, 480, 0)));
  ASSERT_TRUE(Next(*s).has_value());  // a buffer is held by the frame
  fake_v4l2::ResetCounters();
  s.reset();
  const fake_v4l2::Stats st = fake_v4l2::GetStats();
  EXPECT_EQ(st.munmap_calls, buffers);
  EXPECT_EQ(st.close_calls, 1);
  EXPECT_EQ(st.open_fds, 0);
  EXPECT_EQ(st.live_mappings, 0);
  EXPECT_FALSE(fake_v4l2::Streaming(kCam));
}

}  // namespace
}  // namespace scanner
