// kiosk.conf: every key, the defaults, and error messages that name file, line and key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "kiosk_settings/config.h"
#include "subprocess.h"

namespace {

using kiosk_settings::AppConfig;
using kiosk_settings::ParseAppConfig;

std::string ErrorOf(std::string_view text) {
  base::Result<AppConfig> c = ParseAppConfig(text, "kiosk.conf");
  if (c.ok()) return "<parsed>";
  EXPECT_EQ(c.status().code(), base::StatusCode::kInvalidArgument);
  return c.status().message();
}

// Writes `text` to DIR/name and returns the path.
std::string Write(const cktest::TempDir& dir, const std::string& name, const std::string& text) {
  const std::string file = dir.File(name);
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

TEST(AppConfigTest, DefaultTextParsesBackToDefaults) {
  const std::string text = kiosk_settings::DefaultConfigText();
  base::Result<AppConfig> c = ParseAppConfig(text, "default");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c, AppConfig{});
}

TEST(AppConfigTest, DefaultTextCommentsEveryKey) {
  const std::string text = kiosk_settings::DefaultConfigText();
  for (const char* line : {"\ndata_dir = \"/var/lib/cardkiosk\"\n",
                           "\nmode = \"shop\"\n",
                           "\npartner = \"\"\n",
                           "\nevent = \"\"\n",
                           "\ncamera = \"\"\n",
                           "\ncamera_width = 640\n",
                           "\ncamera_height = 480\n",
                           "\ncamera_fps = 30\n",
                           "\nscanner_device = \"\"\n",
                           "\nusb_mount_dir = \"/media\"\n",
                           "\nusb_watch = true\n",
                           "\nlanguage = \"ru\"\n",
                           "\nassets_dir = \"\"\n",
                           "\ntheme = \"\"\n",
                           "\nresult_timeout_ms = 4000\n",
                           "\nentry_timeout_ms = 120000\n",
                           "\nutc_offset = \"+03:00\"\n",
                           "\nstale_registry = \"warn\"\n",
                           "\nsound_volume = 60\n",
                           "\nfullscreen = true\n",
                           "\nwindow_width = 800\n",
                           "\nwindow_height = 480\n",
                           "\nhub = \"\"\n",
                           "\nhub_cert = \"\"\n",
                           "\ntrust = \"\"\n",
                           "\nsync_interval = 300\n",
                           "\nvoid_window = 900\n"}) {
    const size_t at = text.find(line);
    ASSERT_NE(at, std::string::npos) << line;
    // The line before the key is its comment.
    const size_t comment = text.rfind('\n', at - 1);
    ASSERT_NE(comment, std::string::npos) << line;
    EXPECT_EQ(text.substr(comment + 1, 2), "# ") << line;
  }
}

TEST(AppConfigTest, EveryKeyIsRead) {
  base::Result<AppConfig> c = ParseAppConfig(
      "data_dir = \"/srv/kiosk\"\n"
      "mode = \"event\"\n"
      "partner = \"shop-7\"\n"
      "event = \"congress-2025\"\n"
      "camera = \"/dev/video2\"\n"
      "camera_width = 1280\n"
      "camera_height = 720\n"
      "camera_fps = 15\n"
      "scanner_device = \"/dev/input/event3\"\n"
      "usb_mount_dir = \"/run/media\"\n"
      "usb_watch = false\n"
      "language = \"kk\"\n"
      "currency = \"₸\"\n"
      "assets_dir = \"/opt/cardkiosk/assets\"\n"
      "theme = \"/etc/cardkiosk/theme\"\n"
      "result_timeout_ms = 500\n"
      "entry_timeout_ms = 3600000\n"
      "utc_offset = \"+05:00\"\n"
      "stale_registry = \"refuse\"\n"
      "sound_volume = 0\n"
      "fullscreen = false\n"
      "window_width = 1024\n"
      "window_height = 600\n"
      "hub = \"https://hub.example.org/ck\"\n"
      "hub_cert = \"/etc/cardkiosk/hub.pem\"\n"
      "trust = \"/etc/cardkiosk/trust.pem\"\n"
      "sync_interval = 86400\n",
      "kiosk.conf");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->data_dir, "/srv/kiosk");
  EXPECT_EQ(c->mode, "event");
  EXPECT_EQ(c->partner, "shop-7");
  EXPECT_EQ(c->event, "congress-2025");
  EXPECT_EQ(c->camera, "/dev/video2");
  EXPECT_EQ(c->camera_width, 1280);
  EXPECT_EQ(c->camera_height, 720);
  EXPECT_EQ(c->camera_fps, 15);
  EXPECT_EQ(c->scanner_device, "/dev/input/event3");
  EXPECT_EQ(c->usb_mount_dir, "/run/media");
  EXPECT_FALSE(c->usb_watch);
  EXPECT_EQ(c->language, "kk");
  EXPECT_EQ(c->currency, "₸");
  EXPECT_EQ(c->assets_dir, "/opt/cardkiosk/assets");
  EXPECT_EQ(c->theme, "/etc/cardkiosk/theme");
  EXPECT_EQ(c->result_timeout_ms, 500);
  EXPECT_EQ(c->entry_timeout_ms, 3600000);
  EXPECT_EQ(c->utc_offset_seconds, 5 * 3600);
  EXPECT_EQ(c->stale_registry, "refuse");
  EXPECT_EQ(c->sound_volume, 0);
  EXPECT_FALSE(c->fullscreen);
  EXPECT_EQ(c->window_width, 1024);
  EXPECT_EQ(c->window_height, 600);
  EXPECT_EQ(c->hub, "https://hub.example.org/ck");
  EXPECT_EQ(c->hub_cert, "/etc/cardkiosk/hub.pem");
  EXPECT_EQ(c->trust, "/etc/cardkiosk/trust.pem");
  EXPECT_EQ(c->sync_interval_seconds, 86400);
}

TEST(AppConfigTest, EvdevKeysAreAutoUnlessChosen) {
  EXPECT_EQ(AppConfig{}.evdev_keys, "auto");
  for (const char* v : {"auto", "on", "off"}) {
    base::Result<AppConfig> c =
        ParseAppConfig("evdev_keys = \"" + std::string(v) + "\"\n", "kiosk.conf");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->evdev_keys, v);
  }
  EXPECT_EQ(ErrorOf("evdev_keys = \"yes\"\n"),
            "kiosk.conf:1: key 'evdev_keys': must be auto | on | off, got 'yes'");
}

TEST(AppConfigTest, RendererIsAutoUnlessChosen) {
  EXPECT_EQ(AppConfig{}.renderer, "auto");
  EXPECT_NE(kiosk_settings::DefaultConfigText().find("\nrenderer = \"auto\"\n"), std::string::npos);
  for (const char* r : {"auto", "opengles2", "opengl", "software"}) {
    base::Result<AppConfig> c =
        ParseAppConfig("renderer = \"" + std::string(r) + "\"\n", "kiosk.conf");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->renderer, r);
  }
  EXPECT_EQ(ErrorOf("renderer = \"vulkan\"\n"),
            "kiosk.conf:1: key 'renderer': must be auto | opengles2 | opengl | software, got "
            "'vulkan'");
}

TEST(AppConfigTest, CommentsBlankLinesQuotesAndLineEndings) {  // what TOML allows
  base::Result<AppConfig> c = ParseAppConfig(
      "\xEF\xBB\xBF# written on Windows\r\n"
      "\r\n"
      "   # indented comment\r\n"
      "\tpartner   =  \"Coffee & Co\"  \r\n"
      "camera = ''\r\n"
      "usb_mount_dir=\"/mnt/usb\"  # a comment after the value\r\n"
      "sound_volume = +40",  // no final newline
      "kiosk.conf");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->partner, "Coffee & Co");
  EXPECT_EQ(c->camera, "");
  EXPECT_EQ(c->usb_mount_dir, "/mnt/usb");
  EXPECT_EQ(c->sound_volume, 40);
  EXPECT_EQ(c->mode, "shop");  // untouched keys keep their defaults
}

// The start of an error that toml++ words ("kiosk.conf:3: "), and that it names `what`.
void ExpectSyntaxError(std::string_view text, std::string_view where, std::string_view what) {
  const std::string error = ErrorOf(text);
  EXPECT_EQ(error.substr(0, where.size()), where) << error;
  EXPECT_NE(error.find(what), std::string::npos) << error;
}

TEST(AppConfigTest, ErrorsNameFileLineAndKey) {
  EXPECT_EQ(ErrorOf("# volume\n\nsound_volume = 140\n"),
            "kiosk.conf:3: key 'sound_volume': must be 0..100, got 140");
  EXPECT_EQ(ErrorOf("mode = \"shop\"\nvolume = 3\n"), "kiosk.conf:2: unknown key 'volume'");
  ExpectSyntaxError("mode = \"shop\"\nlanguage = \"en\"\nmode = \"event\"\n", "kiosk.conf:3: ",
                    "'mode'");  // repeated
  ExpectSyntaxError("\nsound_volume 40\n", "kiosk.conf:2: ", "expected '='");
  ExpectSyntaxError("= 4\n", "kiosk.conf:1: ", "'='");
  EXPECT_EQ(ErrorOf("camera_fps = 0\n"), "kiosk.conf:1: key 'camera_fps': must be 1..120, got 0");
  EXPECT_EQ(ErrorOf("camera_width = 4097\n"),
            "kiosk.conf:1: key 'camera_width': must be 160..4096, got 4097");
  EXPECT_EQ(ErrorOf("sync_interval = 9\n"),
            "kiosk.conf:1: key 'sync_interval': must be 10..86400, got 9");
  EXPECT_EQ(ErrorOf("void_window = 59\n"),
            "kiosk.conf:1: key 'void_window': must be 60..86400, got 59");
  EXPECT_EQ(ErrorOf("sync_interval = \"5s\"\n"),
            "kiosk.conf:1: key 'sync_interval': must be 10..86400 seconds, got '5s'");
  ExpectSyntaxError("entry_timeout_ms = 99999999999999999999\n",
                    "kiosk.conf:1: ", "99999999999999999999");
  EXPECT_EQ(ErrorOf("sound_volume = 5.5\n"),
            "kiosk.conf:1: key 'sound_volume': must be a whole number 0..100, got '5.5'");
  ExpectSyntaxError("sound_volume =\n", "kiosk.conf:1: ", "value");
  EXPECT_EQ(ErrorOf("sound_volume = \"\"\n"),
            "kiosk.conf:1: key 'sound_volume': must be a whole number 0..100, got text ''");
  ExpectSyntaxError("fullscreen = yes\n", "kiosk.conf:1: ", "double quotes");
  EXPECT_EQ(ErrorOf("fullscreen = \"yes\"\n"),
            "kiosk.conf:1: key 'fullscreen': must be true or false, got text 'yes'");
  EXPECT_EQ(ErrorOf("mode = \"market\"\n"),
            "kiosk.conf:1: key 'mode': must be shop | event, got 'market'");
  ExpectSyntaxError("mode = event\n", "kiosk.conf:1: ", "double quotes");  // the old syntax
  EXPECT_EQ(ErrorOf("language = \"de\"\n"),
            "kiosk.conf:1: key 'language': must be ru | en | kk, got 'de'");
  EXPECT_EQ(ErrorOf("stale_registry = \"ignore\"\n"),
            "kiosk.conf:1: key 'stale_registry': must be warn | refuse, got 'ignore'");
  EXPECT_EQ(ErrorOf("utc_offset = \"3\"\n"),
            "kiosk.conf:1: key 'utc_offset': must be +HH:MM or -HH:MM within -14:00..+14:00, "
            "got '3'");
  EXPECT_EQ(ErrorOf("utc_offset = 3\n"),
            "kiosk.conf:1: key 'utc_offset': must be text in double quotes, got '3'");
  EXPECT_EQ(ErrorOf("data_dir = \"\"\n"), "kiosk.conf:1: key 'data_dir': must not be empty");
  EXPECT_EQ(ErrorOf("hub = \"hub.example.org\"\n"),
            "kiosk.conf:1: key 'hub': must be an https:// URL or empty, got 'hub.example.org'");
  EXPECT_EQ(ErrorOf("partner = \"" + std::string(65, 'p') + "\"\n"),
            "kiosk.conf:1: key 'partner': at most 64 bytes");
  EXPECT_EQ(ErrorOf("partner = \"a\\u0001z\"\n"),
            "kiosk.conf:1: key 'partner': control character in the value");
  EXPECT_EQ(ErrorOf("partner = \"a\\u0000z\"\n"),
            "kiosk.conf:1: key 'partner': control character in the value");
  EXPECT_EQ(ErrorOf("partner = \"a\\tz\"\n"),
            "kiosk.conf:1: key 'partner': control character in the value");
  ExpectSyntaxError("partner = \"a\x01z\"\n", "kiosk.conf:1: ", "control character");
  EXPECT_EQ(ErrorOf("mode = \"shop\"\npartner = \"a" + std::string(1, '\0') + "z\"\n"),
            "kiosk.conf:2: NUL byte");
  EXPECT_EQ(ErrorOf("mode = \"shop\"\npartner = \"caf\xE9\"\n"), "kiosk.conf:2: not UTF-8");
  ExpectSyntaxError("sound volume = 4\n", "kiosk.conf:1: ", "expected '='");
  EXPECT_EQ(ErrorOf("[screen]\nwidth = 640\n"), "kiosk.conf:1: unknown key 'screen'");
  EXPECT_EQ(ErrorOf("[camera]\nwidth = 640\n"),
            "kiosk.conf:1: key 'camera': must be text in double quotes, got a table");
  EXPECT_EQ(ErrorOf("camera.width = 640\n"),
            "kiosk.conf:1: key 'camera': must be text in double quotes, got a table");
}

TEST(AppConfigTest, CurrencyIsRoublesUnlessSaidAndNeverEmpty) {
  EXPECT_EQ(AppConfig{}.currency, "₽");
  EXPECT_EQ(ErrorOf("currency = \"\"\n"), "kiosk.conf:1: key 'currency': must not be empty");
}

TEST(AppConfigTest, DurationsMayCarryAUnit) {
  base::Result<AppConfig> c = ParseAppConfig(
      "result_timeout_ms = \"4s\"\nentry_timeout_ms = \"2min\"\nsync_interval = \"1h\"\n"
      "void_window = \"20min\"\n",
      "kiosk.conf");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->result_timeout_ms, 4000);
  EXPECT_EQ(c->entry_timeout_ms, 120000);
  EXPECT_EQ(c->sync_interval_seconds, 3600);
  EXPECT_EQ(c->void_window_seconds, 1200);
}

// kiosk-state.conf: only the keys the admin chose, written and read back with the config's checks.
TEST(AppConfigTest, ConfigValuesRoundTrip) {
  const std::map<std::string, std::string> chosen = {
      {"mode", "event"},      {"event", "congress \"2025\""}, {"language", "kk"},
      {"sound_volume", "40"}, {"fullscreen", "false"},        {"utc_offset", "-05:30"}};
  base::Result<std::string> text =
      kiosk_settings::FormatConfigValues(chosen, "Chosen in the menu.");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->substr(0, 21), "# Chosen in the menu.");
  EXPECT_NE(text->find("\nmode = \"event\"\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("\nsound_volume = 40\n"), std::string::npos) << *text;
  base::Result<std::map<std::string, std::string>> back =
      kiosk_settings::ParseConfigValues(*text, "kiosk-state.conf");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, chosen);
  // The whole config reads the same file, with the other keys at their defaults.
  base::Result<AppConfig> c = ParseAppConfig(*text, "kiosk-state.conf");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->event, "congress \"2025\"");
  EXPECT_EQ(c->data_dir, AppConfig{}.data_dir);

  // Only the keys the file sets are returned; the same checks as the config file.
  back = kiosk_settings::ParseConfigValues("partner = \"P-BOOKS\"\n", "kiosk-state.conf");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, (std::map<std::string, std::string>{{"partner", "P-BOOKS"}}));
  back = kiosk_settings::ParseConfigValues("mode = \"market\"\n", "kiosk-state.conf");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().message(),
            "kiosk-state.conf:1: key 'mode': must be shop | event, got 'market'");

  // Nothing is written that would not read back.
  for (const auto& bad : std::vector<std::map<std::string, std::string>>{{{"volume", "3"}},
                                                                         {{"mode", "market"}},
                                                                         {{"sound_volume", "loud"}},
                                                                         {{"sound_volume", "140"}},
                                                                         {{"fullscreen", "yes"}},
                                                                         {{"partner", "a\x01z"}}}) {
    EXPECT_FALSE(kiosk_settings::FormatConfigValues(bad, "").ok()) << bad.begin()->first;
  }
  text = kiosk_settings::FormatConfigValues({}, "");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "");
}

// A kiosk-state.conf written before TOML is still read (with the same checks); kiosk.conf is not.
TEST(AppConfigTest, ConfigValuesReadAStateFileOfTheOldSyntax) {
  const std::string old_state =
      "# Chosen in the kiosk's admin menu; overrides the config file.\n"
      "language = kk\nmode = shop\npartner = P-BOOKS\n";
  base::Result<std::map<std::string, std::string>> back =
      kiosk_settings::ParseConfigValues(old_state, "kiosk-state.conf");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, (std::map<std::string, std::string>{
                       {"language", "kk"}, {"mode", "shop"}, {"partner", "P-BOOKS"}}));
  EXPECT_FALSE(ParseAppConfig(old_state, "kiosk.conf").ok());
  // What the old syntax would refuse, or the config would, is still refused, with the TOML error.
  for (const char* bad : {"mode = market\n", "volume = 3\n", "mode = shop\nmode = event\n",
                          "mode shop\n", "partner = a\x01z\n"}) {
    back = kiosk_settings::ParseConfigValues(bad, "kiosk-state.conf");
    ASSERT_FALSE(back.ok()) << bad;
    EXPECT_EQ(back.status().message().substr(0, 19), "kiosk-state.conf:1:") << bad;
  }
}

TEST(AppConfigTest, UtcOffset) {
  struct Case {
    const char* text;
    int64_t seconds;
  };
  for (const Case& c :
       {Case{"+03:00", 10800}, Case{"-05:30", -19800}, Case{"+00:00", 0}, Case{"-00:00", 0},
        Case{"+14:00", 50400}, Case{"-14:00", -50400}, Case{"+05:45", 5 * 3600 + 45 * 60}}) {
    base::Result<int64_t> s = kiosk_settings::ParseUtcOffset(c.text);
    ASSERT_TRUE(s.ok()) << c.text << ": " << s.status().ToString();
    EXPECT_EQ(*s, c.seconds) << c.text;
  }
  for (const char* bad : {"", "3", "03:00", "+3:00", "+03:0", "+0300", "+03:60", "+14:01", "-15:00",
                          "+03:00 ", "Z", "+ab:cd"}) {
    EXPECT_FALSE(kiosk_settings::ParseUtcOffset(bad).ok()) << bad;
  }
  EXPECT_EQ(kiosk_settings::FormatUtcOffset(10800), "+03:00");
  EXPECT_EQ(kiosk_settings::FormatUtcOffset(-19800), "-05:30");
  EXPECT_EQ(kiosk_settings::FormatUtcOffset(0), "+00:00");
  EXPECT_EQ(kiosk_settings::FormatUtcOffset(-50400), "-14:00");
}

TEST(AppConfigTest, LoadReadsFileAndNamesItInErrors) {
  cktest::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string good = Write(dir, "kiosk.conf", "mode = \"event\"\nevent = \"e1\"\n");
  base::Result<AppConfig> c = kiosk_settings::LoadAppConfig(good);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->mode, "event");
  EXPECT_EQ(c->event, "e1");

  const std::string bad = Write(dir, "bad.conf", "mode = \"event\"\ncamera_fps = 500\n");
  c = kiosk_settings::LoadAppConfig(bad);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), bad + ":2: key 'camera_fps': must be 1..120, got 500");

  const std::string missing = dir.path() + "/nope.conf";
  c = kiosk_settings::LoadAppConfig(missing);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), base::StatusCode::kNotFound);
  EXPECT_NE(c.status().message().find(missing), std::string::npos) << c.status().message();

  const std::string huge = Write(dir, "huge.conf", std::string((1 << 20) + 1, '#'));
  c = kiosk_settings::LoadAppConfig(huge);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), base::StatusCode::kOutOfRange);
  EXPECT_NE(c.status().message().find("1 MiB"), std::string::npos) << c.status().message();
}

}  // namespace
