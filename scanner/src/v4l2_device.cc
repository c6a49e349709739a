#include "v4l2_device.h"

#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "scanner/image.h"

namespace scanner {
namespace {

// Formats in order of preference. GREY is the luminance plane itself: the frame is a view of the
// driver's buffer, no conversion at all. YUYV costs one pass picking every other byte but is
// uncompressed, so QR module edges arrive as sharp as the sensor saw them. MJPEG comes last: its
// decode costs milliseconds per frame on a Pi-class CPU and its 8x8 blocks blur module edges;
// cameras that only stream large sizes compressed over USB 2 still work through it.
constexpr uint32_t kPreferred[] = {V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_MJPEG};

// The driver list is finite but a broken one could loop; no camera offers this many formats.
constexpr uint32_t kMaxEnumeratedFormats = 64;

int Xioctl(int fd, unsigned long request, void* arg) {
  int r;
  do {
    r = ::ioctl(fd, request, arg);
  } while (r < 0 && errno == EINTR);
  return r;
}

int BytesPerPixel(uint32_t fourcc) {
  switch (fourcc) {
    case V4L2_PIX_FMT_GREY:
      return 1;
    case V4L2_PIX_FMT_YUYV:
      return 2;
    default:
      return 0;  // compressed
  }
}

std::string CardName(const v4l2_capability& cap) {
  const char* card = reinterpret_cast<const char*>(cap.card);
  return std::string(card, strnlen(card, sizeof cap.card));
}

}  // namespace

base::Status V4l2Error(std::string_view what, int err) {
  const std::string w(what);
  switch (err) {
    case ENOENT:
      return base::NotFound(w + ": no such device");
    case ENODEV:
    case ENXIO:
    case EIO:
    case ESHUTDOWN:
      return base::Unavailable(w + ": camera disconnected (" + std::strerror(err) + ")");
    case EBUSY:
      return base::Unavailable(w + ": camera busy (is another program using it?)");
    case EACCES:
    case EPERM:
      return base::PermissionDenied(w + ": permission denied (is the user in group 'video'?)");
    case ENOTTY:
      return base::InvalidArgument(w + ": not a V4L2 device");
    default:
      return base::IoError(w, err);
  }
}

std::string FourccName(uint32_t fourcc) {
  std::string s;
  for (int shift = 0; shift < 32; shift += 8) {
    const char c = static_cast<char>((fourcc >> shift) & 0xff);
    s += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();  // "Y16 " -> "Y16"
  return s;
}

Mapping::Mapping(Mapping&& other) noexcept
    : addr_(std::exchange(other.addr_, nullptr)), length_(std::exchange(other.length_, 0)) {}

Mapping& Mapping::operator=(Mapping&& other) noexcept {
  if (this != &other) {
    if (addr_ != nullptr) ::munmap(addr_, length_);
    addr_ = std::exchange(other.addr_, nullptr);
    length_ = std::exchange(other.length_, 0);
  }
  return *this;
}

Mapping::~Mapping() {
  if (addr_ != nullptr) ::munmap(addr_, length_);
}

base::Result<std::unique_ptr<V4l2Device>> V4l2Device::Open(const V4l2Options& options) {
  // Non-blocking: DQBUF says EAGAIN once the ready buffers are drained; waiting is poll()'s job.
  base::UniqueFd fd(::open(options.device.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return V4l2Error("opening " + options.device, errno);
  std::unique_ptr<V4l2Device> dev(new V4l2Device(std::move(fd), options.device));
  CK_TRY(dev->CheckCapabilities());
  CK_ASSIGN_OR_RETURN(const uint32_t fourcc, dev->ChooseFormat());
  CK_TRY(dev->SetFormat(fourcc, options.width, options.height));
  if (options.fps > 0) CK_TRY(dev->SetFrameRate(options.fps));
  CK_TRY(dev->MapBuffers(std::clamp(options.buffers, 2, 8)));
  CK_TRY(dev->StartStreaming());
  return dev;
}

V4l2Device::~V4l2Device() {
  if (streaming_) {
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    Xioctl(fd_.get(), VIDIOC_STREAMOFF, &type);  // fails harmlessly if the camera is gone
  }
  buffers_.clear();  // unmap before fd_ closes
}

base::Status V4l2Device::Fail(std::string_view what, int err) const {
  return V4l2Error(path_ + ": " + std::string(what), err);
}

base::Status V4l2Device::CheckCapabilities() {
  v4l2_capability cap{};
  if (Xioctl(fd_.get(), VIDIOC_QUERYCAP, &cap) < 0) return Fail("VIDIOC_QUERYCAP", errno);
  // device_caps describes this node; capabilities the whole physical device.
  const uint32_t caps =
      (cap.capabilities & V4L2_CAP_DEVICE_CAPS) != 0 ? cap.device_caps : cap.capabilities;
  if ((caps & V4L2_CAP_VIDEO_CAPTURE) == 0) {
    return base::FailedPrecondition(path_ + " (" + CardName(cap) +
                                    "): not a video capture node (UVC cameras also have a "
                                    "metadata node; try the neighbouring /dev/video*)");
  }
  if ((caps & V4L2_CAP_STREAMING) == 0)
    return base::FailedPrecondition(path_ + " (" + CardName(cap) + "): no streaming I/O");
  return base::Status::Ok();
}

base::Result<uint32_t> V4l2Device::ChooseFormat() {
  std::vector<uint32_t> offered;
  for (uint32_t i = 0; i < kMaxEnumeratedFormats; ++i) {
    v4l2_fmtdesc desc{};
    desc.index = i;
    desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (Xioctl(fd_.get(), VIDIOC_ENUM_FMT, &desc) < 0) {
      if (errno == EINVAL) break;  // the end of the list
      return Fail("VIDIOC_ENUM_FMT", errno);
    }
    offered.push_back(desc.pixelformat);
  }
  for (uint32_t want : kPreferred) {
    if (std::find(offered.begin(), offered.end(), want) != offered.end()) return want;
  }
  std::string names;
  for (uint32_t f : offered) names += (names.empty() ? "" : ", ") + FourccName(f);
  return base::FailedPrecondition(path_ + ": the camera offers " +
                                  (names.empty() ? std::string("no formats") : names) +
                                  "; cardkiosk needs GREY, YUYV or MJPG");
}

base::Status V4l2Device::SetFormat(uint32_t fourcc, int width, int height) {
  v4l2_format f{};
  f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  f.fmt.pix.width = static_cast<uint32_t>(std::max(width, 1));
  f.fmt.pix.height = static_cast<uint32_t>(std::max(height, 1));
  f.fmt.pix.pixelformat = fourcc;
  f.fmt.pix.field = V4L2_FIELD_NONE;
  if (Xioctl(fd_.get(), VIDIOC_S_FMT, &f) < 0) return Fail("VIDIOC_S_FMT", errno);
  // The driver answers with what it can do (the nearest size, maybe another format): take it.
  const v4l2_pix_format& got = f.fmt.pix;
  if (std::find(std::begin(kPreferred), std::end(kPreferred), got.pixelformat) ==
      std::end(kPreferred)) {
    return base::FailedPrecondition(path_ + ": asked for " + FourccName(fourcc) +
                                    ", the driver switched to " + FourccName(got.pixelformat));
  }
  if (got.width == 0 || got.height == 0 || got.width > uint32_t{kMaxImageSide} ||
      got.height > uint32_t{kMaxImageSide}) {
    return base::OutOfRange(path_ + ": the driver chose " + std::to_string(got.width) + "x" +
                            std::to_string(got.height) + ", limit " +
                            std::to_string(kMaxImageSide));
  }
  format_.fourcc = got.pixelformat;
  format_.width = static_cast<int>(got.width);
  format_.height = static_cast<int>(got.height);
  const int bpp = BytesPerPixel(got.pixelformat);
  if (bpp > 0) {
    // Some drivers leave bytesperline 0; a value below one packed row would be nonsense.
    format_.bytes_per_line = std::max(static_cast<int>(got.bytesperline), format_.width * bpp);
    format_.min_frame_bytes =
        static_cast<size_t>(format_.bytes_per_line) * static_cast<size_t>(format_.height - 1) +
        static_cast<size_t>(format_.width * bpp);
  }
  return base::Status::Ok();
}

base::Status V4l2Device::SetFrameRate(int fps) {
  v4l2_streamparm parm{};
  parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  parm.parm.capture.timeperframe.numerator = 1;
  parm.parm.capture.timeperframe.denominator = static_cast<uint32_t>(fps);
  if (Xioctl(fd_.get(), VIDIOC_S_PARM, &parm) < 0) {
    // Cameras without a settable rate (many CSI bridges) say so this way: keep their rate.
    if (errno == EINVAL || errno == ENOTTY) return base::Status::Ok();
    return Fail("VIDIOC_S_PARM", errno);
  }
  const v4l2_fract& tpf = parm.parm.capture.timeperframe;
  if ((parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME) != 0 && tpf.numerator > 0 &&
      tpf.denominator > 0) {
    format_.fps_num = tpf.denominator;  // frames per second is the inverse of time per frame
    format_.fps_den = tpf.numerator;
  }
  return base::Status::Ok();
}

base::Status V4l2Device::MapBuffers(int count) {
  v4l2_requestbuffers req{};
  req.count = static_cast<uint32_t>(count);
  req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  req.memory = V4L2_MEMORY_MMAP;
  if (Xioctl(fd_.get(), VIDIOC_REQBUFS, &req) < 0) return Fail("VIDIOC_REQBUFS", errno);
  // With one buffer the driver would have nothing to fill while the consumer holds it.
  if (req.count < 2) {
    return base::FailedPrecondition(path_ + ": the driver granted " + std::to_string(req.count) +
                                    " buffer(s), streaming needs 2");
  }
  for (uint32_t i = 0; i < req.count; ++i) {
    v4l2_buffer buf{};
    buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buf.memory = V4L2_MEMORY_MMAP;
    buf.index = i;
    if (Xioctl(fd_.get(), VIDIOC_QUERYBUF, &buf) < 0) return Fail("VIDIOC_QUERYBUF", errno);
    if (buf.length < format_.min_frame_bytes) {
      return base::FailedPrecondition(path_ + ": buffer of " + std::to_string(buf.length) +
                                      " bytes, a frame needs " +
                                      std::to_string(format_.min_frame_bytes));
    }
    void* addr = ::mmap(nullptr, buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(),
                        static_cast<off_t>(buf.m.offset));
    if (addr == MAP_FAILED) return Fail("mmap", errno);
    buffers_.emplace_back(addr, buf.length);
  }
  for (uint32_t i = 0; i < req.count; ++i) CK_TRY(Requeue(i));
  return base::Status::Ok();
}

base::Status V4l2Device::StartStreaming() {
  int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  if (Xioctl(fd_.get(), VIDIOC_STREAMON, &type) < 0) return Fail("VIDIOC_STREAMON", errno);
  streaming_ = true;
  return base::Status::Ok();
}

base::Result<bool> V4l2Device::WaitReadable(int timeout_ms) {
  pollfd p{fd_.get(), POLLIN, 0};
  const int r = ::poll(&p, 1, std::max(timeout_ms, 0));
  if (r < 0) {
    if (errno == EINTR) return false;
    return Fail("poll", errno);
  }
  if (r == 0) return false;
  if ((p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
    return base::Unavailable(path_ + ": camera disconnected or its stream failed (poll)");
  return (p.revents & POLLIN) != 0;
}

base::Result<std::optional<DequeuedBuffer>> V4l2Device::DequeueLatest() {
  std::optional<DequeuedBuffer> latest;
  // Bounded: at most every buffer can be ready, plus one the driver fills while we drain.
  for (size_t n = 0; n <= buffers_.size(); ++n) {
    v4l2_buffer buf{};
    buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buf.memory = V4L2_MEMORY_MMAP;
    if (Xioctl(fd_.get(), VIDIOC_DQBUF, &buf) < 0) {
      if (errno == EAGAIN) break;  // drained
      return Fail("VIDIOC_DQBUF", errno);
    }
    if (buf.index >= buffers_.size())
      return base::Internal(path_ + ": the driver returned buffer " + std::to_string(buf.index));
    if ((buf.flags & V4L2_BUF_FLAG_ERROR) != 0) {  // a corrupt frame: straight back
      CK_TRY(Requeue(buf.index));
      continue;
    }
    if (latest) CK_TRY(Requeue(latest->index));  // an older frame: the newer one wins
    const Mapping& m = buffers_[buf.index];
    DequeuedBuffer d;
    d.index = buf.index;
    d.data = m.data();
    d.bytes_used = buf.bytesused == 0 ? m.length() : std::min<size_t>(buf.bytesused, m.length());
    d.sequence = buf.sequence;
    if ((buf.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC) {
      d.timestamp_ns = static_cast<int64_t>(buf.timestamp.tv_sec) * 1'000'000'000 +
                       static_cast<int64_t>(buf.timestamp.tv_usec) * 1'000;
    }
    latest = d;
  }
  return latest;
}

base::Status V4l2Device::Requeue(uint32_t index) {
  v4l2_buffer buf{};
  buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  buf.memory = V4L2_MEMORY_MMAP;
  buf.index = index;
  if (Xioctl(fd_.get(), VIDIOC_QBUF, &buf) < 0) return Fail("VIDIOC_QBUF", errno);
  return base::Status::Ok();
}

}  // namespace scanner
