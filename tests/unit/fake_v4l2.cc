#include "fake_v4l2.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <time.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

// The real functions, as the linker's --wrap names them.
extern "C" {
int __real_open(const char* path, int flags, ...);
int __real_open64(const char* path, int flags, ...);
int __real_close(int fd);
int __real_ioctl(int fd, unsigned long request, ...);
// The symbol `mmap` takes a `long` offset on every glibc target; `off_t` is 64-bit on 32-bit ARM
// here (_FILE_OFFSET_BITS=64, which makes the code call mmap64), so it would not match.
void* __real_mmap(void* addr, size_t length, int prot, int flags, int fd, long offset);
void* __real_mmap64(void* addr, size_t length, int prot, int flags, int fd, off64_t offset);
int __real_munmap(void* addr, size_t length);
int __real_poll(pollfd* fds, nfds_t nfds, int timeout);
}

namespace fake_v4l2 {
namespace {

constexpr int kFirstFd = 1000;
constexpr char kPathPrefix[] = "/dev/fakevideo";
constexpr uint32_t kOffsetStep = 1u << 20;  // QUERYBUF's m.offset for buffer i is i * this

bool IsFakePath(const char* path) {
  return path != nullptr && std::strncmp(path, kPathPrefix, sizeof kPathPrefix - 1) == 0;
}

int64_t MonotonicNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Buffer memory: real anonymous pages, released once the device and every mapping let go, so a
// read through a pointer kept after munmap() and close() faults as it would on a real camera.
struct Block {
  explicit Block(size_t n)
      : mem(__real_mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)),
        length(n) {}
  ~Block() { __real_munmap(mem, length); }
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;
  void* mem;
  size_t length;
};

enum class BufState : uint8_t { kDequeued, kQueued, kDone };

struct Buffer {
  std::shared_ptr<Block> block;
  BufState state = BufState::kDequeued;
  uint32_t bytes_used = 0;
  uint32_t sequence = 0;
  int64_t timestamp_ns = 0;
  bool error = false;
};

struct Device {
  DeviceConfig config;
  bool present = true;
  int generation = 0;  // bumped by Unplug(): fds from an older generation are dead
  v4l2_pix_format pix{};
  uint32_t fps = 30;
  std::vector<Buffer> buffers;
  int owner_fd = -1;  // the fd whose REQBUFS allocated the buffers
  std::deque<uint32_t> incoming, done;
  bool streaming = false;
  bool stream_error = false;
  uint32_t sequence = 0;
  int fail_next_dqbuf = 0;
  std::optional<std::vector<uint8_t>> on_poll;
};

struct OpenFile {
  std::string path;
  int generation = 0;
};

struct MappingRecord {
  std::shared_ptr<Block> block;
  size_t length = 0;
};

struct Kernel {
  std::mutex mu;
  std::map<std::string, Device> devices;
  std::map<int, OpenFile> fds;
  std::multimap<void*, MappingRecord> mappings;
  int next_fd = kFirstFd;
  Stats stats;
};

// Leaked on purpose: wrapped calls can come from static destructors after main() returns.
Kernel& K() {
  static Kernel* kernel = new Kernel;
  return *kernel;
}

void Adjust(const DeviceConfig& c, v4l2_pix_format* p) {
  const auto& f = c.formats;
  if (std::find(f.begin(), f.end(), p->pixelformat) == f.end())
    p->pixelformat = f.empty() ? 0 : f[0];  // drivers substitute rather than fail
  p->width = std::max(std::min(p->width, c.max_width), 16u);
  p->height = std::max(std::min(p->height, c.max_height), 16u);
  if (p->pixelformat == V4L2_PIX_FMT_YUYV) p->width &= ~1u;
  p->field = V4L2_FIELD_NONE;
  p->bytesperline = p->pixelformat == V4L2_PIX_FMT_GREY   ? p->width + c.grey_padding
                    : p->pixelformat == V4L2_PIX_FMT_YUYV ? 2 * p->width
                                                          : 0;
  p->sizeimage = p->bytesperline != 0 ? p->bytesperline * p->height : 2 * p->width * p->height;
}

// A device instance fresh from the driver's probe; the generation carries over so that fds of
// an earlier instance stay dead. `config` is taken by value: Replug() passes the device's own.
void InitDevice(Device* d, DeviceConfig config) {
  Device fresh;
  fresh.generation = d->generation;
  fresh.pix.width = 640;
  fresh.pix.height = 480;
  fresh.pix.pixelformat = config.formats.empty() ? 0 : config.formats[0];
  Adjust(config, &fresh.pix);
  fresh.fps = std::min(30u, config.max_fps);
  fresh.config = std::move(config);
  *d = std::move(fresh);
}

bool Mapped(const Device& d) {
  for (const Buffer& b : d.buffers) {
    if (b.block.use_count() > 1) return true;  // the device holds one reference, mappings the rest
  }
  return false;
}

void ReleaseBuffers(Device* d) {
  d->buffers.clear();  // the blocks live on while mapped
  d->incoming.clear();
  d->done.clear();
  d->streaming = false;
  d->stream_error = false;
  d->owner_fd = -1;
}

bool DeliverLocked(Device* d, const std::vector<uint8_t>& payload, int64_t ts, bool error) {
  const uint32_t sequence = d->sequence++;
  if (!d->present || !d->streaming || d->incoming.empty()) return false;
  const uint32_t index = d->incoming.front();
  d->incoming.pop_front();
  Buffer& b = d->buffers[index];
  const size_t n = std::min(payload.size(), b.block->length);
  std::memcpy(b.block->mem, payload.data(), n);
  b.bytes_used = static_cast<uint32_t>(n);
  b.sequence = sequence;
  b.timestamp_ns = ts < 0 ? MonotonicNowNs() : ts;
  b.error = error;
  b.state = BufState::kDone;
  d->done.push_back(index);
  return true;
}

// The device behind a live fd, or nullptr with *err set (EBADF, ENODEV).
Device* Live(Kernel& k, int fd, int* err) {
  auto f = k.fds.find(fd);
  if (f == k.fds.end()) {
    *err = EBADF;
    return nullptr;
  }
  auto d = k.devices.find(f->second.path);
  if (d == k.devices.end() || !d->second.present || d->second.generation != f->second.generation) {
    *err = ENODEV;
    return nullptr;
  }
  return &d->second;
}

template <size_t N>
void CopyString(uint8_t (&dst)[N], const char* s) {
  std::snprintf(reinterpret_cast<char*>(dst), N, "%s", s);
}

void FillBuffer(const Device& d, uint32_t index, v4l2_buffer* out) {
  const Buffer& b = d.buffers[index];
  out->index = index;
  out->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  out->memory = V4L2_MEMORY_MMAP;
  out->m.offset = index * kOffsetStep;
  out->length = static_cast<uint32_t>(b.block->length);
  out->bytesused = b.bytes_used;
  out->field = V4L2_FIELD_NONE;
  out->sequence = b.sequence;
  out->timestamp.tv_sec = static_cast<time_t>(b.timestamp_ns / 1'000'000'000);
  out->timestamp.tv_usec = static_cast<suseconds_t>(b.timestamp_ns % 1'000'000'000 / 1000);
  out->flags = d.config.monotonic_timestamps ? V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC
                                             : V4L2_BUF_FLAG_TIMESTAMP_UNKNOWN;
  if (b.state == BufState::kQueued) out->flags |= V4L2_BUF_FLAG_QUEUED;
  if (b.state == BufState::kDone) out->flags |= V4L2_BUF_FLAG_DONE;
  if (b.block.use_count() > 1) out->flags |= V4L2_BUF_FLAG_MAPPED;
  if (b.error) out->flags |= V4L2_BUF_FLAG_ERROR;
}

int QueryCap(const Device& d, v4l2_capability* cap) {
  *cap = {};
  CopyString(cap->driver, "fakev4l2");
  CopyString(cap->card, "Fake Camera");
  CopyString(cap->bus_info, "platform:fakev4l2");
  cap->capabilities = d.config.capabilities | V4L2_CAP_DEVICE_CAPS;
  cap->device_caps = d.config.capabilities;
  return 0;
}

int EnumFmt(const Device& d, v4l2_fmtdesc* desc) {
  if (desc->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || desc->index >= d.config.formats.size())
    return -EINVAL;
  const uint32_t f = d.config.formats[desc->index];
  desc->pixelformat = f;
  desc->flags = f == V4L2_PIX_FMT_MJPEG ? V4L2_FMT_FLAG_COMPRESSED : 0;
  std::memcpy(desc->description, &f, sizeof f);
  return 0;
}

int Format(Device* d, unsigned long request, v4l2_format* f) {
  if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return -EINVAL;
  if (request == VIDIOC_G_FMT) {
    f->fmt.pix = d->pix;
    return 0;
  }
  Adjust(d->config, &f->fmt.pix);
  if (request == VIDIOC_S_FMT) {
    if (!d->buffers.empty()) return -EBUSY;  // as vb2: no format change with buffers allocated
    d->pix = f->fmt.pix;
  }
  return 0;
}

int Parm(Device* d, unsigned long request, v4l2_streamparm* p) {
  if (!d->config.settable_rate) return -ENOTTY;
  if (p->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return -EINVAL;
  if (request == VIDIOC_S_PARM) {
    const v4l2_fract t = p->parm.capture.timeperframe;
    const uint32_t asked =
        t.numerator == 0 || t.denominator == 0 ? d->config.max_fps : t.denominator / t.numerator;
    d->fps = std::max(std::min(asked, d->config.max_fps), 1u);
  }
  p->parm.capture = {};
  p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
  p->parm.capture.timeperframe = {1, d->fps};
  return 0;
}

int ReqBufs(Device* d, int fd, v4l2_requestbuffers* r) {
  if (r->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || r->memory != V4L2_MEMORY_MMAP) return -EINVAL;
  if (d->owner_fd != -1 && d->owner_fd != fd) return -EBUSY;  // another fd streams
  if (d->streaming || Mapped(*d)) return -EBUSY;
  ReleaseBuffers(d);
  if (r->count == 0) return 0;
  r->count = std::min(r->count, d->config.max_buffers);
  const size_t length = (d->pix.sizeimage + 4095u) / 4096u * 4096u;
  for (uint32_t i = 0; i < r->count; ++i)
    d->buffers.push_back(Buffer{.block = std::make_shared<Block>(length)});
  d->owner_fd = fd;
  r->capabilities = V4L2_BUF_CAP_SUPPORTS_MMAP;
  return 0;
}

int BufferIoctl(Device* d, int fd, unsigned long request, v4l2_buffer* b) {
  if (b->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || b->memory != V4L2_MEMORY_MMAP) return -EINVAL;
  if (d->owner_fd != fd) return -EBUSY;
  if (request == VIDIOC_DQBUF) {
    if (d->fail_next_dqbuf != 0) return -std::exchange(d->fail_next_dqbuf, 0);
    if (!d->streaming) return -EINVAL;
    if (d->done.empty()) return -EAGAIN;  // the code opens O_NONBLOCK; blocking is not modelled
    const uint32_t index = d->done.front();
    d->done.pop_front();
    d->buffers[index].state = BufState::kDequeued;
    FillBuffer(*d, index, b);
    return 0;
  }
  if (b->index >= d->buffers.size()) return -EINVAL;
  if (request == VIDIOC_QBUF) {
    Buffer& buf = d->buffers[b->index];
    if (buf.state != BufState::kDequeued) return -EINVAL;  // queued twice: a bookkeeping bug
    buf.state = BufState::kQueued;
    buf.error = false;
    d->incoming.push_back(b->index);
  }
  FillBuffer(*d, b->index, b);
  return 0;
}

int Stream(Device* d, int fd, unsigned long request, const int* type) {
  if (*type != V4L2_BUF_TYPE_VIDEO_CAPTURE || d->owner_fd != fd) return -EINVAL;
  if (request == VIDIOC_STREAMON) {
    if (d->buffers.empty()) return -EINVAL;
    d->streaming = true;
    d->sequence = 0;
    return 0;
  }
  d->streaming = false;  // STREAMOFF hands every buffer back to the application
  d->stream_error = false;
  for (Buffer& b : d->buffers) b.state = BufState::kDequeued;
  d->incoming.clear();
  d->done.clear();
  return 0;
}

int Ioctl(Kernel& k, int fd, unsigned long request, void* arg) {
  int err = 0;
  Device* d = Live(k, fd, &err);
  if (d == nullptr) return -err;
  switch (request) {
    case VIDIOC_QUERYCAP:
      return QueryCap(*d, static_cast<v4l2_capability*>(arg));
    case VIDIOC_ENUM_FMT:
      return EnumFmt(*d, static_cast<v4l2_fmtdesc*>(arg));
    case VIDIOC_G_FMT:
    case VIDIOC_S_FMT:
    case VIDIOC_TRY_FMT:
      return Format(d, request, static_cast<v4l2_format*>(arg));
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM:
      return Parm(d, request, static_cast<v4l2_streamparm*>(arg));
    case VIDIOC_REQBUFS:
      return ReqBufs(d, fd, static_cast<v4l2_requestbuffers*>(arg));
    case VIDIOC_QUERYBUF:
    case VIDIOC_QBUF:
    case VIDIOC_DQBUF:
      return BufferIoctl(d, fd, request, static_cast<v4l2_buffer*>(arg));
    case VIDIOC_STREAMON:
    case VIDIOC_STREAMOFF:
      return Stream(d, fd, request, static_cast<const int*>(arg));
    default:
      return -ENOTTY;
  }
}

short Revents(Kernel& k, int fd) {
  int err = 0;
  const Device* d = Live(k, fd, &err);
  if (d == nullptr) return err == EBADF ? POLLNVAL : POLLERR | POLLHUP;
  if (!d->streaming || d->stream_error) return POLLERR;  // as vb2_core_poll
  return d->done.empty() ? 0 : POLLIN | POLLRDNORM;
}

int ScanPoll(Kernel& k, pollfd* fds, nfds_t n) {
  int ready = 0;
  for (nfds_t i = 0; i < n; ++i) {
    fds[i].revents = fds[i].fd >= kFirstFd ? Revents(k, fds[i].fd) : 0;
    fds[i].revents =
        static_cast<short>(fds[i].revents & (fds[i].events | POLLERR | POLLHUP | POLLNVAL));
    if (fds[i].revents != 0) ++ready;
  }
  return ready;
}

void* FakeMmap(size_t length, int flags, int fd, int64_t offset) {
  Kernel& k = K();
  std::lock_guard<std::mutex> lock(k.mu);
  ++k.stats.mmap_calls;
  int err = 0;
  Device* d = Live(k, fd, &err);
  const uint64_t index = static_cast<uint64_t>(offset) / kOffsetStep;
  if (d != nullptr &&
      ((flags & MAP_SHARED) == 0 || offset % kOffsetStep != 0 || index >= d->buffers.size() ||
       length > d->buffers[static_cast<size_t>(index)].block->length)) {
    err = EINVAL;
    d = nullptr;
  }
  if (d == nullptr) {
    errno = err;
    return MAP_FAILED;
  }
  std::shared_ptr<Block> block = d->buffers[static_cast<size_t>(index)].block;  // checked above
  void* addr = block->mem;
  k.mappings.emplace(addr, MappingRecord{std::move(block), length});
  return addr;
}

int FakeOpen(const char* path) {
  Kernel& k = K();
  std::lock_guard<std::mutex> lock(k.mu);
  ++k.stats.open_calls;
  auto d = k.devices.find(path);
  if (d == k.devices.end() || !d->second.present) {
    errno = ENOENT;
    return -1;
  }
  const int fd = k.next_fd++;
  k.fds[fd] = OpenFile{path, d->second.generation};
  return fd;
}

mode_t ModeArg(int flags, va_list ap) {
  const bool has_mode = (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
  return has_mode ? va_arg(ap, mode_t) : 0;
}

// Runs `f` on the device at `path` under the kernel's lock.
template <typename F>
auto WithDevice(const std::string& path, F f) {
  Kernel& k = K();
  std::lock_guard<std::mutex> lock(k.mu);
  return f(k.devices.at(path));
}

}  // namespace

void Reset() {
  Kernel& k = K();
  std::lock_guard<std::mutex> lock(k.mu);
  k.devices.clear();
  k.fds.clear();
  k.mappings.clear();
  k.stats = Stats{};
}

void AddDevice(const std::string& path, const DeviceConfig& config) {
  Kernel& k = K();
  std::lock_guard<std::mutex> lock(k.mu);
  InitDevice(&k.devices[path], config);
}

bool Deliver(const std::string& path, const std::vector<uint8_t>& payload, int64_t timestamp_ns,
             bool error_flag) {
  return WithDevice(
      path, [&](Device& d) { return DeliverLocked(&d, payload, timestamp_ns, error_flag); });
}

void DeliverOnPoll(const std::string& path, const std::vector<uint8_t>& payload) {
  WithDevice(path, [&](Device& d) { d.on_poll = payload; });
}

void Unplug(const std::string& path) {
  WithDevice(path, [](Device& d) {
    d.present = false;
    ++d.generation;
  });
}

void Replug(const std::string& path) {
  // A new device instance; buffers of the old one live on only while still mapped.
  WithDevice(path, [](Device& d) { InitDevice(&d, d.config); });
}

void FailNextDqbuf(const std::string& path, int err) {
  WithDevice(path, [&](Device& d) { d.fail_next_dqbuf = err; });
}

void BreakStream(const std::string& path) {
  WithDevice(path, [](Device& d) { d.stream_error = true; });
}

Negotiated NegotiatedFormat(const std::string& path) {
  return WithDevice(path, [](Device& d) {
    return Negotiated{d.pix.pixelformat, d.pix.width, d.pix.height, d.pix.bytesperline, d.fps};
  });
}

bool Streaming(const std::string& path) {
  return WithDevice(path, [](Device& d) { return d.streaming; });
}

int BufferCount(const std::string& path) {
  return WithDevice(path, [](Device& d) { return static_cast<int>(d.buffers.size()); });
}

int DriverOwnedBuffers(const std::string& path) {
  return WithDevice(path,
                    [](Device& d) { return static_cast<int>(d.incoming.size() + d.done.size()); });
}

Stats GetStats() {
  Kernel& k = K();
  std::lock_guard<std::mutex> lock(k.mu);
  Stats s = k.stats;
  s.open_fds = static_cast<int>(k.fds.size());
  s.live_mappings = static_cast<int>(k.mappings.size());
  return s;
}

void ResetCounters() {
  Kernel& k = K();
  std::lock_guard<std::mutex> lock(k.mu);
  k.stats = Stats{};
}

std::vector<uint8_t> ToGrey(const scanner::GrayImage& image, int stride) {
  const size_t w = static_cast<size_t>(image.width), s = static_cast<size_t>(stride);
  std::vector<uint8_t> out(s * static_cast<size_t>(image.height), 0xA5);  // padding: noise
  for (size_t y = 0; y < static_cast<size_t>(image.height); ++y)
    std::memcpy(out.data() + y * s, image.pixels.data() + y * w, w);
  return out;
}

std::vector<uint8_t> ToYuyv(const scanner::GrayImage& image) {
  std::vector<uint8_t> out;
  out.reserve(image.pixels.size() * 2);
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    out.push_back(image.pixels[i]);
    out.push_back(i % 2 == 0 ? 0x60 : 0xA0);  // U, V: chroma that must not leak into luminance
  }
  return out;
}

std::vector<uint8_t> ToMjpeg(const scanner::GrayImage& image, int quality) {
  std::vector<uint8_t> rgb;
  rgb.reserve(image.pixels.size() * 3);
  for (uint8_t p : image.pixels) rgb.insert(rgb.end(), {p, p, p});
  tjhandle tj = tjInitCompress();
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  std::vector<uint8_t> out;
  if (tjCompress2(tj, rgb.data(), image.width, 0, image.height, TJPF_RGB, &jpeg, &size, TJSAMP_422,
                  quality, 0) == 0) {
    out.assign(jpeg, jpeg + size);
  }
  tjFree(jpeg);
  tjDestroy(tj);
  return out;
}

std::vector<uint8_t> Encode(const scanner::GrayImage& image, const Negotiated& format) {
  switch (format.fourcc) {
    case V4L2_PIX_FMT_GREY:
      return ToGrey(image, static_cast<int>(format.bytes_per_line));
    case V4L2_PIX_FMT_YUYV:
      return ToYuyv(image);
    default:
      return ToMjpeg(image);
  }
}

}  // namespace fake_v4l2

extern "C" {

int __wrap_open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = fake_v4l2::ModeArg(flags, ap);
  va_end(ap);
  if (fake_v4l2::IsFakePath(path)) return fake_v4l2::FakeOpen(path);
  return __real_open(path, flags, mode);
}

int __wrap_open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = fake_v4l2::ModeArg(flags, ap);
  va_end(ap);
  if (fake_v4l2::IsFakePath(path)) return fake_v4l2::FakeOpen(path);
  return __real_open64(path, flags, mode);
}

int __wrap_close(int fd) {
  if (fd < fake_v4l2::kFirstFd) return __real_close(fd);
  fake_v4l2::Kernel& k = fake_v4l2::K();
  std::lock_guard<std::mutex> lock(k.mu);
  auto f = k.fds.find(fd);
  if (f == k.fds.end()) {
    errno = EBADF;
    return -1;
  }
  ++k.stats.close_calls;
  auto d = k.devices.find(f->second.path);
  if (d != k.devices.end() && d->second.owner_fd == fd) fake_v4l2::ReleaseBuffers(&d->second);
  k.fds.erase(f);
  return 0;
}

int __wrap_ioctl(int fd, unsigned long request, ...) {
  va_list ap;
  va_start(ap, request);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  if (fd < fake_v4l2::kFirstFd) return __real_ioctl(fd, request, arg);
  fake_v4l2::Kernel& k = fake_v4l2::K();
  std::lock_guard<std::mutex> lock(k.mu);
  ++k.stats.ioctl_calls;
  const int r = fake_v4l2::Ioctl(k, fd, request, arg);
  if (r < 0) {
    errno = -r;
    return -1;
  }
  return r;
}

void* __wrap_mmap(void* addr, size_t length, int prot, int flags, int fd, long offset) {
  if (fd < fake_v4l2::kFirstFd) return __real_mmap(addr, length, prot, flags, fd, offset);
  return fake_v4l2::FakeMmap(length, flags, fd, offset);
}

void* __wrap_mmap64(void* addr, size_t length, int prot, int flags, int fd, off64_t offset) {
  if (fd < fake_v4l2::kFirstFd) return __real_mmap64(addr, length, prot, flags, fd, offset);
  return fake_v4l2::FakeMmap(length, flags, fd, offset);
}

int __wrap_munmap(void* addr, size_t length) {
  {
    fake_v4l2::Kernel& k = fake_v4l2::K();
    std::lock_guard<std::mutex> lock(k.mu);
    auto m = k.mappings.find(addr);
    if (m != k.mappings.end()) {
      ++k.stats.munmap_calls;
      if (m->second.length != length) {
        errno = EINVAL;  // real munmap would leave part of the mapping behind: a bug either way
        return -1;
      }
      k.mappings.erase(m);
      return 0;
    }
  }
  return __real_munmap(addr, length);
}

int __wrap_poll(pollfd* fds, nfds_t nfds, int timeout) {
  bool fake = false;
  for (nfds_t i = 0; i < nfds; ++i) fake = fake || fds[i].fd >= fake_v4l2::kFirstFd;
  if (!fake) return __real_poll(fds, nfds, timeout);
  fake_v4l2::Kernel& k = fake_v4l2::K();
  {
    std::lock_guard<std::mutex> lock(k.mu);
    ++k.stats.poll_calls;
    int ready = fake_v4l2::ScanPoll(k, fds, nfds);
    if (ready > 0) return ready;
    for (nfds_t i = 0; i < nfds; ++i) {  // a frame scripted to arrive during this wait
      int err = 0;
      fake_v4l2::Device* d = fake_v4l2::Live(k, fds[i].fd, &err);
      if (d != nullptr && d->on_poll && fake_v4l2::DeliverLocked(d, *d->on_poll, -1, false))
        d->on_poll.reset();
    }
    ready = fake_v4l2::ScanPoll(k, fds, nfds);
    if (ready > 0) return ready;
  }
  // Nothing will arrive while the (single) test thread waits here: sleep out the timeout.
  if (timeout != 0) __real_poll(nullptr, 0, timeout < 0 ? 1000 : timeout);
  std::lock_guard<std::mutex> lock(k.mu);
  return fake_v4l2::ScanPoll(k, fds, nfds);
}

}  // extern "C"
