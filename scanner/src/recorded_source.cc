#include "scanner/recorded_source.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "base/file.h"
#include "base/fs.h"

namespace scanner {
namespace {

bool HasImageExtension(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (const char* ext : {".png", ".jpg", ".jpeg", ".webp"}) {
    const size_t n = std::strlen(ext);
    if (name.size() > n && name.compare(name.size() - n, n, ext) == 0) return true;
  }
  return false;
}

// Decides, for real-time pacing, which frame is due now: frames whose time has passed are dropped,
// an early call waits for the next one. Shared by both recorded sources.
class Pacer {
 public:
  Pacer(double fps, Pacing pacing, const base::Clock& clock) : pacing_(pacing), clock_(clock) {
    period_ns_ = fps > 0 ? static_cast<int64_t>(1e9 / fps) : 33'333'333;
  }
  // The index of the frame to deliver after `last` (or -1 at the start), and when it was due.
  // Returns false if it would have to wait longer than timeout_ms.
  bool NextIndex(int64_t last, int timeout_ms, int64_t* index, int64_t* due_ns) {
    const int64_t now = clock_.MonotonicNanos();
    if (start_ns_ < 0) start_ns_ = now;
    if (pacing_ == Pacing::kAsFastAsPossible) {
      *index = last + 1;
      *due_ns = now;
      return true;
    }
    int64_t i = std::max(last + 1, (now - start_ns_) / period_ns_);
    int64_t due = start_ns_ + i * period_ns_;
    if (due > now) {
      const int64_t wait = due - now;
      if (wait > int64_t{timeout_ms} * 1'000'000) return false;
      timespec ts{static_cast<time_t>(wait / 1'000'000'000),
                  static_cast<long>(wait % 1'000'000'000)};
      nanosleep(&ts, nullptr);  // pacing a recording like a camera: this is the frame clock
    }
    *index = i;
    *due_ns = due;
    return true;
  }

 private:
  Pacing pacing_;
  const base::Clock& clock_;
  int64_t period_ns_;
  int64_t start_ns_ = -1;
};

class ImageDirectorySource final : public FrameSource {
 public:
  ImageDirectorySource(std::string dir, std::vector<std::string> files, double fps, Pacing pacing,
                       const base::Clock& clock)
      : dir_(std::move(dir)), files_(std::move(files)), fps_(fps), pacer_(fps, pacing, clock) {}

  base::Result<std::optional<CapturedFrame>> Next(int timeout_ms) override {
    if (state_ == SourceState::kEnded) return std::optional<CapturedFrame>();
    int64_t index = 0, due = 0;
    if (!pacer_.NextIndex(last_, timeout_ms, &index, &due)) return std::optional<CapturedFrame>();
    if (index >= static_cast<int64_t>(files_.size())) {
      state_ = SourceState::kEnded;
      return std::optional<CapturedFrame>();
    }
    last_ = index;
    base::Result<GrayImage> img = LoadImage(dir_ + "/" + files_[static_cast<size_t>(index)]);
    if (!img.ok()) return img.status();
    image_ = std::move(img).value();
    return std::optional<CapturedFrame>(CapturedFrame{image_.view(), index, due});
  }
  SourceState state() const override { return state_; }
  std::string Describe() const override {
    return "images " + dir_ + " (" + std::to_string(files_.size()) + " frames, " +
           std::to_string(fps_) + " fps)";
  }

 private:
  std::string dir_;
  std::vector<std::string> files_;
  double fps_;
  Pacer pacer_;
  int64_t last_ = -1;
  GrayImage image_;
  SourceState state_ = SourceState::kRunning;
};

// YUV4MPEG2: "YUV4MPEG2 W640 H480 F30:1 ... C420jpeg\n", then "FRAME[ params]\n" + planes.
class Y4mSource final : public FrameSource {
 public:
  static base::Result<std::unique_ptr<FrameSource>> Open(const std::string& path, Pacing pacing,
                                                         const base::Clock& clock) {
    std::unique_ptr<Y4mSource> s(new Y4mSource(path));
    s->file_ = std::fopen(path.c_str(), "rb");
    if (s->file_ == nullptr) return base::IoError("opening " + path, errno);
    CK_TRY(s->ReadHeader());
    s->pacer_.emplace(s->fps_, pacing, clock);
    return std::unique_ptr<FrameSource>(std::move(s));
  }
  ~Y4mSource() override {
    if (file_ != nullptr) std::fclose(file_);
  }

  base::Result<std::optional<CapturedFrame>> Next(int timeout_ms) override {
    if (state_ == SourceState::kEnded) return std::optional<CapturedFrame>();
    int64_t index = 0, due = 0;
    if (!pacer_->NextIndex(last_, timeout_ms, &index, &due)) return std::optional<CapturedFrame>();
    // A video is read in order: frames that are no longer due are read and thrown away.
    while (last_ < index) {
      base::Result<bool> got = ReadFrame();
      if (!got.ok()) return got.status();
      if (!*got) {
        state_ = SourceState::kEnded;
        return std::optional<CapturedFrame>();
      }
      ++last_;
    }
    Frame f{luma_.data(), width_, height_, width_, PixelFormat::kGray8};
    return std::optional<CapturedFrame>(CapturedFrame{f, index, due});
  }
  SourceState state() const override { return state_; }
  std::string Describe() const override {
    return "video " + path_ + " " + std::to_string(width_) + "x" + std::to_string(height_) + " " +
           std::to_string(fps_) + " fps";
  }

 private:
  explicit Y4mSource(std::string path) : path_(std::move(path)) {}

  base::Status ReadHeader() {
    char line[512];
    if (std::fgets(line, sizeof line, file_) == nullptr ||
        std::strncmp(line, "YUV4MPEG2 ", 10) != 0) {
      return base::InvalidArgument(path_ + ": not a YUV4MPEG2 file");
    }
    std::string colour = "420jpeg";
    int fn = 30, fd = 1;
    // Space-separated parameters; parsed without strtok, which is not thread-safe.
    std::string_view params(line + 10);
    while (!params.empty()) {
      const size_t end = params.find_first_of(" \n");
      const std::string tok(params.substr(0, end));
      params.remove_prefix(end == std::string_view::npos ? params.size() : end + 1);
      if (tok.empty()) continue;
      if (tok[0] == 'W') width_ = std::atoi(tok.c_str() + 1);
      if (tok[0] == 'H') height_ = std::atoi(tok.c_str() + 1);
      if (tok[0] == 'F') std::sscanf(tok.c_str() + 1, "%d:%d", &fn, &fd);
      if (tok[0] == 'C') colour = tok.substr(1);
    }
    if (width_ <= 0 || height_ <= 0 || width_ > kMaxImageSide || height_ > kMaxImageSide) {
      return base::InvalidArgument(path_ + ": bad frame size");
    }
    // 8-bit 4:2:0 only: "420p10"/"420p12" have 2-byte samples and would read as garbage.
    if (colour == "420" || colour == "420jpeg" || colour == "420paldv" || colour == "420mpeg2") {
      chroma_bytes_ =
          2 * (static_cast<size_t>((width_ + 1) / 2) * static_cast<size_t>((height_ + 1) / 2));
    } else if (colour == "mono") {
      chroma_bytes_ = 0;
    } else {
      return base::InvalidArgument(path_ + ": colour space " + colour +
                                   " not supported (8-bit 4:2:0 or mono)");
    }
    if (fn <= 0 || fd <= 0) return base::InvalidArgument(path_ + ": bad frame rate");
    fps_ = static_cast<double>(fn) / fd;
    luma_.resize(static_cast<size_t>(width_) * static_cast<size_t>(height_));
    return base::Status::Ok();
  }

  // Reads the next frame's luminance; false at a clean end of file.
  base::Result<bool> ReadFrame() {
    char line[256];
    if (std::fgets(line, sizeof line, file_) == nullptr) return false;
    if (std::strncmp(line, "FRAME", 5) != 0)
      return base::DataLoss(path_ + ": missing FRAME marker");
    if (std::fread(luma_.data(), 1, luma_.size(), file_) != luma_.size())
      return false;  // truncated: end
    if (chroma_bytes_ > 0 && std::fseek(file_, static_cast<long>(chroma_bytes_), SEEK_CUR) != 0)
      return false;
    return true;
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  int width_ = 0, height_ = 0;
  double fps_ = 30;
  size_t chroma_bytes_ = 0;
  std::optional<Pacer> pacer_;
  int64_t last_ = -1;
  std::vector<uint8_t> luma_;
  SourceState state_ = SourceState::kRunning;
};

}  // namespace

std::string_view SourceStateName(SourceState s) {
  switch (s) {
    case SourceState::kRunning:
      return "running";
    case SourceState::kEnded:
      return "ended";
    case SourceState::kUnavailable:
      return "unavailable";
  }
  return "running";
}

base::Result<std::vector<std::string>> ListImages(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return base::IoError("opening directory " + dir, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.' && HasImageExtension(e->d_name)) names.emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

base::Result<std::unique_ptr<FrameSource>> OpenImageDirectory(const std::string& dir, double fps,
                                                              Pacing pacing,
                                                              const base::Clock& clock) {
  CK_ASSIGN_OR_RETURN(std::vector<std::string> files, ListImages(dir));
  if (files.empty()) return base::NotFound(dir + ": no PNG or JPEG images");
  return std::unique_ptr<FrameSource>(
      new ImageDirectorySource(dir, std::move(files), fps, pacing, clock));
}

base::Result<std::unique_ptr<FrameSource>> OpenY4m(const std::string& path, Pacing pacing,
                                                   const base::Clock& clock) {
  return Y4mSource::Open(path, pacing, clock);
}

base::Result<std::unique_ptr<FrameSource>> OpenRecording(const std::string& spec, double fps,
                                                         Pacing pacing, const base::Clock& clock) {
  struct stat st {};
  if (::stat(spec.c_str(), &st) != 0) return base::NotFound(spec + ": no such file or directory");
  if (S_ISDIR(st.st_mode)) return OpenImageDirectory(spec, fps, pacing, clock);
  if (spec.size() > 4 && spec.compare(spec.size() - 4, 4, ".y4m") == 0)
    return OpenY4m(spec, pacing, clock);
  return base::InvalidArgument(spec + ": expected a directory of images or a .y4m video");
}

}  // namespace scanner
