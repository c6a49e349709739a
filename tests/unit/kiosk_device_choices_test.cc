// kiosk-state.conf: what the admin chose, read back over the config and written with only the
// chosen keys (kiosk_admin::DeviceChoices on a real temporary data directory).
#include <gtest/gtest.h>

#include <string>

#include "base/file.h"
#include "base/fs.h"
#include "kiosk_admin/device_choices.h"
#include "kiosk_fixture.h"

namespace {

using kiosk_admin::DeviceChoices;

class DeviceChoicesTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.File(kiosk_admin::kDeviceChoicesFile); }
  void Write(const std::string& text) { ASSERT_TRUE(base::WriteFileAtomic(path(), text).ok()); }
  std::string Read() {
    base::Result<std::string> text = base::ReadFile(path(), 1 << 16);
    return text.ok() ? *text : "<" + text.status().ToString() + ">";
  }
  base::PosixFileSystem fs_;
  kiosktest::TempDir dir_;
};

TEST_F(DeviceChoicesTest, NoFileIsNoChoice) {
  DeviceChoices c(fs_, dir_.path());
  EXPECT_TRUE(c.Load().ok());
  EXPECT_TRUE(c.values().empty());
  kiosk_settings::AppConfig cfg;
  cfg.partner = "P-CONF";
  c.ApplyTo(&cfg, false, false);
  EXPECT_EQ(cfg.partner, "P-CONF");
  EXPECT_EQ(cfg.language, "ru");
}

TEST_F(DeviceChoicesTest, SavesOnlyWhatWasChosenInKeyOrder) {
  DeviceChoices c(fs_, dir_.path());
  c.Choose(kiosk::Mode::kEvent, "E-7");
  c.ChooseLanguage("kk");
  ASSERT_TRUE(c.Save().ok());
  EXPECT_EQ(Read(),
            "# Chosen in the kiosk's admin menu; overrides the config file.\n"
            "event = \"E-7\"\nlanguage = \"kk\"\nmode = \"event\"\n");
  c.Choose(kiosk::Mode::kShop, "P-2");
  ASSERT_TRUE(c.Save().ok());
  EXPECT_EQ(Read(),
            "# Chosen in the kiosk's admin menu; overrides the config file.\n"
            "event = \"E-7\"\nlanguage = \"kk\"\nmode = \"shop\"\npartner = \"P-2\"\n");
}

TEST_F(DeviceChoicesTest, ReadBackOverTheConfigUnlessTheFlagsFixedIt) {
  Write("# a comment = not a key\nmode = event\n  event\t= E-9\nlanguage = en\n");
  DeviceChoices c(fs_, dir_.path());
  ASSERT_TRUE(c.Load().ok());
  EXPECT_EQ(c.values().size(), 3u);
  kiosk_settings::AppConfig cfg;
  cfg.partner = "P-CONF";
  c.ApplyTo(&cfg, false, false);
  EXPECT_EQ(cfg.mode, "event");
  EXPECT_EQ(cfg.event, "E-9");
  EXPECT_EQ(cfg.partner, "P-CONF");  // not chosen: the config's stays
  EXPECT_EQ(cfg.language, "en");

  kiosk_settings::AppConfig fixed;
  c.ApplyTo(&fixed, /*mode_fixed=*/true, /*language_fixed=*/true);
  EXPECT_EQ(fixed, kiosk_settings::AppConfig{});
}

TEST_F(DeviceChoicesTest, AnInvalidFileIsIgnoredWithTheReason) {
  Write("mode = nonsense\nlanguage = en\n");
  DeviceChoices c(fs_, dir_.path());
  const base::Status st = c.Load();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("kiosk-state.conf:1"), std::string::npos) << st.ToString();
  EXPECT_TRUE(c.values().empty());
}

}  // namespace
