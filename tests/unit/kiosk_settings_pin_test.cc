// The admin PIN against a real data directory and a fake clock: hashing, lock-out, persistence
// across restarts (pulling the plug must not reset the lock-out) and damaged files.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/clock.h"
#include "base/file.h"
#include "kiosk_settings/admin_pin.h"
#include "real_fs.h"
#include "subprocess.h"

namespace {

using kiosk_settings::AdminPin;
using kiosk_settings::LockoutSeconds;
using kiosk_settings::PinCheck;

constexpr int64_t kStart = 1'700'000'000;

class AdminPinTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }

  AdminPin Open() {
    base::Result<AdminPin> pin = AdminPin::Open(cktest::RealFs(), dir_.path(), clock_);
    EXPECT_TRUE(pin.ok()) << pin.status().ToString();
    if (!pin.ok()) std::abort();  // nothing sensible to return
    return std::move(pin).value();
  }
  static PinCheck Check(AdminPin& pin, std::string_view text) {
    base::Result<PinCheck> r = pin.Check(text);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PinCheck::kLockedOut;
  }
  std::string PinFile() const { return dir_.File("admin.pin"); }
  std::string FileText() const {
    base::Result<std::string> text = base::ReadFile(PinFile(), 4096);
    return text.ok() ? *text : "<" + text.status().ToString() + ">";
  }
  void WriteFile(const std::string& text) const {
    std::ofstream(PinFile(), std::ios::binary | std::ios::trunc) << text;
  }

  cktest::TempDir dir_;
  base::FakeClock clock_{kStart};
};

TEST_F(AdminPinTest, DefaultPinUntilSet) {
  AdminPin pin = Open();
  EXPECT_TRUE(pin.is_default());
  EXPECT_EQ(Check(pin, "0000"), PinCheck::kOk);
  EXPECT_FALSE(
      std::filesystem::exists(PinFile()));  // a right PIN with nothing to reset writes nothing
  EXPECT_EQ(Check(pin, "1234"), PinCheck::kWrong);
  EXPECT_EQ(pin.failures(), 1);
  EXPECT_EQ(Check(pin, "0000"), PinCheck::kOk);
  EXPECT_EQ(pin.failures(), 0);
  // The counted try needed a file; the PIN in it is still the default one.
  AdminPin reopened = Open();
  EXPECT_TRUE(reopened.is_default());
  EXPECT_EQ(Check(reopened, "0000"), PinCheck::kOk);
}

TEST_F(AdminPinTest, SetPersistsAHashNotThePin) {
  AdminPin pin = Open();
  ASSERT_TRUE(pin.Set("48291573").ok());
  EXPECT_FALSE(pin.is_default());
  EXPECT_EQ(Check(pin, "48291573"), PinCheck::kOk);

  const std::string text = FileText();
  EXPECT_EQ(text.find("48291573"), std::string::npos) << text;
  EXPECT_TRUE(text.starts_with("v1\n")) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5) << text;
  struct stat st {};
  ASSERT_EQ(::stat(PinFile().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  AdminPin reopened = Open();
  EXPECT_FALSE(reopened.is_default());
  EXPECT_EQ(Check(reopened, "0000"), PinCheck::kWrong);
  EXPECT_EQ(Check(reopened, "48291573"), PinCheck::kOk);

  // The same PIN set again gets a new salt: the file changes.
  ASSERT_TRUE(reopened.Set("48291573").ok());
  EXPECT_NE(FileText(), text);
}

TEST_F(AdminPinTest, SetRefusesWhatIsNotFourToTwelveDigits) {
  AdminPin pin = Open();
  ASSERT_TRUE(pin.Set("2468").ok());
  for (const char* bad : {"", "123", "1234567890123", "12a4", "12 34", "١٢٣٤"}) {
    base::Status st = pin.Set(bad);
    EXPECT_EQ(st.code(), base::StatusCode::kInvalidArgument) << bad;
  }
  ASSERT_TRUE(pin.Set("123456789012").ok());
  EXPECT_EQ(Check(pin, "123456789012"), PinCheck::kOk);
  AdminPin reopened = Open();
  EXPECT_EQ(Check(reopened, "2468"), PinCheck::kWrong);
}

TEST_F(AdminPinTest, ThreeWrongTriesLockForThirtySeconds) {
  AdminPin pin = Open();
  ASSERT_TRUE(pin.Set("7531").ok());
  EXPECT_EQ(Check(pin, "1111"), PinCheck::kWrong);
  EXPECT_EQ(Check(pin, "2222"), PinCheck::kWrong);
  EXPECT_EQ(pin.LockedForSeconds(), 0);
  EXPECT_EQ(Check(pin, "12"), PinCheck::kWrong);  // not even a PIN: still a try
  EXPECT_EQ(pin.failures(), 3);
  EXPECT_EQ(pin.LockedForSeconds(), 30);

  // Locked: the right PIN is not even checked, and wrong ones are not counted.
  EXPECT_EQ(Check(pin, "7531"), PinCheck::kLockedOut);
  EXPECT_EQ(Check(pin, "0000"), PinCheck::kLockedOut);
  EXPECT_EQ(pin.failures(), 3);

  clock_.Advance(29);
  EXPECT_EQ(pin.LockedForSeconds(), 1);
  EXPECT_EQ(Check(pin, "7531"), PinCheck::kLockedOut);
  clock_.Advance(1);
  EXPECT_EQ(pin.LockedForSeconds(), 0);
  EXPECT_EQ(Check(pin, "7531"), PinCheck::kOk);
  EXPECT_EQ(pin.failures(), 0);
  EXPECT_EQ(pin.LockedForSeconds(), 0);

  // The counter starts over: two wrong tries are free again.
  EXPECT_EQ(Check(pin, "1111"), PinCheck::kWrong);
  EXPECT_EQ(pin.LockedForSeconds(), 0);
}

TEST_F(AdminPinTest, DelaysDoubleUpToAnHour) {
  EXPECT_EQ(LockoutSeconds(0), 0);
  EXPECT_EQ(LockoutSeconds(1), 0);
  EXPECT_EQ(LockoutSeconds(2), 0);
  EXPECT_EQ(LockoutSeconds(3), 30);
  EXPECT_EQ(LockoutSeconds(4), 60);
  EXPECT_EQ(LockoutSeconds(5), 120);
  EXPECT_EQ(LockoutSeconds(9), 1920);
  EXPECT_EQ(LockoutSeconds(10), 3600);
  EXPECT_EQ(LockoutSeconds(11), 3600);
  EXPECT_EQ(LockoutSeconds(1000), 3600);
  EXPECT_EQ(LockoutSeconds(INT32_MAX), 3600);

  AdminPin pin = Open();
  EXPECT_EQ(Check(pin, "1111"), PinCheck::kWrong);
  EXPECT_EQ(Check(pin, "1111"), PinCheck::kWrong);
  for (int64_t expected : {30, 60, 120, 240, 480, 960, 1920, 3600, 3600}) {
    EXPECT_EQ(Check(pin, "1111"), PinCheck::kWrong);
    EXPECT_EQ(pin.LockedForSeconds(), expected);
    clock_.Advance(expected - 1);
    EXPECT_EQ(Check(pin, "1111"), PinCheck::kLockedOut);
    clock_.Advance(1);
  }
  EXPECT_EQ(Check(pin, "0000"), PinCheck::kOk);
  EXPECT_EQ(pin.failures(), 0);
}

TEST_F(AdminPinTest, TriesAndLockOutSurviveARestart) {
  {
    AdminPin pin = Open();
    ASSERT_TRUE(pin.Set("8642").ok());
    EXPECT_EQ(Check(pin, "1111"), PinCheck::kWrong);
    EXPECT_EQ(Check(pin, "1111"), PinCheck::kWrong);
  }
  {
    AdminPin pin = Open();  // the plug was pulled after two wrong tries
    EXPECT_EQ(pin.failures(), 2);
    EXPECT_EQ(Check(pin, "1111"), PinCheck::kWrong);
    EXPECT_EQ(pin.LockedForSeconds(), 30);
  }
  clock_.Advance(10);
  {
    AdminPin pin = Open();
    EXPECT_EQ(pin.failures(), 3);
    EXPECT_EQ(pin.LockedForSeconds(), 20);
    EXPECT_EQ(Check(pin, "8642"), PinCheck::kLockedOut);
  }
  clock_.Advance(20);
  {
    AdminPin pin = Open();
    EXPECT_EQ(Check(pin, "8642"), PinCheck::kOk);
  }
  EXPECT_EQ(Open().failures(), 0);
}

TEST_F(AdminPinTest, ClockSetBackDoesNotLockForYears) {
  {
    AdminPin pin = Open();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(Check(pin, "9999"), PinCheck::kWrong);
  }
  clock_.Set(kStart - int64_t{365} * 86400);  // RTC battery flat, the clock restarts in the past
  AdminPin pin = Open();
  EXPECT_EQ(pin.LockedForSeconds(), 30);
  EXPECT_EQ(Check(pin, "0000"), PinCheck::kLockedOut);
  clock_.Advance(30);
  EXPECT_EQ(Check(pin, "0000"), PinCheck::kOk);
}

TEST_F(AdminPinTest, UnsavableTryIsAnErrorNotAFreeTry) {
  const std::string gone = dir_.File("missing");
  base::Result<AdminPin> pin = AdminPin::Open(cktest::RealFs(), gone, clock_);
  ASSERT_TRUE(pin.ok()) << pin.status().ToString();
  base::Result<PinCheck> r = pin->Check("1111");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::StatusCode::kIo);
  EXPECT_FALSE(pin->Set("5555").ok());
  EXPECT_TRUE(pin->is_default());  // the old PIN is still the one in force
}

TEST_F(AdminPinTest, DamagedFileIsDataLoss) {
  {
    AdminPin pin = Open();
    ASSERT_TRUE(pin.Set("2580").ok());
    EXPECT_EQ(Check(pin, "1111"), PinCheck::kWrong);
  }
  const std::string good = FileText();
  ASSERT_EQ(std::count(good.begin(), good.end(), '\n'), 5);
  const size_t salt_at = good.find('\n') + 1;

  std::vector<std::string> damaged;
  for (size_t n = 0; n < good.size(); ++n) damaged.push_back(good.substr(0, n));  // torn writes
  damaged.push_back(good + "x");
  damaged.push_back(good + "\n");
  damaged.push_back("v2" + good.substr(2));
  std::string s = good;
  s[salt_at] = 'g';  // not hex
  damaged.push_back(s);
  s = good;
  s.erase(salt_at, 2);  // a salt one byte short
  damaged.push_back(s);
  const size_t failures_at = good.rfind('\n', good.size() - 2);
  const size_t count_at = good.rfind('\n', failures_at - 1) + 1;
  s = good;
  s.replace(count_at, failures_at - count_at, "-1");
  damaged.push_back(s);
  s = good;
  s.replace(count_at, failures_at - count_at, "1x");
  damaged.push_back(s);
  s = good;
  s.replace(failures_at + 1, good.size() - failures_at - 2, "soon");
  damaged.push_back(s);
  damaged.push_back(std::string(5000, '\n'));

  for (const std::string& text : damaged) {
    WriteFile(text);
    base::Result<AdminPin> pin = AdminPin::Open(cktest::RealFs(), dir_.path(), clock_);
    ASSERT_FALSE(pin.ok()) << "accepted: " << text;
    EXPECT_EQ(pin.status().code(), base::StatusCode::kDataLoss) << text;
    EXPECT_NE(pin.status().message().find(PinFile()), std::string::npos);
  }
  WriteFile(good);
  AdminPin pin = Open();
  EXPECT_EQ(pin.failures(), 1);
  EXPECT_EQ(Check(pin, "2580"), PinCheck::kOk);
}

}  // namespace
