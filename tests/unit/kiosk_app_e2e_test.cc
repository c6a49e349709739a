// The SDL kiosk app end to end: the real binary (CK_KIOSK_PATH) on its own Xvfb server, driven by
// a --script file (docs/kiosk-app.md), on a data directory built by kiosk_fixture, with
// --fake-clock at kiosktest::kNow so that verdicts, caps and time-outs do not depend on the day.
// What is checked is what a user would notice: the screens reached (stdout JSON lines), texts on
// them (`expect` in the script), colours and sizes of screenshots, and the journal on disk.
//
// The X server is started once per test suite process (Xvfb -displayfd) and killed at its end; the
// kiosk child gets DISPLAY, SDL_AUDIODRIVER=dummy and LeakSanitizer suppressions for third-party
// libraries (tests/lsan.supp).
//
// Rendering: the tests use SDL's software renderer (SDL_RENDER_DRIVER=software, no GL texture
// framebuffer), so that no GL driver is loaded: pixels are exact and LeakSanitizer sees only our
// code and SDL's. One test runs the default (OpenGL) renderer, which on Xvfb is Mesa's llvmpipe in
// swrast_dri.so. Mesa dlcloses that driver when the display closes, before LeakSanitizer reports at
// exit; the memory its globals still held then looks leaked and, the module being unmapped, its
// frames are named after whatever module the addresses fall near (libstdc++, the kiosk binary).
// That test keeps the driver mapped (LD_PRELOAD), which makes those allocations reachable again.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <png.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/hex.h"
#include "base/time_format.h"
#include "bundle_fixture.h"
#include "journal/device_key.h"
#include "kiosk_fixture.h"
#include "notify_socket.h"
#include "real_fs.h"
#include "scanner/image.h"
#include "scanner/qr_codec.h"
#include "subprocess.h"
#include "sync/device_id.h"
#include "sync/failed_scans.h"
#include "sync/journal_to_stick.h"
#include "sync/usb_watcher.h"

namespace {

using nlohmann::json;

constexpr char kMember[] = "M-1001";   // active, on the roster of kRosterEvent
constexpr char kRevoked[] = "M-1002";  // revoked in the registry
constexpr char kOther[] = "M-1003";    // active, not on the roster
constexpr char kRosterEvent[] = "E-2";

// A generous bound for one kiosk run; a script's own waits fail long before it.
constexpr std::chrono::milliseconds kRunTimeout{90000};

// ---- the X server --------------------------------------------------------------------------

// Xvfb on a display number it picks itself (-displayfd), killed by Stop().
class XServer {
 public:
  bool Start(std::string* error) {
    const char* const candidates[] = {"/usr/bin/Xvfb", "/usr/local/bin/Xvfb"};
    std::string xvfb;
    for (const char* c : candidates)
      if (::access(c, X_OK) == 0) xvfb = c;
    if (xvfb.empty()) {
      *error = "Xvfb not found (apt-get install xvfb; scripts/setup.sh installs it)";
      return false;
    }
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      *error = "pipe failed";
      return false;
    }
    const std::string fd_arg = std::to_string(fds[1]);
    pid_ = ::fork();
    if (pid_ < 0) {
      *error = "fork failed";
      return false;
    }
    if (pid_ == 0) {
      // The display number is written to fds[1]: keep it open across exec.
      ::fcntl(fds[1], F_SETFD, 0);
      const int null = ::open("/dev/null", O_RDWR);
      if (null >= 0) {
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
      }
      ::execl(xvfb.c_str(), "Xvfb", "-displayfd", fd_arg.c_str(), "-screen", "0", "800x480x24",
              "-nolisten", "tcp", "-noreset", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    std::string number;
    pollfd p{fds[0], POLLIN, 0};
    while (number.find('\n') == std::string::npos) {
      if (::poll(&p, 1, 15000) <= 0) break;
      char buf[32];
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      number.append(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    if (number.empty() || number.find('\n') == std::string::npos) {
      *error = "Xvfb did not report its display";
      Stop();
      return false;
    }
    display_ = ":" + number.substr(0, number.find('\n'));
    return true;
  }

  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

  const std::string& display() const { return display_; }

 private:
  pid_t pid_ = -1;
  std::string display_;
};

// ---- files ---------------------------------------------------------------------------------

bool WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  return static_cast<bool>(f);
}

std::optional<std::string> ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

uint32_t BigEndian32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3]));
}

struct Rgb {
  int r = 0, g = 0, b = 0;
};

// The colour of one pixel of a PNG file (libpng's simplified API), nullopt if it cannot be read.
std::optional<Rgb> PixelOf(const std::string& path, int x, int y) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str()) == 0) return std::nullopt;
  image.format = PNG_FORMAT_RGB;
  const size_t stride = size_t{image.width} * 3;
  std::vector<uint8_t> pixels(stride * image.height);
  if (png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr) == 0) return std::nullopt;
  if (x < 0 || y < 0 || static_cast<uint32_t>(x) >= image.width ||
      static_cast<uint32_t>(y) >= image.height)
    return std::nullopt;
  const uint8_t* p = pixels.data() + static_cast<size_t>(y) * stride + static_cast<size_t>(x) * 3;
  return Rgb{p[0], p[1], p[2]};
}

// How many pixels of the rows [0, max_y) of a PNG file are `want` (within a small margin); -1 if
// the file cannot be read.
int64_t CountPixels(const std::string& path, const Rgb& want, int max_y) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str()) == 0) return -1;
  image.format = PNG_FORMAT_RGB;
  const size_t stride = size_t{image.width} * 3;
  std::vector<uint8_t> pixels(stride * image.height);
  if (png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr) == 0) return -1;
  int64_t n = 0;
  const size_t rows = std::min<size_t>(image.height, static_cast<size_t>(std::max(max_y, 0)));
  for (size_t i = 0; i < rows * stride; i += 3) {
    n += std::abs(pixels[i] - want.r) <= 8 && std::abs(pixels[i + 1] - want.g) <= 8 &&
         std::abs(pixels[i + 2] - want.b) <= 8;
  }
  return n;
}

// The theme's colour for a refused card (#B01C1C, assets/theme/theme.conf), within a small margin.
bool IsRefusalRed(const Rgb& c) {
  return std::abs(c.r - 0xB0) <= 8 && std::abs(c.g - 0x1C) <= 8 && std::abs(c.b - 0x1C) <= 8;
}

// A camera frame: the card's QR code in the middle of a white 640x480 picture (or a blank one).
bool WriteCameraFrame(const std::string& path, const std::string& text) {
  scanner::GrayImage frame{640, 480, std::vector<uint8_t>(640 * 480, 255)};
  if (!text.empty()) {
    base::Result<scanner::GrayImage> qr = scanner::RenderQr(text, {.module_px = 5});
    if (!qr.ok() || qr->width > frame.width || qr->height > frame.height) {
      ADD_FAILURE() << "cannot render a QR code of " << text.size() << " characters into 640x480";
      return false;
    }
    const int ox = (frame.width - qr->width) / 2, oy = (frame.height - qr->height) / 2;
    for (int y = 0; y < qr->height; ++y)
      std::copy_n(qr->pixels.begin() + static_cast<ptrdiff_t>(y) * qr->width, qr->width,
                  frame.pixels.begin() + static_cast<ptrdiff_t>(oy + y) * frame.width + ox);
  }
  base::Status st = scanner::WriteBilevelPng(path, frame, 72, base::Durability::kDeferred);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return st.ok();
}

// ---- one kiosk run -------------------------------------------------------------------------

struct KioskRun {
  cktest::ProcessResult process;
  std::vector<json> screens;  // one line per screen change, in order
  json stats;                 // the final {"stats":{...}}

  std::vector<std::string> ScreenNames() const {
    std::vector<std::string> names;
    for (const json& s : screens) names.push_back(s.value("screen", ""));
    return names;
  }
  // The first line showing `screen`, or nullptr.
  const json* Find(std::string_view screen) const {
    for (const json& s : screens)
      if (s.value("screen", "") == screen) return &s;
    return nullptr;
  }
  bool Reached(std::string_view screen) const { return Find(screen) != nullptr; }
  std::string Describe() const {
    std::string names;
    for (const std::string& n : ScreenNames()) names += " " + n;
    return "screens:" + names + "\n" + process.Describe();
  }
};

class KioskAppE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    x_ = new XServer();
    x_error_ = new std::string();
    if (!x_->Start(x_error_)) return;
    // Inherited by every kiosk child of this process.
    ::setenv("DISPLAY", x_->display().c_str(), 1);
    ::setenv("SDL_VIDEODRIVER", "x11", 1);
    ::setenv("SDL_AUDIODRIVER", "dummy", 1);
    ::setenv("SDL_RENDER_DRIVER", "software", 1);
    ::setenv("SDL_FRAMEBUFFER_ACCELERATION", "0", 1);
    ::setenv("LSAN_OPTIONS", "suppressions=" CK_LSAN_SUPPRESSIONS ":print_suppressions=0", 1);
    ::unsetenv("XAUTHORITY");
  }
  static void TearDownTestSuite() {
    x_->Stop();
    delete x_;
    x_ = nullptr;
    delete x_error_;
    x_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(x_error_->empty()) << *x_error_;
    kiosktest::RegistrySpec spec;
    spec.members = {{kMember}, {kRevoked, card::MemberState::kRevoked}, {kOther}};
    spec.partners = {kiosktest::MakePartner()};
    spec.offers = {kiosktest::PercentOffer("O-10", 1000)};
    registry::Event roster_event =
        kiosktest::MakeEvent(kRosterEvent, kiosktest::kNow - 3600, kiosktest::kNow + 3600);
    roster_event.mode = registry::EventMode::kRoster;
    spec.events = {
        kiosktest::MakeEvent(kiosktest::kEvent, kiosktest::kNow - 3600, kiosktest::kNow + 3600),
        roster_event};
    spec.roster = {{kRosterEvent, kMember}};
    ASSERT_TRUE(fx_.WriteRegistry(spec));
    // A config file of the test's own, so that /etc/cardkiosk/kiosk.conf never matters.
    ASSERT_TRUE(WriteText(config_path(), "camera_fps = 5\nsound_volume = 30\n"));
  }

  std::string config_path() const { return fx_.temp().File("kiosk.conf"); }
  std::string screenshot_dir() const { return fx_.temp().File("screens"); }

  std::string Card(const std::string& member_id) const {
    return fx_.Card({.member_id = member_id});
  }

  static std::vector<std::string> Shop() { return {"--mode", "shop", "--partner", "P-1"}; }
  static std::vector<std::string> Event(const std::string& id = kiosktest::kEvent) {
    return {"--mode", "event", "--event", id};
  }

  // Runs the kiosk on the fixture's data directory with `script` (one command per line) and
  // `extra` flags, and parses its stdout.
  KioskRun Run(const std::vector<std::string>& mode, const std::string& script,
               const std::vector<std::string>& extra = {},
               const std::function<void()>& meanwhile = nullptr) {
    const std::string script_path = fx_.temp().File("script-" + std::to_string(++runs_) + ".txt");
    EXPECT_TRUE(WriteText(script_path, script));
    std::vector<std::string> args = {"--config",
                                     config_path(),
                                     "--data-dir",
                                     fx_.data_dir(),
                                     "--windowed",
                                     "--fake-clock",
                                     base::FormatIso8601Utc(kiosktest::kNow),
                                     "--script",
                                     script_path,
                                     "--quit-after",
                                     "60"};
    args.insert(args.end(), mode.begin(), mode.end());
    args.insert(args.end(), extra.begin(), extra.end());
    KioskRun run;
    // `meanwhile` runs on a thread of its own while the kiosk runs (a stick plugged in).
    std::thread side;
    if (meanwhile) side = std::thread(meanwhile);
    run.process = cktest::RunProcess(CK_KIOSK_PATH, args, {.timeout = kRunTimeout});
    if (side.joinable()) side.join();
    std::istringstream lines(run.process.out);
    std::string line;
    while (std::getline(lines, line)) {
      json j = json::parse(line, nullptr, false);
      EXPECT_TRUE(j.is_object()) << "not a JSON object: " << line;
      if (!j.is_object()) continue;
      if (j.contains("stats")) {
        run.stats = j["stats"];
      } else {
        EXPECT_TRUE(j.contains("screen") && j.contains("state")) << line;
        run.screens.push_back(std::move(j));
      }
    }
    return run;
  }

  std::vector<journal::Entry> Accepted() {
    std::vector<journal::Entry> out;
    for (journal::Entry& e : fx_.ReadJournal())
      if (e.decision == "accepted") out.push_back(std::move(e));
    return out;
  }

  // The screenshots written so far, sorted by name.
  std::vector<std::string> Screenshots() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(screenshot_dir(), ec))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  kiosktest::KioskFixture fx_;
  int runs_ = 0;

  static XServer* x_;
  static std::string* x_error_;
};

XServer* KioskAppE2eTest::x_ = nullptr;
std::string* KioskAppE2eTest::x_error_ = nullptr;

// A signed registry bundle (seq 1) made an hour before the fixture's clock, valid for 30 days.
base::Result<cktest::BuiltBundle> BuildBundle(const cktest::BundleFactory& factory) {
  cktest::BundleSpec spec;
  spec.created = kiosktest::kNow - 3600;
  spec.not_after = kiosktest::kNow + 30 * kiosktest::kDay;
  return factory.Build(spec);
}

// The keypad presses of an amount in whole roubles, then OK.
std::string TypeAmountOnKeypad(std::string_view digits) {
  std::string s;
  for (char c : digits) s += "press key_" + std::string(1, c) + "\n";
  return s + "press ok\n";
}

// ---- 1. a purchase at a shop -----------------------------------------------------------------

// Scan -> amount -> keypad 1250 -> confirm shows 10 % off -> result with the journal's seq.
void ExpectPurchase(const KioskRun& run, const std::vector<journal::Entry>& accepted) {
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const std::vector<std::string> names = run.ScreenNames();
  const std::vector<std::string> flow = {"idle", "amount", "confirm", "result-VALID"};
  auto at = names.begin();
  for (const std::string& want : flow) {
    at = std::find(at, names.end(), want);
    ASSERT_NE(at, names.end()) << "no " << want << " (in order)\n" << run.Describe();
  }
  const json* confirm = run.Find("confirm");
  EXPECT_EQ(confirm->value("discount_minor", int64_t{0}), 12500);
  const json* result = run.Find("result-VALID");
  EXPECT_EQ(result->value("state", ""), "result");
  EXPECT_EQ(result->value("decision", ""), "accepted");
  EXPECT_EQ(result->value("verdict", ""), "VALID");
  EXPECT_EQ(result->value("discount_minor", int64_t{0}), 12500);
  ASSERT_TRUE(result->contains("entry_seq")) << *result;
  const int64_t seq = (*result)["entry_seq"].get<int64_t>();

  // The journal on disk has exactly that entry.
  ASSERT_EQ(accepted.size(), 1u);
  const journal::Entry& e = accepted[0];
  EXPECT_EQ(e.seq, seq);
  EXPECT_EQ(e.kind, journal::Kind::kDiscount);
  EXPECT_EQ(e.partner_id, kiosktest::kPartner);
  EXPECT_EQ(e.offer_id, "O-10");
  EXPECT_EQ(e.purchase_minor, 125000);
  EXPECT_EQ(e.discount_minor, 12500);
  EXPECT_EQ(e.time_utc, kiosktest::kNow);
}

TEST_F(KioskAppE2eTest, ShopPurchaseOnTheKeypadInRussian) {
  const KioskRun run = Run(Shop(),
                           "wait idle 30\n"
                           "expect Покажите\n"
                           "scan " +
                               Card(kMember) +
                               "\n"
                               "wait amount 20\n"
                               "expect Anna I.\n" +
                               TypeAmountOnKeypad("1250") +
                               "wait confirm 20\n"
                               "expect 1 250,00\n"
                               "expect -125,00\n"
                               "expect 1 125,00\n"
                               "press confirm\n"
                               "wait result-VALID 20\n"
                               "expect 1 125,00\n"
                               "quit\n");
  ExpectPurchase(run, Accepted());
}

TEST_F(KioskAppE2eTest, ShopPurchaseOnTheKeypadInEnglish) {
  const KioskRun run = Run(Shop(),
                           "wait idle 30\n"
                           "expect Show your membership card\n"
                           "scan " +
                               Card(kMember) +
                               "\n"
                               "wait amount 20\n"
                               "expect Purchase amount\n" +
                               TypeAmountOnKeypad("1250") +
                               "wait confirm 20\n"
                               "expect 1,250.00\n"
                               "expect 1,125.00\n"
                               "press confirm\n"
                               "wait result-VALID 20\n"
                               "expect Discount applied\n"
                               "quit\n",
                           {"--language", "en"});
  ExpectPurchase(run, Accepted());
}

// Digits typed on a keyboard, then OK tapped on the screen at once: the tap waits for the keys
// still being told apart from a scanner's, so the confirm shows every digit typed. Once at a
// scanner-like speed (one burst), once at a person's (the last key still open at the tap); the
// key times are the events' own (`typed`), not waits.
TEST_F(KioskAppE2eTest, ATapRightAfterTypedDigitsActsOnEveryDigit) {
  std::string script = "wait idle 30\n";
  for (const char* gap : {"10", "150"}) {
    script += "scan " + Card(kMember) +
              "\n"
              "wait amount 20\n"
              "typed " +
              gap +
              " 1000\n"
              "press ok\n"
              "wait confirm 20\n"
              "expect 1 000,00\n"
              "expect -100,00\n"
              "press confirm\n"
              "wait result-VALID 20\n"
              "advance 5\n"
              "wait idle 20\n";
  }
  const KioskRun run = Run(Shop(), script + "quit\n");
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const std::vector<journal::Entry> accepted = Accepted();
  ASSERT_EQ(accepted.size(), 2u);
  for (const journal::Entry& e : accepted) {
    EXPECT_EQ(e.purchase_minor, 100000) << e.seq;
    EXPECT_EQ(e.discount_minor, 10000) << e.seq;
  }
}

// Tenge from the config; a discount cut by the offer's maximum says so; a member whose one use
// this month is spent is told right after the scan, with no amount screen and one journal entry.
TEST_F(KioskAppE2eTest, ACapUsedUpIsToldAtTheScanAndAmountsShowTheConfiguredCurrency) {
  kiosktest::RegistrySpec spec;
  spec.members = {{kMember}};
  spec.partners = {kiosktest::MakePartner()};
  registry::Offer once = kiosktest::PercentOffer("O-10", 1000);
  once.cap_count = 1;
  once.cap_period = registry::CapPeriod::kMonth;
  once.max_discount_minor = 5000;
  spec.offers = {once};
  ASSERT_TRUE(fx_.WriteRegistry(spec));
  ASSERT_TRUE(WriteText(config_path(), "camera_fps = 5\ncurrency = \"₸\"\n"));
  const KioskRun run = Run(Shop(),
                           "wait idle 30\n"
                           "scan " +
                               Card(kMember) +
                               "\n"
                               "wait amount 20\n"
                               "expect 0 ₸\n" +
                               TypeAmountOnKeypad("1250") +
                               "wait confirm 20\n"
                               "expect 1 250,00 ₸\n"
                               "expect -50,00 ₸\n"
                               "expect Скидка не больше 50,00 ₸\n"
                               "press confirm\n"
                               "wait result-VALID 20\n"
                               "advance 5\n"
                               "wait idle 20\n"
                               "scan " +
                               Card(kMember) +
                               "\n"
                               "wait result-LIMIT_REACHED 20\n"
                               "expect НЕ ПРИНЯТО\n"
                               "expect Лимит скидок за этот период исчерпан\n"
                               "quit\n",
                           {"--screenshot-dir", screenshot_dir()});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const std::vector<std::string> names = run.ScreenNames();
  ASSERT_GE(names.size(), 2u);
  EXPECT_EQ(names[names.size() - 2], "idle") << run.Describe();  // no amount screen in between
  EXPECT_EQ(names.back(), "result-LIMIT_REACHED") << run.Describe();
  const std::vector<std::string> shots = Screenshots();
  ASSERT_FALSE(shots.empty());
  EXPECT_NE(shots.back().find("result-LIMIT_REACHED"), std::string::npos) << shots.back();
  const std::vector<journal::Entry> entries = fx_.ReadJournal();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].decision, journal::kAccepted);
  EXPECT_EQ(entries[0].discount_minor, 5000);
  EXPECT_EQ(entries[1].decision, "LIMIT_REACHED");
  EXPECT_EQ(entries[1].purchase_minor, 0);
}

// ---- 2. cards that must not pass -------------------------------------------------------------

TEST_F(KioskAppE2eTest, RefusedCardsShowRedResultsThatCloseByThemselves) {
  kiosktest::CardSpec expired{.member_id = kMember};
  expired.iat = kiosktest::kNow - 400 * kiosktest::kDay;
  expired.exp = kiosktest::kNow - 35 * kiosktest::kDay;
  const struct {
    std::string text, code;
  } cards[] = {
      {Card(kRevoked), "REVOKED"},
      {fx_.Card(expired), "EXPIRED"},
      {fx_.BadSignatureCard({.member_id = kMember}), "BAD_SIGNATURE"},
      {"https://example.org/not-a-card", "MALFORMED"},
  };
  std::string script = "wait idle 30\n";
  for (const auto& c : cards) {
    script += "scan " + c.text + "\n";
    script += "wait result-" + c.code + " 20\n";
    script += "expect " + c.code + "\n";
    // The result stays while the (fake) clock stands still, and closes after result_timeout.
    script += "advance 5\n";
    script += "wait idle 20\n";
  }
  script += "quit\n";
  const KioskRun run = Run(Shop(), script, {"--screenshot-dir", screenshot_dir()});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();

  std::vector<std::string> expected = {"idle"};
  for (const auto& c : cards) {
    expected.push_back("result-" + c.code);
    expected.push_back("idle");
  }
  EXPECT_EQ(run.ScreenNames(), expected) << run.Describe();
  for (const auto& c : cards) {
    const json* r = run.Find("result-" + c.code);
    ASSERT_NE(r, nullptr) << c.code;
    EXPECT_EQ(r->value("state", ""), "result");
    EXPECT_EQ(r->value("decision", ""), c.code);
    EXPECT_FALSE(r->contains("discount_minor")) << *r;
  }
  // Red, on the screenshot of each result.
  int red_screens = 0;
  for (const std::string& name : Screenshots()) {
    if (name.find("-result-") == std::string::npos) continue;
    ++red_screens;
    const std::optional<Rgb> corner = PixelOf(screenshot_dir() + "/" + name, 4, 300);
    ASSERT_TRUE(corner) << name;
    EXPECT_TRUE(IsRefusalRed(*corner))
        << name << ": rgb " << corner->r << "," << corner->g << "," << corner->b;
  }
  EXPECT_EQ(red_screens, 4);
  EXPECT_TRUE(Accepted().empty());
  for (const journal::Entry& e : fx_.ReadJournal()) {
    EXPECT_EQ(e.kind, journal::Kind::kRejected) << e.seq;
    EXPECT_EQ(e.discount_minor, 0) << e.seq;
  }
  // Counted by reason for the next status report to the hub (sync/failed_scans.h).
  base::Result<std::unique_ptr<ck_sync::FailedScans>> counted =
      ck_sync::FailedScans::Open(fx_.data_dir());
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  base::Result<ck_sync::ReasonCounts> counts = (*counted)->Snapshot();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(*counts, (ck_sync::ReasonCounts{
                         {"BAD_SIGNATURE", 1}, {"EXPIRED", 1}, {"MALFORMED", 1}, {"REVOKED", 1}}));
}

// ---- 3. an event desk ------------------------------------------------------------------------

TEST_F(KioskAppE2eTest, EventCheckInThenTheSameCardAgainAndTheCount) {
  const std::string card = Card(kMember);
  const KioskRun run = Run(Event(),
                           "wait idle 30\n"
                           "expect Прошли: 0\n"
                           "scan " +
                               card +
                               "\n"
                               "wait result-VALID 20\n"
                               "expect Anna I.\n"
                               "expect Прошли: 1\n"
                               "advance 5\n"
                               "wait idle 20\n"
                               "expect Прошли: 1\n"
                               "advance 60\n"
                               "scan " +
                               card +
                               "\n"
                               "wait result-ALREADY_CHECKED_IN 20\n"
                               "expect 12:00\n"
                               "expect Прошли: 1\n"
                               "quit\n");
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const json* welcome = run.Find("result-VALID");
  ASSERT_NE(welcome, nullptr) << run.Describe();
  EXPECT_EQ(welcome->value("decision", ""), "accepted");
  EXPECT_GT(welcome->value("entry_seq", int64_t{0}), 0);
  const json* again = run.Find("result-ALREADY_CHECKED_IN");
  ASSERT_NE(again, nullptr) << run.Describe();
  EXPECT_EQ(again->value("verdict", ""), "VALID");
  const std::vector<journal::Entry> accepted = Accepted();
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].kind, journal::Kind::kCheckin);
  EXPECT_EQ(accepted[0].event_id, kiosktest::kEvent);
}

// The count with the event's capacity from the registry, and the whole screen saying the event is
// full once it is; a newcomer is then refused.
TEST_F(KioskAppE2eTest, TheDoorCountsAgainstTheCapacityAndSaysWhenTheEventIsFull) {
  kiosktest::RegistrySpec spec;
  spec.members = {{kMember}, {kOther}};
  registry::Event small =
      kiosktest::MakeEvent(kiosktest::kEvent, kiosktest::kNow - 3600, kiosktest::kNow + 3600);
  small.capacity = 1;
  spec.events = {small};
  ASSERT_TRUE(fx_.WriteRegistry(spec));
  const KioskRun run = Run(Event(),
                           "wait idle 30\n"
                           "expect Прошли: 0 / 1\n"
                           "scan " +
                               Card(kMember) +
                               "\n"
                               "wait result-VALID 20\n"
                               "expect Прошли: 1 / 1\n"
                               "advance 5\n"
                               "wait idle 20\n"
                               "expect Мест нет\n"
                               "expect Прошли: 1 / 1. Новым участникам вход не отмечается\n"
                               "scan " +
                               Card(kOther) +
                               "\n"
                               "wait result-EVENT_FULL 20\n"
                               "quit\n",
                           {"--screenshot-dir", screenshot_dir()});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  EXPECT_EQ(run.ScreenNames(),
            (std::vector<std::string>{"idle", "result-VALID", "idle-full", "result-EVENT_FULL"}))
      << run.Describe();
  const std::vector<std::string> shots = Screenshots();
  EXPECT_TRUE(std::any_of(shots.begin(), shots.end(), [](const std::string& n) {
    return n.find("-idle-full.png") != std::string::npos;
  })) << shots.size();
  EXPECT_EQ(Accepted().size(), 1u);
}

TEST_F(KioskAppE2eTest, RosterEventRefusesAMemberNotOnIt) {
  const KioskRun run = Run(Event(kRosterEvent),
                           "wait idle 30\n"
                           "scan " +
                               Card(kOther) +
                               "\n"
                               "wait result-NOT_REGISTERED 20\n"
                               "expect NOT_REGISTERED\n"
                               "advance 5\n"
                               "wait idle 20\n"
                               "scan " +
                               Card(kMember) +
                               "\n"
                               "wait result-VALID 20\n"
                               "quit\n");
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  EXPECT_EQ(run.ScreenNames(),
            (std::vector<std::string>{"idle", "result-NOT_REGISTERED", "idle", "result-VALID"}));
  const std::vector<journal::Entry> accepted = Accepted();
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].event_id, kRosterEvent);
}

// ---- 4. the camera ---------------------------------------------------------------------------

TEST_F(KioskAppE2eTest, CardShownToTheCameraReachesAResultScreen) {
  const std::string frames = fx_.temp().File("frames");
  ASSERT_TRUE(std::filesystem::create_directory(frames));
  // Played at camera_fps = 5 (the test's config): a second of blank frames, then the card for a
  // second. The blank second lets the idle screen be drawn (slow under a loaded sanitizer build)
  // before the card is decoded, so that `wait idle` sees it with no scan pending.
  const std::string card = Card(kMember);
  for (int i = 1; i <= 10; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "/%04d.png", i);
    ASSERT_TRUE(WriteCameraFrame(frames + name, i <= 5 ? "" : card));
  }
  const KioskRun run = Run(Event(),
                           "wait idle 30\n"
                           "wait result-VALID 30\n"
                           "expect Прошли: 1\n"
                           "quit\n",
                           {"--camera", frames});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const json* result = run.Find("result-VALID");
  ASSERT_NE(result, nullptr) << run.Describe();
  ASSERT_TRUE(result->contains("frame_to_screen_ms")) << *result;
  const double latency = (*result)["frame_to_screen_ms"].get<double>();
  EXPECT_GE(latency, 0);
  EXPECT_LT(latency, 10000);
  ASSERT_TRUE(run.stats.is_object()) << run.Describe();
  EXPECT_EQ(run.stats.value("scans_from_camera", 0), 1);
  EXPECT_GT(run.stats.value("frame_to_screen_ms_p50", 0.0), 0.0);
  EXPECT_EQ(Accepted().size(), 1u);
}

// ---- 5. the admin screens --------------------------------------------------------------------

TEST_F(KioskAppE2eTest, AdminPinLockOutThenDefaultPinOpensTheAdminScreen) {
  base::Result<std::string> device_id =
      ck_sync::LoadOrCreateDeviceId(cktest::RealFs(), fx_.data_dir());
  ASSERT_TRUE(device_id.ok()) << device_id.status().ToString();
  const std::string wrong = "press key_1\npress key_2\npress key_3\npress key_4\npress ok\n";
  const std::string right = "press key_0\npress key_0\npress key_0\npress key_0\npress ok\n";
  const KioskRun run = Run(Shop(),
                           "wait idle 30\n"
                           "key F2\n"
                           "wait pin 20\n" +
                               wrong + "expect Неверный PIN\n" + wrong + wrong +
                               "expect заблокирован\n"
                               "expect 30\n"
                               // The lock-out counts down on screen.
                               "advance 10\n"
                               "wait-text 5 20 с\n"
                               // Locked: even the right PIN is not taken, and it says so.
                               + right +
                               "expect заблокирован\n"
                               "expect PIN не проверен\n"
                               "advance 31\n" +
                               right +
                               "wait admin 20\n"
                               "expect Администрирование\n"
                               "expect " +
                               *device_id +
                               "\n"
                               "press language\n"
                               "wait admin-language 20\n"
                               "expect Русский\n"
                               "expect English\n"
                               "expect Қазақша\n"
                               "press lang_en\n"
                               "wait admin 20\n"
                               "expect Administration\n"
                               "expect " +
                               *device_id +
                               "\n"
                               "press close\n"
                               "wait idle 20\n"
                               "expect Show your membership card\n"
                               "quit\n");
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const std::vector<std::string> names = run.ScreenNames();
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(names.front(), "idle");
  EXPECT_NE(std::find(names.begin(), names.end(), "pin"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "admin"), names.end());
  EXPECT_EQ(names.back(), "idle");
  // Nothing happened at the counter.
  EXPECT_TRUE(fx_.ReadJournal().empty());
}

// A cashback offer: the confirm and result screens say what the member earns (in words a cashier
// reads, and drawn: the confirm screen's green band above its buttons, which a discount's has not),
// the total is the full price, and the journal holds the cashback.
TEST_F(KioskAppE2eTest, ACashbackPurchaseSaysWhatTheMemberEarnsOnConfirmAndResult) {
  kiosktest::RegistrySpec spec;
  spec.members = {{kMember}};
  spec.partners = {kiosktest::MakePartner()};
  spec.offers = {kiosktest::PercentOffer("O-10", 1000), kiosktest::CashbackOffer("C-20", 2000)};
  spec.offers[0].partner_id = "P-2";  // the discount is another partner's: P-1 gives cashback
  spec.partners.push_back(kiosktest::MakePartner("P-2"));
  ASSERT_TRUE(fx_.WriteRegistry(spec));
  const KioskRun run = Run(Shop(),
                           "wait idle 30\n"
                           "scan " +
                               Card(kMember) +
                               "\n"
                               "wait amount 20\n" +
                               TypeAmountOnKeypad("625") +
                               "wait confirm 20\n"
                               "expect Кэшбэк: 125,00 ₽\n"
                               "expect 625,00 ₽\n"
                               "press confirm\n"
                               "wait result-VALID 20\n"
                               "expect Кэшбэк начислен\n"
                               "expect Кэшбэк: 125,00 ₽\n"
                               "quit\n",
                           {"--screenshot-dir", screenshot_dir()});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const json* confirm = run.Find("confirm");
  ASSERT_NE(confirm, nullptr) << run.Describe();
  EXPECT_EQ(confirm->value("cashback_minor", int64_t{0}), 12500) << *confirm;
  EXPECT_FALSE(confirm->contains("discount_minor")) << *confirm;
  std::string confirm_png;
  for (const std::string& name : Screenshots())
    if (name.find("-confirm.png") != std::string::npos) confirm_png = name;
  ASSERT_FALSE(confirm_png.empty()) << run.Describe();
  const Rgb valid{0x1B, 0x7F, 0x3B};  // assets/theme/theme.conf
  // The band is at least 300 x 30 pixels; the buttons (green too) are in the bottom 100 rows.
  EXPECT_GT(CountPixels(screenshot_dir() + "/" + confirm_png, valid, 480 - 100), 300 * 30);
  const std::vector<journal::Entry> accepted = Accepted();
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].offer_id, "C-20");
  EXPECT_EQ(accepted[0].cashback_minor, 12500);
  EXPECT_EQ(accepted[0].discount_minor, 0);
  EXPECT_EQ(accepted[0].purchase_minor, 62500);
}

// The admin's "device key" screen shows the key `cardctl device pubkey` prints as a QR code that a
// photograph of the screen gives back, with its kid in text; Back returns to the menu.
TEST_F(KioskAppE2eTest, TheAdminScreenShowsTheDeviceKeyAsAQrCode) {
  base::Result<card::PrivateKey> key =
      journal::LoadOrCreateDeviceKey(cktest::RealFs(), fx_.data_dir());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  const card::PublicKey pub = *key->Public();
  const card::Kid kid = pub.kid();
  const std::string kid_hex = base::ToHex(base::ByteSpan(kid.data(), kid.size()));
  const std::string pin = "press key_0\npress key_0\npress key_0\npress key_0\npress ok\n";
  const KioskRun run = Run(Shop(),
                           "wait idle 30\n"
                           "key F2\n"
                           "wait pin 20\n" +
                               pin +
                               "wait admin 20\n"
                               "press language\n"
                               "press lang_en\n"
                               "press device_key\n"
                               "wait admin-key 20\n"
                               "expect Device key for the hub\n"
                               "expect " +
                               kid_hex +
                               "\n"
                               "press back\n"
                               "wait admin 20\n"
                               "quit\n",
                           {"--screenshot-dir", screenshot_dir()});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  std::string shot;
  for (const std::string& name : Screenshots()) {
    if (name.find("-admin-key.png") != std::string::npos) shot = name;
  }
  ASSERT_FALSE(shot.empty()) << run.Describe();
  // The screenshot decoded as a photograph of it would be: the project's ZXing reader.
  base::Result<scanner::GrayImage> image = scanner::LoadImage(screenshot_dir() + "/" + shot);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const std::vector<scanner::QrSymbol> codes = scanner::ReadQrCodes(image->view());
  ASSERT_EQ(codes.size(), 1u) << shot;
  EXPECT_EQ(codes[0].text, pub.ToPem());
  EXPECT_EQ(codes[0].ec_level, "M");
  // `cardctl device pubkey` prints the same text: what the hub's enrolment takes.
  EXPECT_NE(codes[0].text.find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
}

// ---- 6. screenshots and drawing time ---------------------------------------------------------

TEST_F(KioskAppE2eTest, ScreenshotsAreNumberedPngsOfTheWindowAndFramesAreDrawnInTime) {
  const KioskRun run = Run(Shop(),
                           "wait idle 30\n"
                           "scan " +
                               Card(kMember) +
                               "\n"
                               "wait amount 20\n" +
                               TypeAmountOnKeypad("990") +
                               "wait confirm 20\n"
                               "press confirm\n"
                               "wait result-VALID 20\n"
                               "advance 5\n"
                               "wait idle 20\n"
                               "quit\n",
                           {"--screenshot-dir", screenshot_dir()});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const std::vector<std::string> shots = Screenshots();
  ASSERT_FALSE(shots.empty());
  const std::regex pattern(R"(^(\d{4})-([A-Za-z0-9_-]+)\.png$)");
  std::vector<std::string> screens;
  int expected_number = 1;
  for (const std::string& name : shots) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(name, m, pattern)) << name;
    EXPECT_EQ(std::stoi(m[1].str()), expected_number++) << name;
    screens.push_back(m[2].str());
    const std::optional<std::string> png = ReadBytes(screenshot_dir() + "/" + name);
    ASSERT_TRUE(png && png->size() > 33) << name;
    EXPECT_EQ(png->substr(0, 8), "\x89PNG\r\n\x1a\n") << name;
    EXPECT_EQ(png->substr(12, 4), "IHDR") << name;
    EXPECT_EQ(BigEndian32(*png, 16), 800u) << name;
    EXPECT_EQ(BigEndian32(*png, 20), 480u) << name;
  }
  // One screenshot per screen change (each digit typed changes the amount screen), named after
  // the screen.
  EXPECT_EQ(screens, run.ScreenNames());
  EXPECT_EQ(screens, (std::vector<std::string>{"idle", "amount", "amount", "amount", "amount",
                                               "confirm", "result-VALID", "idle"}));
  ASSERT_TRUE(run.stats.is_object()) << run.Describe();
  EXPECT_EQ(run.stats.value("screenshots", 0), static_cast<int>(shots.size()));
  EXPECT_GE(run.stats.value("frames_drawn", 0), static_cast<int>(shots.size()));
  // Draw times are reported per screen and in the stats (how fast they are is measured by
  // bench/run_kiosk_bench.sh, not here).
  EXPECT_GT(run.stats.value("draw_ms_max", 0.0), 0) << run.stats;
  for (const json& s : run.screens) EXPECT_TRUE(s.contains("draw_ms")) << s;
}

// The default renderer (OpenGL where the system has it), as a kiosk runs: the same purchase.
TEST_F(KioskAppE2eTest, ShopPurchaseWithTheDefaultGlRenderer) {
  const char* const drivers[] = {"/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so",
                                 "/usr/lib/aarch64-linux-gnu/dri/swrast_dri.so",
                                 "/usr/lib64/dri/swrast_dri.so", "/usr/lib/dri/swrast_dri.so"};
  std::string driver;
  for (const char* d : drivers)
    if (driver.empty() && ::access(d, R_OK) == 0) driver = d;
  if (driver.empty()) GTEST_SKIP() << "no Mesa software GL driver (swrast_dri.so)";
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string saved_asan = asan != nullptr ? asan : "";
  // The preloaded driver comes before the ASan runtime in the link order: allowed here.
  const std::string asan_options =
      (saved_asan.empty() ? "" : saved_asan + ":") + "verify_asan_link_order=0";
  ::unsetenv("SDL_RENDER_DRIVER");
  ::unsetenv("SDL_FRAMEBUFFER_ACCELERATION");
  ::setenv("LD_PRELOAD", driver.c_str(), 1);
  ::setenv("ASAN_OPTIONS", asan_options.c_str(), 1);
  const KioskRun run = Run(Shop(),
                           "wait idle 30\n"
                           "scan " +
                               Card(kMember) +
                               "\n"
                               "wait amount 20\n" +
                               TypeAmountOnKeypad("1250") +
                               "wait confirm 20\n"
                               "expect 1 125,00\n"
                               "press confirm\n"
                               "wait result-VALID 20\n"
                               "quit\n");
  ::unsetenv("LD_PRELOAD");
  if (asan != nullptr) {
    ::setenv("ASAN_OPTIONS", saved_asan.c_str(), 1);
  } else {
    ::unsetenv("ASAN_OPTIONS");
  }
  ::setenv("SDL_RENDER_DRIVER", "software", 1);
  ::setenv("SDL_FRAMEBUFFER_ACCELERATION", "0", 1);
  ExpectPurchase(run, Accepted());
  EXPECT_NE(run.process.err.find("renderer opengl"), std::string::npos) << run.process.err;
  ASSERT_TRUE(run.stats.is_object()) << run.Describe();
  EXPECT_GT(run.stats.value("frames_drawn", 0), 0) << run.stats;
}

// ---- 7. start-up errors ----------------------------------------------------------------------

TEST_F(KioskAppE2eTest, UnknownConfigKeyIsAStartupErrorNamingFileLineAndKey) {
  ASSERT_TRUE(WriteText(config_path(), "# kiosk\ncamera_fps = 5\nscreen_saver = \"on\"\n"));
  const KioskRun run = Run(Shop(), "quit\n");
  EXPECT_EQ(run.process.exit_code, 2) << run.Describe();
  EXPECT_NE(run.process.err.find(config_path() + ":3"), std::string::npos) << run.process.err;
  EXPECT_NE(run.process.err.find("screen_saver"), std::string::npos) << run.process.err;
  EXPECT_EQ(run.process.err.find("Sanitizer"), std::string::npos) << run.process.err;
  EXPECT_TRUE(run.screens.empty());
}

TEST_F(KioskAppE2eTest, MissingAssetsDirectoryIsAStartupErrorNotACrash) {
  const KioskRun run = Run(Shop(), "quit\n", {"--assets", "/nonexistent/assets"});
  EXPECT_EQ(run.process.exit_code, 2) << run.Describe();
  EXPECT_NE(run.process.err.find("/nonexistent/assets"), std::string::npos) << run.process.err;
  EXPECT_EQ(run.process.err.find("Sanitizer"), std::string::npos) << run.process.err;
  EXPECT_TRUE(run.screens.empty());
}

TEST_F(KioskAppE2eTest, AssetsWithoutFontsAreAStartupErrorNotACrash) {
  // Strings and theme are there, the fonts are not: the app fails once the window is open.
  const std::string assets = fx_.temp().File("assets");
  std::filesystem::create_directory(assets);
  std::filesystem::copy(CK_ASSETS_DIR "/i18n", assets + "/i18n");
  std::filesystem::copy(CK_ASSETS_DIR "/theme", assets + "/theme");
  const KioskRun run = Run(Shop(), "quit\n", {"--assets", assets});
  EXPECT_EQ(run.process.exit_code, 2) << run.Describe();
  EXPECT_NE(run.process.err.find(assets + "/fonts/DejaVuSans.ttf"), std::string::npos)
      << run.process.err;
  EXPECT_EQ(run.process.err.find("Sanitizer"), std::string::npos) << run.process.err;
  EXPECT_TRUE(run.screens.empty());
}

// ---- 8. the admin's USB stick: import a registry, export the journal, choose the partner -----

TEST_F(KioskAppE2eTest, AdminImportsARegistryFromUsbExportsTheJournalAndChoosesThePartner) {
  // A kiosk with no registry yet, and a stick carrying a signed bundle.
  const std::string data = fx_.temp().File("fresh");
  const std::string media = fx_.temp().File("media");
  const std::string stick = media + "/STICK";
  ASSERT_TRUE(cktest::MakeDir(data));
  ASSERT_TRUE(cktest::MakeDir(stick));
  cktest::BundleFactory factory(fx_.temp().File("bundles"));
  base::Result<cktest::BuiltBundle> built = BuildBundle(factory);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  ASSERT_TRUE(cktest::CopyFile(built->path, stick + "/registry-1.ckbundle"));
  // The admin menu's own path: the watcher that handles sticks by itself is off.
  ASSERT_TRUE(WriteText(config_path(), "usb_watch = false\nusb_mount_dir = \"" + media +
                                           "\"\ntrust = \"" + factory.WriteTrustedKeyPem() +
                                           "\"\n"));
  base::Result<std::string> device_id = ck_sync::LoadOrCreateDeviceId(cktest::RealFs(), data);
  ASSERT_TRUE(device_id.ok()) << device_id.status().ToString();
  const std::string pin = "press key_0\npress key_0\npress key_0\npress key_0\npress ok\n";
  const std::string card = fx_.CardSignedBy(factory.issuer_key(), {.member_id = "M-1"});

  const KioskRun run = Run(Shop(),
                           "wait idle 30\n"
                           "expect No registry\n"
                           "key F2\n"
                           "wait pin 20\n" +
                               pin +
                               "wait admin 20\n"
                               "press import_usb\n"
                               "wait-text 30 Imported registry #1\n"
                               // The partner of this device, from the new registry.
                               "press select\n"
                               "wait admin-select 20\n"
                               "expect Cafe Luna (P-CAFE)\n"
                               "press choice_P-BOOKS\n"
                               "wait admin 20\n"
                               "press close\n"
                               "wait idle 20\n"
                               "expect Registry #1\n"
                               "expect Книжный дом\n"
                               "scan " +
                               card +
                               "\n"
                               "wait amount 20\n"
                               "press cancel\n"
                               "wait idle 20\n"
                               "scan NOT-A-CARD\n"
                               "wait result-MALFORMED 20\n"
                               "key Escape\n"
                               "wait idle 20\n"
                               "key F2\n"
                               "wait pin 20\n" +
                               pin +
                               "wait admin 20\n"
                               "expect 1 entries, 1 not uploaded\n"
                               "press export_usb\n"
                               "wait-text 30 Journal written\n"
                               "quit\n",
                           {"--data-dir", data, "--language", "en"});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  EXPECT_EQ(cktest::InspectDataDir(data).seq, 1) << cktest::InspectDataDir(data).ToString();
  // The stick got the journal export and the receipt; the choice of partner was kept.
  EXPECT_TRUE(std::filesystem::exists(stick + "/" + ck_sync::JournalExportFileName(*device_id)));
  EXPECT_TRUE(std::filesystem::exists(stick + "/" + ck_sync::ReceiptFileName(*device_id)));
  std::ifstream state(data + "/kiosk-state.conf");
  std::stringstream text;
  text << state.rdbuf();
  EXPECT_NE(text.str().find("partner = \"P-BOOKS\""), std::string::npos) << text.str();
  // The language came from the command line, not the menu: it is not frozen into the state.
  EXPECT_EQ(text.str().find("language"), std::string::npos) << text.str();
}

TEST_F(KioskAppE2eTest, EmptyPinTriesDoNotLockTheAdminOutAndANewPinIsTypedTwice) {
  const auto digits = [](std::string_view pin) {
    std::string s;
    for (char c : pin) s += "press key_" + std::string(1, c) + "\n";
    return s + "press ok\n";
  };
  const KioskRun run = Run(Shop(),
                           "wait idle 30\n"
                           "key F2\n"
                           "wait pin 20\n"
                           // A passer-by tapping OK with nothing typed, or two digits: not tries.
                           "press ok\npress ok\npress ok\n" +
                               digits("12") + "expect A PIN has 4 to 12 digits\n" + digits("0000") +
                               "wait admin 20\n"
                               // A new PIN typed twice differently changes nothing...
                               "press set_pin\n"
                               "wait set-pin 20\n" +
                               digits("1234") + "expect Repeat the new PIN\n" + digits("1235") +
                               "wait admin 20\n"
                               "expect The two PINs differ\n"
                               // ...typed twice the same, it is the PIN from now on.
                               "press set_pin\n"
                               "wait set-pin 20\n" +
                               digits("4321") + digits("4321") +
                               "wait admin 20\n"
                               "expect PIN changed\n"
                               "press close\n"
                               "wait idle 20\n"
                               "key F2\n"
                               "wait pin 20\n" +
                               digits("0000") + "expect Wrong PIN\n" + digits("4321") +
                               "wait admin 20\n"
                               "quit\n",
                           {"--language", "en"});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
}

TEST_F(KioskAppE2eTest, AStickPluggedInIsImportedAndGetsTheJournalWithoutTheAdminMenu) {
  const std::string data = fx_.temp().File("fresh");
  const std::string media = fx_.temp().File("media");
  ASSERT_TRUE(cktest::MakeDir(data));
  ASSERT_TRUE(cktest::MakeDir(media));
  cktest::BundleFactory factory(fx_.temp().File("bundles"));
  base::Result<cktest::BuiltBundle> built = BuildBundle(factory);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  ASSERT_TRUE(WriteText(config_path(), "usb_mount_dir = \"" + media + "\"\ntrust = \"" +
                                           factory.WriteTrustedKeyPem() + "\"\n"));
  base::Result<std::string> device_id = ck_sync::LoadOrCreateDeviceId(cktest::RealFs(), data);
  ASSERT_TRUE(device_id.ok()) << device_id.status().ToString();
  // The stick appears while the kiosk runs: a directory with a bundle renamed into the mount
  // directory, as a mount appears. The script waits for the registry, then serves a card.
  const std::string staging = fx_.temp().File("staging");
  ASSERT_TRUE(cktest::MakeDir(staging));
  ASSERT_TRUE(cktest::CopyFile(built->path, staging + "/registry-1.ckbundle"));
  const std::string card = fx_.CardSignedBy(factory.issuer_key(), {.member_id = "M-1"});
  const std::string marker = fx_.temp().File("up");
  const KioskRun run =
      Run({"--mode", "shop", "--partner", "P-BOOKS"},
          "wait idle 30\n"
          "expect No registry\n"
          // The script tells the test the kiosk is up: a screenshot file.
          "screenshot up\n"
          "wait-text 30 Imported registry #1\n"
          "wait-text 30 The stick can be removed.\n"
          "wait-text 30 Registry #1\n"
          "scan " +
              card +
              "\n"
              "wait amount 20\n"
              "quit\n",
          {"--data-dir", data, "--language", "en", "--screenshot-dir", marker}, [&] {
            for (int i = 0; i < 1200 && !std::filesystem::exists(marker + "/up.png"); ++i)
              std::this_thread::sleep_for(std::chrono::milliseconds(25));
            std::filesystem::rename(staging, media + "/STICK");
          });
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  EXPECT_EQ(cktest::InspectDataDir(data).seq, 1) << cktest::InspectDataDir(data).ToString();
  EXPECT_TRUE(
      std::filesystem::exists(media + "/STICK/" + ck_sync::JournalExportFileName(*device_id)));
  EXPECT_TRUE(std::filesystem::exists(media + "/STICK/" + ck_sync::ReceiptFileName(*device_id)));
}

// ---- 10. not provisioned: the bundle key comes later -------------------------------------------

TEST_F(KioskAppE2eTest, WithoutItsBundleKeyTheKioskSaysSoAndStartsOnceTheKeyIsThere) {
  const std::string media = fx_.temp().File("media");
  ASSERT_TRUE(cktest::MakeDir(media));
  cktest::BundleFactory factory(fx_.temp().File("bundles"));
  const std::string key = fx_.temp().File("etc/bundle.pub.pem");  // not there yet
  ASSERT_TRUE(
      WriteText(config_path(), "usb_mount_dir = \"" + media + "\"\ntrust = \"" + key + "\"\n"));
  base::Result<std::string> device_id =
      ck_sync::LoadOrCreateDeviceId(cktest::RealFs(), fx_.data_dir());
  ASSERT_TRUE(device_id.ok()) << device_id.status().ToString();
  const std::string marker = fx_.temp().File("up");
  const KioskRun run =
      Run(Shop(),
          "wait not_provisioned 30\n"
          "expect This kiosk is not set up yet\n"
          "expect " +
              *device_id +
              "\n"
              "screenshot waiting\n"
              "wait idle 30\n"
              "expect Show your membership card\n"
              "quit\n",
          {"--language", "en", "--screenshot-dir", marker}, [&] {
            for (int i = 0; i < 1200 && !std::filesystem::exists(marker + "/waiting.png"); ++i)
              std::this_thread::sleep_for(std::chrono::milliseconds(25));
            // Copied in as an admin would: the whole file appears at once.
            std::filesystem::create_directories(fx_.temp().File("etc"));
            const std::string pem = factory.WriteTrustedKeyPem();
            std::filesystem::copy_file(pem, key + ".part");
            std::filesystem::rename(key + ".part", key);
          });
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const std::vector<std::string> names = run.ScreenNames();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "not_provisioned") << run.Describe();
  EXPECT_NE(std::find(names.begin(), names.end(), "idle"), names.end()) << run.Describe();
  EXPECT_NE(run.process.err.find("not provisioned"), std::string::npos) << run.process.err;
  EXPECT_NE(run.process.err.find(key), std::string::npos) << run.process.err;
  EXPECT_NE(run.process.err.find("read: starting"), std::string::npos) << run.process.err;
}

TEST_F(KioskAppE2eTest, AnUnusableBundleKeyIsShownWithWhyNotAndTheKioskDoesNotExit) {
  const std::string key = fx_.temp().File("bundle.pub.pem");
  ASSERT_TRUE(WriteText(key, "not a key\n"));
  ASSERT_TRUE(WriteText(config_path(), "trust = \"" + key + "\"\n"));
  const KioskRun run = Run(Shop(),
                           "wait not_provisioned 30\n"
                           "expect The bundle key cannot be used\n"
                           "expect " +
                               key +
                               "\n"
                               "quit\n",
                           {"--language", "en"});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  EXPECT_NE(run.process.err.find("not provisioned: " + key), std::string::npos) << run.process.err;
}

// ---- 11. systemd: ready, watchdog, status ------------------------------------------------------

TEST_F(KioskAppE2eTest, UnderSystemdTheKioskSaysReadyFeedsTheWatchdogAndSaysWhatItDoes) {
  cktest::NotifySocket socket(fx_.temp().File("notify"));
  ASSERT_TRUE(socket.ok()) << socket.path();
  ::setenv("NOTIFY_SOCKET", socket.path().c_str(), 1);
  ::setenv("WATCHDOG_USEC", "1000000", 1);  // 1 s: fed every half second
  const KioskRun run = Run(Shop(), "wait idle 30\nsleep 2\nquit\n");
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const std::vector<std::string> sent = socket.Drain();
  std::string all;
  for (const std::string& m : sent) all += m + "\n";
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.front(), "STATUS=starting") << all;
  EXPECT_EQ(std::count(sent.begin(), sent.end(), "READY=1"), 1) << all;
  EXPECT_GE(std::count(sent.begin(), sent.end(), "WATCHDOG=1"), 2) << all;
  // READY only once something is on screen: after the start-up status, with the screen drawn.
  const auto ready = std::find(sent.begin(), sent.end(), "READY=1");
  EXPECT_NE(ready, sent.begin()) << all;
  EXPECT_TRUE(std::any_of(sent.begin(), sent.end(), [](const std::string& m) {
    return m.rfind("STATUS=serving: shop, partner P-1, registry #", 0) == 0;
  })) << all;
}

TEST_F(KioskAppE2eTest, WithoutNotifySocketTheKioskSendsNothingAndRunsAsBefore) {
  cktest::NotifySocket socket(fx_.temp().File("notify"));
  ASSERT_TRUE(socket.ok());
  ::unsetenv("NOTIFY_SOCKET");
  const KioskRun run = Run(Shop(), "wait idle 30\nquit\n");
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  EXPECT_TRUE(socket.Drain().empty());
  EXPECT_EQ(run.process.err.find("service manager"), std::string::npos) << run.process.err;
}

// ---- 12. the renderer and the first frame -------------------------------------------------------

TEST_F(KioskAppE2eTest, TheConfiguredRendererDrawsAndOnX11TheFirstFrameOnce) {
  ASSERT_TRUE(WriteText(config_path(), "renderer = \"software\"\n"));
  ::unsetenv("SDL_RENDER_DRIVER");  // the config decides
  const KioskRun run = Run(Shop(), "wait idle 30\nsleep 1.5\nquit\n");
  ::setenv("SDL_RENDER_DRIVER", "software", 1);
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  EXPECT_NE(run.process.err.find("renderer software"), std::string::npos) << run.process.err;
  EXPECT_EQ(run.process.err.find("could not start"), std::string::npos) << run.process.err;
  // Xvfb has no touch screen: the journal says how the kiosk is worked without one.
  EXPECT_NE(run.process.err.find("no touch screen found"), std::string::npos) << run.process.err;
  // One idle screen (the fake clock stands still), drawn once. The first frame is drawn again
  // (at once and half a second later) on KMSDRM only, where a GPU may lose the first page flip;
  // on X11 the server shows it.
  EXPECT_EQ(run.ScreenNames(), std::vector<std::string>{"idle"}) << run.Describe();
  ASSERT_TRUE(run.stats.is_object()) << run.Describe();
  EXPECT_EQ(run.stats.value("frames_drawn", 0), 1) << run.stats;
  EXPECT_EQ(run.stats.value("first_frame_redraws", -1), 0) << run.stats;
}

// ---- corrections: a void from the result screen, the last transactions, the door ---------------

bool HasShot(const std::vector<std::string>& shots, const std::string& screen) {
  return std::any_of(shots.begin(), shots.end(), [&](const std::string& n) {
    return n.find("-" + screen + ".png") != std::string::npos;
  });
}

TEST_F(KioskAppE2eTest, ACashierVoidsAPurchaseFromItsResultAndSeesItInTheLastTransactions) {
  const KioskRun run =
      Run(Shop(),
          "wait idle 30\n"
          "scan " +
              Card(kMember) + "\n" + "wait amount 20\n" + TypeAmountOnKeypad("1250") +
              "wait confirm 20\n"
              "press confirm\n"
              "wait result-VALID 20\n"
              "expect Отменить\n"
              "press void\n"
              "wait void-confirm 20\n"
              "expect Отменить запись?\n"
              "expect 125,00 ₽\n"
              "press confirm\n"
              "wait result-VOIDED 20\n"
              "expect ОТМЕНЕНО\n"
              "expect Запись № 1 отменена\n"
              "advance 5\n"
              "wait idle 20\n"
              "press recent\n"
              "wait recent 20\n"
              "expect Последние операции\n"
              "expect отменено (кассир)\n"
              "press back\n"
              "wait idle 20\n"
              "quit\n",
          {"--screenshot-dir", screenshot_dir()});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const std::vector<std::string> shots = Screenshots();
  EXPECT_TRUE(HasShot(shots, "void-confirm")) << shots.size();
  EXPECT_TRUE(HasShot(shots, "result-VOIDED")) << shots.size();
  EXPECT_TRUE(HasShot(shots, "recent")) << shots.size();
  const std::vector<journal::Entry> entries = fx_.ReadJournal();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].kind, journal::Kind::kDiscount);
  EXPECT_EQ(entries[0].decision, journal::kAccepted);  // never edited
  EXPECT_EQ(entries[1].kind, journal::Kind::kVoid);
  EXPECT_EQ(entries[1].ref_uuid, entries[0].uuid);
  EXPECT_EQ(entries[1].actor, "cashier");
}

TEST_F(KioskAppE2eTest, TheDoorCountsAPersonWithoutACardApartAndUndoesIt) {
  kiosktest::RegistrySpec spec;
  spec.members = {{kMember}, {kOther}};
  spec.events = {
      kiosktest::MakeEvent(kiosktest::kEvent, kiosktest::kNow - 3600, kiosktest::kNow + 3600)};
  ASSERT_TRUE(fx_.WriteRegistry(spec));
  const KioskRun run = Run(Event(),
                           "wait idle 30\n"
                           "scan " +
                               Card(kMember) +
                               "\n"
                               "wait result-VALID 20\n"
                               "advance 5\n"
                               "wait idle 20\n"
                               "expect Без карты\n"
                               "press manual_count\n"
                               "wait result-accepted 20\n"
                               "expect Вход без карты отмечен\n"
                               "expect Прошли: 2 (1 без карты)\n"
                               "advance 5\n"
                               "wait idle 20\n"
                               "expect Прошли: 2 (1 без карты)\n"
                               "press undo\n"
                               "wait void-confirm 20\n"
                               "expect вход без карты\n"
                               "press confirm\n"
                               "wait result-VOIDED 20\n"
                               "expect Прошли: 1\n"
                               "advance 5\n"
                               "wait idle 20\n"
                               "expect Прошли: 1\n"
                               "quit\n",
                           {"--screenshot-dir", screenshot_dir()});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const std::vector<std::string> shots = Screenshots();
  EXPECT_TRUE(HasShot(shots, "result-accepted")) << shots.size();
  EXPECT_TRUE(HasShot(shots, "void-confirm")) << shots.size();
  const std::vector<journal::Entry> entries = fx_.ReadJournal();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].kind, journal::Kind::kManualCount);
  EXPECT_FALSE(entries[1].rid.has_value());
  EXPECT_EQ(entries[2].kind, journal::Kind::kVoid);
  EXPECT_EQ(entries[2].ref_uuid, entries[1].uuid);
}

// ---- admin cards ------------------------------------------------------------------------------

// An admin card signed by `key`, valid until `exp`, for `id`.
std::string AdminCardText(const card::PrivateKey& key, const card::AdminId& id, int64_t exp) {
  card::Claims c{.iat = kiosktest::kNow - 3600,
                 .exp = exp,
                 .admin = card::AdminCard{.id = id, .name = "Ирина Петровна"}};
  base::Result<card::CardIssuer> issuer =
      card::CardIssuer::Create(card::PrivateKey::FromPem(key.ToPem().value()).value());
  base::Result<std::string> text = issuer->Issue(c);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
}

// A signed admin card opens the admin menu from the idle screen and from the amount screen (the
// customer left with nothing recorded); an expired or withdrawn one is refused in red with the
// reason; with admin_card_pin the PIN is still asked. Every scan is in the journal.
TEST_F(KioskAppE2eTest, AnAdminCardOpensTheAdminMenuOnAnyScreenAndARefusedOneSaysWhy) {
  const card::PrivateKey admin = card::PrivateKey::Generate(card::Alg::kEdDSA).value();
  const card::AdminId irina = {1, 2, 3, 4, 5, 6, 7, 8}, lost = {8, 7, 6, 5, 4, 3, 2, 1};
  kiosktest::RegistrySpec spec;
  spec.members = {{kMember}};
  spec.partners = {kiosktest::MakePartner()};
  spec.offers = {kiosktest::PercentOffer("O-10", 1000)};
  registry::RegistryContents contents = fx_.Contents(spec);
  const card::PublicKey pub = admin.Public().value();
  contents.admin_keys = {{.kid = pub.kid(), .key = pub}};
  contents.withdrawn_admins = {lost};
  ASSERT_TRUE(fx_.WriteRegistryContents(contents));
  const std::string good = AdminCardText(admin, irina, kiosktest::kNow + 30 * kiosktest::kDay);
  const std::string expired = AdminCardText(admin, irina, kiosktest::kNow - 60);
  const std::string withdrawn = AdminCardText(admin, lost, kiosktest::kNow + kiosktest::kDay);
  // With admin_card_pin the card opens the PIN screen, saying whose card it is.
  ASSERT_TRUE(
      WriteText(config_path(), "camera_fps = 5\nsound_volume = 30\nadmin_card_pin = true\n"));
  KioskRun run = Run(Shop(),
                     "wait idle 30\n"
                     "scan " +
                         good +
                         "\n"
                         "wait pin 20\n"
                         "expect Карта администратора: Ирина Петровна. Введите PIN\n"
                         "press key_0\npress key_0\npress key_0\npress key_0\npress ok\n"
                         "wait admin 20\n"
                         "quit\n");
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  EXPECT_TRUE(run.Reached("pin")) << run.Describe();
  EXPECT_TRUE(run.Reached("admin")) << run.Describe();
  ASSERT_TRUE(WriteText(config_path(), "camera_fps = 5\nsound_volume = 30\n"));
  run = Run(Shop(),
            "wait idle 30\n"
            "scan " +
                good +
                "\n"
                "wait admin 20\n"
                "expect Администрирование\n"
                "expect Карта администратора: Ирина Петровна\n"
                "press close\n"
                "wait idle 20\n"
                "scan " +
                Card(kMember) +
                "\n"
                "wait amount 20\n"
                "scan " +
                good +
                "\n"
                "wait admin 20\n"
                "press close\n"
                "wait idle 20\n"
                "scan " +
                expired +
                "\n"
                "wait result-EXPIRED 20\n"
                "expect Срок действия карты администратора истёк\n"
                "advance 5\n"
                "wait idle 20\n"
                "scan " +
                withdrawn +
                "\n"
                "wait result-REVOKED 20\n"
                "expect Карта администратора отозвана\n"
                "quit\n",
            {"--screenshot-dir", screenshot_dir()});
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  const std::vector<std::string> shots = Screenshots();
  EXPECT_TRUE(HasShot(shots, "admin")) << shots.size();
  for (const char* refused : {"result-EXPIRED", "result-REVOKED"}) {
    std::string shot;
    for (const std::string& name : shots)
      if (name.find(std::string("-") + refused) != std::string::npos) shot = name;
    ASSERT_FALSE(shot.empty()) << refused;
    const std::optional<Rgb> corner = PixelOf(screenshot_dir() + "/" + shot, 4, 300);
    ASSERT_TRUE(corner) << shot;
    EXPECT_TRUE(IsRefusalRed(*corner)) << shot;
  }
  std::vector<journal::Entry> entries = fx_.ReadJournal();
  ASSERT_EQ(entries.size(), 5u);  // the first from the run with admin_card_pin
  for (size_t i : {0u, 1u, 2u}) {
    EXPECT_EQ(entries[i].decision, "ADMIN_CARD") << i;  // i = 2: from the amount screen
    EXPECT_EQ(entries[i].actor, "admin-card:0102030405060708") << i;
  }
  EXPECT_EQ(entries[3].decision, "EXPIRED");
  EXPECT_EQ(entries[4].decision, "REVOKED");
  EXPECT_TRUE(Accepted().empty());
}

// A refused admin card over a customer being served: the amount typed stays, the refusal is a
// banner on it, and the customer is served as typed.
TEST_F(KioskAppE2eTest, ARefusedAdminCardOverTheAmountKeepsTheCustomer) {
  const card::PrivateKey admin = card::PrivateKey::Generate(card::Alg::kEdDSA).value();
  kiosktest::RegistrySpec spec;
  spec.members = {{kMember}};
  spec.partners = {kiosktest::MakePartner()};
  spec.offers = {kiosktest::PercentOffer("O-10", 1000)};
  registry::RegistryContents contents = fx_.Contents(spec);
  const card::PublicKey pub = admin.Public().value();
  contents.admin_keys = {{.kid = pub.kid(), .key = pub}};
  ASSERT_TRUE(fx_.WriteRegistryContents(contents));
  const std::string expired = AdminCardText(admin, {1, 2, 3, 4, 5, 6, 7, 8}, kiosktest::kNow - 60);
  const KioskRun run = Run(Shop(),
                           "wait idle 30\n"
                           "scan " +
                               Card(kMember) +
                               "\n"
                               "wait amount 20\n"
                               "press key_1\npress key_2\npress key_5\npress key_0\n"
                               "scan " +
                               expired +
                               "\n"
                               "wait-text 20 Срок действия карты администратора истёк\n"
                               "wait amount 5\n"
                               "expect Anna I.\n"
                               "expect 1 250\n"
                               "press ok\n"
                               "wait confirm 20\n"
                               "expect 1 125,00\n"
                               "press confirm\n"
                               "wait result-VALID 20\n"
                               "quit\n");
  ASSERT_EQ(run.process.exit_code, 0) << run.Describe();
  std::vector<journal::Entry> entries = fx_.ReadJournal();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].decision, "EXPIRED");
  EXPECT_EQ(entries[1].kind, journal::Kind::kDiscount);
  EXPECT_EQ(entries[1].purchase_minor, 125000);
}

}  // namespace
