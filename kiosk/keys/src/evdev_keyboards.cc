#include "kiosk_keys/evdev_keyboards.h"

#include <dirent.h>
#include <linux/input.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace kiosk_keys {
namespace {

bool IsEventNode(const std::string& name) { return name.rfind("event", 0) == 0; }

}  // namespace

EvdevKeyboards::EvdevKeyboards(std::string dir, DeviceOpener& opener, KeySink& sink)
    : dir_(std::move(dir)), opener_(opener), sink_(sink) {}

EvdevKeyboards::~EvdevKeyboards() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    if (::write(stop_.get(), &one, sizeof one) != sizeof one) std::perror("kiosk: keys: eventfd");
    thread_.join();
  }
}

base::Status EvdevKeyboards::Start() {
  inotify_ = base::UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!inotify_.valid()) return base::IoError("inotify", errno);
  // Created by udev, renamed into place, or given its permissions after it appeared.
  if (::inotify_add_watch(inotify_.get(), dir_.c_str(), IN_CREATE | IN_MOVED_TO | IN_ATTRIB) < 0)
    return base::IoError("watching " + dir_, errno);
  stop_ = base::UniqueFd(::eventfd(0, EFD_CLOEXEC));
  if (!stop_.valid()) return base::IoError("eventfd", errno);
  if (DIR* d = ::opendir(dir_.c_str())) {
    while (const dirent* e = ::readdir(d))
      if (IsEventNode(e->d_name)) TryOpen(e->d_name);
    ::closedir(d);
  }
  thread_ = std::thread([this] { Run(); });
  return base::Status::Ok();
}

void EvdevKeyboards::TryOpen(const std::string& name) {
  if (!IsEventNode(name) || open_.count(name) != 0) return;
  base::Result<std::unique_ptr<InputDevice>> dev = opener_.Open(dir_ + "/" + name);
  if (!dev.ok()) {
    const std::string why = dev.status().message();
    if (dev.status().code() != base::StatusCode::kFailedPrecondition && said_[name] != why)
      std::fprintf(stderr, "kiosk: keys: %s\n", why.c_str());
    said_[name] = why;
    return;
  }
  std::fprintf(stderr, "kiosk: keys: reading %s/%s \"%s\"\n", dir_.c_str(), name.c_str(),
               (*dev)->name().c_str());
  said_.erase(name);
  open_[name].device = std::move(*dev);
}

void EvdevKeyboards::ReadInotify() {
  alignas(inotify_event) char buf[4096];
  for (;;) {
    const ssize_t n = ::read(inotify_.get(), buf, sizeof buf);
    if (n <= 0) return;
    for (ssize_t off = 0; off + static_cast<ssize_t>(sizeof(inotify_event)) <= n;) {
      // Copied out, not cast: a cast of char* asks for more alignment than the buffer promises
      // on 32-bit ARM (-Wcast-align); the name follows the header, NUL-padded.
      inotify_event ev;
      std::memcpy(&ev, buf + off, sizeof ev);
      if (ev.len > 0)
        TryOpen(std::string(buf + off + sizeof ev, strnlen(buf + off + sizeof ev, ev.len)));
      off += static_cast<ssize_t>(sizeof ev + ev.len);
    }
  }
}

bool EvdevKeyboards::ReadDevice(Open& open) {
  RawEvent ev;
  for (int i = 0; i < 256; ++i) {  // a device that never stops cannot starve the others
    base::Result<bool> got = open.device->Next(&ev);
    if (!got.ok()) return false;
    if (!*got) break;
    if (open.device->TakeDropped()) open.keys.Reset();
    if (ev.type != EV_KEY) continue;
    if (std::optional<KeyEvent> key = open.keys.OnKey(ev.code, ev.value, ev.t_ns))
      sink_.OnKey(std::move(*key));
  }
  return true;
}

// The thread: poll the stop fd, the directory and every device; never a timeout.
void EvdevKeyboards::Run() {
  for (;;) {
    std::vector<pollfd> fds = {{stop_.get(), POLLIN, 0}, {inotify_.get(), POLLIN, 0}};
    std::vector<std::string> names;
    for (const auto& [name, open] : open_) {
      fds.push_back({open.device->fd(), POLLIN, 0});
      names.push_back(name);
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      std::perror("kiosk: keys: poll");
      return;
    }
    if (fds[0].revents != 0) return;
    if (fds[1].revents != 0) ReadInotify();
    for (size_t i = 0; i < names.size(); ++i) {
      if (fds[i + 2].revents == 0) continue;
      auto it = open_.find(names[i]);
      if (it == open_.end() || ReadDevice(it->second)) continue;
      std::fprintf(stderr, "kiosk: keys: %s/%s \"%s\" unplugged\n", dir_.c_str(), names[i].c_str(),
                   it->second.device->name().c_str());
      open_.erase(it);
    }
  }
}

}  // namespace kiosk_keys
