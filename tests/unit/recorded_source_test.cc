// Recorded frames through the FrameSource interface: image directories (name order, formats,
// errors), Y4M videos (4:2:0 and mono, odd sizes, frame parameters, truncation, bad headers) and
// the pacing of both: every frame as fast as possible, or a camera's frame clock that drops what
// is late. Time is a base::FakeClock; a test never sleeps (an early frame is asked for with a
// zero timeout, which returns nothing instead of waiting).
#include "scanner/recorded_source.h"

#include <gtest/gtest.h>
#include <turbojpeg.h>

#include <cstdio>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "base/clock.h"
#include "base/file.h"
#include "scanner/image.h"
#include "subprocess.h"

namespace scanner {
namespace {

void WriteBytes(const std::string& path, const std::string& bytes) {
  ASSERT_TRUE(base::WriteFileAtomic(path, bytes, 0644, base::Durability::kDeferred).ok()) << path;
}

// A white w x h PNG (frames are told apart by their sizes).
void WritePng(const std::string& path, int w, int h) {
  GrayImage img{w, h, std::vector<uint8_t>(static_cast<size_t>(w) * static_cast<size_t>(h), 255)};
  ASSERT_TRUE(WriteBilevelPng(path, img, 300, base::Durability::kDeferred).ok()) << path;
}

void WriteJpeg(const std::string& path, int w, int h) {
  std::vector<uint8_t> gray(static_cast<size_t>(w) * static_cast<size_t>(h), 128);
  tjhandle tj = tjInitCompress();
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  ASSERT_EQ(tjCompress2(tj, gray.data(), w, w, h, TJPF_GRAY, &buf, &size, TJSAMP_GRAY, 90, 0), 0);
  WriteBytes(path, std::string(reinterpret_cast<const char*>(buf), size));
  tjFree(buf);
  tjDestroy(tj);
}

// The luminance plane of frame `i` of a test video: every byte tells the frame and position.
std::string Luma(int w, int h, int i) {
  std::string y(static_cast<size_t>(w) * static_cast<size_t>(h), '\0');
  for (size_t k = 0; k < y.size(); ++k)
    y[k] = static_cast<char>((i * 37 + static_cast<int>(k)) % 251);
  return y;
}

// A Y4M file: `header` (without the newline), then `frames` frames of luma + `chroma` bytes.
std::string Y4m(const std::string& header, int w, int h, int frames, size_t chroma,
                const std::string& frame_line = "FRAME") {
  std::string out = header + "\n";
  for (int i = 0; i < frames; ++i) {
    out += frame_line + "\n" + Luma(w, h, i) + std::string(chroma, static_cast<char>(0x80));
  }
  return out;
}

std::vector<uint8_t> Pixels(const Frame& f) {
  std::vector<uint8_t> out;
  for (int y = 0; y < f.height; ++y) {
    const uint8_t* row = f.data + static_cast<size_t>(y) * static_cast<size_t>(f.stride);
    out.insert(out.end(), row, row + f.width);
  }
  return out;
}

// Pulls one frame, expecting one.
CapturedFrame MustNext(FrameSource& s, int timeout_ms = 0) {
  base::Result<std::optional<CapturedFrame>> r = s.Next(timeout_ms);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok() || !r->has_value()) {
    ADD_FAILURE() << "no frame";
    return {};
  }
  return **r;
}

// Pulls until the source says nothing more; the indices delivered.
std::vector<int64_t> Drain(FrameSource& s) {
  std::vector<int64_t> out;
  for (int guard = 0; guard < 1000; ++guard) {
    base::Result<std::optional<CapturedFrame>> r = s.Next(0);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || !r->has_value()) break;
    out.push_back((*r)->index);
  }
  return out;
}

class ImageDirectoryTest : public ::testing::Test {
 protected:
  cktest::TempDir dir_;
  base::FakeClock clock_{1'700'000'000};
};

TEST_F(ImageDirectoryTest, ListsImagesInNameOrderByExtensionCaseInsensitive) {
  WritePng(dir_.File("b.png"), 4, 4);
  WritePng(dir_.File("a.PNG"), 4, 4);
  WriteJpeg(dir_.File("c.jpg"), 8, 8);
  WriteJpeg(dir_.File("d.JPEG"), 8, 8);
  WritePng(dir_.File("10.png"), 4, 4);
  WritePng(dir_.File("2.png"), 4, 4);
  WritePng(dir_.File(".hidden.png"), 4, 4);
  WriteBytes(dir_.File("notes.txt"), "not an image");
  WriteBytes(dir_.File("png"), "no extension");
  base::Result<std::vector<std::string>> names = ListImages(dir_.path());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names,
            (std::vector<std::string>{"10.png", "2.png", "a.PNG", "b.png", "c.jpg", "d.JPEG"}));
}

TEST_F(ImageDirectoryTest, DeliversEveryFrameInNameOrderAsFastAsPossible) {
  WritePng(dir_.File("f1.png"), 9, 3);
  WriteJpeg(dir_.File("f0.jpg"), 8, 2);
  WritePng(dir_.File("f2.png"), 10, 4);
  auto src = OpenImageDirectory(dir_.path(), 30, Pacing::kAsFastAsPossible, clock_);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_NE((*src)->Describe().find("3 frames"), std::string::npos) << (*src)->Describe();
  const int widths[] = {8, 9, 10}, heights[] = {2, 3, 4};
  for (int i = 0; i < 3; ++i) {
    const CapturedFrame f = MustNext(**src);
    EXPECT_EQ(f.index, i);
    EXPECT_EQ(f.frame.width, widths[i]);
    EXPECT_EQ(f.frame.height, heights[i]);
    EXPECT_GE(f.frame.stride, f.frame.width);
    EXPECT_EQ((*src)->state(), SourceState::kRunning);
  }
  base::Result<std::optional<CapturedFrame>> end = (*src)->Next(0);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
  EXPECT_EQ((*src)->state(), SourceState::kEnded);
  end = (*src)->Next(0);  // stays ended
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST_F(ImageDirectoryTest, RefusesDirectoriesWithoutImagesAndMissingOnes) {
  WriteBytes(dir_.File("readme.txt"), "x");
  auto empty = OpenImageDirectory(dir_.path(), 30, Pacing::kAsFastAsPossible, clock_);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), base::StatusCode::kNotFound);
  auto missing = OpenImageDirectory(dir_.File("nope"), 30, Pacing::kAsFastAsPossible, clock_);
  EXPECT_FALSE(missing.ok());
}

TEST_F(ImageDirectoryTest, CorruptImageIsAnErrorNotACrash) {
  WritePng(dir_.File("0.png"), 4, 4);
  WriteBytes(dir_.File("1.png"), "\x89PNG\r\n\x1a\n garbage");
  auto src = OpenImageDirectory(dir_.path(), 30, Pacing::kAsFastAsPossible, clock_);
  ASSERT_TRUE(src.ok());
  MustNext(**src);
  base::Result<std::optional<CapturedFrame>> bad = (*src)->Next(0);
  EXPECT_FALSE(bad.ok());
}

TEST_F(ImageDirectoryTest, RealTimePacingDropsFramesThatAreLate) {
  for (int i = 0; i < 30; ++i) WritePng(dir_.File("f" + std::to_string(100 + i) + ".png"), 4, 4);
  auto src = OpenImageDirectory(dir_.path(), 10, Pacing::kRealTime, clock_);
  ASSERT_TRUE(src.ok());
  const CapturedFrame first = MustNext(**src);
  EXPECT_EQ(first.index, 0);
  const int64_t start = first.capture_ns;
  // The next frame is due in 100 ms: asked without waiting, nothing yet.
  base::Result<std::optional<CapturedFrame>> early = (*src)->Next(0);
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(early->has_value());
  // A consumer busy for a second: the ten frames that were due meanwhile are gone but the last.
  clock_.Advance(1);
  const CapturedFrame late = MustNext(**src);
  EXPECT_EQ(late.index, 10);
  EXPECT_EQ(late.capture_ns, start + 10 * 100'000'000);  // stamped when it was due
  clock_.Advance(1);
  EXPECT_EQ(MustNext(**src).index, 20);
  clock_.Advance(1);  // frame 30 would be due: the recording (30 frames) is over
  base::Result<std::optional<CapturedFrame>> end = (*src)->Next(0);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
  EXPECT_EQ((*src)->state(), SourceState::kEnded);
}

TEST_F(ImageDirectoryTest, AsFastAsPossibleIgnoresTheClock) {
  for (int i = 0; i < 5; ++i) WritePng(dir_.File("f" + std::to_string(i) + ".png"), 4, 4);
  auto src = OpenImageDirectory(dir_.path(), 10, Pacing::kAsFastAsPossible, clock_);
  ASSERT_TRUE(src.ok());
  MustNext(**src);
  clock_.Advance(100);  // however slow the consumer, nothing is skipped
  EXPECT_EQ(Drain(**src), (std::vector<int64_t>{1, 2, 3, 4}));
}

class Y4mTest : public ::testing::Test {
 protected:
  std::unique_ptr<FrameSource> Open(const std::string& bytes,
                                    Pacing pacing = Pacing::kAsFastAsPossible) {
    const std::string path = dir_.File("v.y4m");
    WriteBytes(path, bytes);
    auto src = OpenY4m(path, pacing, clock_);
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    return src.ok() ? std::move(src).value() : nullptr;
  }
  base::Status OpenStatus(const std::string& bytes) {
    const std::string path = dir_.File("bad.y4m");
    WriteBytes(path, bytes);
    auto src = OpenY4m(path, Pacing::kAsFastAsPossible, clock_);
    return src.ok() ? base::Status::Ok() : src.status();
  }

  cktest::TempDir dir_;
  base::FakeClock clock_{1'700'000'000};
};

TEST_F(Y4mTest, Reads420JpegWithOddSizeLumaOnly) {
  // 7x5 luma; chroma planes are 4x3 each (rounded up), skipped.
  auto src = Open(Y4m("YUV4MPEG2 W7 H5 F25:1 Ip A1:1 C420jpeg", 7, 5, 3, 2 * 4 * 3));
  ASSERT_NE(src, nullptr);
  EXPECT_NE(src->Describe().find("7x5"), std::string::npos) << src->Describe();
  for (int i = 0; i < 3; ++i) {
    const CapturedFrame f = MustNext(*src);
    EXPECT_EQ(f.index, i);
    ASSERT_EQ(f.frame.width, 7);
    ASSERT_EQ(f.frame.height, 5);
    const std::string want = Luma(7, 5, i);
    EXPECT_EQ(Pixels(f.frame), std::vector<uint8_t>(want.begin(), want.end())) << "frame " << i;
  }
  EXPECT_TRUE(Drain(*src).empty());
  EXPECT_EQ(src->state(), SourceState::kEnded);
}

TEST_F(Y4mTest, ReadsMonoWithOddSize) {
  auto src = Open(Y4m("YUV4MPEG2 W5 H3 F30000:1001 Cmono", 5, 3, 4, 0));
  ASSERT_NE(src, nullptr);
  for (int i = 0; i < 4; ++i) {
    const CapturedFrame f = MustNext(*src);
    const std::string want = Luma(5, 3, i);
    EXPECT_EQ(Pixels(f.frame), std::vector<uint8_t>(want.begin(), want.end())) << "frame " << i;
  }
  EXPECT_TRUE(Drain(*src).empty());
}

TEST_F(Y4mTest, DefaultsTo420WhenNoColourSpaceIsGiven) {
  auto src = Open(Y4m("YUV4MPEG2 W4 H2 F30:1", 4, 2, 2, 2 * 2 * 1));
  ASSERT_NE(src, nullptr);
  EXPECT_EQ(Drain(*src), (std::vector<int64_t>{0, 1}));
}

TEST_F(Y4mTest, AcceptsFrameParameters) {
  auto src = Open(Y4m("YUV4MPEG2 W3 H3 F30:1 Cmono", 3, 3, 2, 0, "FRAME Ip XCOMMENT=1"));
  ASSERT_NE(src, nullptr);
  const CapturedFrame f = MustNext(*src);
  const std::string want = Luma(3, 3, 0);
  EXPECT_EQ(Pixels(f.frame), std::vector<uint8_t>(want.begin(), want.end()));
  EXPECT_EQ(MustNext(*src).index, 1);
}

TEST_F(Y4mTest, TruncatedLastFrameEndsCleanly) {
  std::string bytes = Y4m("YUV4MPEG2 W6 H4 F30:1 Cmono", 6, 4, 3, 0);
  bytes.resize(bytes.size() - 5);  // the third frame lacks 5 luma bytes
  auto src = Open(bytes);
  ASSERT_NE(src, nullptr);
  EXPECT_EQ(Drain(*src), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(src->state(), SourceState::kEnded);
}

TEST_F(Y4mTest, TruncatedAfterAFrameMarkerEndsCleanly) {
  std::string bytes = Y4m("YUV4MPEG2 W6 H4 F30:1 C420jpeg", 6, 4, 2, 2 * 3 * 2) + "FRAME\n";
  auto src = Open(bytes);
  ASSERT_NE(src, nullptr);
  EXPECT_EQ(Drain(*src), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(src->state(), SourceState::kEnded);
}

TEST_F(Y4mTest, HeaderOnlyHasNoFrames) {
  auto src = Open("YUV4MPEG2 W6 H4 F30:1 Cmono\n");
  ASSERT_NE(src, nullptr);
  EXPECT_TRUE(Drain(*src).empty());
  EXPECT_EQ(src->state(), SourceState::kEnded);
}

TEST_F(Y4mTest, GarbageWhereAFrameMarkerShouldBeIsDataLoss) {
  std::string bytes = Y4m("YUV4MPEG2 W2 H2 F30:1 Cmono", 2, 2, 1, 0) + "FRAMX\n1234";
  auto src = Open(bytes);
  ASSERT_NE(src, nullptr);
  MustNext(*src);
  base::Result<std::optional<CapturedFrame>> bad = src->Next(0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), base::StatusCode::kDataLoss);
}

TEST_F(Y4mTest, RefusesBadHeaders) {
  const char* bad[] = {
      "",                                 // empty file
      "YUV4MPEG W4 H4 F30:1\n",           // wrong magic
      "RIFF\x24\x08\0\0WAVEfmt \n",       // not a video at all
      "YUV4MPEG2 H4 F30:1\n",             // no width
      "YUV4MPEG2 W4 F30:1\n",             // no height
      "YUV4MPEG2 W0 H4 F30:1\n",          // zero width
      "YUV4MPEG2 W-4 H4 F30:1\n",         // negative width
      "YUV4MPEG2 W99999 H4 F30:1\n",      // beyond kMaxImageSide
      "YUV4MPEG2 W4 H8193 F30:1\n",       // beyond kMaxImageSide
      "YUV4MPEG2 W4 H4 F30:0\n",          // zero frame-rate denominator
      "YUV4MPEG2 W4 H4 F0:1\n",           // zero frame rate
      "YUV4MPEG2 W4 H4 F30:1 C444\n",     // 4:4:4 not supported
      "YUV4MPEG2 W4 H4 F30:1 C422\n",     // 4:2:2 not supported
      "YUV4MPEG2 W4 H4 F30:1 Cmono16\n",  // 16-bit mono
  };
  for (const char* header : bad) {
    const base::Status st = OpenStatus(header);
    EXPECT_FALSE(st.ok()) << "accepted: " << header;
  }
  const base::Status missing =
      OpenY4m(dir_.File("missing.y4m"), Pacing::kAsFastAsPossible, clock_).status();
  EXPECT_FALSE(missing.ok());
}

// 10- and 12-bit 4:2:0 ("C420p10", "C420p12") have two bytes per sample; read as 8-bit they give
// garbage frames at the wrong offsets: only the 8-bit 4:2:0 colour spaces are accepted.
TEST_F(Y4mTest, RefusesHighBitDepth420) {
  EXPECT_FALSE(OpenStatus("YUV4MPEG2 W4 H4 F30:1 C420p10\n").ok());
  EXPECT_FALSE(OpenStatus("YUV4MPEG2 W4 H4 F30:1 C420p12\n").ok());
}

TEST_F(Y4mTest, RealTimePacingReadsPastFramesThatAreLate) {
  auto src = Open(Y4m("YUV4MPEG2 W4 H2 F10:1 Cmono", 4, 2, 25, 0), Pacing::kRealTime);
  ASSERT_NE(src, nullptr);
  const CapturedFrame first = MustNext(*src);
  EXPECT_EQ(first.index, 0);
  base::Result<std::optional<CapturedFrame>> early = src->Next(0);  // due in 100 ms
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(early->has_value());
  clock_.Advance(1);
  const CapturedFrame late = MustNext(*src);
  EXPECT_EQ(late.index, 10);
  EXPECT_EQ(late.capture_ns, first.capture_ns + 1'000'000'000);
  const std::string want = Luma(4, 2, 10);  // the frame's own pixels, not a skipped one's
  EXPECT_EQ(Pixels(late.frame), std::vector<uint8_t>(want.begin(), want.end()));
  clock_.Advance(1);
  EXPECT_EQ(MustNext(*src).index, 20);
  clock_.Advance(1);  // frame 30 would be due: the video has 25
  EXPECT_TRUE(Drain(*src).empty());
  EXPECT_EQ(src->state(), SourceState::kEnded);
}

TEST_F(Y4mTest, AsFastAsPossibleDeliversEveryFrame) {
  auto src = Open(Y4m("YUV4MPEG2 W4 H2 F10:1 Cmono", 4, 2, 25, 0));
  ASSERT_NE(src, nullptr);
  MustNext(*src);
  clock_.Advance(60);
  std::vector<int64_t> want;
  for (int64_t i = 1; i < 25; ++i) want.push_back(i);
  EXPECT_EQ(Drain(*src), want);
}

TEST(OpenRecordingTest, PicksBySpec) {
  cktest::TempDir dir;
  base::FakeClock clock(0);
  WritePng(dir.File("a.png"), 4, 4);
  WriteBytes(dir.File("v.y4m"), Y4m("YUV4MPEG2 W2 H2 F30:1 Cmono", 2, 2, 1, 0));
  WriteBytes(dir.File("clip.mp4"), "not handled");
  auto images = OpenRecording(dir.path(), 30, Pacing::kAsFastAsPossible, clock);
  ASSERT_TRUE(images.ok());
  EXPECT_EQ((*images)->Describe().rfind("images ", 0), 0u) << (*images)->Describe();
  auto video = OpenRecording(dir.File("v.y4m"), 30, Pacing::kAsFastAsPossible, clock);
  ASSERT_TRUE(video.ok());
  EXPECT_EQ((*video)->Describe().rfind("video ", 0), 0u) << (*video)->Describe();
  auto other = OpenRecording(dir.File("clip.mp4"), 30, Pacing::kAsFastAsPossible, clock);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), base::StatusCode::kInvalidArgument);
  auto missing = OpenRecording(dir.File("gone"), 30, Pacing::kAsFastAsPossible, clock);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), base::StatusCode::kNotFound);
}

TEST(SourceStateTest, Names) {
  EXPECT_EQ(SourceStateName(SourceState::kRunning), "running");
  EXPECT_EQ(SourceStateName(SourceState::kEnded), "ended");
  EXPECT_EQ(SourceStateName(SourceState::kUnavailable), "unavailable");
}

}  // namespace
}  // namespace scanner
