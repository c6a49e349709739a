// The USB watcher against real files: a temporary directory stands for /media, plain directories
// renamed into it stand for mounted sticks, and FaultInjectionFs pulls a stick out mid-read.
#include "sync/usb_watcher.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "base/file.h"
#include "base/fs.h"
#include "bundle/importer.h"
#include "bundle_fixture.h"
#include "fault_fs.h"
#include "journal/device_key.h"
#include "journal/export.h"
#include "journal/journal.h"
#include "real_fs.h"
#include "sync/device_id.h"
#include "sync/journal_to_stick.h"

namespace {

using cktest::BundleSpec;

constexpr char kDeviceId[] = "0123456789abcdef";
constexpr auto kWait = std::chrono::seconds(10);

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string ReadText(const std::string& path) {
  base::Result<std::string> text = base::ReadFile(path, 1 << 20);
  return text.ok() ? *text : "<" + text.status().ToString() + ">";
}

class UsbWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cktest::MakeDir(data_));
    ASSERT_TRUE(cktest::MakeDir(mount_));
    ASSERT_TRUE(cktest::MakeDir(staging_));
  }

  ck_sync::UsbWatcherOptions Options() { return {.mount_dir = mount_, .device_id = kDeviceId}; }
  ck_sync::UsbWatcher Watcher(ck_sync::UsbWatcherOptions options) {
    return ck_sync::UsbWatcher(fs_, clock_, importer_, factory_.trusted(), std::move(options));
  }
  ck_sync::VolumeResult Process(const std::string& volume) {
    return Watcher(Options()).ProcessVolume(volume);
  }

  // Builds a bundle (once per name) and copies it into `dir` as `name`.
  void PutBundle(const std::string& dir, BundleSpec spec, std::string name = "") {
    if (name.empty()) name = "seq" + std::to_string(spec.seq) + ".ckbundle";
    spec.file_name = "built-" + name;
    base::Result<cktest::BuiltBundle> built = factory_.Build(spec);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    ASSERT_TRUE(cktest::MakeDir(dir));
    ASSERT_TRUE(cktest::CopyFile(built->path, dir + "/" + name));
  }
  // Seq 1 is the sample registry; each later seq changes one more member.
  static BundleSpec Spec(int64_t seq) {
    BundleSpec spec{.seq = seq};
    spec.edit = [seq](registry::RegistryContents* c) {
      for (int64_t i = 0; i + 1 < seq; ++i)
        c->members[static_cast<size_t>(i)].state = card::MemberState::kRevoked;
    };
    return spec;
  }
  // Builds the delta between Spec(from) and Spec(to) and copies it into `dir`.
  void PutDelta(const std::string& dir, int64_t from, int64_t to) {
    const std::string name =
        "delta" + std::to_string(from) + "-" + std::to_string(to) + ".ckbundle";
    base::Result<cktest::BuiltBundle> built =
        factory_.BuildDelta(Spec(from), Spec(to), "built-" + name);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    ASSERT_TRUE(cktest::MakeDir(dir));
    ASSERT_TRUE(cktest::CopyFile(built->path, dir + "/" + name));
  }
  void ApplyDirectly(int64_t seq) {
    PutBundle(staging_, {.seq = seq});
    auto report = importer_.Apply(staging_ + "/seq" + std::to_string(seq) + ".ckbundle");
    ASSERT_TRUE(report.ok()) << report.status().ToString();
  }
  std::string Receipt(const std::string& volume) {
    return ReadText(volume + "/" + ck_sync::ReceiptFileName(kDeviceId));
  }
  int64_t RegistrySeq() {
    cktest::RegistryState state = cktest::InspectDataDir(data_);
    EXPECT_TRUE(state.ok()) << state.ToString();
    EXPECT_FALSE(state.incoming_exists) << state.ToString();
    return state.seq;
  }

  cktest::ScratchDir dir_;
  cktest::BundleFactory factory_{dir_.File("build")};
  std::string data_ = dir_.File("data");
  std::string mount_ = dir_.File("media");
  std::string staging_ = dir_.File("staging");
  base::FakeClock clock_{cktest::kFixtureNow};
  cktest::FaultInjectionFs fs_{cktest::RealFs()};
  bundle::Importer importer_{fs_, clock_, data_, factory_.trusted()};
};

TEST_F(UsbWatcherTest, AppliesTheNewestOfSeveral) {
  const std::string stick = mount_ + "/stick";
  for (int64_t seq : {1, 3, 2}) PutBundle(stick, {.seq = seq});
  ck_sync::VolumeResult r = Process(stick);
  ASSERT_NE(r.applied(), nullptr) << r.Summary();
  EXPECT_EQ(r.applied()->file, "seq3.ckbundle");
  EXPECT_EQ(r.previous_seq, std::nullopt);
  EXPECT_EQ(r.current_seq, 3);
  ASSERT_EQ(r.bundles.size(), 3u);
  EXPECT_EQ(r.bundles[1].seq, 2);
  EXPECT_EQ(r.bundles[2].seq, 1);
  EXPECT_EQ(RegistrySeq(), 3);
  const std::string receipt = Receipt(stick);
  EXPECT_TRUE(Contains(receipt, "seq3.ckbundle: applied seq 3\n")) << receipt;
  EXPECT_TRUE(Contains(receipt, "seq1.ckbundle: refused: not applied: seq 3 from seq3.ckbundle"))
      << receipt;
  EXPECT_TRUE(r.receipt_status.ok()) << r.receipt_status.ToString();
}

TEST_F(UsbWatcherTest, ChainOfDeltasIsAppliedInOrderFromTheKiosksSeq) {
  ApplyDirectly(1);
  const std::string stick = mount_ + "/stick";
  PutBundle(stick, Spec(3));
  PutDelta(stick, 2, 3);
  PutDelta(stick, 1, 2);
  ck_sync::VolumeResult r = Process(stick);
  EXPECT_EQ(r.previous_seq, 1);
  EXPECT_EQ(r.current_seq, 3);
  EXPECT_EQ(RegistrySeq(), 3);
  const std::string receipt = Receipt(stick);
  EXPECT_TRUE(Contains(receipt, "delta1-2.ckbundle: applied seq 2\n")) << receipt;
  EXPECT_TRUE(Contains(receipt, "delta2-3.ckbundle: applied seq 3\n")) << receipt;
  EXPECT_TRUE(
      Contains(receipt, "seq3.ckbundle: refused: not applied: seq 3 from delta2-3.ckbundle"))
      << receipt;
  EXPECT_TRUE(Contains(receipt, "result: applied seq 3 from delta2-3.ckbundle")) << receipt;
}

TEST_F(UsbWatcherTest, KioskWithoutARegistryTakesTheFullBundleThenTheDeltas) {
  const std::string stick = mount_ + "/stick";
  PutDelta(stick, 1, 2);
  PutBundle(stick, Spec(2));
  PutDelta(stick, 2, 3);
  ck_sync::VolumeResult r = Process(stick);
  EXPECT_EQ(r.current_seq, 3);
  const std::string receipt = Receipt(stick);
  EXPECT_TRUE(Contains(receipt, "seq2.ckbundle: applied seq 2\n")) << receipt;
  EXPECT_TRUE(Contains(receipt, "delta2-3.ckbundle: applied seq 3\n")) << receipt;
  EXPECT_TRUE(Contains(receipt, "delta1-2.ckbundle: refused: not applied: seq 3")) << receipt;
}

TEST_F(UsbWatcherTest, DeltaFromAnotherBaseFallsBackToTheFullBundle) {
  // The kiosk's seq 1 is another registry than the one the delta was made from.
  BundleSpec other{.seq = 1, .extra_members = 3, .file_name = "other1.ckbundle"};
  auto b = factory_.Build(other);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(importer_.Apply(b->path).ok());
  const std::string stick = mount_ + "/stick";
  PutDelta(stick, 1, 2);
  PutBundle(stick, Spec(2));
  ck_sync::VolumeResult r = Process(stick);
  EXPECT_EQ(r.current_seq, 2);
  const std::string receipt = Receipt(stick);
  EXPECT_TRUE(Contains(receipt, "seq2.ckbundle: applied seq 2\n")) << receipt;
  EXPECT_TRUE(Contains(receipt,
                       "delta1-2.ckbundle: refused: delta from seq 1 to seq 2 was made "
                       "from another registry of seq 1"))
      << receipt;
}

TEST_F(UsbWatcherTest, OlderBundleIsRefusedWithTheReason) {
  ApplyDirectly(3);
  const std::string stick = mount_ + "/stick";
  PutBundle(stick, {.seq = 2});
  ck_sync::VolumeResult r = Process(stick);
  EXPECT_TRUE(r.all_refused());
  EXPECT_EQ(r.previous_seq, 3);
  EXPECT_EQ(r.current_seq, 3);
  EXPECT_EQ(RegistrySeq(), 3);
  const std::string receipt = Receipt(stick);
  EXPECT_TRUE(Contains(receipt,
                       "seq2.ckbundle: refused: bundle seq 2 is older than the applied "
                       "seq 3"))
      << receipt;
  EXPECT_TRUE(Contains(receipt, "result: nothing applied (the only bundle was refused)"))
      << receipt;
}

TEST_F(UsbWatcherTest, AlreadyAppliedBundleIsRefusedWithTheReason) {
  ApplyDirectly(3);
  const std::string stick = mount_ + "/stick";
  PutBundle(stick, {.seq = 3});
  ck_sync::VolumeResult r = Process(stick);
  EXPECT_TRUE(r.all_refused());
  EXPECT_TRUE(Contains(Receipt(stick), "seq3.ckbundle: refused: bundle seq 3 is already applied"))
      << Receipt(stick);
}

TEST_F(UsbWatcherTest, ForgedNewestFallsBackToTheNextValid) {
  const std::string stick = mount_ + "/stick";
  PutBundle(stick, {.seq = 2});
  cktest::BundleFactory other(dir_.File("other"));  // another bundle key: a forgery
  auto forged = other.Build({.seq = 9});
  ASSERT_TRUE(forged.ok()) << forged.status().ToString();
  ASSERT_TRUE(cktest::CopyFile(forged->path, stick + "/seq9.ckbundle"));
  ck_sync::VolumeResult r = Process(stick);
  ASSERT_NE(r.applied(), nullptr) << r.Summary();
  EXPECT_EQ(r.applied()->seq, 2);
  EXPECT_EQ(RegistrySeq(), 2);
  ASSERT_EQ(r.bundles.size(), 2u);
  EXPECT_EQ(r.bundles[1].file, "seq9.ckbundle");
  EXPECT_EQ(r.bundles[1].status.code(), base::StatusCode::kUnauthenticated);
  EXPECT_TRUE(Contains(Receipt(stick), "seq9.ckbundle: refused: bundle signed by key"))
      << Receipt(stick);
}

TEST_F(UsbWatcherTest, CorruptOrTruncatedNewestFallsBack) {
  const std::string stick = mount_ + "/stick";
  PutBundle(stick, {.seq = 2});
  PutBundle(stick, {.seq = 5});
  PutBundle(stick, {.seq = 4});
  base::Bytes five = cktest::ReadBytes(stick + "/seq5.ckbundle");
  five.back() ^= 0x55;  // content altered: the signed hash no longer matches
  ASSERT_TRUE(cktest::WriteBytes(stick + "/seq5.ckbundle", five));
  base::Bytes four = cktest::ReadBytes(stick + "/seq4.ckbundle");
  four.resize(four.size() - 100);  // a copy cut short
  ASSERT_TRUE(cktest::WriteBytes(stick + "/seq4.ckbundle", four));
  ASSERT_TRUE(cktest::WriteText(stick + "/notes.ckbundle", "not a bundle"));

  ck_sync::VolumeResult r = Process(stick);
  ASSERT_NE(r.applied(), nullptr) << r.Summary();
  EXPECT_EQ(r.applied()->seq, 2);
  EXPECT_EQ(RegistrySeq(), 2);
  const std::string receipt = Receipt(stick);
  EXPECT_TRUE(Contains(receipt, "seq5.ckbundle: refused: ")) << receipt;
  EXPECT_TRUE(Contains(receipt, "seq4.ckbundle: refused: bundle file is")) << receipt;
  EXPECT_TRUE(Contains(receipt, "truncated or padded copy")) << receipt;
  EXPECT_TRUE(Contains(receipt, "notes.ckbundle: refused: not a cardkiosk bundle")) << receipt;
  EXPECT_FALSE(Contains(receipt, "seq2.ckbundle: refused")) << receipt;
}

TEST_F(UsbWatcherTest, ReceiptNameContentAndExtension) {
  ApplyDirectly(1);
  const std::string stick = mount_ + "/stick";
  PutBundle(stick, {.seq = 2});
  ck_sync::UsbWatcherOptions options = Options();
  options.receipt_extension = [](const std::string&) {
    return std::vector<std::string>{"journal: export not built yet"};
  };
  ck_sync::VolumeResult r = Watcher(std::move(options)).ProcessVolume(stick);
  EXPECT_EQ(r.receipt_path, stick + "/cardkiosk-receipt-0123456789abcdef.txt");
  EXPECT_EQ(Receipt(stick),
            "cardkiosk receipt\n"
            "time: 2027-01-15T08:00:00Z\n"
            "device: 0123456789abcdef\n"
            "registry before: seq 1\n"
            "registry now: seq 2\n"
            "result: applied seq 2 from seq2.ckbundle\n"
            "bundles: 1\n"
            "  seq2.ckbundle: applied seq 2\n"
            "journal: export not built yet\n");
  // Written through a temporary dotfile that is gone afterwards.
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(stick)) {
    names.push_back(e.path().filename());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names,
            (std::vector<std::string>{"cardkiosk-receipt-0123456789abcdef.txt", "seq2.ckbundle"}));
}

TEST_F(UsbWatcherTest, ReceiptIsNotWrittenThroughASymlinkOnTheStick) {
  const std::string stick = mount_ + "/stick";
  ASSERT_TRUE(cktest::MakeDir(stick));
  const std::string victim = dir_.File("victim.txt");
  ASSERT_TRUE(cktest::WriteText(victim, "precious"));
  std::filesystem::create_symlink(victim, stick + "/.cardkiosk-receipt-" + kDeviceId + ".txt.tmp");
  std::filesystem::create_symlink(victim,
                                  stick + "/cardkiosk-receipt-" + std::string(kDeviceId) + ".txt");
  ck_sync::VolumeResult r = Process(stick);
  EXPECT_TRUE(r.receipt_status.ok()) << r.receipt_status.ToString();
  EXPECT_EQ(ReadText(victim), "precious");
  EXPECT_TRUE(Contains(Receipt(stick), "bundles: none found")) << Receipt(stick);
}

TEST_F(UsbWatcherTest, NoBundleOnlyTopLevelRegularFilesCount) {
  const std::string stick = mount_ + "/stick";
  PutBundle(stick + "/sub", {.seq = 7});  // not at the top level
  PutBundle(stick, {.seq = 8}, ".hidden.ckbundle");
  ASSERT_TRUE(cktest::MakeDir(stick + "/dir.ckbundle"));
  std::filesystem::create_symlink(stick + "/sub/seq7.ckbundle", stick + "/link.ckbundle");
  ck_sync::VolumeResult r = Process(stick);
  EXPECT_TRUE(r.bundles.empty());
  EXPECT_FALSE(r.all_refused());
  EXPECT_FALSE(cktest::InspectDataDir(data_).exists);
  const std::string receipt = Receipt(stick);
  EXPECT_TRUE(Contains(receipt, "result: nothing to do (no *.ckbundle file at the top level)"))
      << receipt;
  EXPECT_TRUE(Contains(receipt, "bundles: none found\n")) << receipt;
}

TEST_F(UsbWatcherTest, ConsidersAtMostMaxBundles) {
  const std::string stick = mount_ + "/stick";
  for (int64_t seq : {1, 2, 3}) PutBundle(stick, {.seq = seq});
  ck_sync::UsbWatcherOptions options = Options();
  options.max_bundles = 2;
  ck_sync::VolumeResult r = Watcher(std::move(options)).ProcessVolume(stick);
  EXPECT_EQ(r.bundles.size(), 2u);
  EXPECT_EQ(r.ignored_bundles, 1u);
  EXPECT_EQ(RegistrySeq(), 2);  // seq1 and seq2 by name
}

TEST_F(UsbWatcherTest, VanishedVolumeIsAnErrorInTheResult) {
  ck_sync::VolumeResult r = Process(mount_ + "/gone");
  EXPECT_FALSE(r.scan_status.ok());
  EXPECT_FALSE(r.receipt_status.ok());
  EXPECT_TRUE(r.volume_error());
  EXPECT_TRUE(Contains(r.Summary(), "receipt NOT written")) << r.Summary();
}

// A read hook that fires once, during the content stream of `file` (past its first 64 KiB chunk).
cktest::FaultInjectionFs::ReadHook MidContent(const std::string& file,
                                              std::function<base::Status()> pull) {
  auto fired = std::make_shared<bool>(false);
  return [=](const cktest::FsReadInfo& info) {
    if (*fired || !info.path.ends_with("/" + file) || info.offset < 64 * 1024) {
      return base::Status::Ok();
    }
    *fired = true;
    return pull();
  };
}

TEST_F(UsbWatcherTest, StickPulledOutMidImportTruncatedFile) {
  ApplyDirectly(1);
  const std::string stick = mount_ + "/stick";
  PutBundle(stick, {.seq = 3, .extra_members = 20000});
  const std::string path = stick + "/seq3.ckbundle";
  fs_.SetReadHook(MidContent("seq3.ckbundle", [path] {
    std::filesystem::resize_file(path, 70 * 1024);  // the rest never arrives
    return base::Status::Ok();
  }));
  ck_sync::VolumeResult r = Process(stick);
  EXPECT_EQ(r.applied(), nullptr);
  ASSERT_EQ(r.bundles.size(), 1u);
  EXPECT_EQ(r.bundles[0].status.code(), base::StatusCode::kDataLoss) << r.Summary();
  EXPECT_EQ(r.current_seq, 1);
  EXPECT_EQ(RegistrySeq(), 1);
  EXPECT_TRUE(Contains(Receipt(stick), "seq3.ckbundle: refused: bundle content is truncated"))
      << Receipt(stick);
}

TEST_F(UsbWatcherTest, StickPulledOutMidImportVolumeGone) {
  ApplyDirectly(1);
  const std::string stick = mount_ + "/stick";
  PutBundle(stick, {.seq = 2});
  PutBundle(stick, {.seq = 3, .extra_members = 20000});
  fs_.SetReadHook(MidContent("seq3.ckbundle", [stick] {
    std::filesystem::remove_all(stick);
    return base::IoError("reading " + stick + "/seq3.ckbundle", EIO);  // what a pulled stick gives
  }));
  ck_sync::VolumeResult r = Process(stick);
  EXPECT_EQ(r.applied(), nullptr);
  ASSERT_EQ(r.bundles.size(), 2u);
  EXPECT_EQ(r.bundles[0].status.code(), base::StatusCode::kIo) << r.Summary();
  EXPECT_EQ(r.bundles[1].status.code(), base::StatusCode::kNotFound) << r.Summary();
  EXPECT_FALSE(r.receipt_status.ok());
  EXPECT_EQ(r.current_seq, 1);
  EXPECT_EQ(RegistrySeq(), 1);
}

// Runs UsbWatcher::Run on a thread; collects what the observer reports.
class RunningWatcher {
 public:
  using MakeWatcher = std::function<ck_sync::UsbWatcher(ck_sync::UsbWatcherOptions)>;
  RunningWatcher(ck_sync::UsbWatcherOptions options, const MakeWatcher& make)
      : stop_(::eventfd(0, EFD_CLOEXEC)) {
    options.on_volume = [this](const ck_sync::VolumeResult& r) {
      std::lock_guard lock(mu_);
      results_.push_back(r);
      cv_.notify_all();
    };
    watcher_.emplace(make(std::move(options)));
    thread_ = std::thread([this] {
      base::Status st = watcher_->Run(stop_.get());
      std::lock_guard lock(mu_);
      status_ = st;
      done_ = true;
      cv_.notify_all();
    });
  }
  ~RunningWatcher() {
    Stop();
    thread_.join();
  }
  void Stop() {
    const uint64_t one = 1;
    EXPECT_EQ(::write(stop_.get(), &one, sizeof one), 8);
  }
  // Waits until `n` volumes were reported; returns them (fewer on timeout).
  std::vector<ck_sync::VolumeResult> WaitForVolumes(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kWait, [&] { return results_.size() >= n || done_; });
    return results_;
  }
  std::optional<base::Status> WaitForExit(std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return done_; })) return std::nullopt;
    return status_;
  }

 private:
  base::UniqueFd stop_;
  std::optional<ck_sync::UsbWatcher> watcher_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ck_sync::VolumeResult> results_;
  base::Status status_;
  bool done_ = false;
  std::thread thread_;
};

class UsbWatcherRunTest : public UsbWatcherTest {
 protected:
  std::unique_ptr<RunningWatcher> Start() {
    return std::make_unique<RunningWatcher>(
        Options(), [this](ck_sync::UsbWatcherOptions o) { return Watcher(std::move(o)); });
  }
  // Prepares a stick in the staging area and renames it into place, as a mount appears at once.
  void Insert(const std::string& where, int64_t seq) {
    const std::string staged = staging_ + "/stick-" + std::to_string(seq);
    PutBundle(staged, {.seq = seq});
    ASSERT_TRUE(cktest::MakeDir(base::DirName(where)));
    std::filesystem::rename(staged, where);
  }
};

TEST_F(UsbWatcherRunTest, ProcessesSticksAsTheyAppear) {
  Insert(mount_ + "/first", 1);  // there before Run: processed by the first scan
  auto running = Start();
  auto results = running->WaitForVolumes(1);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].volume_dir, mount_ + "/first");
  EXPECT_EQ(RegistrySeq(), 1);

  Insert(mount_ + "/second", 2);  // seen through inotify
  results = running->WaitForVolumes(2);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].volume_dir, mount_ + "/second");
  EXPECT_EQ(results[1].current_seq, 2);
  EXPECT_TRUE(Contains(Receipt(mount_ + "/second"), "applied seq 2"))
      << Receipt(mount_ + "/second");
  EXPECT_EQ(RegistrySeq(), 2);
}

TEST_F(UsbWatcherRunTest, NestedUserLabelLayout) {
  auto running = Start();
  ASSERT_TRUE(cktest::MakeDir(mount_ + "/kiosk"));  // /media/USER, then /media/USER/LABEL
  Insert(mount_ + "/kiosk/UNION-USB", 4);
  auto results = running->WaitForVolumes(1);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].volume_dir, mount_ + "/kiosk/UNION-USB");
  EXPECT_EQ(RegistrySeq(), 4);
  EXPECT_FALSE(std::filesystem::exists(mount_ + "/kiosk/" + ck_sync::ReceiptFileName(kDeviceId)));
}

TEST_F(UsbWatcherRunTest, StickPulledAndReinsertedIsProcessedAgain) {
  Insert(mount_ + "/a", 1);
  auto running = Start();
  ASSERT_EQ(running->WaitForVolumes(1).size(), 1u);
  std::filesystem::rename(mount_ + "/a", staging_ + "/a-out");  // pulled out
  // Once b is processed, a scan has seen the mount directory without a.
  Insert(mount_ + "/b", 2);
  ASSERT_EQ(running->WaitForVolumes(2).size(), 2u);
  std::filesystem::rename(staging_ + "/a-out", mount_ + "/a");  // back, same identity
  auto results = running->WaitForVolumes(3);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[2].volume_dir, mount_ + "/a");
  EXPECT_TRUE(results[2].all_refused());  // seq 1 is older than 2 now
}

TEST_F(UsbWatcherRunTest, StopFdEndsRunPromptly) {
  auto running = Start();
  running->Stop();
  auto status = running->WaitForExit(std::chrono::seconds(2));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok()) << status->ToString();
}

TEST_F(UsbWatcherRunTest, MountDirRemovedEndsRunWithAnError) {
  auto running = Start();
  Insert(mount_ + "/first", 1);
  ASSERT_EQ(running->WaitForVolumes(1).size(), 1u);  // Run is watching by now
  std::filesystem::rename(mount_, dir_.File("media-moved"));
  auto status = running->WaitForExit(kWait);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code(), base::StatusCode::kUnavailable) << status->ToString();
}

TEST_F(UsbWatcherTest, RunFailsClearlyWithoutMountDir) {
  ck_sync::UsbWatcherOptions options = Options();
  options.mount_dir = dir_.File("no-such-media");
  base::UniqueFd stop(::eventfd(0, EFD_CLOEXEC));
  base::Status st = Watcher(options).Run(stop.get());
  EXPECT_EQ(st.code(), base::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(st.message(), "no-such-media does not exist")) << st.ToString();
  EXPECT_EQ(Watcher(options).ProcessAllOnce().status().code(), base::StatusCode::kNotFound);
}

TEST_F(UsbWatcherRunTest, ProcessAllOnceFindsEveryVolume) {
  Insert(mount_ + "/x", 1);
  PutBundle(mount_ + "/user/LABEL", {.seq = 2});
  ASSERT_TRUE(cktest::MakeDir(mount_ + "/empty"));
  auto results = Watcher(Options()).ProcessAllOnce();
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].volume_dir, mount_ + "/user/LABEL");
  EXPECT_EQ((*results)[1].volume_dir, mount_ + "/x");
}

TEST(DeviceIdTest, CreatedOnceThenReadBack) {
  cktest::ScratchDir dir;
  auto id = ck_sync::LoadOrCreateDeviceId(cktest::RealFs(), dir.path());
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(ck_sync::IsValidDeviceId(*id)) << *id;
  EXPECT_EQ(ReadText(dir.File("device-id")), *id + "\n");
  auto again = ck_sync::LoadOrCreateDeviceId(cktest::RealFs(), dir.path());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *id);
}

TEST(DeviceIdTest, CorruptFileIsAClearError) {
  cktest::ScratchDir dir;
  for (const char* bad : {"", "0123\n", "0123456789ABCDEF\n", "0123456789abcdeg", "x\n\n"}) {
    ASSERT_TRUE(cktest::WriteText(dir.File("device-id"), bad));
    auto id = ck_sync::LoadOrCreateDeviceId(cktest::RealFs(), dir.path());
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), base::StatusCode::kDataLoss);
    EXPECT_TRUE(Contains(id.status().message(), "device-id is corrupt")) << id.status().ToString();
  }
}

// Journal collection by stick: the export lands on the stick, signed by the device key, holding
// the entries after the last acknowledged one, and the receipt says which.
TEST_F(UsbWatcherTest, JournalExportIsWrittenToTheStickAndNamedInTheReceipt) {
  {
    auto j = journal::Journal::Open(data_ + "/" + journal::kJournalFile, clock_);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    for (int i = 0; i < 3; ++i) {
      journal::NewEntry e{.kind = journal::Kind::kDiscount,
                          .partner_id = "P1",
                          .purchase_minor = 1000,
                          .discount_minor = 75,
                          .verdict = "VALID",
                          .decision = journal::kAccepted};
      ASSERT_TRUE((*j)->Append(e).ok());
    }
    ASSERT_TRUE((*j)->Ack(1).ok());
  }
  const std::string stick = mount_ + "/STICK";
  PutBundle(stick, {.seq = 1});
  ck_sync::UsbWatcherOptions options = Options();
  options.receipt_extension = ck_sync::MakeJournalExportExtension(fs_, clock_, data_, kDeviceId);
  ck_sync::VolumeResult r = Watcher(std::move(options)).ProcessVolume(stick);
  EXPECT_TRUE(Contains(Receipt(stick), "journal: exported entries 2..3 (2)")) << Receipt(stick);
  base::Result<std::string> file =
      base::ReadFile(stick + "/" + ck_sync::JournalExportFileName(kDeviceId), 1 << 20);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  base::Result<std::string> pub_pem = base::ReadFile(data_ + "/" + journal::kDevicePubFile, 4096);
  ASSERT_TRUE(pub_pem.ok());
  base::Result<journal::ExportCheck> check =
      journal::CheckExport(base::AsBytes(*file), *card::PublicKey::FromPem(*pub_pem));
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok()) << check->problem << check->signature_problem;
  EXPECT_EQ(check->header.first_seq, 2);
  EXPECT_EQ(check->header.last_seq, 3);
  EXPECT_EQ(check->per_partner["P1"].discounts, 2);
}

TEST_F(UsbWatcherTest, JournalExportFailureIsInTheReceiptNotACrash) {
  const std::string stick = mount_ + "/STICK";
  PutBundle(stick, {.seq = 1});
  ck_sync::UsbWatcherOptions options = Options();
  // The data dir's journal cannot be opened: a directory stands where journal.db should be.
  ASSERT_TRUE(cktest::MakeDir(data_ + "/" + journal::kJournalFile));
  options.receipt_extension = ck_sync::MakeJournalExportExtension(fs_, clock_, data_, kDeviceId);
  ck_sync::VolumeResult r = Watcher(std::move(options)).ProcessVolume(stick);
  EXPECT_TRUE(Contains(Receipt(stick), "journal: export failed")) << Receipt(stick);
  EXPECT_NE(r.applied(), nullptr);
}

// ---- the stick is flushed before anyone may pull it -----------------------------------------

// Three journal entries in the data directory, the first acknowledged: an export has two.
void WriteJournal(const std::string& data_dir, base::Clock& clock) {
  auto j = journal::Journal::Open(data_dir + "/" + journal::kJournalFile, clock);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  for (int i = 0; i < 3; ++i) {
    journal::NewEntry e{.kind = journal::Kind::kDiscount,
                        .partner_id = "P1",
                        .purchase_minor = 1000,
                        .discount_minor = 75,
                        .verdict = "VALID",
                        .decision = journal::kAccepted};
    ASSERT_TRUE((*j)->Append(e).ok());
  }
  ASSERT_TRUE((*j)->Ack(1).ok());
}

TEST_F(UsbWatcherTest, TheStickIsFlushedAfterTheReceiptAndExportAndThenRemovable) {
  WriteJournal(data_, clock_);
  const std::string stick = mount_ + "/STICK";
  PutBundle(stick, {.seq = 1});
  ck_sync::UsbWatcherOptions options = Options();
  options.receipt_extension = ck_sync::MakeJournalExportExtension(fs_, clock_, data_, kDeviceId);
  fs_.ResetCounters();
  ck_sync::VolumeResult r = Watcher(std::move(options)).ProcessVolume(stick);
  ASSERT_NE(r.applied(), nullptr) << r.Summary();
  EXPECT_TRUE(r.flush_status.ok()) << r.flush_status.ToString();
  EXPECT_TRUE(r.removable());
  EXPECT_FALSE(r.volume_error());
  EXPECT_TRUE(Contains(r.Summary(), "flushed, safe to remove")) << r.Summary();
  // The flush is the very last thing done to the stick: after the export's and the receipt's
  // fsync, rename and directory fsync, and exactly once.
  const std::vector<cktest::FsOpInfo> log = fs_.log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().op, cktest::FsOp::kSyncFs) << log.back().ToString();
  EXPECT_EQ(log.back().path, stick);
  const auto flushes = std::count_if(log.begin(), log.end(), [](const cktest::FsOpInfo& op) {
    return op.op == cktest::FsOp::kSyncFs;
  });
  EXPECT_EQ(flushes, 1);
  const std::string receipt = stick + "/" + ck_sync::ReceiptFileName(kDeviceId);
  const std::string exported = stick + "/" + ck_sync::JournalExportFileName(kDeviceId);
  bool receipt_renamed = false, export_renamed = false;
  for (const cktest::FsOpInfo& op : log) {
    if (op.op == cktest::FsOp::kRename && op.to == receipt) receipt_renamed = true;
    if (op.op == cktest::FsOp::kRename && op.to == exported) export_renamed = true;
  }
  EXPECT_TRUE(receipt_renamed && export_renamed);
  ASSERT_GE(log.size(), 2u);
  EXPECT_EQ(log[log.size() - 2].op, cktest::FsOp::kSyncDir);  // the receipt's directory fsync
}

TEST_F(UsbWatcherTest, AFailedFlushIsNotRemovableAndLosesNothingOnTheKiosk) {
  WriteJournal(data_, clock_);
  const std::string stick = mount_ + "/STICK";
  PutBundle(stick, {.seq = 1});
  ck_sync::UsbWatcherOptions options = Options();
  options.receipt_extension = ck_sync::MakeJournalExportExtension(fs_, clock_, data_, kDeviceId);
  // The stick is pulled just before its filesystem is flushed: syncfs fails with EIO.
  fs_.SetOpHook([](const cktest::FsOpInfo& op) {
    return op.op == cktest::FsOp::kSyncFs ? base::IoError("syncfs " + op.path, EIO)
                                          : base::Status::Ok();
  });
  ck_sync::VolumeResult r = Watcher(std::move(options)).ProcessVolume(stick);
  fs_.SetOpHook(nullptr);
  EXPECT_FALSE(r.flush_status.ok());
  EXPECT_TRUE(Contains(r.flush_status.message(), "flushing the stick")) << r.flush_status.message();
  EXPECT_FALSE(r.removable());
  EXPECT_TRUE(r.volume_error());
  EXPECT_TRUE(Contains(r.Summary(), "NOT flushed")) << r.Summary();
  // On the kiosk: the registry is the new one, whole; the journal has all its entries.
  EXPECT_EQ(RegistrySeq(), 1);
  auto j = journal::Journal::Open(data_ + "/" + journal::kJournalFile, clock_);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)->last_seq(), 3);
  auto acked = (*j)->AckedSeq();
  ASSERT_TRUE(acked.ok());
  EXPECT_EQ(*acked, 1);  // an export is not an acknowledgement
}

// A stick pulled at any moment of its writes: each mutating operation on it fails in turn (a
// dead stick from then on). The kiosk's registry is the old one or the new one, whole; its journal
// keeps every entry; and the stick is never called removable.
TEST_F(UsbWatcherTest, StickPulledAtAnyWriteIsNeverRemovableAndTheKioskLosesNothing) {
  WriteJournal(data_, clock_);
  const std::string stick = mount_ + "/STICK";
  PutBundle(stick, {.seq = 1});
  int64_t n = 1;
  for (; n < 200; ++n) {
    ck_sync::UsbWatcherOptions options = Options();
    options.receipt_extension = ck_sync::MakeJournalExportExtension(fs_, clock_, data_, kDeviceId);
    int64_t seen = 0;
    // Only the stick's operations count: the kiosk's own data directory keeps working.
    fs_.SetOpHook([&, n](const cktest::FsOpInfo& op) {
      if (op.path.rfind(stick, 0) != 0) return base::Status::Ok();
      return ++seen >= n ? base::IoError("injected fault: stick pulled at " + op.ToString(), EIO)
                         : base::Status::Ok();
    });
    ck_sync::VolumeResult r = Watcher(std::move(options)).ProcessVolume(stick);
    fs_.SetOpHook(nullptr);
    const bool fired = seen >= n;
    EXPECT_EQ(r.removable(), !fired) << "n=" << n << ": " << r.Summary();
    const int64_t seq = RegistrySeq();
    EXPECT_TRUE(seq == 0 || seq == 1) << "n=" << n;
    auto j = journal::Journal::Open(data_ + "/" + journal::kJournalFile, clock_);
    ASSERT_TRUE(j.ok()) << "n=" << n << ": " << j.status().ToString();
    EXPECT_EQ((*j)->last_seq(), 3) << "n=" << n;
    if (!fired) break;
  }
  EXPECT_GT(n, 5);  // the export, the receipt and the flush were each failed on the way
  EXPECT_LT(n, 200);
}

}  // namespace
