// The real evdev boundary: libevdev (Debian's libevdev-dev).
#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "kiosk_keys/evdev_keyboards.h"

namespace kiosk_keys {
namespace {

struct EvdevFree {
  void operator()(libevdev* d) const { libevdev_free(d); }
};

class LibevdevDevice final : public InputDevice {
 public:
  LibevdevDevice(base::UniqueFd fd, libevdev* dev, std::string path)
      : fd_(std::move(fd)), dev_(dev), path_(std::move(path)) {}
  ~LibevdevDevice() override {
    (void)libevdev_grab(dev_.get(), LIBEVDEV_UNGRAB);
    dev_.reset();  // before the fd it reads
  }
  int fd() const override { return fd_.get(); }
  std::string name() const override {
    const char* n = libevdev_get_name(dev_.get());
    return n != nullptr ? n : path_;
  }
  bool TakeDropped() override {
    const bool d = dropped_;
    dropped_ = false;
    return d;
  }
  base::Result<bool> Next(RawEvent* out) override {
    input_event ev{};
    int rc = libevdev_next_event(
        dev_.get(), syncing_ ? LIBEVDEV_READ_FLAG_SYNC : LIBEVDEV_READ_FLAG_NORMAL, &ev);
    if (rc == LIBEVDEV_READ_STATUS_SYNC) {
      // Events were lost: libevdev replays the device's state; the translator starts afresh.
      syncing_ = true;
      dropped_ = true;
    } else if (rc == -EAGAIN) {
      if (!syncing_) return false;
      syncing_ = false;
      return Next(out);
    } else if (rc < 0) {
      return base::IoError("reading " + path_, -rc);
    }
    out->type = ev.type;
    out->code = ev.code;
    out->value = syncing_ ? 0 : ev.value;  // a replayed state is not a key press
    out->t_ns = static_cast<int64_t>(ev.input_event_sec) * 1'000'000'000 +
                static_cast<int64_t>(ev.input_event_usec) * 1'000;
    return true;
  }

 private:
  base::UniqueFd fd_;
  std::unique_ptr<libevdev, EvdevFree> dev_;
  std::string path_;
  bool syncing_ = false, dropped_ = false;
};

class Opener final : public DeviceOpener {
 public:
  base::Result<std::unique_ptr<InputDevice>> Open(const std::string& path) override {
    base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) {
      if (errno == EACCES || errno == EPERM)
        return base::PermissionDenied(path +
                                      ": permission denied (the kiosk user needs group \"input\")");
      return base::IoError("opening " + path, errno);
    }
    libevdev* raw = nullptr;
    if (int rc = libevdev_new_from_fd(fd.get(), &raw); rc < 0)
      return base::FailedPrecondition(path + ": not an evdev device");
    std::unique_ptr<libevdev, EvdevFree> dev(raw);
    // A keyboard or a wedge scanner types letters and Enter; a touch screen or a mouse does not.
    if (!libevdev_has_event_code(dev.get(), EV_KEY, KEY_A) ||
        !libevdev_has_event_code(dev.get(), EV_KEY, KEY_ENTER) ||
        libevdev_has_event_type(dev.get(), EV_ABS))
      return base::FailedPrecondition(path + ": not a keyboard");
    // Grabbed, or SDL would read its keys too (each character twice).
    if (int rc = libevdev_grab(dev.get(), LIBEVDEV_GRAB); rc < 0)
      return base::IoError(path + ": cannot grab it (another program holds it)", -rc);
    // Event times on CLOCK_MONOTONIC, the time line the kiosk's wedge assembler runs on.
    (void)libevdev_set_clock_id(dev.get(), CLOCK_MONOTONIC);
    return std::unique_ptr<InputDevice>(new LibevdevDevice(std::move(fd), dev.release(), path));
  }
};

}  // namespace

DeviceOpener& LibevdevOpener() {
  static Opener* opener = new Opener();  // stateless; never destroyed
  return *opener;
}

}  // namespace kiosk_keys
