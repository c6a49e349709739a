#include "app.h"

#include <SDL2/SDL.h>
#include <SDL2/SDL_ttf.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/file.h"
#include "base/hex.h"
#include "base/time_format.h"
#include "bundle/importer.h"
#include "journal/device_key.h"
#include "kiosk/device.h"
#include "kiosk/session.h"
#include "kiosk_settings/admin_pin.h"
#include "kiosk_settings/script.h"
#include "kiosk_settings/strings.h"
#include "kiosk_settings/theme.h"
#include "kiosk_ui/view.h"
#include "png_rgb.h"
#include "renderer.h"
#include "scanner/frame_source.h"
#include "scanner/keyboard_wedge.h"
#include "scanner/recorded_source.h"
#include "scanner/scan_pipeline.h"
#include "scanner/v4l2_source.h"
#include "sound.h"
#include "sync/background_sync.h"
#include "sync/device_id.h"
#include "sync/journal_to_stick.h"
#include "sync/usb_watcher.h"

namespace kiosk_sdl {
namespace {

using kiosk_ui::AppScreen;

constexpr int kExitStartup = 2;
constexpr int kExitScript = 3;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kPreviewFps = 15;
constexpr int64_t kStillRetryMs = 100;
constexpr int kMaxChoices = 400;  // partners or events offered in the admin menu, by id
// A touch or Enter this soon after the screen changed is not taken: a double tap on OK must not
// also press what appears under the finger on the next screen (Confirm).
constexpr int64_t kInputSettleNs = 250 * kMs;
// Draw times and latencies kept for the exit statistics (a ring: the app runs for months).
constexpr size_t kMaxSamples = 1 << 16;
constexpr int64_t kPreviewIntervalNs = 1'000'000'000 / kPreviewFps;

// Wakes the UI thread's SDL_WaitEventTimeout from any thread (SDL_PushEvent is thread-safe).
void Wake(uint32_t event_type) {
  SDL_Event ev{};
  ev.type = event_type;
  SDL_PushEvent(&ev);
}

// A FrameSource in front of the camera that keeps a copy of the newest frame for the preview
// (halved when large: the preview is a few hundred pixels wide) and wakes the UI thread.
class PreviewTap final : public scanner::FrameSource {
 public:
  PreviewTap(std::unique_ptr<scanner::FrameSource> inner, uint32_t wake_event)
      : inner_(std::move(inner)), wake_event_(wake_event) {}

  base::Result<std::optional<scanner::CapturedFrame>> Next(int timeout_ms) override {
    base::Result<std::optional<scanner::CapturedFrame>> f = inner_->Next(timeout_ms);
    if (f.ok() && f->has_value()) Keep((*f)->frame);
    return f;
  }
  scanner::SourceState state() const override { return inner_->state(); }
  std::string Describe() const override { return inner_->Describe(); }

  bool HasFresh() {
    std::lock_guard<std::mutex> lock(mu_);
    return fresh_;
  }
  // Copies the newest frame out if there is one the UI has not taken yet.
  bool Take(std::vector<uint8_t>* pixels, int* w, int* h) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!fresh_) return false;
    fresh_ = false;
    pixels->swap(pixels_);
    *w = w_;
    *h = h_;
    return true;
  }

 private:
  void Keep(const scanner::Frame& f) {
    const int step = f.width > 800 ? 4 : 2;
    const int w = f.width / step, h = f.height / step;
    {
      std::lock_guard<std::mutex> lock(mu_);
      pixels_.resize(static_cast<size_t>(w) * static_cast<size_t>(h));
      for (int y = 0; y < h; ++y) {
        const uint8_t* row = f.data + static_cast<ptrdiff_t>(y * step) * f.stride;
        uint8_t* out = pixels_.data() + static_cast<ptrdiff_t>(y) * w;
        for (int x = 0; x < w; ++x) out[x] = row[x * step];
      }
      w_ = w;
      h_ = h;
      // A still picture (nobody at the counter) needs no redrawing: it looks the same.
      scanner::SceneSignature({pixels_.data(), w, h, w}, &signature_);
      const bool same = scanner::SameScene(signature_, drawn_signature_);
      if (fresh_ || same) return;  // nothing new to show, or the UI has not drawn the last one
      drawn_signature_ = signature_;
      fresh_ = true;
    }
    Wake(wake_event_);
  }

  std::unique_ptr<scanner::FrameSource> inner_;
  uint32_t wake_event_;
  std::mutex mu_;
  std::vector<uint8_t> pixels_;
  std::vector<uint8_t> signature_, drawn_signature_;
  int w_ = 0, h_ = 0;
  bool fresh_ = false;
};

// What an admin action or a stick brought, as plain data a worker thread can hand over: a
// translation key and its one placeholder. The UI thread words it.
struct JobOutcome {
  std::string key, arg, value;
  bool error = false;
};

// The USB options for the admin's actions and the watcher alike: bundles are applied by the
// watcher itself; with `with_export` this device's journal is written to each stick too. After
// each stick, `on_stick` gets what happened there (called on the thread processing the stick).
ck_sync::UsbWatcherOptions StickOptions(const std::string& mount_dir, const std::string& data_dir,
                                        const std::string& device_id, bool with_export,
                                        const base::Clock& clock,
                                        std::function<void(std::vector<JobOutcome>)> on_stick) {
  ck_sync::UsbWatcherOptions o{.mount_dir = mount_dir, .device_id = device_id};
  auto exported = std::make_shared<std::vector<std::string>>();  // this stick's export lines
  if (with_export) {
    ck_sync::ReceiptExtension inner =
        ck_sync::MakeJournalExportExtension(base::PosixFs(), clock, data_dir, device_id);
    o.receipt_extension = [inner, exported](const std::string& dir) {
      *exported = inner(dir);
      return *exported;
    };
  }
  o.on_volume = [exported, device_id, on_stick](const ck_sync::VolumeResult& v) {
    std::fprintf(stderr, "kiosk: usb: %s\n", v.Summary().c_str());
    std::vector<JobOutcome> news;
    if (const ck_sync::BundleOutcome* a = v.applied()) {
      news.push_back({"admin.usb_imported", "seq", std::to_string(*a->seq), false});
    } else if (v.all_refused()) {
      news.push_back({"admin.usb_failed", "why", v.bundles.front().status.message(), true});
    }
    for (const std::string& line : *exported) {
      std::fprintf(stderr, "kiosk: usb: %s\n", line.c_str());
      if (line.rfind("journal: exported", 0) == 0) {
        news.push_back(
            {"admin.export_done", "file", ck_sync::JournalExportFileName(device_id), false});
      } else {
        news.push_back({"admin.export_failed", "why", line, true});
      }
    }
    exported->clear();
    on_stick(std::move(news));
  };
  return o;
}

struct PendingScan {
  std::string text;
  int64_t capture_ns = 0;  // camera frames only (SystemClock monotonic)
};

// Peak resident memory of the process so far.
long MaxRssKb() {
  rusage ru{};
  return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

// Memory the process itself owns now (heap, stacks, caches), without the shared libraries that
// RSS also counts (software GL alone maps ~60 MB of LLVM under Xvfb).
long AnonymousKb() {
  FILE* f = std::fopen("/proc/self/smaps_rollup", "r");
  if (f == nullptr) return 0;
  char line[256];
  long kb = 0;
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::sscanf(line, "Anonymous: %ld kB", &kb) == 1) break;
  std::fclose(f);
  return kb;
}

// Keeps the last kMaxSamples values: statistics over a bounded window, not a growing vector.
struct Samples {
  std::vector<double> values;
  size_t count = 0;
  void Add(double v) {
    if (values.size() < kMaxSamples) {
      values.push_back(v);
    } else {
      values[count % kMaxSamples] = v;  // the oldest goes
    }
    ++count;
  }
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

class App {
 public:
  explicit App(const AppOptions& options) : opt_(options), cfg_(options.config) {}
  ~App();
  int Run();

 private:
  int Start();
  std::string AssetsDir() const;
  void LoadDeviceState();
  void SaveDeviceState();
  void RebuildSession();
  void RefreshStatus();
  void OpenCamera();
  void OpenScannerDevice();

  void Handle(const SDL_Event& ev);
  void HandleKey(const SDL_KeyboardEvent& key);
  void HandleTouch(int x, int y);
  bool InputSettling() const;
  bool PreviewShown() const {
    return std::any_of(
        view_.elements.begin(), view_.elements.end(),
        [](const kiosk_ui::Element& e) { return e.kind == kiosk_ui::Kind::kPreview; });
  }
  // An SDL event's 32-bit millisecond timestamp on the 64-bit SDL_GetTicks64() time line (the
  // 32-bit one wraps after 49.7 days of uptime).
  static int64_t EventNs(uint32_t timestamp) {
    const uint64_t now = SDL_GetTicks64();
    const uint32_t age = static_cast<uint32_t>(now) - timestamp;
    return static_cast<int64_t>(now - age) * kMs;
  }
  void HandleButton(const std::string& id);
  void HandleWedge();
  void HandleTyped(const std::string& text);
  void HandleScan(const PendingScan& scan);
  void KeypadKey(const std::string& key);
  void Ok();
  void Back();
  void AfterSession(kiosk::State before);
  void StartAdminJob(const std::string& what);
  void StartUsbWatch();
  void TakeUsbNews();
  void FinishAdminJob();
  void OpenSelect(kiosk::Mode mode);

  void RunScript();
  bool ScriptStepDone();
  int ScriptFail(const std::string& why);
  void PushText(const std::string& text);
  void PushKey(SDL_Keycode key);
  void PushTouch(int x, int y);

  kiosk_ui::Model MakeModel() const;
  std::string StateName() const;
  void Present(bool force, const std::string& shot = "");
  void Screenshot(const std::string& name);
  int NextTimeoutMs();
  int64_t Now() const { return sys_.MonotonicNanos(); }
  int64_t TicksNs() const { return static_cast<int64_t>(SDL_GetTicks64()) * kMs; }

  AppOptions opt_;
  kiosk_settings::AppConfig cfg_;
  base::SystemClock sys_;
  std::unique_ptr<base::Clock> clock_;
  base::FakeClock* fake_ = nullptr;
  std::optional<kiosk::Device> device_;
  kiosk::Config session_cfg_;
  std::unique_ptr<kiosk::Session> session_;
  kiosk_settings::Strings strings_;
  kiosk_settings::Theme theme_;
  std::optional<kiosk_settings::AdminPin> pin_;
  std::string device_id_, key_fingerprint_;
  std::optional<card::PublicKey> trusted_;

  SDL_Window* window_ = nullptr;
  SDL_Renderer* sdl_renderer_ = nullptr;
  std::unique_ptr<Renderer> gfx_;
  std::unique_ptr<Sound> sound_;
  int width_ = 0, height_ = 0;
  uint32_t wake_event_ = 0;

  std::unique_ptr<PreviewTap> camera_;
  std::unique_ptr<scanner::ScanPipeline> pipeline_;
  std::atomic<bool> camera_running_{false};
  std::vector<uint8_t> preview_pixels_;
  bool preview_dirty_ = false;
  int64_t last_preview_ns_ = 0;
  scanner::WedgeAssembler wedge_;
  std::unique_ptr<scanner::EvdevWedgeReader> evdev_;
  std::thread evdev_thread_;
  std::atomic<bool> stop_{false};
  std::mutex scans_mu_;
  std::deque<PendingScan> scans_;

  std::unique_ptr<ck_sync::BackgroundSync> sync_;
  std::atomic<bool> registry_changed_{false};

  // App screens and their state.
  AppScreen app_ = AppScreen::kSession;
  std::string entry_;
  std::string notice_;
  bool notice_error_ = false;
  int64_t app_activity_ns_ = 0;
  std::vector<kiosk_ui::Choice> choices_;
  int page_ = 0;
  std::map<std::string, std::string> menu_state_;  // kiosk-state.conf: what the admin chose
  std::string new_pin_;                            // kSetPin: the first entry of the new PIN
  kiosk::Mode select_mode_ = kiosk::Mode::kShop;   // the mode whose choices are on screen
  kiosk_ui::Status status_;

  std::thread job_;
  std::atomic<bool> job_done_{false};
  bool job_running_ = false;
  std::mutex job_mu_;
  JobOutcome job_outcome_;

  // The USB watcher's thread: sticks plugged in are handled without the admin menu.
  std::thread usb_thread_;
  base::UniqueFd usb_stop_;
  std::mutex usb_mu_;
  std::vector<std::vector<JobOutcome>> usb_news_;  // one entry per stick handled
  std::string banner_;
  bool banner_error_ = false;
  int64_t banner_until_ns_ = 0;

  // What was drawn last, for change detection, screenshots and script checks.
  kiosk_ui::View view_;
  bool drawn_ = false;
  std::string drawn_state_;        // StateName() when view_ was drawn
  int64_t screen_changed_ns_ = 0;  // when a view with another name was first drawn
  int shots_ = 0;
  Samples draw_ms_;
  Samples latency_ms_;
  int64_t pending_capture_ns_ = 0;
  std::string last_scan_text_;  // a camera scan waiting for its verdict to be drawn
  int64_t start_ns_ = 0;

  std::vector<kiosk_settings::ScriptCommand> script_;
  size_t script_pos_ = 0;
  bool script_started_ = false;
  int64_t script_deadline_ns_ = 0;
  size_t type_pos_ = 0;
  int64_t next_key_ns_ = 0;
  int exit_code_ = -1;
};

App::~App() {
  stop_ = true;
  if (usb_thread_.joinable()) {
    const uint64_t one = 1;
    if (::write(usb_stop_.get(), &one, sizeof one) != sizeof one) std::perror("kiosk: eventfd");
    usb_thread_.join();
  }
  if (evdev_thread_.joinable()) evdev_thread_.join();
  if (job_.joinable()) job_.join();
  pipeline_.reset();
  camera_.reset();
  if (sync_) sync_->Stop();
  sound_.reset();
  gfx_.reset();
  if (sdl_renderer_ != nullptr) SDL_DestroyRenderer(sdl_renderer_);
  if (window_ != nullptr) SDL_DestroyWindow(window_);
  TTF_Quit();
  SDL_Quit();
}

std::string App::AssetsDir() const {
  if (!cfg_.assets_dir.empty()) return cfg_.assets_dir;
  // Installed: <prefix>/bin/kiosk and <prefix>/share/cardkiosk/assets; in a build tree: the
  // source's assets/.
  const char* base = SDL_GetBasePath();
  std::string installed = base != nullptr ? std::string(base) + "../share/cardkiosk/assets" : "";
  if (base != nullptr) SDL_free(const_cast<char*>(base));
  struct stat st {};
  if (!installed.empty() && stat(installed.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return installed;
  return CK_SOURCE_ASSETS_DIR;
}

// Mode, partner/event and language chosen in the admin menu survive a restart: they are kept in
// <data_dir>/kiosk-state.conf, in the config file's syntax. Command-line flags still win.
void App::LoadDeviceState() {
  const std::string path = cfg_.data_dir + "/kiosk-state.conf";
  base::Result<std::string> text = base::ReadFile(path, 64 * 1024);
  if (!text.ok()) {
    if (text.status().code() != base::StatusCode::kNotFound)
      std::fprintf(stderr, "kiosk: ignoring %s\n", text.status().message().c_str());
    return;
  }
  // Same syntax and checks as the config file; only the keys the file names are taken.
  base::Result<kiosk_settings::AppConfig> st = kiosk_settings::ParseAppConfig(*text, path);
  if (!st.ok()) {
    std::fprintf(stderr, "kiosk: ignoring %s\n", st.status().message().c_str());
    return;
  }
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos || line.find('#') == line.find_first_not_of(" \t")) continue;
    std::string key = line.substr(0, eq);
    key.erase(std::remove_if(key.begin(), key.end(), [](char c) { return c == ' ' || c == '\t'; }),
              key.end());
    if (key == "mode") menu_state_["mode"] = st->mode;
    if (key == "partner") menu_state_["partner"] = st->partner;
    if (key == "event") menu_state_["event"] = st->event;
    if (key == "language") menu_state_["language"] = st->language;
  }
  if (!opt_.mode_fixed) {
    if (menu_state_.count("mode")) cfg_.mode = menu_state_["mode"];
    if (menu_state_.count("partner")) cfg_.partner = menu_state_["partner"];
    if (menu_state_.count("event")) cfg_.event = menu_state_["event"];
  }
  if (!opt_.language_fixed && menu_state_.count("language"))
    cfg_.language = menu_state_["language"];
}

// Writes what the admin chose in the menu, and only that: values from the config file or the
// command line are not frozen into the device's state.
void App::SaveDeviceState() {
  std::string text = "# Chosen in the kiosk's admin menu; overrides the config file.\n";
  for (const auto& [key, value] : menu_state_) text += key + " = " + value + "\n";
  base::Status st = base::WriteFileAtomic(cfg_.data_dir + "/kiosk-state.conf", text);
  if (!st.ok()) std::fprintf(stderr, "kiosk: %s\n", st.message().c_str());
}

void App::RebuildSession() {
  session_.reset();
  session_cfg_.mode = cfg_.mode == "event" ? kiosk::Mode::kEvent : kiosk::Mode::kShop;
  session_cfg_.partner_id = cfg_.partner;
  session_cfg_.event_id = cfg_.event;
  session_ = std::make_unique<kiosk::Session>(session_cfg_, *clock_, device_->verifier.get(),
                                              device_->registry.get(), *device_->journal);
  RefreshStatus();
}

void App::RefreshStatus() {
  status_.has_registry = device_->registry != nullptr;
  status_.place.clear();
  status_.attendance = -1;
  if (device_->registry) {
    const registry::Meta& m = device_->registry->meta();
    status_.registry_seq = m.seq;
    status_.registry_created = m.created;
    status_.registry_not_after = m.not_after;
    if (session_cfg_.mode == kiosk::Mode::kShop) {
      auto p = device_->registry->FindPartner(cfg_.partner);
      if (p.ok() && p->has_value()) status_.place = (*p)->name;
    } else {
      auto e = device_->registry->FindEvent(cfg_.event);
      if (e.ok() && e->has_value()) status_.place = (*e)->title;
    }
  }
  if (status_.place.empty())
    status_.place = session_cfg_.mode == kiosk::Mode::kShop ? cfg_.partner : cfg_.event;
  if (session_cfg_.mode == kiosk::Mode::kEvent) {
    auto n = device_->journal->Attendance(cfg_.event);
    status_.attendance = n.ok() ? *n : -1;
  }
  status_.network = sync_ != nullptr;
  status_.camera = !cfg_.camera.empty();
  status_.device_id = device_id_;
  status_.key_fingerprint = key_fingerprint_;
  status_.version = opt_.version;
  status_.journal_entries = device_->journal->last_seq();
  auto acked = device_->journal->AckedSeq();
  status_.journal_pending = status_.journal_entries - (acked.ok() ? *acked : 0);
}

void App::OpenCamera() {
  if (cfg_.camera.empty()) return;
  base::Result<std::unique_ptr<scanner::FrameSource>> src =
      base::Status(base::StatusCode::kNotFound, "");
  if (cfg_.camera.rfind("/dev/video", 0) == 0) {
    scanner::V4l2Options o;
    o.device = cfg_.camera;
    o.width = cfg_.camera_width;
    o.height = cfg_.camera_height;
    o.fps = cfg_.camera_fps;
    o.wait_for_device = true;  // a kiosk may boot before its camera is plugged in
    src = scanner::OpenV4l2Camera(o, sys_);
  } else {
    src = scanner::OpenRecording(cfg_.camera, cfg_.camera_fps, scanner::Pacing::kRealTime, sys_);
  }
  if (!src.ok()) {
    std::fprintf(stderr, "kiosk: camera: %s\n", src.status().message().c_str());
    return;
  }
  std::fprintf(stderr, "kiosk: %s\n", (*src)->Describe().c_str());
  camera_ = std::make_unique<PreviewTap>(std::move(*src), wake_event_);
  camera_running_ = true;
  const uint32_t wake = wake_event_;
  // A still scene with no card in it (the idle counter) is decoded 10 times a second instead of
  // at the camera's rate; any change in the picture is decoded at once.
  scanner::PipelineOptions po;
  po.still_retry_ms = kStillRetryMs;
  pipeline_ = std::make_unique<scanner::ScanPipeline>(
      *camera_, sys_, po,
      [this, wake](const scanner::ScanResult& r) {
        {
          std::lock_guard<std::mutex> lock(scans_mu_);
          scans_.push_back({r.text, r.capture_ns});
        }
        Wake(wake);
      },
      [this, wake](scanner::SourceState s) {
        camera_running_ = s == scanner::SourceState::kRunning;
        Wake(wake);
      });
}

void App::OpenScannerDevice() {
  if (cfg_.scanner_device.empty()) return;
  scanner::EvdevOptions o;
  base::Result<std::unique_ptr<scanner::EvdevWedgeReader>> r =
      scanner::EvdevWedgeReader::Open(cfg_.scanner_device, o, sys_);
  if (!r.ok()) {
    std::fprintf(stderr, "kiosk: scanner: %s\n", r.status().message().c_str());
    return;
  }
  evdev_ = std::move(*r);
  evdev_thread_ = std::thread([this] {
    // The scanner's own thread: poll its fd, hand finished scans to the UI thread.
    while (!stop_) {
      if (evdev_->state() != scanner::SourceState::kRunning) {
        for (int i = 0; i < 10 && !stop_; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        (void)evdev_->Reopen();
        continue;
      }
      pollfd p{evdev_->fd(), POLLIN, 0};
      const int t = evdev_->PollTimeoutMs();
      ::poll(&p, 1, t < 0 || t > 200 ? 200 : t);
      if (base::Status st = evdev_->Service(); !st.ok()) {
        std::fprintf(stderr, "kiosk: scanner: %s\n", st.message().c_str());
        return;
      }
      bool any = false;
      for (scanner::WedgeEvent& e : evdev_->TakeEvents()) {
        if (e.kind != scanner::WedgeEventKind::kScan) continue;
        std::lock_guard<std::mutex> lock(scans_mu_);
        scans_.push_back({std::move(e.text), 0});
        any = true;
      }
      if (any) {
        Wake(wake_event_);
      }
    }
  });
}

int App::Start() {
  start_ns_ = Now();
  if (!opt_.fake_clock.empty()) {
    base::Result<int64_t> t = base::ParseIso8601(opt_.fake_clock);
    if (!t.ok()) {
      std::fprintf(stderr, "kiosk: bad --fake-clock: %s\n", t.status().message().c_str());
      return kExitStartup;
    }
    auto f = std::make_unique<base::FakeClock>(*t);
    fake_ = f.get();
    clock_ = std::move(f);
  } else {
    clock_ = std::make_unique<base::SystemClock>();
  }
  LoadDeviceState();
  const std::string assets = AssetsDir();
  base::Result<kiosk_settings::Strings> strings =
      kiosk_settings::Strings::Load(assets + "/i18n", cfg_.language);
  if (!strings.ok()) {
    std::fprintf(stderr, "kiosk: %s\n", strings.status().message().c_str());
    return kExitStartup;
  }
  strings_ = std::move(*strings);
  const std::string theme_dir = cfg_.theme.empty() ? assets + "/theme" : cfg_.theme;
  base::Result<kiosk_settings::Theme> theme = kiosk_settings::LoadTheme(theme_dir);
  if (!theme.ok()) {
    std::fprintf(stderr, "kiosk: %s\n", theme.status().message().c_str());
    return kExitStartup;
  }
  theme_ = std::move(*theme);
  if (cfg_.mode == "shop" && cfg_.partner.empty()) {
    std::fprintf(stderr, "kiosk: shop mode needs a partner (--partner or `partner =`)\n");
    return kExitStartup;
  }
  if (cfg_.mode == "event" && cfg_.event.empty()) {
    std::fprintf(stderr, "kiosk: event mode needs an event (--event or `event =`)\n");
    return kExitStartup;
  }
  if (!opt_.script_path.empty()) {
    base::Result<std::vector<kiosk_settings::ScriptCommand>> s =
        kiosk_settings::LoadScript(opt_.script_path);
    if (!s.ok()) {
      std::fprintf(stderr, "kiosk: %s\n", s.status().message().c_str());
      return kExitStartup;
    }
    script_ = std::move(*s);
  }
  if (!opt_.screenshot_dir.empty()) {
    if (base::Status st = base::MakeDirs(opt_.screenshot_dir, 0755); !st.ok()) {
      std::fprintf(stderr, "kiosk: %s\n", st.message().c_str());
      return kExitStartup;
    }
  }

  base::Result<kiosk::Device> device = kiosk::Device::Open(cfg_.data_dir, *clock_);
  if (!device.ok()) {
    std::fprintf(stderr, "kiosk: cannot open %s: %s\n", cfg_.data_dir.c_str(),
                 device.status().message().c_str());
    return kExitStartup;
  }
  device_.emplace(std::move(*device));
  if (!device_->open_problem.empty())
    std::fprintf(stderr, "kiosk: no usable registry: %s\n", device_->open_problem.c_str());
  base::Result<kiosk_settings::AdminPin> pin =
      kiosk_settings::AdminPin::Open(cfg_.data_dir, *clock_);
  if (!pin.ok()) {
    std::fprintf(stderr, "kiosk: %s\n", pin.status().message().c_str());
    return kExitStartup;
  }
  pin_.emplace(std::move(*pin));
  if (auto id = ck_sync::LoadOrCreateDeviceId(base::PosixFs(), cfg_.data_dir); id.ok())
    device_id_ = *id;
  if (auto key = journal::LoadOrCreateDeviceKey(cfg_.data_dir); key.ok()) {
    if (auto pub = key->Public(); pub.ok()) {
      const card::Kid kid = pub->kid();
      key_fingerprint_ = base::ToHex(base::ByteSpan(kid.data(), kid.size()));
    }
  }
  if (!cfg_.trust.empty()) {
    base::Result<card::PublicKey> trusted = card::PublicKey::FromPemFile(cfg_.trust);
    if (!trusted.ok()) {
      std::fprintf(stderr, "kiosk: trust: %s\n", trusted.status().message().c_str());
      return kExitStartup;
    }
    trusted_ = std::move(*trusted);
  }
  session_cfg_.utc_offset_seconds = cfg_.utc_offset_seconds;
  session_cfg_.result_timeout_ms = cfg_.result_timeout_ms;
  session_cfg_.entry_timeout_ms = cfg_.entry_timeout_ms;
  session_cfg_.stale_registry =
      cfg_.stale_registry == "refuse" ? kiosk::StalePolicy::kRefuse : kiosk::StalePolicy::kWarn;

  // Video: SDL picks kmsdrm, x11, wayland or offscreen (SDL_VIDEODRIVER) as the system offers.
  SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");  // touches come as touches, not also as clicks
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
    std::fprintf(stderr, "kiosk: cannot start video: %s\n", SDL_GetError());
    return kExitStartup;
  }
  if (TTF_Init() != 0) {
    std::fprintf(stderr, "kiosk: fonts: %s\n", TTF_GetError());
    return kExitStartup;
  }
  // SDL falls back to its offscreen driver when there is no display at all: a kiosk nobody can
  // see is a mistake unless asked for (tests, the demo without a display).
  const char* asked = std::getenv("SDL_VIDEODRIVER");
  if (std::string_view(SDL_GetCurrentVideoDriver()) == "offscreen" &&
      (asked == nullptr || std::string_view(asked) != "offscreen")) {
    std::fprintf(stderr,
                 "kiosk: no display found (no X11 or Wayland session, no usable KMS device); "
                 "run it on the device's console or in a desktop session, or set "
                 "SDL_VIDEODRIVER=offscreen to run without a screen\n");
    return kExitStartup;
  }
  wake_event_ = SDL_RegisterEvents(1);
  Uint32 flags = SDL_WINDOW_SHOWN | SDL_WINDOW_ALLOW_HIGHDPI;
  if (cfg_.fullscreen) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
  window_ = SDL_CreateWindow("cardkiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                             cfg_.window_width, cfg_.window_height, flags);
  if (window_ == nullptr) {
    std::fprintf(stderr, "kiosk: cannot open a window: %s\n", SDL_GetError());
    return kExitStartup;
  }
  sdl_renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_ACCELERATED);
  if (sdl_renderer_ == nullptr) sdl_renderer_ = SDL_CreateRenderer(window_, -1, 0);
  if (sdl_renderer_ == nullptr) {
    std::fprintf(stderr, "kiosk: cannot draw: %s\n", SDL_GetError());
    return kExitStartup;
  }
  SDL_GetRendererOutputSize(sdl_renderer_, &width_, &height_);
  if (cfg_.fullscreen) SDL_ShowCursor(SDL_DISABLE);  // a touch kiosk: no pointer on screen
  SDL_RendererInfo info{};
  SDL_GetRendererInfo(sdl_renderer_, &info);
  std::fprintf(stderr, "kiosk: video %s, renderer %s, %dx%d\n", SDL_GetCurrentVideoDriver(),
               info.name, width_, height_);
  const std::string logo = theme_.logo_path;
  base::Result<std::unique_ptr<Renderer>> gfx = Renderer::Create(
      sdl_renderer_, assets + "/fonts/DejaVuSans.ttf", assets + "/fonts/DejaVuSans-Bold.ttf", logo);
  if (!gfx.ok()) {
    std::fprintf(stderr, "kiosk: %s\n", gfx.status().message().c_str());
    return kExitStartup;
  }
  gfx_ = std::move(*gfx);
  sound_ = std::make_unique<Sound>(cfg_.sound_volume);
  if (!sound_->available()) std::fprintf(stderr, "kiosk: %s\n", sound_->problem().c_str());
  SDL_StartTextInput();

  if (!cfg_.hub.empty()) {
    if (!trusted_) {
      std::fprintf(stderr, "kiosk: network sync (hub) needs `trust` (the bundle key)\n");
      return kExitStartup;
    }
    ck_sync::BackgroundSyncOptions o{.trusted = *trusted_,
                                     .interval = std::chrono::seconds(cfg_.sync_interval_seconds)};
    o.net.data_dir = cfg_.data_dir;
    o.net.device_id = device_id_;
    o.net.transport.hub_url = cfg_.hub;
    o.net.transport.hub_cert_path = cfg_.hub_cert;
    const uint32_t wake = wake_event_;
    sync_ = std::make_unique<ck_sync::BackgroundSync>(
        base::PosixFs(), *clock_, std::move(o), [this, wake](const ck_sync::SyncReport& r) {
          if (r.pull.state == ck_sync::PullReport::State::kApplied) registry_changed_ = true;
          for (const std::string& line : r.Lines())
            std::fprintf(stderr, "kiosk: sync: %s\n", line.c_str());
          Wake(wake);
        });
    sync_->Start();
  }
  RebuildSession();
  StartUsbWatch();
  OpenCamera();
  OpenScannerDevice();
  return 0;
}

// ---- input -------------------------------------------------------------------------------

void App::Handle(const SDL_Event& ev) {
  switch (ev.type) {
    case SDL_QUIT:
      exit_code_ = 0;
      break;
    case SDL_TEXTINPUT:
      wedge_.OnText(ev.text.text, EventNs(ev.text.timestamp));
      break;
    case SDL_KEYDOWN:
      HandleKey(ev.key);
      break;
    case SDL_MOUSEBUTTONDOWN:
      if (ev.button.which != SDL_TOUCH_MOUSEID && ev.button.button == SDL_BUTTON_LEFT) {
        // Mouse positions are in window points; the layout is in drawable pixels (HiDPI).
        int ww = 0, wh = 0;
        SDL_GetWindowSize(window_, &ww, &wh);
        HandleTouch(ww > 0 ? ev.button.x * width_ / ww : ev.button.x,
                    wh > 0 ? ev.button.y * height_ / wh : ev.button.y);
      }
      break;
    case SDL_FINGERDOWN:
      HandleTouch(static_cast<int>(ev.tfinger.x * static_cast<float>(width_)),
                  static_cast<int>(ev.tfinger.y * static_cast<float>(height_)));
      break;
    case SDL_WINDOWEVENT:
      if (ev.window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
          ev.window.event == SDL_WINDOWEVENT_EXPOSED) {
        SDL_GetRendererOutputSize(sdl_renderer_, &width_, &height_);
        drawn_ = false;
      }
      break;
    default:
      break;
  }
}

void App::HandleKey(const SDL_KeyboardEvent& key) {
  const int64_t t = EventNs(key.timestamp);
  // A held key repeats: only Backspace may (deleting several digits); a held Enter must not walk
  // through amount, confirm and result.
  if (key.repeat != 0 && key.keysym.sym != SDLK_BACKSPACE) return;
  switch (key.keysym.sym) {
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
      wedge_.OnEnter(t);  // the '\n' of the typed text (or the end of a scan) acts
      break;
    case SDLK_TAB:
      wedge_.OnTab(t);
      break;
    case SDLK_BACKSPACE:
      wedge_.Flush(t);
      HandleWedge();
      KeypadKey("back");
      break;
    case SDLK_ESCAPE:
      wedge_.Flush(t);
      HandleWedge();
      if (!InputSettling()) Back();
      break;
    case SDLK_F2:
      wedge_.Flush(t);
      HandleWedge();
      HandleButton("admin");
      break;
    default:
      break;
  }
}

// True while what is on screen is not what the next touch or Enter would act on: the state moved
// since the last drawing (a second tap in the same batch of events), or the screen changed less
// than kInputSettleNs ago.
bool App::InputSettling() const {
  return !drawn_ || StateName() != drawn_state_ || Now() - screen_changed_ns_ < kInputSettleNs;
}

void App::HandleTouch(int x, int y) {
  if (InputSettling()) return;
  const kiosk_ui::Element* b = view_.ButtonAt(x, y);
  if (b != nullptr) HandleButton(b->id);
}

void App::HandleWedge() {
  for (scanner::WedgeEvent& e : wedge_.TakeEvents()) {
    if (e.kind == scanner::WedgeEventKind::kScan) {
      HandleScan({std::move(e.text), 0});
    } else if (e.kind == scanner::WedgeEventKind::kTypedText) {
      HandleTyped(e.text);
    } else {
      std::fprintf(stderr, "kiosk: scan discarded: %s\n", e.status.message().c_str());
    }
  }
}

void App::HandleTyped(const std::string& text) {
  // A person types digits, a comma and Enter here. Anything else (a scanner burst cut in two by
  // a stalled UI, letters) is not an amount: none of it is taken, its Enter included.
  for (char c : text)
    if (!((c >= '0' && c <= '9') || c == ',' || c == '.' || c == '\n' || c == ' ')) return;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      KeypadKey(std::string(1, c));
    } else if (c == ',' || c == '.') {
      KeypadKey(",");
    } else if (c == '\n' && !InputSettling()) {
      Ok();
    }
  }
}

void App::HandleScan(const PendingScan& scan) {
  // A card shown while a customer is being served (amount, confirm) or while the admin works is
  // not for this screen: only an idle or result screen takes the next card.
  const kiosk::State s = session_->screen().state;
  if (app_ != AppScreen::kSession || (s != kiosk::State::kIdle && s != kiosk::State::kResult))
    return;
  // A scanner in continuous mode reads the card again and again: the same card while its own
  // result is on screen is the same customer, not a second check-in.
  if (s == kiosk::State::kResult && scan.text == last_scan_text_) return;
  last_scan_text_ = scan.text;
  entry_.clear();
  notice_.clear();
  const kiosk::State before = s;
  session_->Scan(scan.text);
  pending_capture_ns_ = scan.capture_ns;
  AfterSession(before);
}

// Sounds and bookkeeping after the session moved.
void App::AfterSession(kiosk::State before) {
  const kiosk::Screen& sc = session_->screen();
  if (sc.state == kiosk::State::kResult) {
    sound_->Play(kiosk_ui::ToneOf(sc.outcome));
    if (session_cfg_.mode == kiosk::Mode::kEvent && sc.attendance >= 0)
      status_.attendance = sc.attendance;
    if (sc.entry_seq > 0) status_.journal_entries = sc.entry_seq;
  } else if (sc.state == kiosk::State::kAmountEntry && before != kiosk::State::kAmountEntry) {
    sound_->Play(kiosk_ui::Tone::kValid);
  }
}

void App::KeypadKey(const std::string& key) {
  app_activity_ns_ = Now();
  if (app_ == AppScreen::kPin || app_ == AppScreen::kSetPin) {
    if (key == "back") {
      if (!entry_.empty()) entry_.pop_back();
    } else if (key == "clear") {
      entry_.clear();
    } else if (key.size() == 1 && key[0] >= '0' && key[0] <= '9' && entry_.size() < 12) {
      entry_ += key;
    }
    return;
  }
  if (app_ == AppScreen::kSession && session_->screen().state == kiosk::State::kAmountEntry) {
    kiosk_ui::EditAmount(&entry_, key);
    session_->KeepAlive();  // typing the amount is activity: the screen must not time out
  }
}

void App::Ok() {
  app_activity_ns_ = Now();
  if ((app_ == AppScreen::kPin || app_ == AppScreen::kSetPin) && entry_.size() < 4) {
    // Too short to be a PIN: not a try (a passer-by tapping OK must not lock the admin out).
    notice_ = strings_.Get("pin.too_short");
    notice_error_ = true;
    entry_.clear();
    return;
  }
  if (app_ == AppScreen::kPin) {
    base::Result<kiosk_settings::PinCheck> r = pin_->Check(entry_);
    entry_.clear();
    if (!r.ok()) {
      notice_ = r.status().message();
      notice_error_ = true;
    } else if (*r == kiosk_settings::PinCheck::kOk) {
      app_ = AppScreen::kAdmin;
      notice_.clear();
      RefreshStatus();
    } else if (*r == kiosk_settings::PinCheck::kLockedOut || pin_->LockedForSeconds() > 0) {
      notice_ =
          strings_.Format("pin.locked", {{"seconds", std::to_string(pin_->LockedForSeconds())}});
      notice_error_ = true;
    } else {
      notice_ = strings_.Format("pin.wrong",
                                {{"left", std::to_string(std::max(0, 3 - pin_->failures()))}});
      notice_error_ = true;
    }
    return;
  }
  if (app_ == AppScreen::kSetPin) {
    // Typed twice: one slip must not set a PIN nobody knows.
    if (new_pin_.empty()) {
      new_pin_ = entry_;
      entry_.clear();
      notice_.clear();
      return;
    }
    const bool same = new_pin_ == entry_;
    base::Status st = same ? pin_->Set(entry_) : base::Status();
    entry_.clear();
    new_pin_.clear();
    app_ = AppScreen::kAdmin;
    notice_ = !same     ? strings_.Get("admin.pin_mismatch")
              : st.ok() ? strings_.Get("admin.pin_changed")
                        : st.message();
    notice_error_ = !same || !st.ok();
    return;
  }
  if (app_ != AppScreen::kSession) return;
  const kiosk::State before = session_->screen().state;
  if (before == kiosk::State::kAmountEntry) {
    const int64_t minor = kiosk_ui::AmountMinor(entry_);
    if (minor < 0) return;
    session_->Amount(minor);
    AfterSession(before);
  } else if (before == kiosk::State::kConfirm) {
    session_->Confirm();
    entry_.clear();
    AfterSession(before);
  } else if (before == kiosk::State::kResult) {
    session_->Cancel();
  }
}

void App::Back() {
  app_activity_ns_ = Now();
  entry_.clear();
  switch (app_) {
    case AppScreen::kPin:
      app_ = AppScreen::kSession;
      notice_.clear();
      return;
    case AppScreen::kAdmin:
      if (job_running_) return;
      app_ = AppScreen::kSession;
      notice_.clear();
      session_->Cancel();
      return;
    case AppScreen::kAdminSelect:
    case AppScreen::kSetPin:
      app_ = AppScreen::kAdmin;
      new_pin_.clear();
      notice_.clear();
      return;
    case AppScreen::kSession:
      if (session_->screen().state != kiosk::State::kIdle) session_->Cancel();
      return;
  }
}

void App::HandleButton(const std::string& id) {
  app_activity_ns_ = Now();
  if (id.rfind("key_", 0) == 0) {
    KeypadKey(id.substr(4));
    return;
  }
  if (id == "ok" || id == "confirm") return Ok();
  if (id == "cancel" || id == "back" || id == "close") return Back();
  if (id == "admin") {
    if (app_ != AppScreen::kSession) return;
    const kiosk::State s = session_->screen().state;
    if (s == kiosk::State::kAmountEntry || s == kiosk::State::kConfirm) return;  // customer first
    app_ = AppScreen::kPin;
    entry_.clear();
    notice_.clear();
    if (pin_->LockedForSeconds() > 0) {
      notice_ =
          strings_.Format("pin.locked", {{"seconds", std::to_string(pin_->LockedForSeconds())}});
      notice_error_ = true;
    }
    return;
  }
  if (app_ == AppScreen::kAdminSelect && (id == "prev" || id == "next")) {
    const int pages = (static_cast<int>(choices_.size()) + kiosk_ui::kChoicesPerPage - 1) /
                      kiosk_ui::kChoicesPerPage;
    page_ = std::clamp(page_ + (id == "next" ? 1 : -1), 0, std::max(0, pages - 1));
    return;
  }
  if (app_ == AppScreen::kAdminSelect && id.rfind("choice_", 0) == 0) {
    const std::string choice = id.substr(7);
    if (select_mode_ == kiosk::Mode::kShop) {
      cfg_.mode = "shop";
      cfg_.partner = choice;
      menu_state_["partner"] = choice;
    } else {
      cfg_.mode = "event";
      cfg_.event = choice;
      menu_state_["event"] = choice;
    }
    menu_state_["mode"] = cfg_.mode;
    SaveDeviceState();
    RebuildSession();
    app_ = AppScreen::kAdmin;
    notice_.clear();
    return;
  }
  // One admin action at a time: nothing changes under a running import or export.
  if (app_ != AppScreen::kAdmin || job_running_) return;
  if (id == "import_usb" || id == "export_usb") {
    StartAdminJob(id);
  } else if (id == "sync_now") {
    if (sync_) {
      sync_->Wake();
      notice_ = strings_.Get("admin.sync_started");
    } else {
      notice_ = strings_.Get("admin.sync_off");
    }
    notice_error_ = false;
  } else if (id == "mode") {
    // The other mode takes effect when its partner or event is chosen; Back keeps this one.
    OpenSelect(session_cfg_.mode == kiosk::Mode::kShop ? kiosk::Mode::kEvent : kiosk::Mode::kShop);
  } else if (id == "select") {
    OpenSelect(session_cfg_.mode);
  } else if (id == "language") {
    size_t i = 0;
    while (i < std::size(kiosk_settings::kLanguages) &&
           kiosk_settings::kLanguages[i] != cfg_.language)
      ++i;
    const std::string next(
        kiosk_settings::kLanguages[(i + 1) % std::size(kiosk_settings::kLanguages)]);
    base::Result<kiosk_settings::Strings> s =
        kiosk_settings::Strings::Load(AssetsDir() + "/i18n", next);
    if (s.ok()) {
      strings_ = std::move(*s);
      cfg_.language = next;
      menu_state_["language"] = next;
      SaveDeviceState();
      notice_.clear();
    } else {
      notice_ = s.status().message();
      notice_error_ = true;
    }
  } else if (id == "set_pin") {
    app_ = AppScreen::kSetPin;
    entry_.clear();
    new_pin_.clear();
    notice_.clear();
  }
}

void App::OpenSelect(kiosk::Mode mode) {
  select_mode_ = mode;
  page_ = 0;
  choices_.clear();
  notice_.clear();
  if (device_->registry) {
    if (mode == kiosk::Mode::kShop) {
      if (auto list = device_->registry->ListPartners(kMaxChoices); list.ok())
        for (const registry::Partner& p : *list)
          choices_.push_back({p.partner_id, p.name + " (" + p.partner_id + ")"});
    } else {
      if (auto list = device_->registry->ListEvents(kMaxChoices); list.ok())
        for (const registry::Event& e : *list)
          choices_.push_back({e.event_id, e.title + " (" + e.event_id + ")"});
    }
  }
  if (choices_.empty()) {
    notice_ = strings_.Get("admin.registry_none");
    notice_error_ = true;
  }
  app_ = AppScreen::kAdminSelect;
}

// Import from / export to every USB stick under usb_mount_dir, on a worker thread so the screen
// stays alive; the registry is switched on the UI thread when the job is done.
void App::StartAdminJob(const std::string& what) {
  if (job_running_) return;
  const bool do_export = what == "export_usb";
  if (!trusted_) {
    // Without the bundle key the stick's bundles cannot be checked, so nothing is read from it.
    notice_ = strings_.Format(do_export ? "admin.export_failed" : "admin.usb_failed",
                              {{"why", "no `trust` key in the config"}});
    notice_error_ = true;
    return;
  }
  if (job_.joinable()) job_.join();
  job_running_ = true;
  job_done_ = false;
  notice_ = strings_.Get("admin.usb_working");
  notice_error_ = false;
  // The worker gets copies of what it needs and reports plain data; the UI thread words it.
  job_ = std::thread([this, do_export, data_dir = cfg_.data_dir, mount_dir = cfg_.usb_mount_dir,
                      device_id = device_id_, trusted = *trusted_] {
    std::vector<JobOutcome> news;  // of every stick
    bundle::Importer importer(base::PosixFs(), *clock_, data_dir, trusted);
    ck_sync::UsbWatcher watcher(base::PosixFs(), *clock_, importer, trusted,
                                StickOptions(mount_dir, data_dir, device_id, do_export, *clock_,
                                             [&news](std::vector<JobOutcome> stick) {
                                               news.insert(news.end(), stick.begin(), stick.end());
                                             }));
    base::Result<std::vector<ck_sync::VolumeResult>> r = watcher.ProcessAllOnce();
    // One line for the admin: the last import if any, else the first refusal; for an export,
    // written if any stick got the journal, else the first reason why not.
    auto find = [&news](std::string_view key) -> const JobOutcome* {
      for (const JobOutcome& o : news)
        if (o.key == key) return &o;
      return nullptr;
    };
    JobOutcome out;
    if (!r.ok() || r->empty()) {
      out = {"admin.usb_no_stick", "dir", mount_dir, true};
    } else if (do_export) {
      const JobOutcome* done = find("admin.export_done");
      const JobOutcome* failed = find("admin.export_failed");
      out = done != nullptr     ? *done
            : failed != nullptr ? *failed
                                : JobOutcome{"admin.export_failed", "why", "-", true};
    } else {
      const JobOutcome* failed = find("admin.usb_failed");
      out = failed != nullptr ? *failed : JobOutcome{"admin.usb_nothing", "", "", false};
      for (const JobOutcome& o : news)
        if (o.key == "admin.usb_imported") out = o;
    }
    if (find("admin.usb_imported") != nullptr) registry_changed_ = true;
    {
      std::lock_guard<std::mutex> lock(job_mu_);
      job_outcome_ = std::move(out);
    }
    job_done_ = true;
    Wake(wake_event_);
  });
}

void App::FinishAdminJob() {
  if (!job_running_ || !job_done_) return;
  job_.join();
  job_running_ = false;
  JobOutcome out;
  {
    std::lock_guard<std::mutex> lock(job_mu_);
    out = job_outcome_;
  }
  notice_ =
      out.arg.empty() ? strings_.Get(out.key) : strings_.Format(out.key, {{out.arg, out.value}});
  notice_error_ = out.error;
  app_activity_ns_ = Now();  // the admin gets to read the outcome
  RefreshStatus();
}

// Watches usb_mount_dir on its own thread (UsbWatcher::Run: inotify and the mount table, no
// polling): the newest signed bundle on a stick is applied and this device's journal written to
// it, as `cardctl usb-watch --export-journal` does; the idle screen says what happened.
void App::StartUsbWatch() {
  if (!cfg_.usb_watch || !trusted_) return;
  usb_stop_ = base::UniqueFd(::eventfd(0, EFD_CLOEXEC));
  if (usb_stop_.get() < 0) {
    std::perror("kiosk: eventfd");
    return;
  }
  usb_thread_ = std::thread([this, data_dir = cfg_.data_dir, mount_dir = cfg_.usb_mount_dir,
                             device_id = device_id_, trusted = *trusted_] {
    bundle::Importer importer(base::PosixFs(), *clock_, data_dir, trusted);
    ck_sync::UsbWatcher watcher(base::PosixFs(), *clock_, importer, trusted,
                                StickOptions(mount_dir, data_dir, device_id, /*with_export=*/true,
                                             *clock_, [this](std::vector<JobOutcome> stick) {
                                               for (const JobOutcome& o : stick)
                                                 if (o.key == "admin.usb_imported")
                                                   registry_changed_ = true;
                                               {
                                                 std::lock_guard<std::mutex> lock(usb_mu_);
                                                 usb_news_.push_back(std::move(stick));
                                               }
                                               Wake(wake_event_);
                                             }));
    if (base::Status st = watcher.Run(usb_stop_.get()); !st.ok())
      std::fprintf(stderr, "kiosk: not watching %s for USB sticks: %s\n", mount_dir.c_str(),
                   st.message().c_str());
  });
}

// What the USB watcher did, in words, on the idle screen for 15 s (and in the admin menu).
void App::TakeUsbNews() {
  std::vector<std::vector<JobOutcome>> news;
  {
    std::lock_guard<std::mutex> lock(usb_mu_);
    news.swap(usb_news_);
  }
  for (const std::vector<JobOutcome>& stick : news) {
    std::string text = "USB:";
    bool error = false;
    for (const JobOutcome& o : stick) {
      text += ' ';
      text += o.arg.empty() ? strings_.Get(o.key) : strings_.Format(o.key, {{o.arg, o.value}});
      error = error || o.error;
    }
    if (stick.empty()) text += ' ' + strings_.Get("admin.usb_nothing");
    banner_ = text;
    banner_error_ = error;
    banner_until_ns_ = Now() + 15'000'000'000;
    if (app_ == AppScreen::kAdmin) {
      notice_ = text;
      notice_error_ = error;
    }
  }
  if (!banner_.empty() && Now() >= banner_until_ns_) banner_.clear();
}

// ---- script ------------------------------------------------------------------------------

void App::PushText(const std::string& text) {
  // One event per character, as a scanner types them; SDL stamps each with the time it is
  // queued, so the assembler sees machine-speed gaps.
  for (size_t i = 0; i < text.size();) {
    // Whole UTF-8 characters (1-4 bytes), never a character cut in two.
    const auto lead = static_cast<unsigned char>(text[i]);
    const size_t len = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    SDL_Event ev{};
    ev.type = SDL_TEXTINPUT;
    ev.text.timestamp = static_cast<Uint32>(SDL_GetTicks64());
    const size_t n = std::min(len, text.size() - i);
    std::memcpy(ev.text.text, text.data() + i, n);
    SDL_PushEvent(&ev);
    i += n;
  }
}

void App::PushKey(SDL_Keycode key) {
  SDL_Event ev{};
  ev.type = SDL_KEYDOWN;
  ev.key.timestamp = static_cast<Uint32>(SDL_GetTicks64());
  ev.key.state = SDL_PRESSED;
  ev.key.keysym.sym = key;
  SDL_PushEvent(&ev);
}

void App::PushTouch(int x, int y) {
  SDL_Event ev{};
  ev.type = SDL_MOUSEBUTTONDOWN;
  ev.button.timestamp = static_cast<Uint32>(SDL_GetTicks64());
  ev.button.button = SDL_BUTTON_LEFT;
  ev.button.state = SDL_PRESSED;
  ev.button.x = x;
  ev.button.y = y;
  SDL_PushEvent(&ev);
}

int App::ScriptFail(const std::string& why) {
  const kiosk_settings::ScriptCommand& c = script_[script_pos_];
  std::fprintf(stderr, "kiosk: script line %d: %s (screen %s)\n", c.line, why.c_str(),
               view_.name.c_str());
  exit_code_ = kExitScript;
  return kExitScript;
}

std::string App::StateName() const {
  switch (app_) {
    case AppScreen::kPin:
      return "pin";
    case AppScreen::kSetPin:
      return "set-pin";
    case AppScreen::kAdmin:
      return "admin";
    case AppScreen::kAdminSelect:
      return "admin-select";
    case AppScreen::kSession:
      break;
  }
  return std::string(kiosk::StateName(session_->screen().state));
}

// Runs script commands while they complete at once; a wait or sleep holds the script until a
// later turn of the loop.
void App::RunScript() {
  using kiosk_settings::ScriptOp;
  while (exit_code_ < 0 && script_pos_ < script_.size()) {
    const kiosk_settings::ScriptCommand& c = script_[script_pos_];
    if (c.op == ScriptOp::kWait || c.op == ScriptOp::kWaitText || c.op == ScriptOp::kSleep) {
      const int64_t now = Now();
      if (!script_started_) {
        script_started_ = true;
        script_deadline_ns_ = now + static_cast<int64_t>(c.seconds * 1e9);
      }
      if (c.op == ScriptOp::kWaitText) {
        if (drawn_ && view_.Shows(c.text)) {
          script_started_ = false;
          ++script_pos_;
          continue;
        }
        if (now >= script_deadline_ns_) {
          ScriptFail("timed out waiting for \"" + c.text + "\" on screen; it shows:\n" +
                     view_.AllText());
          return;
        }
        return;
      }
      if (c.op == ScriptOp::kWait) {
        // The state must be on screen (drawn), not only decided.
        bool scans_waiting = false;
        {
          std::lock_guard<std::mutex> lock(scans_mu_);
          scans_waiting = !scans_.empty();
        }
        if (drawn_ && (drawn_state_ == c.text || view_.name == c.text) && !scans_waiting &&
            wedge_.idle()) {
          script_started_ = false;
          ++script_pos_;
          continue;
        }
        if (now >= script_deadline_ns_) {
          ScriptFail("timed out waiting for " + c.text);
          return;
        }
        return;
      }
      if (now < script_deadline_ns_) return;
      script_started_ = false;
      ++script_pos_;
      continue;
    }
    // Scripted touches and keys wait until the screen has settled, as a person's would.
    const bool input = c.op == ScriptOp::kPress || c.op == ScriptOp::kTap ||
                       c.op == ScriptOp::kKey || c.op == ScriptOp::kType;
    if (input && InputSettling()) return;
    switch (c.op) {
      case ScriptOp::kScan:
        PushText(c.text);
        PushKey(SDLK_RETURN);
        break;
      case ScriptOp::kType:
        // A person types: one key per turn, a person's gap (150 ms) apart, each stamped by SDL
        // with the time it was queued, so the assembler sees typing, not a scan.
        if (type_pos_ < c.text.size()) {
          const int64_t now = Now();
          if (now < next_key_ns_) return;
          PushText(c.text.substr(type_pos_++, 1));
          next_key_ns_ = now + 150 * kMs;
          return;
        }
        type_pos_ = 0;
        break;
      case ScriptOp::kKey: {
        const SDL_Keycode k = SDL_GetKeyFromName(c.text.c_str());
        if (k == SDLK_UNKNOWN) {
          ScriptFail("unknown key " + c.text);
          return;
        }
        if (c.text.size() == 1) {
          // A printable key types its character too, as on a real keyboard.
          PushKey(k);
          PushText(c.text);
        } else {
          PushKey(k);
        }
        break;
      }
      case ScriptOp::kPress: {
        const kiosk_ui::Element* b = view_.Button(c.text);
        if (b == nullptr) {
          ScriptFail("no button " + c.text + " on screen");
          return;
        }
        PushTouch(b->rect.x + b->rect.w / 2, b->rect.y + b->rect.h / 2);
        break;
      }
      case ScriptOp::kTap:
        PushTouch(c.x, c.y);
        break;
      case ScriptOp::kAdvance:
        if (fake_ == nullptr) {
          ScriptFail("advance needs --fake-clock");
          return;
        }
        fake_->AdvanceNanos(static_cast<int64_t>(c.seconds * 1e9));
        break;
      case ScriptOp::kScreenshot:
        Present(true, c.text);
        break;
      case ScriptOp::kExpect:
        if (!view_.Shows(c.text)) {
          ScriptFail("expected \"" + c.text + "\" on screen; it shows:\n" + view_.AllText());
          return;
        }
        break;
      case ScriptOp::kQuit:
        exit_code_ = 0;
        return;
      case ScriptOp::kWait:
      case ScriptOp::kWaitText:
      case ScriptOp::kSleep:
        break;
    }
    ++script_pos_;
    // Input was queued: let the loop handle it before the next command looks at the screen.
    if (c.op != ScriptOp::kAdvance && c.op != ScriptOp::kExpect && c.op != ScriptOp::kScreenshot)
      return;
  }
}

// ---- drawing -----------------------------------------------------------------------------

kiosk_ui::Model App::MakeModel() const {
  kiosk_ui::Model m;
  m.screen = session_->screen();
  m.mode = app_ == AppScreen::kAdminSelect ? select_mode_ : session_cfg_.mode;
  m.app = app_;
  m.entry = entry_;
  m.notice = notice_;
  m.notice_is_error = notice_error_;
  m.busy = job_running_;
  m.banner = banner_;
  m.banner_is_error = banner_error_;
  m.pin_is_default = pin_->is_default();
  m.choices = choices_;
  m.page = page_;
  m.pin_repeat = app_ == AppScreen::kSetPin && !new_pin_.empty();
  m.status = status_;
  m.status.registry_stale =
      status_.has_registry && clock_->NowUnixSeconds() >= status_.registry_not_after;
  m.status.last_sync = sync_ ? sync_->last_success() : 0;
  m.status.camera_running = camera_running_;
  m.now = clock_->NowUnixSeconds();
  m.utc_offset_seconds = cfg_.utc_offset_seconds;
  m.has_logo = gfx_->has_logo();
  return m;
}

void App::Screenshot(const std::string& name) {
  if (opt_.screenshot_dir.empty()) return;
  std::vector<uint8_t> rgb(static_cast<size_t>(width_) * static_cast<size_t>(height_) * 3);
  if (SDL_RenderReadPixels(sdl_renderer_, nullptr, SDL_PIXELFORMAT_RGB24, rgb.data(), width_ * 3) !=
      0) {
    std::fprintf(stderr, "kiosk: screenshot: %s\n", SDL_GetError());
    return;
  }
  const std::string path = opt_.screenshot_dir + "/" + name + ".png";
  base::Status st = WriteRgbPng(path, width_, height_, rgb.data(), width_ * 3);
  if (!st.ok()) std::fprintf(stderr, "kiosk: %s\n", st.message().c_str());
}

void App::Present(bool force, const std::string& shot) {
  kiosk_ui::View view = kiosk_ui::BuildView(MakeModel(), strings_, theme_, width_, height_);
  const bool changed = !drawn_ || !(view == view_);
  if (!changed && !preview_dirty_ && !force) return;
  const int64_t t0 = Now();
  gfx_->Draw(view);
  if (!drawn_ || view.name != view_.name) screen_changed_ns_ = Now();
  view_ = std::move(view);
  drawn_ = true;
  drawn_state_ = StateName();
  preview_dirty_ = false;
  // Read back before presenting: after SDL_RenderPresent the back buffer is undefined.
  if (changed && !opt_.screenshot_dir.empty()) {
    char name[96];
    std::snprintf(name, sizeof name, "%04d-%s", ++shots_, view_.name.c_str());
    Screenshot(name);
  }
  if (!shot.empty()) Screenshot(shot);
  SDL_RenderPresent(sdl_renderer_);
  const int64_t t1 = Now();
  draw_ms_.Add(static_cast<double>(t1 - t0) / 1e6);
  if (changed) {
    const kiosk::Screen& sc = session_->screen();
    nlohmann::json j = {{"t_ms", (t1 - start_ns_) / kMs},
                        {"screen", view_.name},
                        {"state", StateName()},
                        {"draw_ms", static_cast<double>(t1 - t0) / 1e6}};
    if (!sc.verdict.empty()) j["verdict"] = sc.verdict;
    if (!sc.decision.empty()) j["decision"] = sc.decision;
    if (sc.entry_seq > 0) j["entry_seq"] = sc.entry_seq;
    if (sc.discount_minor > 0) j["discount_minor"] = sc.discount_minor;
    if (pending_capture_ns_ > 0 && app_ == AppScreen::kSession && sc.state != kiosk::State::kIdle) {
      const double ms = static_cast<double>(t1 - pending_capture_ns_) / 1e6;
      latency_ms_.Add(ms);
      j["frame_to_screen_ms"] = ms;
      pending_capture_ns_ = 0;
    }
    std::printf("%s\n", j.dump().c_str());
    std::fflush(stdout);
  }
}

int App::NextTimeoutMs() {
  const int64_t now = TicksNs();
  int timeout = 1000 - static_cast<int>(SDL_GetTicks64() % 1000);  // the clock on screen, Tick()
  const int wedge = wedge_.PollTimeoutMs(now);
  if (wedge >= 0) timeout = std::min(timeout, wedge);
  if (session_->screen().state == kiosk::State::kResult) timeout = std::min(timeout, 100);
  if (job_running_) timeout = std::min(timeout, 100);
  if (!banner_.empty()) {
    timeout = std::min(
        timeout, static_cast<int>(std::max<int64_t>(0, (banner_until_ns_ - Now()) / kMs + 1)));
  }
  if (camera_ && PreviewShown() && camera_->HasFresh()) {
    const int64_t due = last_preview_ns_ + kPreviewIntervalNs - Now();
    timeout = std::min(timeout, static_cast<int>(std::max<int64_t>(0, due / kMs + 1)));
  }
  if (script_pos_ < script_.size()) {
    const kiosk_settings::ScriptCommand& c = script_[script_pos_];
    const bool waiting =
        c.op == kiosk_settings::ScriptOp::kWait || c.op == kiosk_settings::ScriptOp::kWaitText ||
        c.op == kiosk_settings::ScriptOp::kSleep || c.op == kiosk_settings::ScriptOp::kType;
    timeout = std::min(timeout, waiting || InputSettling() ? 10 : 0);
  }
  if (opt_.quit_after_seconds > 0) {
    const int64_t left = start_ns_ + static_cast<int64_t>(opt_.quit_after_seconds * 1e9) - Now();
    timeout = static_cast<int>(std::min<int64_t>(timeout, std::max<int64_t>(0, left / kMs + 1)));
  }
  return std::max(0, timeout);
}

int App::Run() {
  if (int rc = Start(); rc != 0) return rc;
  while (exit_code_ < 0) {
    SDL_Event ev;
    if (SDL_WaitEventTimeout(&ev, NextTimeoutMs()) != 0) {
      do {
        if (ev.type != wake_event_) Handle(ev);
      } while (exit_code_ < 0 && SDL_PollEvent(&ev) != 0);
    }
    wedge_.Poll(TicksNs());
    HandleWedge();
    std::deque<PendingScan> scans;
    {
      std::lock_guard<std::mutex> lock(scans_mu_);
      scans.swap(scans_);
    }
    for (const PendingScan& s : scans) HandleScan(s);
    // The preview is redrawn at most kPreviewFps times a second: enough to aim a card, and
    // half the drawing of a 30 fps camera (the decoder still sees every frame).
    if (camera_ && PreviewShown() && Now() - last_preview_ns_ >= kPreviewIntervalNs) {
      int w = 0, h = 0;
      if (camera_->Take(&preview_pixels_, &w, &h)) {
        gfx_->SetPreview(preview_pixels_.data(), w, h, w);
        preview_dirty_ = true;
        last_preview_ns_ = Now();
      }
    }
    FinishAdminJob();
    TakeUsbNews();
    const kiosk::State before = session_->screen().state;
    session_->Tick();
    if (before != kiosk::State::kIdle && session_->screen().state == kiosk::State::kIdle) {
      entry_.clear();
      RefreshStatus();
    }
    // Admin screens left alone close by themselves (the device goes back to serving).
    if (app_ != AppScreen::kSession && !job_running_ &&
        Now() - app_activity_ns_ > cfg_.entry_timeout_ms * kMs) {
      app_ = AppScreen::kSession;
      entry_.clear();
      notice_.clear();
    }
    // A new registry (USB import, network sync) is switched in between customers only.
    if (app_ != AppScreen::kPin && session_->screen().state == kiosk::State::kIdle &&
        registry_changed_.exchange(false)) {
      session_.reset();
      device_->ReloadRegistry(*clock_);
      RebuildSession();
    }
    if (opt_.quit_after_seconds > 0 &&
        Now() - start_ns_ >= static_cast<int64_t>(opt_.quit_after_seconds * 1e9) && exit_code_ < 0)
      exit_code_ = 0;
    if (exit_code_ < 0 || exit_code_ == 0) Present(false);
    // After drawing: a script step sees (and touches) what is on screen now.
    RunScript();
  }
  nlohmann::json stats = {{"frames_drawn", draw_ms_.count},
                          {"draw_ms_p50", Percentile(draw_ms_.values, 0.5)},
                          {"draw_ms_p95", Percentile(draw_ms_.values, 0.95)},
                          {"draw_ms_max", Percentile(draw_ms_.values, 1.0)},
                          {"scans_from_camera", latency_ms_.count},
                          {"frame_to_screen_ms_p50", Percentile(latency_ms_.values, 0.5)},
                          {"frame_to_screen_ms_p95", Percentile(latency_ms_.values, 0.95)},
                          {"screenshots", shots_},
                          {"max_rss_kb", MaxRssKb()},
                          {"anon_kb", AnonymousKb()}};
  std::printf("%s\n", nlohmann::json({{"stats", stats}}).dump().c_str());
  std::fflush(stdout);
  return exit_code_;
}

}  // namespace

int RunApp(const AppOptions& options) {
  App app(options);
  return app.Run();
}

}  // namespace kiosk_sdl
