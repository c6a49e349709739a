// Keys from the kernel's keyboards: the US keymap translation (pure), and the reader thread with
// hot-plugging, fed through a fake at the evdev boundary only: /dev/uinput is not usable where the
// tests run, so each "device" is a FIFO carrying struct input_event records, renamed into a
// watched directory as udev creates /dev/input/eventN. The thread, inotify, the translation and
// the kernel timestamps are the real ones.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/input.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "kiosk_keys/evdev_keyboards.h"
#include "kiosk_keys/key_event.h"
#include "subprocess.h"

namespace kiosk_keys {
namespace {

constexpr int64_t kMs = 1'000'000;

KeyEvent Text(std::string t, int64_t t_ns) {
  return {.kind = KeyKind::kText, .text = std::move(t), .t_ns = t_ns};
}
KeyEvent Named(KeyKind kind, int64_t t_ns, bool repeat = false) {
  return {.kind = kind, .t_ns = t_ns, .repeat = repeat};
}

TEST(KeyTranslatorTest, UsKeymapWithShiftAndCapsLock) {
  KeyTranslator k;
  EXPECT_EQ(k.OnKey(KEY_U, 1, 1), Text("u", 1));
  EXPECT_EQ(k.OnKey(KEY_U, 0, 2), std::nullopt);  // release
  EXPECT_EQ(k.OnKey(KEY_LEFTSHIFT, 1, 3), std::nullopt);
  EXPECT_EQ(k.OnKey(KEY_U, 1, 4), Text("U", 4));
  EXPECT_EQ(k.OnKey(KEY_1, 1, 5), Text("!", 5));
  EXPECT_EQ(k.OnKey(KEY_SEMICOLON, 1, 6), Text(":", 6));
  EXPECT_EQ(k.OnKey(KEY_LEFTSHIFT, 0, 7), std::nullopt);
  EXPECT_EQ(k.OnKey(KEY_SEMICOLON, 1, 8), Text(";", 8));
  EXPECT_EQ(k.OnKey(KEY_CAPSLOCK, 1, 9), std::nullopt);
  EXPECT_EQ(k.OnKey(KEY_CAPSLOCK, 0, 10), std::nullopt);
  EXPECT_EQ(k.OnKey(KEY_C, 1, 11), Text("C", 11));  // caps lock: letters only
  EXPECT_EQ(k.OnKey(KEY_1, 1, 12), Text("1", 12));
  EXPECT_EQ(k.OnKey(KEY_RIGHTSHIFT, 1, 13), std::nullopt);
  EXPECT_EQ(k.OnKey(KEY_C, 1, 14), Text("c", 14));  // caps lock and shift
  EXPECT_EQ(k.OnKey(KEY_KP5, 1, 15), Text("5", 15));
  EXPECT_EQ(k.OnKey(KEY_KPDOT, 1, 16), Text(".", 16));
}

TEST(KeyTranslatorTest, TheKeysTheUiActsOn) {
  KeyTranslator k;
  EXPECT_EQ(k.OnKey(KEY_ENTER, 1, 1), Named(KeyKind::kEnter, 1));
  EXPECT_EQ(k.OnKey(KEY_KPENTER, 1, 2), Named(KeyKind::kEnter, 2));
  EXPECT_EQ(k.OnKey(KEY_TAB, 1, 3), Named(KeyKind::kTab, 3));
  EXPECT_EQ(k.OnKey(KEY_BACKSPACE, 1, 4), Named(KeyKind::kBackspace, 4));
  EXPECT_EQ(k.OnKey(KEY_BACKSPACE, 2, 5), Named(KeyKind::kBackspace, 5, true));  // held
  EXPECT_EQ(k.OnKey(KEY_ESC, 1, 6), Named(KeyKind::kEscape, 6));
  EXPECT_EQ(k.OnKey(KEY_F2, 1, 7), Named(KeyKind::kF2, 7));
  EXPECT_EQ(k.OnKey(KEY_F5, 1, 8), std::nullopt);
  EXPECT_EQ(k.OnKey(KEY_LEFT, 1, 9), std::nullopt);
  // Ctrl or Alt held: nothing typed.
  EXPECT_EQ(k.OnKey(KEY_LEFTCTRL, 1, 10), std::nullopt);
  EXPECT_EQ(k.OnKey(KEY_C, 1, 11), std::nullopt);
  EXPECT_EQ(k.OnKey(KEY_LEFTCTRL, 0, 12), std::nullopt);
  EXPECT_EQ(k.OnKey(KEY_RIGHTALT, 1, 13), std::nullopt);
  EXPECT_EQ(k.OnKey(KEY_KP6, 1, 14), std::nullopt);
  k.Reset();  // events lost: the held Alt is forgotten
  EXPECT_EQ(k.OnKey(KEY_KP6, 1, 15), Text("6", 15));
}

// Collects keys from the reader's thread; Await waits (no sleeping) until `n` came.
class Collector final : public KeySink {
 public:
  void OnKey(KeyEvent key) override {
    std::lock_guard<std::mutex> lock(mu_);
    keys_.push_back(std::move(key));
    cv_.notify_all();
  }
  std::vector<KeyEvent> Await(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(20), [&] { return keys_.size() >= n; });
    return keys_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<KeyEvent> keys_;
};

// The fake evdev boundary: a FIFO of struct input_event. EOF (no writer left) is an unplug.
class FifoDevice final : public InputDevice {
 public:
  FifoDevice(base::UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  int fd() const override { return fd_.get(); }
  std::string name() const override { return "fifo " + path_; }
  base::Result<bool> Next(RawEvent* out) override {
    input_event ev{};
    const ssize_t n = ::read(fd_.get(), &ev, sizeof ev);
    if (n < 0 && errno == EAGAIN) return false;
    if (n != static_cast<ssize_t>(sizeof ev)) return base::Unavailable(path_ + ": gone");
    out->type = ev.type;
    out->code = ev.code;
    out->value = ev.value;
    out->t_ns = static_cast<int64_t>(ev.input_event_sec) * 1'000'000'000 +
                static_cast<int64_t>(ev.input_event_usec) * 1'000;
    return true;
  }

 private:
  base::UniqueFd fd_;
  std::string path_;
};

class FifoOpener final : public DeviceOpener {
 public:
  base::Result<std::unique_ptr<InputDevice>> Open(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISFIFO(st.st_mode))
      return base::FailedPrecondition(path + ": not a keyboard");
    base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) return base::IoError("opening " + path, errno);
    return std::unique_ptr<InputDevice>(new FifoDevice(std::move(fd), path));
  }
};

// A keyboard plugged in: a FIFO made in `staging`, held open for writing, renamed into `dir`.
class FakeKeyboard {
 public:
  FakeKeyboard(const std::string& staging, const std::string& dir, const std::string& name) {
    const std::string made = staging + "/" + name;
    ok_ = ::mkfifo(made.c_str(), 0600) == 0;
    writer_ = base::UniqueFd(::open(made.c_str(), O_RDWR | O_CLOEXEC));  // a FIFO with a writer
    ok_ = ok_ && writer_.valid() && ::rename(made.c_str(), (dir + "/" + name).c_str()) == 0;
  }
  bool ok() const { return ok_; }
  void Key(uint16_t code, int32_t value, int64_t t_ns) {
    input_event ev{};
    ev.input_event_sec = static_cast<decltype(ev.input_event_sec)>(t_ns / 1'000'000'000);
    ev.input_event_usec = static_cast<decltype(ev.input_event_usec)>(t_ns % 1'000'000'000 / 1000);
    ev.type = EV_KEY;
    ev.code = code;
    ev.value = value;
    input_event syn{};
    syn.type = EV_SYN;
    ASSERT_EQ(::write(writer_.get(), &ev, sizeof ev), static_cast<ssize_t>(sizeof ev));
    ASSERT_EQ(::write(writer_.get(), &syn, sizeof syn), static_cast<ssize_t>(sizeof syn));
  }
  void Tap(uint16_t code, int64_t t_ns) {
    Key(code, 1, t_ns);
    Key(code, 0, t_ns + kMs);
  }
  void Unplug() { writer_ = base::UniqueFd(); }

 private:
  base::UniqueFd writer_;
  bool ok_ = false;
};

TEST(EvdevKeyboardsTest, KeysComeWithTheKernelsTimesFromEveryKeyboardPluggedIn) {
  cktest::TempDir tmp;
  const std::string dir = tmp.File("input"), staging = tmp.File("staging");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(staging.c_str(), 0700), 0);
  FakeKeyboard first(staging, dir, "event3");  // there before the reader starts
  ASSERT_TRUE(first.ok());
  FifoOpener opener;
  Collector keys;
  EvdevKeyboards reader(dir, opener, keys);
  ASSERT_TRUE(reader.Start().ok());
  // A scanner's burst: "UC1" and Enter, 2 ms apart by the kernel's clock, whenever it is read.
  const int64_t t0 = 5'000 * kMs;
  first.Key(KEY_LEFTSHIFT, 1, t0);
  first.Tap(KEY_U, t0 + 2 * kMs);
  first.Tap(KEY_C, t0 + 4 * kMs);
  first.Key(KEY_LEFTSHIFT, 0, t0 + 5 * kMs);
  first.Tap(KEY_1, t0 + 6 * kMs);
  first.Tap(KEY_ENTER, t0 + 8 * kMs);
  std::vector<KeyEvent> got = keys.Await(4);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], Text("U", t0 + 2 * kMs));
  EXPECT_EQ(got[1], Text("C", t0 + 4 * kMs));
  EXPECT_EQ(got[2], Text("1", t0 + 6 * kMs));
  EXPECT_EQ(got[3], Named(KeyKind::kEnter, t0 + 8 * kMs));
  // Hot-plugged: a second keyboard appears while the reader runs, the first is unplugged.
  FakeKeyboard second(staging, dir, "event7");
  ASSERT_TRUE(second.ok());
  first.Unplug();
  second.Tap(KEY_7, t0 + 100 * kMs);
  got = keys.Await(5);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[4], Text("7", t0 + 100 * kMs));
}

TEST(EvdevKeyboardsTest, WhatIsNotAKeyboardIsLeftAlone) {
  cktest::TempDir tmp;
  const std::string dir = tmp.File("input"), staging = tmp.File("staging");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(staging.c_str(), 0700), 0);
  FifoOpener opener;
  Collector keys;
  EvdevKeyboards reader(dir, opener, keys);
  ASSERT_TRUE(reader.Start().ok());
  // A plain file named like a device (the opener refuses it), and a mouse-like name.
  std::FILE* f = std::fopen((dir + "/event1").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  FakeKeyboard mouse(staging, dir, "mouse0");  // not event*: never opened
  FakeKeyboard kbd(staging, dir, "event2");
  ASSERT_TRUE(kbd.ok());
  kbd.Tap(KEY_A, 42 * kMs);
  const std::vector<KeyEvent> got = keys.Await(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], Text("a", 42 * kMs));
}

TEST(EvdevKeyboardsTest, AMissingDirectoryIsAnErrorNamingIt) {
  FifoOpener opener;
  Collector keys;
  EvdevKeyboards reader("/nonexistent/input", opener, keys);
  base::Status st = reader.Start();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("/nonexistent/input"), std::string::npos) << st.message();
}

TEST(EvdevKeyboardsTest, TheRealOpenerRefusesWhatIsNotAnEvdevDevice) {
  cktest::TempDir tmp;
  const std::string path = tmp.File("event0");
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  base::Result<std::unique_ptr<InputDevice>> dev = LibevdevOpener().Open(path);
  ASSERT_FALSE(dev.ok());
  EXPECT_EQ(dev.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(LibevdevOpener().Open(tmp.File("missing")).ok());
}

TEST(KeyQueueTest, KeepsKeysInOrderAndWakes) {
  int wakes = 0;
  KeyQueue q([&] { ++wakes; });
  EXPECT_TRUE(q.empty());
  q.OnKey(Text("1", 1));
  q.OnKey(Named(KeyKind::kEnter, 2));
  EXPECT_EQ(wakes, 2);
  std::deque<KeyEvent> got = q.Take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], Text("1", 1));
  EXPECT_EQ(got[1], Named(KeyKind::kEnter, 2));
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace kiosk_keys
