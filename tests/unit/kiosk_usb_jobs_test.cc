// The kiosk's USB jobs without a display: real temporary directories stand for the mount point
// and its sticks, real signed bundles (bundle_fixture) are applied to a real data directory, and
// the journal export is written onto the stick.
#include <gtest/gtest.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>

#include "base/fs.h"
#include "bundle_fixture.h"
#include "fault_fs.h"
#include "journal/ack.h"
#include "journal/chain.h"
#include "journal/device_key.h"
#include "kiosk_usb/usb_jobs.h"
#include "sync/journal_to_stick.h"
#include "sync/usb_watcher.h"

namespace {

using kiosk_usb::UsbOutcome;

constexpr char kDeviceId[] = "kiosk-usb-test";

// Counts wake-ups from the worker threads; Await blocks until there were `n` of them.
class Wakes {
 public:
  void Wake() {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    cv_.notify_all();
  }
  void Await(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return count_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

class UsbJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cktest::MakeDir(data_));
    ASSERT_TRUE(cktest::MakeDir(mount_));
    // The kiosk's journal, as the device made it at start (an export never makes one).
    ASSERT_TRUE(journal::OpenDeviceJournal(fs_, data_, clock_).ok());
  }
  kiosk_usb::UsbSetup JobSetup() {
    return {.fs = &fs_,
            .clock = &clock_,
            .data_dir = data_,
            .mount_dir = mount_,
            .device_id = kDeviceId,
            .trusted = factory_.trusted()};
  }
  // A stick (a directory under `dir`) carrying the signed bundle of `seq`.
  std::string Stick(int64_t seq, const std::string& dir, const std::string& name = "STICK") {
    base::Result<cktest::BuiltBundle> built = factory_.Build({.seq = seq});
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    const std::string stick = dir + "/" + name;
    EXPECT_TRUE(cktest::MakeDir(stick));
    EXPECT_TRUE(cktest::CopyFile(
        built->path, stick + "/registry-" + std::to_string(seq) + ck_sync::kBundleSuffix));
    return stick;
  }
  int64_t RegistrySeq() { return cktest::InspectDataDir(data_).seq; }

  cktest::ScratchDir dir_;
  cktest::BundleFactory factory_{dir_.File("build")};
  std::string data_ = dir_.File("data");
  std::string mount_ = dir_.File("media");
  base::FakeClock clock_{cktest::kFixtureNow};
  base::PosixFileSystem fs_;
};

TEST_F(UsbJobsTest, NoStickSaysWhereItLooked) {
  bool imported = true;
  EXPECT_EQ(kiosk_usb::RunUsbJob(JobSetup(), false, &imported),
            (UsbOutcome{"admin.usb_no_stick", "dir", mount_, true}));
  EXPECT_FALSE(imported);
  kiosk_usb::UsbSetup missing = JobSetup();
  missing.mount_dir = dir_.File("no-such-dir");
  EXPECT_EQ(kiosk_usb::RunUsbJob(missing, true, &imported).key, "admin.usb_no_stick");
}

TEST_F(UsbJobsTest, ImportsTheStickThenRefusesTheSameBundle) {
  Stick(1, mount_);
  bool imported = false;
  EXPECT_EQ(kiosk_usb::RunUsbJob(JobSetup(), false, &imported),
            (UsbOutcome{"admin.usb_imported", "seq", "1", false}));
  EXPECT_TRUE(imported);
  EXPECT_EQ(RegistrySeq(), 1);
  // The same bundle again is no error, and is said in the translations' words (it was
  // admin.usb_failed with the importer's English "bundle seq 1 is already applied (refusing to
  // roll back)", in red).
  const UsbOutcome again = kiosk_usb::RunUsbJob(JobSetup(), false, &imported);
  EXPECT_FALSE(imported);
  EXPECT_EQ(again, (UsbOutcome{"admin.usb_already_applied", "seq", "1", false}));
  EXPECT_EQ(RegistrySeq(), 1);
}

TEST_F(UsbJobsTest, AnOlderBundleIsARefusalWithItsReason) {
  Stick(2, mount_);
  bool imported = false;
  ASSERT_EQ(kiosk_usb::RunUsbJob(JobSetup(), false, &imported).key, "admin.usb_imported");
  std::filesystem::remove_all(mount_ + "/STICK");
  Stick(1, mount_);
  EXPECT_EQ(kiosk_usb::RunUsbJob(JobSetup(), false, &imported),
            (UsbOutcome{"admin.usb_older", "seq", "1", true}));
  EXPECT_EQ(RegistrySeq(), 2);
}

TEST_F(UsbJobsTest, ExportOfAJournalThatWentMissingMakesNoNewOne) {
  const std::string stick = Stick(1, mount_);
  for (const char* f : {"/journal.db", "/journal.db-wal", "/journal.db-shm"})
    std::filesystem::remove(data_ + f);
  bool imported = false;
  const UsbOutcome out = kiosk_usb::RunUsbJob(JobSetup(), true, &imported);
  EXPECT_TRUE(out.error) << out.key << " " << out.value;
  EXPECT_FALSE(std::filesystem::exists(data_ + "/journal.db"));  // no empty chain in its place
  EXPECT_FALSE(std::filesystem::exists(stick + "/" + ck_sync::JournalExportFileName(kDeviceId)));
}

TEST_F(UsbJobsTest, ExportWritesTheJournalOntoTheStick) {
  const std::string stick = Stick(1, mount_);
  bool imported = false;
  EXPECT_EQ(
      kiosk_usb::RunUsbJob(JobSetup(), true, &imported),
      (UsbOutcome{"admin.export_done", "file", ck_sync::JournalExportFileName(kDeviceId), false}));
  EXPECT_TRUE(imported);  // the stick's bundle is applied on the way
  EXPECT_TRUE(std::filesystem::exists(stick + "/" + ck_sync::JournalExportFileName(kDeviceId)));
  EXPECT_TRUE(std::filesystem::exists(stick + "/" + ck_sync::ReceiptFileName(kDeviceId)));
}

// The office's ack on the next stick: recorded (the export then starts after it), the stick's
// last written seq kept apart; an ack signed by another key or for seqs never written is refused
// and changes nothing.
TEST_F(UsbJobsTest, TheNextStickBringsTheUnionsAck) {
  std::vector<journal::Entry> entries;
  {
    auto j = journal::OpenExistingJournal(fs_, data_, clock_);
    ASSERT_TRUE(j.ok());
    for (int i = 0; i < 4; ++i) {
      clock_.Advance(60);
      entries.push_back((*j)->Append({.kind = journal::Kind::kCheckin,
                                      .rid = card::Rid{1, 2, 3, 4, 5, 6, 7, 8},
                                      .event_id = "E-1",
                                      .verdict = "VALID",
                                      .decision = journal::kAccepted})
                            .value());
    }
  }
  const std::string stick = Stick(1, mount_);
  bool imported = false;
  ASSERT_EQ(kiosk_usb::RunUsbJob(JobSetup(), true, &imported).key, "admin.export_done");
  auto exported = [&]() {
    return journal::OpenExistingJournal(fs_, data_, clock_).value()->ExportedSeq().value();
  };
  auto acked = [&]() {
    return journal::OpenExistingJournal(fs_, data_, clock_).value()->AckedSeq().value();
  };
  EXPECT_EQ(exported(), 4);
  EXPECT_EQ(acked(), 0);

  const card::Kid kid = journal::LoadOrCreateDeviceKey(fs_, data_).value().Public().value().kid();
  auto put_ack = [&](int64_t seq, const card::PrivateKey& signer, const journal::Hash& hash) {
    journal::AckClaim c{.device_kid = kid, .seq = seq, .entry_hash = hash, .created = 1};
    base::Bytes file = journal::WriteAck(c, signer).value();
    ASSERT_TRUE(base::WriteFileAtomic(fs_, stick + "/" + journal::AckFileName(kid),
                                      base::AsChars(file), 0644)
                    .ok());
  };
  auto run = [&]() { return kiosk_usb::RunUsbJob(JobSetup(), true, &imported); };
  auto receipt = [&]() {
    base::Result<std::string> r =
        base::ReadFile(fs_, stick + "/" + ck_sync::ReceiptFileName(kDeviceId), 1 << 20);
    return r.ok() ? *r : std::string();
  };
  put_ack(4, cktest::GenerateKey(), entries[3].hash);  // not the pinned bundle key
  EXPECT_EQ(run().key, "admin.export_done");
  EXPECT_EQ(acked(), 0);
  EXPECT_NE(receipt().find("journal: ack refused: ack signed by key"), std::string::npos)
      << receipt();
  put_ack(5, factory_.bundle_key(), entries[3].hash);  // seq 5 was never written
  run();
  EXPECT_EQ(acked(), 0);
  EXPECT_NE(receipt().find("this journal ends at 4"), std::string::npos) << receipt();
  put_ack(3, factory_.bundle_key(), entries[2].hash);
  run();
  EXPECT_EQ(acked(), 3);
  EXPECT_EQ(exported(), 4);
  // The export on the stick now starts after the acknowledged seq.
  const std::string text = receipt();
  EXPECT_NE(text.find("journal: acknowledged by the union through seq 3"), std::string::npos)
      << text;
  EXPECT_NE(text.find("journal: exported entries 4..4 (1)"), std::string::npos) << text;
}

TEST_F(UsbJobsTest, AdminJobRunsOnItsThreadAndReportsOnce) {
  Stick(1, mount_);
  Wakes wakes;
  int imports = 0;
  kiosk_usb::UsbAdminJob job(
      JobSetup(), [&] { wakes.Wake(); }, [&] { ++imports; });
  EXPECT_EQ(job.TakeResult(), std::nullopt);
  ASSERT_TRUE(job.Start(false));
  EXPECT_TRUE(job.running());
  wakes.Await(1);
  EXPECT_FALSE(job.Start(true));  // one job at a time: the outcome is not taken yet
  EXPECT_EQ(job.TakeResult(), (UsbOutcome{"admin.usb_imported", "seq", "1", false}));
  EXPECT_FALSE(job.running());
  EXPECT_EQ(job.TakeResult(), std::nullopt);
  EXPECT_EQ(imports, 1);
  EXPECT_EQ(RegistrySeq(), 1);
}

TEST_F(UsbJobsTest, WatcherHandlesAStickPluggedInWhileItRuns) {
  Wakes wakes;
  int imports = 0;
  {
    kiosk_usb::UsbStickWatcher watcher(
        JobSetup(), [&] { wakes.Wake(); }, [&] { ++imports; });
    ASSERT_TRUE(watcher.Start());
    // The stick appears: a directory with a bundle renamed into the mount point.
    const std::string staged = Stick(2, dir_.path(), "staged");
    ASSERT_EQ(std::rename(staged.c_str(), (mount_ + "/STICK").c_str()), 0);
    wakes.Await(1);
    const std::vector<std::vector<UsbOutcome>> news = watcher.TakeNews();
    ASSERT_EQ(news.size(), 1u);
    // The stick's news now ends with whether it may be pulled (it may: everything is flushed).
    ASSERT_EQ(news[0].size(), 3u);
    EXPECT_EQ(news[0][0], (UsbOutcome{"admin.usb_imported", "seq", "2", false}));
    EXPECT_EQ(news[0][1].key, "admin.export_done");
    EXPECT_EQ(news[0][2], (UsbOutcome{"usb.can_remove", "", "", false}));
    EXPECT_TRUE(watcher.TakeNews().empty());
  }  // stops and joins the watcher's thread
  EXPECT_EQ(imports, 1);
  EXPECT_EQ(RegistrySeq(), 2);
}

TEST_F(UsbJobsTest, OutcomesInWords) {
  base::Result<kiosk_settings::Strings> en =
      kiosk_settings::Strings::Load(std::string(CK_ASSETS_DIR) + "/i18n", "en");
  ASSERT_TRUE(en.ok()) << en.status().ToString();
  EXPECT_EQ(kiosk_usb::Words({"admin.usb_imported", "seq", "7", false}, *en),
            "Imported registry #7");
  EXPECT_EQ(kiosk_usb::Words({"admin.usb_nothing", "", "", false}, *en),
            "No newer bundle on the stick");
  EXPECT_EQ(kiosk_usb::Words({"admin.usb_already_applied", "seq", "1", false}, *en),
            "Registry #1 is already loaded");
  base::Result<kiosk_settings::Strings> ru =
      kiosk_settings::Strings::Load(std::string(CK_ASSETS_DIR) + "/i18n", "ru");
  ASSERT_TRUE(ru.ok()) << ru.status().ToString();
  EXPECT_EQ(kiosk_usb::Words({"admin.usb_already_applied", "seq", "1", false}, *ru),
            "Реестр №1 уже загружен");
  EXPECT_EQ(kiosk_usb::Words({"admin.usb_expired", "seq", "3", true}, *ru),
            "Срок пакета №3 истёк: не загружен");
  bool error = true;
  EXPECT_EQ(kiosk_usb::StickLine({}, *en, &error), "USB: No newer bundle on the stick");
  EXPECT_FALSE(error);
  EXPECT_EQ(kiosk_usb::StickLine({{"admin.usb_imported", "seq", "7", false},
                                  {"admin.export_failed", "why", "disk full", true}},
                                 *en, &error),
            "USB: Imported registry #7 Export failed: disk full");
  EXPECT_TRUE(error);
  EXPECT_EQ(kiosk_usb::StickLine(
                {{"admin.usb_imported", "seq", "7", false}, {"usb.can_remove", "", "", false}}, *en,
                &error),
            "USB: Imported registry #7 The stick can be removed.");
  EXPECT_FALSE(error);
  EXPECT_EQ(kiosk_usb::StickLine({{"usb.not_removable", "why", "syncfs: EIO", true}}, *en, &error),
            "USB: Do not remove the stick yet: writing did not finish (syncfs: EIO)");
  EXPECT_TRUE(error);
  EXPECT_NE(kiosk_usb::Words({"usb.can_remove", "", "", false}, *ru).find("можно извлечь"),
            std::string::npos);
}

TEST_F(UsbJobsTest, AJobSaysWhenItsSticksMayBePulled) {
  Stick(1, mount_);
  bool imported = false, removable = false;
  EXPECT_EQ(kiosk_usb::RunUsbJob(JobSetup(), true, &imported, &removable).key, "admin.export_done");
  EXPECT_TRUE(removable);
  std::filesystem::remove_all(mount_ + "/STICK");
  removable = true;
  EXPECT_EQ(kiosk_usb::RunUsbJob(JobSetup(), false, &imported, &removable).key,
            "admin.usb_no_stick");
  EXPECT_FALSE(removable);  // no stick: nothing to pull
}

TEST_F(UsbJobsTest, AStickThatCouldNotBeFlushedMustNotBePulledAndTheImportStands) {
  Stick(1, mount_);
  cktest::FaultInjectionFs faulty(fs_);
  faulty.SetOpHook([](const cktest::FsOpInfo& op) {
    return op.op == cktest::FsOp::kSyncFs ? base::IoError("syncfs " + op.path, EIO)
                                          : base::Status::Ok();
  });
  kiosk_usb::UsbSetup setup = JobSetup();
  setup.fs = &faulty;
  bool imported = false, removable = true;
  const UsbOutcome out = kiosk_usb::RunUsbJob(setup, true, &imported, &removable);
  EXPECT_EQ(out.key, "usb.not_removable");
  EXPECT_TRUE(out.error);
  EXPECT_NE(out.value.find("flushing the stick"), std::string::npos) << out.value;
  EXPECT_FALSE(removable);
  EXPECT_TRUE(imported);  // the registry was applied, whole, on the kiosk
  EXPECT_EQ(RegistrySeq(), 1);
}

}  // namespace
