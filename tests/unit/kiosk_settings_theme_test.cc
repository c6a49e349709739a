// theme.conf (TOML): defaults, colours, error messages, the shipped theme and the optional logo.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "kiosk_settings/theme.h"
#include "subprocess.h"

namespace kiosk_settings {
// For GoogleTest's failure messages.
void PrintTo(const Rgb& c, std::ostream* os) {
  *os << "rgb(" << int{c.r} << "," << int{c.g} << "," << int{c.b} << ")";
}
}  // namespace kiosk_settings

namespace {

using kiosk_settings::ParseColor;
using kiosk_settings::ParseTheme;
using kiosk_settings::Rgb;
using kiosk_settings::Theme;

void ExpectSame(const Theme& a, const Theme& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.background, b.background);
  EXPECT_EQ(a.panel, b.panel);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.muted, b.muted);
  EXPECT_EQ(a.accent, b.accent);
  EXPECT_EQ(a.valid, b.valid);
  EXPECT_EQ(a.invalid, b.invalid);
  EXPECT_EQ(a.warning, b.warning);
  EXPECT_EQ(a.logo_path, b.logo_path);
}

std::string ErrorOf(std::string_view text) {
  base::Result<Theme> t = ParseTheme(text, "theme.conf");
  return t.ok() ? "<parsed>" : t.status().message();
}

// WCAG 2 relative luminance and contrast ratio.
double Luminance(Rgb c) {
  auto channel = [](uint8_t v) {
    const double s = v / 255.0;
    return s <= 0.03928 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}
double Contrast(Rgb a, Rgb b) {
  const double la = Luminance(a), lb = Luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

std::string Hex(Rgb c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02X%02X%02X", c.r, c.g, c.b);
  return buf;
}

TEST(ThemeTest, EmptyFileKeepsDefaults) {
  base::Result<Theme> t = ParseTheme("# nothing\n\n", "theme.conf");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ExpectSame(*t, Theme{});
}

TEST(ThemeTest, ShippedThemeIsTheDefaults) {
  base::Result<Theme> t = kiosk_settings::LoadTheme(std::string(CK_ASSETS_DIR) + "/theme");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ExpectSame(*t, Theme{});
}

TEST(ThemeTest, DefaultColoursAreReadable) {
  const Theme t;
  for (Rgb bg : {t.background, t.panel, t.valid, t.invalid, t.warning}) {
    EXPECT_GE(Contrast(t.text, bg), 4.5) << Hex(bg);  // WCAG AA, normal text
  }
  EXPECT_GE(Contrast(t.muted, t.background), 4.5);
  EXPECT_GE(Contrast(t.muted, t.panel), 4.5);
  EXPECT_GE(Contrast(t.text, t.accent), 3.0);  // WCAG AA, large text (button labels)
}

TEST(ThemeTest, EveryKeyIsRead) {
  base::Result<Theme> t = ParseTheme(
      "name = \"Union of Bakers\"\n"
      "background = \"#000000\"\n"
      "panel = \"#010203\"\n"
      "text = \"#ffffff\"\n"
      "muted = \"#AaBbCc\"\n"
      "accent = \"#123456\"\n"
      "valid = \"#00FF00\"  # a comment after a value\n"
      "invalid = '#FF0000'\n"
      "warning = \"#FFA500\"\n",
      "theme.conf");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->name, "Union of Bakers");
  EXPECT_EQ(t->background, (Rgb{0, 0, 0}));
  EXPECT_EQ(t->panel, (Rgb{1, 2, 3}));
  EXPECT_EQ(t->text, (Rgb{255, 255, 255}));
  EXPECT_EQ(t->muted, (Rgb{0xAA, 0xBB, 0xCC}));
  EXPECT_EQ(t->accent, (Rgb{0x12, 0x34, 0x56}));
  EXPECT_EQ(t->valid, (Rgb{0, 255, 0}));
  EXPECT_EQ(t->invalid, (Rgb{255, 0, 0}));
  EXPECT_EQ(t->warning, (Rgb{255, 0xA5, 0}));
}

TEST(ThemeTest, MissingKeysKeepDefaults) {
  base::Result<Theme> t = ParseTheme("valid = \"#00AA00\"\n", "theme.conf");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  Theme expected;
  expected.valid = Rgb{0, 0xAA, 0};
  ExpectSame(*t, expected);
}

TEST(ThemeTest, ParseColor) {
  base::Result<Rgb> c = ParseColor("#1B7F3B");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, (Rgb{0x1B, 0x7F, 0x3B}));
  c = ParseColor("#1b7f3b");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, (Rgb{0x1B, 0x7F, 0x3B}));
  for (const char* bad : {"", "#", "1B7F3B", "#1B7F3", "#1B7F3B0", "#GG0000", "# 1B7F3", "#1B7F3B ",
                          "green", "rgb(1,2,3)"}) {
    EXPECT_FALSE(ParseColor(bad).ok()) << bad;
  }
}

TEST(ThemeTest, ErrorsNameFileLineAndKey) {
  EXPECT_EQ(ErrorOf("name = \"x\"\ncolour = \"#000000\"\n"), "theme.conf:2: unknown key 'colour'");
  EXPECT_EQ(ErrorOf("\n\nvalid = \"green\"\n"),
            "theme.conf:3: key 'valid': a colour is #RRGGBB, got 'green'");
  EXPECT_EQ(ErrorOf("panel = \"#12345\"\n"),
            "theme.conf:1: key 'panel': a colour is #RRGGBB, got '#12345'");
  EXPECT_EQ(ErrorOf("panel = 123456\n"),
            "theme.conf:1: key 'panel': must be text in double quotes, got '123456'");
  EXPECT_EQ(ErrorOf("name = \"\"\n"), "theme.conf:1: key 'name': must be 1..64 bytes");
  EXPECT_EQ(ErrorOf("name = \"" + std::string(65, 'x') + "\"\n"),
            "theme.conf:1: key 'name': must be 1..64 bytes");
  EXPECT_EQ(ErrorOf("name = \"a\\tb\"\n"),
            "theme.conf:1: key 'name': control character in the value");
  // TOML syntax errors (toml++'s own words) name the line.
  EXPECT_EQ(ErrorOf("text = \"#FFFFFF\"\ntext = \"#000000\"\n").substr(0, 13), "theme.conf:2:");
  EXPECT_EQ(ErrorOf("accent \"#2F80ED\"\n").substr(0, 13), "theme.conf:1:");
  // The syntax before TOML: '#' starts a comment, so the value is missing.
  EXPECT_EQ(ErrorOf("\nvalid = #00FF00\n").substr(0, 13), "theme.conf:2:");
  EXPECT_EQ(ErrorOf("[colours]\nvalid = \"#00FF00\"\n"), "theme.conf:1: unknown key 'colours'");
}

class ThemeDirTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(tmp_.path().empty()); }
  cktest::TempDir tmp_;
  const std::string& dir_ = tmp_.path();
};

TEST_F(ThemeDirTest, LogoIsNotedWhenPresent) {
  std::ofstream(dir_ + "/theme.conf") << "name = \"Bakers\"\n";
  base::Result<Theme> t = kiosk_settings::LoadTheme(dir_);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->name, "Bakers");
  EXPECT_EQ(t->logo_path, "");

  std::filesystem::create_directory(dir_ + "/logo.png");  // not a file: no logo
  t = kiosk_settings::LoadTheme(dir_);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->logo_path, "");

  std::filesystem::remove(dir_ + "/logo.png");
  std::ofstream(dir_ + "/logo.png") << "\x89PNG";
  t = kiosk_settings::LoadTheme(dir_);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->logo_path, dir_ + "/logo.png");
}

TEST_F(ThemeDirTest, LoadErrors) {
  base::Result<Theme> t = kiosk_settings::LoadTheme(dir_);  // no theme.conf
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), base::StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find(dir_ + "/theme.conf"), std::string::npos);

  std::ofstream(dir_ + "/theme.conf") << "valid = \"#00FF00\"\nwarning = \"amber\"\n";
  t = kiosk_settings::LoadTheme(dir_);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            dir_ + "/theme.conf:2: key 'warning': a colour is #RRGGBB, got 'amber'");

  std::ofstream(dir_ + "/theme.conf") << std::string((1 << 20) + 1, '#');
  t = kiosk_settings::LoadTheme(dir_);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), base::StatusCode::kOutOfRange);
}

}  // namespace
